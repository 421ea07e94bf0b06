"""Due-date reminders: members with an account are emailed before a due date and when late, once
per member and period, whatever the number of runs."""
from datetime import timedelta

from hamyan.blueprints.cashbox import services as cb
from hamyan.notify.models import OutboxMessage
from hamyan.boxes import services as boxes
from hamyan.extensions import db
from hamyan.scheduling import run_job
from tests.cashbox.helpers import first_round, utc_today


def _outbox():
    return [(m.recipient, m.subject, m.body) for m in db.session.query(OutboxMessage).order_by(OutboxMessage.id)]


def test_reminders_before_the_due_date_and_when_late(app, make_user):
    manager = make_user("manager@example.com", "Manager")
    for email in ("ann@example.com", "cy@example.com"):
        make_user(email, email[:3].title())
    first_due = utc_today() + timedelta(days=2)
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

    assert run_job("cashbox.reminders", slot="a").detail == "1 reminder(s) in 1 running round(s)"
    assert run_job("cashbox.reminders", slot="b").detail == "0 reminder(s) in 1 running round(s)"
    [(to, subject, body)] = _outbox()
    assert to == "ann@example.com" and subject == "Street box: a payment is due soon"
    assert "Period 1, due " in body and "$60.00" in body and "(late)" not in body and f"/cashbox/{box.id}/me" in body

    # Past the grace day: Ann is late for period 1 (and fined); period 2 is still 5 days away.
    late_day = first_due + timedelta(days=2)
    cb.assess_fines(box.id, today=late_day)
    assert cb.send_reminders(box.id, 3, today=late_day) == 1
    assert cb.send_reminders(box.id, 3, today=late_day) == 0
    to, subject, body = _outbox()[-1]
    assert (to, subject) == ("ann@example.com", "Street box: a payment is late")
    assert "Period 1" in body and "$60.00 (late)" in body and "Overdue now, fines included: $65.00." in body
    # Three days before period 2: Ann and Cy hear about it once; Ann is not told again about period 1.
    assert cb.send_reminders(box.id, 3, today=first_due + timedelta(days=4)) == 2
    assert cb.send_reminders(box.id, 3, today=first_due + timedelta(days=5)) == 0
    ann_mail = [b for t, s, b in _outbox() if t == "ann@example.com"][-1]
    assert "Period 2" in ann_mail and "Period 1" not in ann_mail
    assert {t for t, _, _ in _outbox()} == {"ann@example.com", "cy@example.com"}


def test_the_dashboard_says_when_reminders_go_out(user_client):
    c = user_client("manager@example.com", "Manager")
    box = cb.create_cashbox(c.user, "Street box", "USD", "100", 1, "weekly", utc_today(), "random")
    assert "Email reminders: 3 days before each due date" in c.get(f"/cashbox/{box.id}").get_data(as_text=True)


def test_reminders_can_be_turned_off(app, make_user):
    app.config["CASHBOX_REMINDER_DAYS"] = 0
    try:
        assert run_job("cashbox.reminders", slot="a").detail.startswith("reminders are off")
    finally:
        app.config["CASHBOX_REMINDER_DAYS"] = 3


def test_periods_late_before_the_round_started_are_history(app, make_user):
    """A round set up from paper records: no late emails (or hourly fines) for what the manager
    has yet to enter; the period due today is still announced."""
    manager, ann_user = make_user("manager@example.com", "Manager"), make_user("ann@example.com", "Ann")
    box = cb.create_cashbox(manager, "Old box", "USD", "10", 4, "weekly", utc_today() - timedelta(days=14),
                            "predefined", fine_kind="fixed", fine_value="1")
    r = first_round(box)
    ann = boxes.add_member(manager, box.id, "Ann", ann_user.email)
    for number in range(1, 5):
        cb.set_holders(manager, box.id, r.id, number, [(ann.id, "1")])
    cb.start_round(manager, box.id, r.id)
    assert cb.send_reminders(box.id, 3) == 1 and cb.assess_fines(box.id) == 0
    [(_, subject, body)] = _outbox()
    assert subject == "Old box: a payment is due soon" and "Period 3" in body and "Period 1" not in body
