"""The demo's month of messages: replaying the jobs leaves sent reminders and statements in the
outbox, and replaying again adds nothing."""
from datetime import datetime

import sqlalchemy as sa

from hamyan import demo
from hamyan.extensions import db
from hamyan.notify.demo import seed_outbox
from hamyan.notify.models import OutboxMessage


def kinds():
    db.session.rollback()
    return db.session.execute(sa.select(OutboxMessage.kind, sa.func.count()).where(OutboxMessage.status == "sent")
                              .group_by(OutboxMessage.kind)).all()


def test_the_demo_outbox_holds_sent_statements_and_reminders(clock):
    clock.set(datetime(2026, 3, 4, 9))
    demo.seed()
    seed_outbox(days=6)
    found = dict(kinds())
    assert found.get("statement", 0) >= 2 and found.get("box_report", 0) >= 1
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    seed_outbox(days=6)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before
