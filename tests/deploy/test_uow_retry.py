"""A write that MySQL/MariaDB ends with a deadlock or a lost connection (a restart) runs once more
with the same idempotency keys; one lost during its commit is not re-run; the page says 503."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from hamyan import ledger
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.models import Entry
from tests.test_ledger import open_accounts


class _DriverError(Exception):
    pass


def _ended_by_database(code):
    return OperationalError("INSERT ...", {}, _DriverError(code, "ended by the server"))


def _entries():
    return db.session.scalar(sa.select(sa.func.count(Entry.id)))


@pytest.mark.parametrize("code", [1213, 2013])
def test_deadlock_or_lost_connection_runs_the_write_once_more(code):
    acc = open_accounts()
    attempts = []

    @uow.write
    def pay():
        entry = ledger.post("payment", [(acc["cash"], 500), (acc["alice"], -500)], idempotency_key="pay-1")
        attempts.append(entry.id)
        if len(attempts) == 1:
            raise _ended_by_database(code)
        return entry

    pay()
    assert len(attempts) == 2 and _entries() == 1
    assert db.session.get(type(acc["cash"]), acc["cash"].id).balance == 500


def test_other_database_errors_and_a_second_failure_reach_the_caller():
    acc = open_accounts()
    attempts = []

    @uow.write
    def pay(code):
        ledger.post("payment", [(acc["cash"], 500), (acc["alice"], -500)], idempotency_key="pay-2")
        attempts.append(code)
        raise _ended_by_database(code)

    with pytest.raises(OperationalError):
        pay(1054)  # not a transient error: once
    assert attempts == [1054]
    with pytest.raises(OperationalError):
        pay(1213)  # transient, but twice: the second failure is the answer
    assert attempts == [1054, 1213, 1213] and _entries() == 0


def test_a_connection_lost_during_the_commit_is_not_run_again(monkeypatch):
    acc = open_accounts()
    attempts = []

    def commit_lost(session):
        if session.info.get("uow_active"):
            raise _ended_by_database(2013)

    sa.event.listen(db.session.registry(), "before_commit", commit_lost)
    try:
        @uow.write
        def pay():
            attempts.append(1)
            ledger.post("payment", [(acc["cash"], 500), (acc["alice"], -500)], idempotency_key="pay-3")

        with pytest.raises(OperationalError):
            pay()
    finally:
        sa.event.remove(db.session.registry(), "before_commit", commit_lost)
    assert attempts == [1]  # the server may have committed it: the caller retries with the key


def test_a_database_error_in_a_request_is_a_clear_503(app, client, monkeypatch):
    from hamyan.blueprints.home import views

    def down():
        raise _ended_by_database(2003)

    monkeypatch.setattr(views.boxes, "boxes_of", lambda user: down())
    from tests.conftest import login
    from hamyan.blueprints.auth import services

    services.signup("down@example.com", "Down", "correct-horse-42", verified=True)
    login(client, "down@example.com")
    answer = client.get("/")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert "The database is not answering" in answer.get_data(as_text=True)


@pytest.mark.mysql_only
def test_a_write_whose_connection_the_server_kills_succeeds_on_its_second_run(app):
    """The real thing on MariaDB: the first run's connection is killed mid-write (as a restart does)."""
    acc = open_accounts()
    attempts = []

    @uow.write
    def pay():
        ledger.post("payment", [(acc["cash"], 700), (acc["alice"], -700)], idempotency_key="pay-killed")
        attempts.append(1)
        if len(attempts) == 1:
            victim = db.session.execute(sa.text("SELECT CONNECTION_ID()")).scalar()
            with db.engine.connect() as killer:  # another connection, as the server's restart
                killer.execute(sa.text(f"KILL {int(victim)}"))
            db.session.execute(sa.text("SELECT 1"))  # the lost connection shows here

    pay()
    assert attempts == [1, 1] and _entries() == 1
    assert db.session.scalar(sa.select(type(acc["cash"]).balance).filter_by(id=acc["cash"].id)) == 700
