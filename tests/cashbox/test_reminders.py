"""Due-date reminders of a cashbox come from the shared notify.reminders job (the descriptor's
`reminders`): members with an account hear before a due date, on the day and again while late,
once per member, period and stage, whatever the number of runs."""
from datetime import date, datetime, timedelta

from hamyan.blueprints.cashbox import services as cb
from hamyan.notify.models import OutboxMessage
from hamyan.boxes import services as boxes
from hamyan.extensions import db
from hamyan.scheduling import JOBS, run_job
from tests.cashbox.helpers import first_round, utc_today

RUNS = iter(range(10**6))


def _outbox():
    db.session.rollback()
    return [(m.recipient, m.subject, m.body) for m in db.session.query(OutboxMessage).filter_by(
        channel="email", kind="reminder").order_by(OutboxMessage.id)]


def _remind(clock, day) -> str:
    clock.set(datetime.combine(day, datetime.min.time()).replace(hour=9))
    return run_job("notify.reminders", f"slot-{next(RUNS)}").detail


def test_reminders_before_the_due_date_on_the_day_and_when_late(app, make_user, clock):
    today = utc_today()
    clock.set(today)
    manager = make_user("manager@example.com", "Manager")
    for email in ("ann@example.com", "cy@example.com"):
        make_user(email, email[:3].title())
    first_due = today + timedelta(days=2)
    box = cb.create_cashbox(manager, "Street box", "USD", "100", 3, "weekly", first_due, "predefined",
                            grace_days=1, fine_kind="fixed", fine_value="5")
    r = first_round(box)
    ann = boxes.add_member(manager, box.id, "Ann", "ann@example.com")
    cy = boxes.add_member(manager, box.id, "Cy", "cy@example.com")
    bob = cb.add_member(manager, box.id, "Bob")  # no account: the manager reminds him
    for number, m in enumerate((ann, bob, cy), 1):
        cb.set_holders(manager, box.id, r.id, number, [(m.id, "1")])
    cb.start_round(manager, box.id, r.id)
    cb.record_payment(manager, box.id, ann.id, "40")
    cb.record_payment(manager, box.id, cy.id, "100")  # Cy is clear for period 1

    assert _remind(clock, today).startswith("1 reminder(s)")
    assert _remind(clock, today).startswith("0 reminder(s)")
    [(to, subject, body)] = _outbox()
    assert to == "ann@example.com" and subject.startswith("Street box: Round 1, period 1 due ")
    assert "$60.00 is due on" in body and f"/cashbox/{box.id}/me" in body
    assert _remind(clock, first_due).startswith("1 reminder(s)")  # on the day
    assert _outbox()[-1][1] == "Street box: Round 1, period 1 due today"
    # Within the grace day: nothing; past it: Ann is late for period 1; period 2 is still 5 days away.
    assert _remind(clock, first_due + timedelta(days=1)).startswith("0 reminder(s)")
    assert _remind(clock, first_due + timedelta(days=2)).startswith("1 reminder(s)")
    assert _remind(clock, first_due + timedelta(days=3)).startswith("0 reminder(s)")
    to, subject, body = _outbox()[-1]
    assert (to, subject) == ("ann@example.com", "Street box: Round 1, period 1 is overdue (2 days late)")
    # Three days before period 2: Ann and Cy hear about it once; Ann is not told again about period 1.
    assert _remind(clock, first_due + timedelta(days=4)).startswith("2 reminder(s)")
    ann_mail = [b for t, s, b in _outbox() if t == "ann@example.com"][-1]
    assert "period 2" in ann_mail and "period 1" not in ann_mail
    # A week late: period 1 escalates.
    assert _remind(clock, first_due + timedelta(days=7)).startswith("2 reminder(s)")
    ann_mail = [b for t, s, b in _outbox() if t == "ann@example.com"][-1]
    assert "period 1 of $60.00 is overdue" in ann_mail and "(7 days late)" in ann_mail and "period 2" in ann_mail
    assert {t for t, _, _ in _outbox()} == {"ann@example.com", "cy@example.com"}
    assert "cashbox.reminders" not in JOBS  # replaced by the shared job


