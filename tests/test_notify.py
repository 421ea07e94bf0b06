"""notify() only enqueues: the outbox row is written in the caller's unit of work and the email is
sent after that commits, so no SMTP call runs inside a money write, and a rolled-back write sends
nothing."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from hamyan.notify.models import OutboxMessage
from hamyan.notify.services import notify
from hamyan.boxes.models import Box
from hamyan.core import uow
from hamyan.extensions import db


@pytest.fixture
def box_id():
    with db.engine.begin() as conn:
        return conn.execute(sa.insert(Box).values(kind="cashbox", name="Fund", currency="USD", timezone="UTC",
                                                  locale="en", calendar="gregorian",
                                                  created_at=datetime(2026, 1, 1))).inserted_primary_key[0]


def outbox():
    db.session.rollback()
    return db.session.execute(sa.select(OutboxMessage.subject, OutboxMessage.sent_at.is_not(None))).all()


def test_a_box_write_that_fails_sends_nothing_and_keeps_no_outbox_row(smtp_server, box_id):
    with pytest.raises(RuntimeError):
        with uow.box_transaction(box_id):
            notify("member@example.com", "You were paid", "Hello")
            raise RuntimeError("the payment is refused after all")
    assert smtp_server == []
    assert outbox() == []


def test_a_box_write_that_commits_sends_after_the_commit(smtp_server, box_id):
    with uow.box_transaction(box_id):
        notify("member@example.com", "You were paid", "Hello")
        assert smtp_server == []  # not while the write holds the box's lock
    assert [m["Subject"] for m in smtp_server] == ["You were paid"]
    assert outbox() == [("You were paid", True)]


def test_a_failed_send_stays_in_the_outbox_for_the_dispatch_job(app, box_id, monkeypatch, clock):
    from datetime import timedelta

    from hamyan.core import clock as clock_module
    from hamyan.scheduling import run_job

    clock.set(datetime(2026, 1, 1, 9, 0))

    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)  # nothing listens: the send fails
    with uow.box_transaction(box_id):
        notify("member@example.com", "You were paid", "Hello")
    assert outbox() == [("You were paid", False)]
    assert db.session.scalar(sa.select(OutboxMessage.attempts)) == 1
    assert db.session.scalar(sa.select(OutboxMessage.last_error)) is not None
    assert run_job("notify.dispatch", "s1").detail == "sent 0 of 0"  # not before its backoff (1 minute)
    clock.set(clock_module.now() + timedelta(minutes=1))
    assert run_job("notify.dispatch", "s2").detail == "sent 0 of 1, 1 to retry"
    db.session.rollback()
    assert db.session.scalar(sa.select(OutboxMessage.attempts)) == 2
