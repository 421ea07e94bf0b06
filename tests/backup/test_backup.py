"""flask backup create | list | verify | restore on the leg's database: a backup taken while
payments keep being written restores to a database whose ledger checks and whose counts and balances
equal the backup's manifest; damaged files, unknown names and retention."""
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from hamyan.backup import service
from hamyan.extensions import db
from hamyan.ledger.models import LedgerAccount


@pytest.fixture
def backups(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 3)
    monkeypatch.setitem(app.config, "BACKUP_GZIP", True)
    return tmp_path / "backups"


@pytest.fixture
def books(app):
    """A box with two accounts; `write(n)` posts n payments, each its own box write."""
    from datetime import datetime

    from hamyan import ledger
    from hamyan.boxes.models import Box
    from hamyan.core import uow

    with db.engine.begin() as conn:
        box_id = conn.execute(sa.insert(Box).values(kind="cashbox", name="Fund", currency="USD", timezone="UTC",
                                                    locale="en", calendar="gregorian",
                                                    created_at=datetime(2026, 1, 1))).inserted_primary_key[0]

    def accounts():
        cash = ledger.open_account(box_id, "cash", "Cash", "USD", type=ledger.ASSET, subject=("box", box_id),
                                   purpose="cash")
        member = ledger.open_account(box_id, "member:1", "Member", "USD", type=ledger.LIABILITY,
                                     subject=("membership", 1), purpose="savings")
        return cash, member

    def write(n, prefix="p"):
        for i in range(n):
            with uow.box_transaction(box_id):
                cash, member = accounts()
                ledger.post("contribution", [(cash, 100 + i), (member, -(100 + i))], idempotency_key=f"{prefix}{i}",
                            effective_date=date(2026, 1, 1), memo="", box_id=box_id)

    write(20, "first")
    return write


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def balances():
    db.session.rollback()
    return dict(db.session.execute(sa.select(LedgerAccount.id, LedgerAccount.balance)).all())


def test_create_list_verify_round_trip(app, backups, books):
    created = cli(app, "backup", "create")
    assert created.exit_code == 0, created.output
    name = created.output.split()[1]
    assert name.endswith(".gz") and (backups / name).exists()
    assert (backups / f"{name}.sha256").read_text().split()[0] == service.checksum(backups / name)
    listed = cli(app, "backup", "list")
    assert listed.output.startswith(name)

    verified = cli(app, "backup", "verify", name)
    assert verified.exit_code == 0, verified.output
    assert f"{name}: verified" in verified.output and "ledger balanced" in verified.output


def test_a_damaged_backup_or_an_unknown_name_is_refused(app, backups):
    name = cli(app, "backup", "create", "--no-gzip").output.split()[1]
    with open(backups / name, "ab") as damaged:
        damaged.write(b"x")
    result = cli(app, "backup", "verify", name)
    assert result.exit_code == 1 and "checksum" in result.output
    assert "no backup named" in cli(app, "backup", "verify", "../../etc/passwd").output
    assert cli(app, "backup", "restore", "nope", "--yes").exit_code == 1


def test_retention_keeps_the_newest(app, backups):
    names = [cli(app, "backup", "create").output.split()[1] for _ in range(5)]
    kept = [b.name for b in service.all_backups()]
    assert len(kept) == 3 and set(kept) <= set(names)
    assert len(list(backups.iterdir())) == 9  # each with its .json and .sha256


def test_a_backup_taken_while_payments_are_written_verifies_with_identical_balances(app, backups, books):
    """Writes go on in another connection during the backup: the file is one consistent snapshot,
    its ledger checks, and its balances and counts are exactly the manifest's."""
    stop, errors = threading.Event(), []

    def writer():
        with app.app_context():
            n = 0
            try:
                while not stop.is_set():
                    books(1, prefix=f"during{n}-")
                    n += 1
            except Exception as exc:  # reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        names = [service.create().name for _ in range(2)]
    finally:
        stop.set()
        thread.join()
    assert errors == []
    for name in names:
        result = service.verify(name)
        assert result.ok, (result.problems, result.ledger_output)
        manifest = service.find(name).manifest
        assert sum(manifest["balances"].values()) == 0 and manifest["counts"]["ledger_entry"] >= 20


def test_restore_puts_the_database_back(app, backups, books, make_user):
    name = service.create().name
    before = balances()
    books(5, prefix="after")
    make_user("late@example.com")
    assert balances() != before
    result = cli(app, "backup", "restore", name, "--yes")
    assert result.exit_code == 0, result.output
    assert balances() == before
    from hamyan.blueprints.auth.models import User

    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_mysql_backup_without_the_client_tools_says_what_to_install(app, backups, monkeypatch):
    """Where neither mariadb-dump nor mysqldump is installed, `flask backup create` on a MySQL/MariaDB
    database stops with an error naming them and what to install, and leaves no file."""
    from hamyan.backup.cli import backup_cli

    monkeypatch.setattr(service.shutil, "which", lambda name: None)
    monkeypatch.setattr(service, "_url", lambda: sa.engine.make_url("mysql+pymysql://root@127.0.0.1:3306/books"))
    result = app.test_cli_runner().invoke(backup_cli, ["create"])
    assert result.exit_code == 1
    assert "mariadb-dump or mysqldump is not installed" in result.output and "apt-get install mariadb-client" in result.output
    assert not any(backups.iterdir())
