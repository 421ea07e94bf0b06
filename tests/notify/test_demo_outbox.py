"""The demo's month of messages: replaying the jobs leaves sent reminders and statements in the
outbox, and replaying again adds nothing."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from hamyan.core import clock as clock_module
from hamyan.extensions import db
from hamyan.notify.demo import seed_outbox
from hamyan.notify.models import OutboxMessage


def kinds():
    db.session.rollback()
    return db.session.execute(sa.select(OutboxMessage.kind, sa.func.count()).where(OutboxMessage.status == "sent")
                              .group_by(OutboxMessage.kind)).all()


def test_the_demo_outbox_holds_sent_statements_and_reminders(clock, demo_users):
    # The session's demo (seeded today); the replay's six days take in the first of next month.
    month_after = clock_module.now().date().replace(day=28) + timedelta(days=4)
    clock.set(datetime.combine(month_after.replace(day=4), time(9)))
    seed_outbox(days=6)
    found = dict(kinds())
    assert found.get("statement", 0) >= 2 and found.get("box_report", 0) >= 1
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    seed_outbox(days=6)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before


def test_the_demo_month_reminds_the_members_of_every_product_at_each_stage(demo_users):
    from hamyan.boxes.models import Box
    from hamyan.dues.models import Reminder

    seed_outbox()
    db.session.rollback()
    reminders = db.session.execute(sa.select(Box.kind, OutboxMessage.channel, OutboxMessage.status, OutboxMessage.recipient)
                                   .join(Box, Box.id == OutboxMessage.box_id).where(OutboxMessage.kind == "reminder")).all()
    assert {status for _kind, _channel, status, _to in reminders} == {"sent"}
    for kind in ("cashbox", "rosca", "moneypool", "aptbox"):
        channels = {channel for k, channel, _status, _to in reminders if k == kind}
        assert {"sms", "inapp"} <= channels, kind
        stages = set(db.session.scalars(sa.select(Reminder.kind).join(Box, Box.id == Reminder.box_id)
                                        .where(Box.kind == kind)))
        assert {"before", "due"} <= stages and any(s.startswith("late") for s in stages), (kind, stages)
    texted = {to for _kind, channel, _status, to in reminders if channel == "sms"}
    assert len(texted) >= 4 and all(to.startswith("+989") for to in texted)
    emailed = {to for _kind, channel, _status, to in reminders if channel == "email"}
    assert any(to.endswith("@example.com") for to in emailed)
    statements = set(db.session.scalars(sa.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == "statement", OutboxMessage.channel == "email", OutboxMessage.status == "sent")))
    assert any(to.endswith("@example.com") for to in statements)
    loans = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "reminder", OutboxMessage.channel == "sms", OutboxMessage.body.contains("loan installment")))
    assert loans >= 1
