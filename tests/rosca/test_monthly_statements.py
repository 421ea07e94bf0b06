"""ROSCAs on the monthly statements job: each member with an account gets last month's statement
(PDF), the manager the box report; once a month."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from hamyan.blueprints.rosca import services as rs
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import run_job
from tests.rosca.helpers import fill, make_rosca, utc_today


def test_members_get_their_statement_and_the_manager_the_report(make_user, clock):
    clock.set(utc_today().replace(day=10))
    manager, ali = make_user(), make_user("ali@example.com", "Ali")
    box = make_rosca(manager, seats=2, first_due=utc_today().replace(day=12))
    members = fill(manager, box, ["Ali", "Bita"])
    members[0].user_id = ali.id
    db.session.commit()
    rs.start(manager, box.id)
    next_month = (utc_today().replace(day=10) + timedelta(days=30)).replace(day=2)
    clock.set(datetime.combine(next_month, datetime.min.time()))
    run = run_job("statements.monthly", "m1")
    assert run.status == "ok", run.error
    assert run_job("statements.monthly", "m2").detail == "0 statement email(s) queued"
    db.session.rollback()
    sent = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.kind).where(
        OutboxMessage.channel == "email").order_by(OutboxMessage.recipient, OutboxMessage.kind)).all()
    assert ("ali@example.com", "statement") in sent and (manager.email, "box_report") in sent
