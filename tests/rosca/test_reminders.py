"""Reminders come from the shared notify.reminders job (the descriptor's `reminders`): a member with
an account hears before a due date and again when late, once per period and stage."""
from datetime import datetime, timedelta

from hamyan.blueprints.rosca import PRODUCT
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import JOBS, run_job
from tests.rosca.helpers import fill, make_rosca, utc_today


def test_before_then_late_once_each(make_user, clock):
    today = utc_today()
    clock.set(today)
    manager, ali = make_user(), make_user("ali@example.com", "Ali")
    box = make_rosca(manager, seats=2, first_due=today + timedelta(days=2), grace_days=1)
    members = fill(manager, box, ["Ali", "Bita"])
    members[0].user_id = ali.id
    db.session.commit()
    from hamyan.blueprints.rosca import services as rs

    rs.start(manager, box.id)
    details = []
    for n, day in enumerate((0, 0, 4, 4)):
        clock.set(datetime.combine(today + timedelta(days=day), datetime.min.time()))
        details.append(run_job("notify.reminders", f"s{n}").detail.split(" ")[0])
    assert details == ["1", "0", "1", "0"]
    db.session.rollback()
    mails = db.session.scalars(db.select(OutboxMessage.subject).filter_by(recipient="ali@example.com",
                                                                         kind="reminder")).all()
    assert [("late" in subject) for subject in mails] == [False, True]
    assert PRODUCT.reminders and "rosca.reminders" not in JOBS
