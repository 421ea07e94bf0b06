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


def test_an_overdue_period_is_told_overdue_with_its_late_fee(make_user, clock):
    """Before, on the day, then 1, 7 and 30 days late: once late the reminder says it is overdue and
    what settles it today, the late fee included."""
    from datetime import date

    from hamyan.blueprints.rosca import services as rs

    clock.set(datetime(2026, 3, 1, 9))
    manager, ali = make_user(), make_user("ali@example.com", "Ali")
    first_due = date(2026, 3, 5)
    box = make_rosca(manager, seats=2, first_due=first_due, late_fee_kind="fixed", late_fee_value="5")
    members = fill(manager, box, ["Ali", "Bita"])
    members[0].user_id = ali.id
    db.session.commit()
    rs.start(manager, box.id)
    told = {}
    for n, days in enumerate((-3, 0, 1, 7, 30)):
        day = first_due + timedelta(days=days)
        clock.set(datetime(day.year, day.month, day.day, 9))
        rs.assess_late_fees(manager, box.id)  # the hourly job
        assert run_job("notify.reminders", f"t{n}").detail.startswith("1 reminder(s)"), days
        db.session.rollback()
        told[days] = db.session.execute(db.select(OutboxMessage.subject, OutboxMessage.body).filter_by(
            recipient="ali@example.com", kind="reminder").order_by(OutboxMessage.id.desc())).first()
    assert told[-3].subject.endswith("Period 1 due Mar 5, 2026") and "Overdue" not in told[-3].body
    assert told[0].subject.endswith("Period 1 due today") and "Overdue" not in told[0].body
    for days in (1, 7):
        late = f"{days} day{'s' if days > 1 else ''} late"
        assert told[days].subject.endswith(f"Period 1 is overdue ({late})")
        assert f"Period 1 of $100.00 is overdue: it was due on Mar 5, 2026 ({late})." in told[days].body
        assert "Overdue now, fines included: $105.00." in told[days].body
    assert "(30 days late)" in told[30].body and "Period 2 of $100.00 is due on Apr 5, 2026." in told[30].body
    assert "Overdue now, fines included: $105.00." in told[30].body
