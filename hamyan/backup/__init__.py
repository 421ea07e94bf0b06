"""Backups: `flask backup create | list | restore NAME | verify NAME` (cli.py), the rules in service.py.

A backup is one file in instance/backups (HAMYAN_BACKUP_DIR), optionally gzipped, with two files
beside it: NAME.sha256 (the checksum, checked before every restore or verify) and NAME.json (the
manifest: row counts per table and every ledger account's balance in the backup).

SQLite: the online backup API copies a consistent snapshot while the app keeps writing; the
manifest is read from that copy, so it is exactly what the file holds. MySQL/MariaDB: `mysqldump
--single-transaction` (one consistent snapshot, no table locks); the manifest is read back from a
scratch database the dump is loaded into, so it too describes exactly the file.

`verify` loads the file into a scratch database, runs `flask ledger check` on it (balances equal the
postings, every product reconciles) and compares its row counts and balances with the manifest."""