def test_an_overdue_contribution_is_told_overdue_with_its_fines(app, make_user, clock):
    """Before the due date, on the day, then 1, 7 and 30 days late: once late, the reminder says the
    contribution is overdue and what settles it today, the fine included."""
    clock.set(datetime(2026, 3, 2, 9))
    manager, _ = make_user("manager@example.com", "Manager"), make_user("ann@example.com", "Ann")
    first_due = date(2026, 3, 5)  # period 2 falls due on 5 April
    box = cb.create_cashbox(manager, "Street box", "USD", "100", 2, "monthly", first_due, "predefined",
                            grace_days=0, fine_kind="fixed", fine_value="5")
    r = first_round(box)
    ann = boxes.add_member(manager, box.id, "Ann", "ann@example.com")
    bob = cb.add_member(manager, box.id, "Bob")
    for number, m in enumerate((ann, bob), 1):
        cb.set_holders(manager, box.id, r.id, number, [(m.id, "1")])
    cb.start_round(manager, box.id, r.id)
    cb.record_payment(manager, box.id, ann.id, "40")
    told = {}
    for days in (-3, 0, 1, 7, 30):
        day = first_due + timedelta(days=days)
        clock.set(datetime(day.year, day.month, day.day, 8))
        cb.assess_fines(box.id)  # the hourly fines job
        assert _remind(clock, day).startswith("1 reminder(s)"), days
        told[days] = _outbox()[-1][1:]
    assert told[-3] == ("Street box: Round 1, period 1 due Mar 5, 2026",
                        "Hello Ann,\n\nRound 1, period 1 of $60.00 is due on Mar 5, 2026.\n\n"
                        f"See what you owe: http://localhost/cashbox/{box.id}/me")
    assert told[0][0] == "Street box: Round 1, period 1 due today" and "Overdue" not in told[0][1]
    for days in (1, 7):
        subject, body = told[days]
        late = f"{days} day{'s' if days > 1 else ''} late"
        assert subject == f"Street box: Round 1, period 1 is overdue ({late})"
        assert f"Round 1, period 1 of $60.00 is overdue: it was due on Mar 5, 2026 ({late})." in body
        assert "Overdue now, fines included: $65.00." in body
    subject, body = told[30]  # and period 2 is five days away
    assert subject == "Street box: payments late"
    assert "- Round 1, period 1 of $60.00 is overdue: it was due on Mar 5, 2026 (30 days late)." in body
    assert "- Round 1, period 2 of $100.00 is due on Apr 5, 2026." in body
    assert "Overdue now, fines included: $65.00." in body


def test_the_dashboard_says_when_reminders_go_out(user_client):
    c = user_client("manager@example.com", "Manager")
    box = cb.create_cashbox(c.user, "Street box", "USD", "100", 1, "weekly", utc_today(), "random")
    assert "Reminders: 3 days before each due date, on the day and again while a payment is late" in c.get(
        f"/cashbox/{box.id}").get_data(as_text=True)


def test_periods_late_before_the_round_started_are_history(app, make_user, clock):
    """A round set up from paper records: no late reminders (or hourly fines) for what the manager
    has yet to enter; the period due today is still announced."""
    clock.set(utc_today())
    manager, ann_user = make_user("manager@example.com", "Manager"), make_user("ann@example.com", "Ann")
    box = cb.create_cashbox(manager, "Old box", "USD", "10", 4, "weekly", utc_today() - timedelta(days=14),
                            "predefined", fine_kind="fixed", fine_value="1")
    r = first_round(box)
    ann = boxes.add_member(manager, box.id, "Ann", ann_user.email)
    for number in range(1, 5):
        cb.set_holders(manager, box.id, r.id, number, [(ann.id, "1")])
    cb.start_round(manager, box.id, r.id)
    assert _remind(clock, utc_today()).startswith("1 reminder(s)") and cb.assess_fines(box.id) == 0
    [(_, subject, body)] = _outbox()
    assert subject == "Old box: Round 1, period 3 due today" and "period 1" not in body
