"""Reminders: a member with an account hears once before a due date and once when late."""
from datetime import timedelta

from hamyan.blueprints.rosca import services as rs
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from tests.rosca.helpers import fill, make_rosca, utc_today


def test_due_then_late_once_each(make_user):
    manager, ali = make_user(), make_user("ali@example.com", "Ali")
    box = make_rosca(manager, seats=2, first_due=utc_today() + timedelta(days=2), grace_days=1)
    members = fill(manager, box, ["Ali", "Bita"])
    members[0].user_id = ali.id
    db.session.commit()
    rs.start(manager, box.id)
    assert rs.send_reminders(box.id, 3) == 1 and rs.send_reminders(box.id, 3) == 0
    with clock.frozen(utc_today() + timedelta(days=4)):
        assert rs.send_reminders(box.id, 3) == 1 and rs.send_reminders(box.id, 3) == 0
    mails = [m for m in db.session.query(OutboxMessage).all() if m.recipient == "ali@example.com"]
    assert [("late" in m.subject) for m in mails] == [False, True]
