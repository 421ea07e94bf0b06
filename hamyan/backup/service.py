"""Creating, listing, restoring and verifying backups (see the package doc)."""
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from hamyan.core import clock
from hamyan.core.errors import NotFound, ServiceError, ValidationError
from hamyan.extensions import db


class BackupError(ServiceError):
    status = 500
    code = "backup_failed"


@dataclass
class Backup:
    name: str
    path: Path
    size: int
    created_at: str
    manifest: dict

    @property
    def rows(self) -> int:
        return sum(self.manifest.get("counts", {}).values())


def folder() -> Path:
    path = Path(current_app.config["BACKUP_DIR"] or os.path.join(current_app.instance_path, "backups"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _url() -> sa.engine.URL:
    return db.engine.url


def _is_sqlite(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _tool(name: str, other: str) -> str:
    """The path of the client tool `name`, else of its older name `other` (mysqldump for mariadb-dump)."""
    found = shutil.which(name) or shutil.which(other)
    if found:
        return found
    raise BackupError(_("%(tool)s or %(other)s is not installed on this machine: install the MariaDB/MySQL client "
                        "tools (e.g. apt-get install mariadb-client) to back up or restore a MySQL/MariaDB database.",
                        tool=name, other=other))


def _mysql_args(url: sa.engine.URL, database: str | None = None) -> tuple[list[str], dict]:
    args = [f"--host={url.host or '127.0.0.1'}", f"--port={url.port or 3306}", f"--user={url.username or 'root'}"]
    env = dict(os.environ)
    if url.password:
        env["MYSQL_PWD"] = url.password  # not on the command line, where `ps` would show it
    return args + [database or url.database], env


def _open(path: Path, mode: str):
    return gzip.open(path, mode) if path.suffix == ".gz" else open(path, mode)


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_of(engine: sa.engine.Engine) -> dict:
    """Row counts per table and each ledger account's cached balance, as the database holds them."""
    with engine.connect() as conn:
        counts = {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                  for table in db.metadata.sorted_tables if sa.inspect(conn).has_table(table.name)}
        balances = {str(account_id): int(balance) for account_id, balance in
                    conn.execute(sa.text("SELECT id, balance FROM ledger_account ORDER BY id"))}
    return {"counts": counts, "balances": balances}


# ------------------------------------------------------------------------------------- create
def create(gzip_it: bool | None = None) -> Backup:
    """Back up the app's database now; then drop the oldest beyond the retention."""
    gzip_it = current_app.config["BACKUP_GZIP"] if gzip_it is None else gzip_it
    url = _url()
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    name = f"hamyan-{stamp}-{uuid.uuid4().hex[:6]}" + (".sqlite" if _is_sqlite(url) else ".sql")
    target = folder() / (name + (".gz" if gzip_it else ""))
    partial = target.with_name(target.name + ".partial")  # never listed: a crash leaves no half backup
    try:
        with tempfile.TemporaryDirectory() as scratch:
            plain = Path(scratch) / name
            if _is_sqlite(url):
                _sqlite_backup(url.database, plain)
                copy = sa.create_engine(f"sqlite:///{plain}")
                manifest = manifest_of(copy)
                copy.dispose()
            else:
                _mysqldump(url, plain)
                with _scratch_mysql(url, plain) as engine:
                    manifest = manifest_of(engine)
            with open(plain, "rb") as source, (gzip.open if gzip_it else open)(partial, "wb") as out:
                shutil.copyfileobj(source, out)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    manifest.update(name=target.name, created_at=clock.now().isoformat(timespec="seconds"),
                    backend=url.get_backend_name(), sha256=checksum(target))
    Path(f"{target}.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    Path(f"{target}.sha256").write_text(f"{manifest['sha256']}  {target.name}\n")
    prune()
    return find(target.name)


def _sqlite_backup(source: str, target: Path) -> None:
    """sqlite3's online backup: a consistent copy, page by page, while other connections write."""
    with sqlite3.connect(source, timeout=30) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=1024)
    copy.close()
    live.close()


def _mysqldump(url: sa.engine.URL, target: Path) -> None:
    args, env = _mysql_args(url)
    with open(target, "wb") as out:
        done = subprocess.run([_tool("mariadb-dump", "mysqldump"), "--single-transaction", "--quick",
                               "--routines", "--no-tablespaces", "--default-character-set=utf8mb4", *args],
                              stdout=out, stderr=subprocess.PIPE, env=env)
    if done.returncode:
        raise BackupError(_("mysqldump failed: %(error)s", error=done.stderr.decode(errors="replace").strip()[:300]))


def _load_mysql(url: sa.engine.URL, database: str, dump: Path) -> None:
    args, env = _mysql_args(url, database)
    # Piped through Python: a gzipped dump's file descriptor would hand the client compressed bytes.
    with _open(dump, "rb") as source, tempfile.TemporaryFile() as errors:
        client = subprocess.Popen([_tool("mariadb", "mysql"), "--binary-mode", *args], stdin=subprocess.PIPE,
                                  stderr=errors, env=env)
        try:
            shutil.copyfileobj(source, client.stdin, 1 << 20)
        except BrokenPipeError:  # the client stopped on an error: reported below
            pass
        finally:
            client.stdin.close()
        if client.wait():
            errors.seek(0)
            raise BackupError(_("loading the dump failed: %(error)s",
                                error=errors.read().decode(errors="replace").strip()[:300]))


@contextmanager
def _scratch_mysql(url: sa.engine.URL, dump: Path):
    """A temporary database on the same server holding the dump; dropped afterwards."""
    name = f"{url.database}_scratch_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(url.set(database=""))
    with server.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    engine = sa.create_engine(url.set(database=name))
    try:
        _load_mysql(url, name, dump)
        yield engine
    finally:
        engine.dispose()
        with server.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


# --------------------------------------------------------------------------------- list, prune
def all_backups() -> list[Backup]:
    """Newest first."""
    found = []
    for path in folder().iterdir():
        if path.name.startswith("hamyan-") and path.suffix in (".sqlite", ".sql", ".gz"):
            meta = Path(f"{path}.json")
            manifest = json.loads(meta.read_text()) if meta.exists() else {}
            found.append(Backup(path.name, path, path.stat().st_size, manifest.get("created_at", ""), manifest))
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def find(name: str) -> Backup:
    """A backup by its file name; anything else (a path, another file) is NotFound."""
    for backup in all_backups():
        if backup.name == name:
            return backup
    raise NotFound(_("There is no backup named “%(name)s”.", name=name))


def prune() -> list[str]:
    """Keep the newest HAMYAN_BACKUP_KEEP backups; delete the rest with their side files."""
    keep = max(1, current_app.config["BACKUP_KEEP"])
    dropped = []
    for backup in all_backups()[keep:]:
        for path in (backup.path, Path(f"{backup.path}.json"), Path(f"{backup.path}.sha256")):
            path.unlink(missing_ok=True)
        dropped.append(backup.name)
    return dropped


def _checked(name: str) -> Backup:
    backup = find(name)
    expected = backup.manifest.get("sha256")
    if not expected or checksum(backup.path) != expected:
        raise ValidationError(_("The checksum of %(name)s does not match: the file is damaged or was changed.",
                                name=name), field="name")
    return backup


# ------------------------------------------------------------------------------ restore, verify
@contextmanager
def _scratch(backup: Backup):
    """The backup loaded into a scratch database of the app's kind: yields its URL."""
    url = _url()
    if _is_sqlite(url):
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / "restored.sqlite"
            with _open(backup.path, "rb") as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            yield sa.engine.make_url(f"sqlite:///{target}")
    else:
        with _scratch_mysql(url, backup.path) as engine:
            yield engine.url


@dataclass
class Verification:
    ok: bool
    problems: list
    ledger_output: str
    counts: dict


def verify(name: str) -> Verification:
    """Load the backup into a scratch database, run `flask ledger check` there, and compare its row
    counts and balances with the manifest."""
    backup = _checked(name)
    with _scratch(backup) as url:
        engine = sa.create_engine(url)
        try:
            found = manifest_of(engine)
        finally:
            engine.dispose()
        check = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi:app", "ledger", "check"],
                               cwd=Path(current_app.root_path).parent, capture_output=True, text=True,
                               env=dict(os.environ, HAMYAN_DATABASE_URL=url.render_as_string(hide_password=False),
                                        HAMYAN_SCHEDULER_ENABLED="false",
                                        HAMYAN_INSTANCE_PATH=current_app.instance_path))
    problems = []
    if check.returncode:
        problems.append("ledger check failed on the restored copy")
    expected = backup.manifest
    for table, count in sorted(expected.get("counts", {}).items()):
        if found["counts"].get(table) != count:
            problems.append(f"{table}: {found['counts'].get(table)} rows restored, {count} backed up")
    if found["balances"] != expected.get("balances"):
        differ = [a for a in set(found["balances"]) | set(expected.get("balances", {}))
                  if found["balances"].get(a) != expected.get("balances", {}).get(a)]
        problems.append(f"{len(differ)} account balance(s) differ, e.g. account {sorted(differ)[0]}")
    return Verification(not problems, problems, (check.stdout + check.stderr).strip(), found["counts"])


def restore(name: str) -> None:
    """Replace the app's database with the backup (stop the app's processes first)."""
    backup = _checked(name)
    url = _url()
    db.session.remove()
    db.engine.dispose()
    if _is_sqlite(url):
        staging = Path(f"{url.database}.restoring")
        with _open(backup.path, "rb") as source, open(staging, "wb") as out:
            shutil.copyfileobj(source, out)
        for suffix in ("-wal", "-shm"):  # the old database's journal must not replay onto the new one
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        os.replace(staging, url.database)
    else:
        _tool("mariadb", "mysql")
        with db.engine.begin() as conn:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
            for table in conn.execute(sa.text("SHOW TABLES")).scalars().all():
                conn.execute(sa.text(f"DROP TABLE `{table}`"))
        _load_mysql(url, url.database, backup.path)
