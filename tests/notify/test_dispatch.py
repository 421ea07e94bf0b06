"""The dispatcher: email by SMTP (aiosmtpd), SMS through the gateway provider against the fake
gateway, in-app rows; retries with backoff on a frozen clock, giving up cleanly; several
dispatchers draining one outbox without sending anything twice; member channels and quiet hours."""
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from hamyan.core import uow
from hamyan.core.errors import ValidationError
from hamyan.core.parse import mobile
from hamyan.extensions import db
from hamyan.notify import dispatch, services
from hamyan.notify.models import FAILED, QUEUED, SENT, OutboxMessage
from tests.notify.fake_sms import KEY, FakeGateway

T0 = datetime(2026, 3, 1, 8, 0)


@pytest.fixture
def gateway(app, monkeypatch):
    with FakeGateway() as fake:
        monkeypatch.setitem(app.config, "SMS_PROVIDER", "gateway")
        monkeypatch.setitem(app.config, "SMS_API_URL", fake.url)
        monkeypatch.setitem(app.config, "SMS_API_KEY", KEY)
        monkeypatch.setitem(app.config, "SMS_SENDER", "10004346")
        monkeypatch.setitem(app.config, "SMS_TIMEOUT", 0.5)
        yield fake


def rows():
    db.session.rollback()
    return db.session.execute(sa.select(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.attempts)
                              .order_by(OutboxMessage.id)).all()


def enqueue(*messages):
    with uow.transaction():
        return [services.notify(*m).id for m in messages]


@pytest.mark.parametrize("raw", ["09121234567", "+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "912-123-4567"])
def test_iranian_mobiles_are_normalised(raw):
    assert mobile(raw) == "+989121234567"


@pytest.mark.parametrize("raw, words", [("", "Enter"), ("02188776655", "landline"), ("0912123", "not valid"),
                                        ("hello", "not a phone"), ("+1" + "5" * 40, "too long")])
def test_bad_numbers_are_refused_with_a_reason(raw, words):
    with pytest.raises(ValidationError) as raised:
        mobile(raw)
    assert words in raised.value.message and raised.value.fields == {"phone": raised.value.message}


def test_email_sms_and_inapp_are_sent_from_one_outbox(smtp_server, gateway, clock):
    clock.set(T0)
    enqueue(("a@example.com", "Hello", "Email body"), ("+989121234567", "", "SMS body", "sms"),
            ("7", "In app", "Shown on the page", "inapp"))
    assert [m["Subject"] for m in smtp_server] == ["Hello"]  # an email goes right after the commit
    drained = dispatch.drain()
    assert (drained.sent, drained.tried) == (2, 2)
    assert [(to, text) for to, _, text, _ in gateway.sent] == [("+989121234567", "SMS body")]
    assert [status for _, status, _ in rows()] == [SENT, SENT, SENT]
    sms_row = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.channel == "sms"))
    assert sms_row.provider_id == gateway.sent[0][3] and sms_row.delivery == "pending"
    gateway.delivered.add(sms_row.provider_id)
    assert dispatch.poll_deliveries() == 1
    db.session.rollback()
    assert db.session.get(OutboxMessage, sms_row.id).delivery == "delivered"


def test_sms_retries_with_backoff_then_gives_up_cleanly(gateway, clock):
    clock.set(T0)
    [message_id] = enqueue(("+989121234567", "", "Your installment is due", "sms"))
    gateway.then("error", "timeout", "rate", "garbage", "error", "error")
    waits, now = [], T0
    for attempt in range(1, dispatch.MAX_ATTEMPTS + 1):
        assert dispatch.drain().tried == 1
        assert dispatch.drain().tried == 0  # not due again before its backoff
        db.session.rollback()
        row = db.session.get(OutboxMessage, message_id)
        assert row.attempts == attempt
        if row.status == FAILED:
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
        clock.set(now)
    assert row.status == FAILED and attempt == dispatch.MAX_ATTEMPTS and "500" in row.last_error
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(seconds=30), timedelta(minutes=8),
                     timedelta(minutes=16)]
    assert gateway.sent == []
    assert dispatch.drain().tried == 0  # given up: never tried again


def test_a_refused_number_fails_at_once(gateway, clock):
    clock.set(T0)
    enqueue(("+989121234567", "", "x", "sms"))
    gateway.then("number")
    assert dispatch.drain().failed == 1
    assert rows() == [("sms", FAILED, 1)]


def test_an_email_refused_by_a_down_server_is_retried_later(app, monkeypatch, clock):
    clock.set(T0)
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)  # nothing listens
    with uow.transaction():
        services.notify("a@example.com", "Hi", "Body")  # the after-commit send fails
    assert rows() == [("email", QUEUED, 1)]
    assert dispatch.drain().tried == 0
    clock.set(T0 + timedelta(minutes=1))
    assert dispatch.drain().retrying == 1
    assert rows() == [("email", QUEUED, 2)]


def test_without_smtp_emails_are_kept_in_the_outbox_and_logged(clock):
    clock.set(T0)
    enqueue(("a@example.com", "Hi", "Body"))
    assert dispatch.drain().sent == 1
    assert db.session.scalar(sa.select(OutboxMessage.provider_id)) == "log"


def test_several_dispatchers_drain_one_outbox_and_send_each_message_once(app, gateway):
    gateway.delay = 0.01
    with db.engine.begin() as conn:
        conn.execute(sa.insert(OutboxMessage), [dict(channel="sms", recipient=f"+98912{n:07d}", subject="",
                                                     body=f"message {n}", status=QUEUED, attempts=0,
                                                     created_at=T0, next_attempt_at=T0) for n in range(120)])
    errors, totals = [], []

    def dispatcher():
        try:
            with app.app_context():
                totals.append(dispatch.drain(batch=7).sent)
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    bodies = [text for _, _, text, _ in gateway.sent]
    assert len(bodies) == 120 and len(set(bodies)) == 120
    assert sum(totals) == 120  # how the work splits between them depends on the machine's load
    assert {status for _, status, _ in rows()} == {SENT}


def member_of_box(make_user):
    """Mina, a member of a Persian box: (the user, the box's id)."""
    from hamyan.boxes.models import Box, Membership

    user = make_user("m@example.com", "Mina")
    with db.engine.begin() as conn:
        box_id = conn.execute(sa.insert(Box).values(kind="cashbox", name="Fund", currency="IRR", timezone="Asia/Tehran",
                                                    locale="fa", calendar="persian",
                                                    created_at=T0)).inserted_primary_key[0]
        conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=user.id, display_name="Mina", role="member",
                                                  created_at=T0))
    db.session.rollback()
    return user, box_id


def test_member_channels_and_quiet_hours(make_user, clock):
    clock.set(datetime(2026, 3, 1, 20, 0))  # 23:30 in Tehran
    user, box_id = member_of_box(make_user)
    services.set_profile(user, "0912 123 4567", 22, 8, "Asia/Tehran")
    with uow.transaction():
        made = services.notify_member(user, box_id, "Due", "Body", kind="reminder", sms_text="Short",
                                      dedupe_key="r:1")
    assert [(m.channel, m.recipient) for m in made] == [("email", "m@example.com"), ("sms", "+989121234567"),
                                                      ("inapp", str(user.id))]
    assert made[1].next_attempt_at == datetime(2026, 3, 2, 4, 30)  # 08:00 in Tehran
    with uow.transaction():
        assert services.notify_member(user, box_id, "Due", "Body", kind="reminder", dedupe_key="r:1") == []

    services.set_preference(user, box_id, sms=False, email=False)
    with uow.transaction():
        again = services.notify_member(user, box_id, "Other", "Body", kind="reminder", dedupe_key="r:2")
    assert [m.channel for m in again] == ["inapp"]


def test_the_dispatcher_honours_quiet_hours_and_channels_turned_off_since_queued(make_user, gateway, clock):
    """What a member chose is read again when a message goes, not only when it was queued: a text
    message due in quiet hours (set since, or a retry's backoff ending in them) waits for their end
    without spending an attempt; a channel turned off for the box since is not sent."""
    clock.set(datetime(2026, 3, 1, 9, 0))  # 12:30 in Tehran
    user, box_id = member_of_box(make_user)
    services.set_profile(user, "0912 123 4567", None, None, "Asia/Tehran")
    with uow.transaction():
        made = services.notify_member(user, box_id, "Due", "Body", kind="reminder", sms_text="Short")
        ids = {m.channel: m.id for m in made}
    services.set_profile(user, "0912 123 4567", 12, 14, "Asia/Tehran")  # quiet from noon since
    services.set_preference(user, box_id, email=False)  # and no more email from this box
    drained = dispatch.drain()
    assert gateway.sent == [] and drained.sent == 1  # the in-app message only
    state = {m.channel: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert (state["sms"].status, state["sms"].attempts) == (QUEUED, 0)
    assert state["sms"].next_attempt_at == datetime(2026, 3, 1, 10, 30)  # 14:00 in Tehran
    assert state["email"].status == FAILED and "turned" in state["email"].last_error
    clock.set(datetime(2026, 3, 1, 10, 30))
    assert dispatch.drain().sent == 1 and [to for to, *_ in gateway.sent] == ["+989121234567"]
    assert db.session.get(OutboxMessage, ids["sms"]).attempts == 1


@pytest.mark.mysql_only
def test_two_dispatcher_processes_on_mariadb_send_each_message_once(app, database_url, gateway, tmp_path):
    """Two `flask notify dispatch` processes (own interpreters and connections) drain one outbox on
    MariaDB: their claims skip each other's locked rows (FOR UPDATE SKIP LOCKED), so each message
    goes once, and every message is sent."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    gateway.delay = 0.005
    count = 300
    with db.engine.begin() as conn:
        conn.execute(sa.insert(OutboxMessage), [dict(channel="sms", recipient=f"+98912{n:07d}", subject="",
                                                     body=f"message {n}", status=QUEUED, attempts=0,
                                                     created_at=T0, next_attempt_at=T0) for n in range(count)])
    env = dict(os.environ, HAMYAN_DATABASE_URL=database_url, HAMYAN_INSTANCE_PATH=str(tmp_path), FLASK_APP="wsgi:app",
               HAMYAN_SMS_PROVIDER="gateway", HAMYAN_SMS_API_URL=gateway.url, HAMYAN_SMS_API_KEY=KEY,
               HAMYAN_SMS_SENDER="10004346", HAMYAN_SCHEDULER_ENABLED="false", HAMYAN_LOG_LEVEL="WARNING")
    root = Path(__file__).resolve().parents[2]
    dispatchers = [subprocess.Popen([sys.executable, "-m", "flask", "notify", "dispatch", "--once", "--batch", "7"],
                                    cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                   for _ in range(2)]
    outputs = [process.communicate(timeout=300)[0] for process in dispatchers]
    assert [process.returncode for process in dispatchers] == [0, 0], outputs
    bodies = [text for _, _, text, _ in gateway.sent]
    assert len(bodies) == count and len(set(bodies)) == count, outputs
    assert {status for _, status, _ in rows()} == {SENT}
