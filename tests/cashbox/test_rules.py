"""Cashbox rules at the service level: bad input is a clear error that writes nothing; policies."""
from datetime import date, timedelta

import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Holding, Payment, Period, Round
from hamyan.boxes import services as boxes
from hamyan.dues.calendar import add_months
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import Entry, LedgerAccount
from tests.cashbox.helpers import fill_shares, first_round, make_box, utc_today


def _counts():
    return tuple(db.session.query(m).count() for m in (Entry, Payment, Period, Holding, Round))


@pytest.fixture
def manager(make_user):
    return make_user("manager@example.com", "Manager")


@pytest.fixture
def running(manager):
    """A started 3-share predefined box, A wins period 1, B period 2, C period 3."""
    box = make_box(manager, shares=3, contribution="100")
    members = fill_shares(manager, box, ["A", "B", "C"])
    cb.start_round(manager, box.id, first_round(box).id)
    return box, members


@pytest.mark.parametrize("contribution, message", [
    ("0", "more than zero"), ("-5", "more than zero"), ("abc", "Enter a number"), ("", "Enter an amount"),
    ("1e30", "Enter a number"), ("1e9", "Enter a number"), ("99999999999999999999", "too large"), ("10.123", "at most 2 decimal"),
    ("💰", "Enter a number"), ("NaN", "Enter a number"), ("Infinity", "Enter a number"),
])
def test_bad_contribution_creates_nothing(manager, contribution, message):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        make_box(manager, contribution=contribution)
    assert message in error.value.message and "contribution" in error.value.fields
    db.session.rollback()
    assert _counts() == before


@pytest.mark.parametrize("over, field", [
    (dict(shares=0), "share_count"), (dict(shares=501), "share_count"), (dict(shares="x"), "share_count"),
    (dict(draw_mode="lottery"), "draw_mode"), (dict(fine_kind="percent", fine_value="0"), "fine_value"),
    (dict(fine_kind="percent", fine_value="101"), "fine_value"), (dict(fine_kind="fixed", fine_value="-1"), "fine_value"),
    (dict(grace_days="-1"), "grace_days"), (dict(winner_policy="maybe"), "winner_policy"),
])
def test_bad_settings(manager, over, field):
    with pytest.raises(ValidationError) as error:
        make_box(manager, **over)
    assert field in error.value.fields


def test_persian_digits_are_amounts(manager):
    box = make_box(manager, contribution="۱۰۰")
    assert first_round(box).contribution == 10000


def test_fractions(manager):
    box = make_box(manager, shares=2)
    r = first_round(box)
    a, b, c = (cb.add_member(manager, box.id, n) for n in ("A", "B", "Ç 名前"))
    for holders, message in (([(a.id, "2/3"), (b.id, "1/2")], "7/6, more than one"),
                             ([(a.id, "1/0")], "0 below the line"), ([(a.id, "1/00")], "0 below the line"),
                             ([(a.id, "۱/۲"), (b.id, "1/3"), (c.id, "1/4")], "13/12"), ([(a.id, "abc")], "fraction like"),
                             ([(a.id, "-1/2")], "fraction like"), ([(a.id, "3/2")], "at most one whole"),
                             ([(a.id, "1/2"), (a.id, "1/2")], "listed twice"), ([(a.id, "1/1001")], "at most 1000"),
                             ([(999999, "1")], "not a member")):
        before = _counts()
        with pytest.raises(ValidationError) as error:
            cb.set_holders(manager, box.id, r.id, 1, holders)
        assert message in error.value.message, (holders, error.value.message)
        db.session.rollback()
        assert _counts() == before
    cb.set_holders(manager, box.id, r.id, 1, [(a.id, "1/3"), (c.id, "0.5")])  # 5/6: allowed in a draft
    with pytest.raises(ValidationError) as error:
        cb.start_round(manager, box.id, r.id)
    assert "Not fully held: 1, 2" in error.value.message
    db.session.rollback()
    assert db.session.get(Round, r.id).status == "draft" and db.session.query(Period).count() == 0
    cb.set_holders(manager, box.id, r.id, 1, [(a.id, "1/3"), (c.id, "2/3")])
    cb.set_holders(manager, box.id, r.id, 2, [(b.id, "1")])
    cb.start_round(manager, box.id, r.id)
    with pytest.raises(Conflict):
        cb.set_holders(manager, box.id, r.id, 2, [(a.id, "1")])


def test_payments_refused(manager, running):
    box, (a, b, c) = running
    today = utc_today()
    cases = [
        (dict(amount="0"), "amount"), (dict(amount="-10"), "amount"), (dict(amount="ten"), "amount"),
        (dict(amount="10" * 10), "amount"), (dict(amount="301"), "amount"),  # more than the whole round
        (dict(amount="10", method="cheque"), "method"), (dict(amount="10", method="bank"), "reference"),
        (dict(amount="10", paid_on=today + timedelta(days=1)), "paid_on"),
        (dict(amount="10", paid_on="25/11/2026"), "paid_on"), (dict(amount="10", membership_id="x"), "membership_id"),
        (dict(amount="10", paid_on=date(1, 1, 1)), "paid_on"),  # a year before the first due date at most
        (dict(amount="10", paid_on=first_round(box).first_due - timedelta(days=367)), "paid_on"),
    ]
    for over, field in cases:
        args = dict(membership_id=a.id, amount="10") | over
        before = _counts()
        with pytest.raises(ValidationError) as error:
            cb.record_payment(manager, box.id, args.pop("membership_id"), args.pop("amount"), **args)
        assert field in error.value.fields, (over, error.value.fields)
        db.session.rollback()
        assert _counts() == before


def test_double_submit_records_once(manager, running):
    box, (a, b, c) = running
    first = cb.record_payment(manager, box.id, a.id, "40", request_key="form:abc")
    again = cb.record_payment(manager, box.id, a.id, "40", request_key="form:abc")
    assert first.id == again.id and db.session.query(Payment).count() == 1
    with pytest.raises(Conflict):
        cb.record_payment(manager, box.id, b.id, "40", request_key="form:abc")


def test_drawing_twice_and_paying_a_finished_round(manager, running, clock):
    box, members = running
    for m in members:
        cb.record_payment(manager, box.id, m.id, "100")
    period = cb.draw(manager, box.id, 1)
    assert period.winner.number == 1
    before = _counts()
    with pytest.raises(Conflict, match="already been drawn"):
        cb.draw(manager, box.id, 1)
    db.session.rollback()
    assert _counts() == before
    with pytest.raises(ValidationError, match="falls due on"):
        cb.draw(manager, box.id, override_reason="early")  # period 2 is not due yet
    clock.set(utc_today() + timedelta(days=70))  # every period is due
    with pytest.raises(ValidationError, match="not fully paid"):
        cb.draw(manager, box.id)  # period 2 is unpaid and there is no reason
    db.session.rollback()
    for m in members:
        cb.record_payment(manager, box.id, m.id, "200")
    cb.draw(manager, box.id)
    cb.draw(manager, box.id)
    r = first_round(box)
    assert r.status == "finished"
    with pytest.raises(ValidationError, match="No round is running"):
        cb.record_payment(manager, box.id, members[0].id, "1")
    with pytest.raises(ValidationError, match="finished"):
        cb.record_payment(manager, box.id, members[0].id, "1", round_id=r.id)
    with pytest.raises(ValidationError, match="No round is running"):
        cb.draw(manager, box.id)
    assert check().ok


def test_override_nets_the_winners_arrears(manager, running):
    box, (a, b, c) = running
    cb.record_payment(manager, box.id, b.id, "100")
    cb.record_payment(manager, box.id, c.id, "100")
    period = cb.draw(manager, box.id, 1, override_reason="A pays from the pot")
    assert period.override_reason == "A pays from the pot" and period.payout_status == "paid"
    netted = db.session.query(Payment).filter_by(method="netted").one()
    assert (netted.membership_id, netted.amount) == (a.id, 10000)
    state = cb.round_state(first_round(box)).by_membership
    assert state[a.id].paid == 10000 and state[a.id].received == 30000 and state[a.id].owes_now == 0
    assert cb.box_cash(box) == 0  # 200 collected, 300 pot less A's 100 netted


def test_hold_policy_waits_for_the_winner(manager):
    box = make_box(manager, shares=2, contribution="100", winner_policy="hold")
    a, b = fill_shares(manager, box, ["A", "B"])
    cb.start_round(manager, box.id, first_round(box).id)
    cb.record_payment(manager, box.id, b.id, "100")
    period = cb.draw(manager, box.id, override_reason="A is travelling")
    assert period.payout_status == "held" and period.payout_entry_id is None
    with pytest.raises(ValidationError, match="Still owing: \u2068A"):
        cb.release_payout(manager, box.id, 1)
    db.session.rollback()
    cb.record_payment(manager, box.id, a.id, "100")
    assert cb.release_payout(manager, box.id, 1).payout_status == "paid"
    assert cb.box_cash(box) == 0 and check().ok


def test_percent_fines_and_grace(manager):
    first_due = utc_today() - timedelta(days=10)
    box = make_box(manager, shares=2, contribution="100", first_due=first_due, grace_days=3,
                   fine_kind="percent", fine_value="2.5")
    a, b = fill_shares(manager, box, ["A", "B"])
    cb.start_round(manager, box.id, first_round(box).id)
    cb.record_payment(manager, box.id, a.id, "100", paid_on=first_due + timedelta(days=3))  # last day of grace
    cb.record_payment(manager, box.id, b.id, "40", paid_on=first_due)
    assert cb.assess_fines(box.id) == 0  # period 1 fell late before the round started: history
    assert cb.assess_fines(box.id, history=True) == 1
    state = cb.round_state(first_round(box)).by_membership
    assert state[b.id].cells[0].status == "late" and state[b.id].cells[0].fine == 250
    assert state[a.id].cells[0].status == "paid"
    # B's next payment settles the contribution due first, then the fine.
    payment = cb.record_payment(manager, box.id, b.id, "62.50")
    assert (payment.amount, payment.fine_amount) == (6000, 250)


def test_monthly_due_dates_follow_the_persian_calendar(manager):
    box = cb.create_cashbox(manager, "Jalali", "IRR", "1000000", 3, "monthly", date(2025, 3, 21), "predefined",
                            timezone="Asia/Tehran", calendar="persian")
    # 1 Farvardin 1404, then 1 Ordibehesht, 1 Khordad.
    assert cb.due_dates(first_round(box), "persian") == [date(2025, 3, 21), date(2025, 4, 21), date(2025, 5, 22)]


def test_next_round_from_a_finished_one(manager, clock):
    box = make_box(manager, shares=2, contribution="10")
    a, b = fill_shares(manager, box, ["A", "B"])
    r = first_round(box)
    cb.set_order(manager, box.id, r.id, [2, 1])
    cb.start_round(manager, box.id, r.id)
    for number in (1, 2):
        clock.set(r.periods[number - 1].due_date)
        for m in (a, b):
            cb.record_payment(manager, box.id, m.id, "10")
        cb.draw(manager, box.id)
    assert [p.winner.number for p in r.periods] == [2, 1]
    with pytest.raises(Conflict):
        cb.start_round(manager, box.id, r.id)
    nxt = cb.start_next_round(manager, box.id, r.id)
    assert nxt.number == 2 and nxt.status == "draft"
    assert nxt.first_due == add_months(r.first_due, 2)  # one period after round 1's last due date
    assert [[h.membership_id for h in s.holdings] for s in nxt.shares] == [[a.id], [b.id]]
    cb.update_round(manager, box.id, nxt.id, "20", 3, "weekly", 7, nxt.first_due, "random")
    assert len(nxt.shares) == 3 and nxt.contribution == 2000
    with pytest.raises(Conflict):
        cb.start_next_round(manager, box.id, r.id)
    assert [x.number for x in cb.rounds_of(box.id)] == [2, 1]


def test_the_hourly_job_charges_late_fines_once(manager):
    from hamyan.scheduling import run_job

    box = make_box(manager, shares=2, contribution="100", first_due=utc_today() - timedelta(days=5),
                   fine_kind="fixed", fine_value="3")
    fill_shares(manager, box, ["A", "B"])
    r = cb.start_round(manager, box.id, first_round(box).id)
    # Period 1 was late before the round started here: history the manager enters, not fined.
    assert run_job("cashbox.late_fines", slot="t0").detail == "0 fine(s) in 1 running round(s)"
    r.started_at -= timedelta(days=30)  # as if the round had run in Hamyan when period 1 fell late
    db.session.commit()
    assert run_job("cashbox.late_fines", slot="t1").detail == "2 fine(s) in 1 running round(s)"
    assert run_job("cashbox.late_fines", slot="t2").detail == "0 fine(s) in 1 running round(s)"
    assert check().ok


def test_undo_a_payment(manager, running):
    box, (a, b, c) = running
    wrong = cb.record_payment(manager, box.id, a.id, "60")
    cb.record_payment(manager, box.id, a.id, "40")
    with pytest.raises(ValidationError, match="Give a reason"):
        cb.reverse_payment(manager, box.id, wrong.id, "  ")
    undone = cb.reverse_payment(manager, box.id, wrong.id, "typed the wrong member")
    assert undone.reversal is not None and undone.reversal.memo == "Payment undone: typed the wrong member"
    with pytest.raises(Conflict):
        cb.reverse_payment(manager, box.id, wrong.id, "again")
    db.session.rollback()
    state = cb.round_state(first_round(box)).by_membership[a.id]
    assert state.paid == 4000 and state.cells[0].status in ("partly paid", "due", "late")
    assert -db.session.query(LedgerAccount).filter_by(box_id=box.id, code=f"member:{a.id}").one().balance == 4000
    other = make_box(manager, shares=1)
    with pytest.raises(NotFound):
        cb.reverse_payment(manager, other.id, wrong.id, "not my box")
    assert check().ok


def test_winners_are_told_by_email(manager):
    from hamyan.notify.models import OutboxMessage

    box = make_box(manager, shares=1, contribution="10", draw_mode="random")
    r = first_round(box)
    ann = cb.add_member(manager, box.id, "Ann", "ann@example.com")
    bob = cb.add_member(manager, box.id, "Bob")  # no email: nothing to send
    cb.set_holders(manager, box.id, r.id, 1, [(ann.id, "1/2"), (bob.id, "1/2")])
    cb.start_round(manager, box.id, r.id)
    for m in (ann, bob):
        cb.record_payment(manager, box.id, m.id, "5")
    period = cb.draw(manager, box.id)
    message = db.session.query(OutboxMessage).filter(OutboxMessage.kind.is_(None)).one()  # receipts aside
    assert message.recipient == "ann@example.com" and "won period 1" in message.subject
    assert "$5.00" in message.body and period.seed in message.body


def test_waive_a_fine(manager, app, client, api_token, make_user):
    from hamyan.dues.models import LateCharge

    box = make_box(manager, shares=2, contribution="100", first_due=utc_today() - timedelta(days=5),
                   fine_kind="fixed", fine_value="3")
    a, b = fill_shares(manager, box, ["A", "B"])
    cb.start_round(manager, box.id, first_round(box).id)
    assert cb.assess_fines(box.id, history=True) == 2
    fine_a, fine_b = sorted(db.session.query(LateCharge), key=lambda f: f.subject_id)
    with pytest.raises(ValidationError, match="Give a reason"):
        cb.waive_fine(manager, box.id, fine_a.id, " ")
    waived = cb.waive_fine(manager, box.id, fine_a.id, "the bank was closed")
    assert waived.waiver.memo == "Fine waived: the bank was closed" and waived.waived_reason == "the bank was closed"
    with pytest.raises(Conflict):
        cb.waive_fine(manager, box.id, fine_a.id, "again")
    db.session.rollback()
    assert cb.assess_fines(box.id, history=True) == 0  # a waived period is not fined again
    state = cb.round_state(first_round(box)).by_membership
    assert state[a.id].fines_unpaid == 0 and state[a.id].cells[0].fine == 0 and state[b.id].fines_unpaid == 300
    # B pays the 100 due and the 3 fine: a paid fine is not waived (undo the payment first).
    cb.record_payment(manager, box.id, b.id, "103")
    with pytest.raises(ValidationError, match="already paid"):
        cb.waive_fine(manager, box.id, fine_b.id, "too late")
    db.session.rollback()
    with pytest.raises(NotFound):
        cb.waive_fine(manager, make_box(manager, shares=1).id, fine_b.id, "not my box")
    assert check().ok

    # The page lists a member's fines for the manager, with a form to waive an unpaid one.
    from tests.conftest import login

    fine_c = cb.assess_fines(box.id, today=utc_today() + timedelta(days=40), history=True)  # period 2 now late
    assert fine_c == 2
    page = app.test_client()
    login(page, "manager@example.com")
    html = page.get(f"/cashbox/{box.id}/members/{a.id}").get_data(as_text=True)
    assert 'id="fines"' in html and "Fine waived: the bank was closed" in html and html.count(">Waive</button>") == 1
    fine_a2 = db.session.query(LateCharge).filter_by(subject_id=a.id).order_by(LateCharge.id.desc()).first()
    r = page.post(f"/cashbox/{box.id}/fines/{fine_a2.id}/waive", data={"reason": "paid on time, entered late"})
    assert r.status_code == 302 and db.session.get(LateCharge, fine_a2.id).waived
    # B's period 1 fine is paid: no Waive offered on it, but the way to take it back.
    html = page.get(f"/cashbox/{box.id}/members/{b.id}").get_data(as_text=True)
    assert html.count(">Waive</button>") == 1 and "Paid. To take it back, undo the payment" in html
    # The API, for managers only.
    fine_b2 = db.session.query(LateCharge).filter_by(subject_id=b.id).order_by(LateCharge.id.desc()).first()
    member = make_user("member@example.com", "Member")
    boxes.add_member(manager, box.id, "Member", "member@example.com")
    url = f"/api/v1/cashboxes/{box.id}/fines/{fine_b2.id}/waive"
    assert client.post(url, json={"reason": "x"}, headers=api_token(member)).status_code == 403
    r = client.post(url, json={"reason": "x"}, headers=api_token(manager))
    assert r.status_code == 200 and r.get_json()["waived_entry_id"]
    assert client.post(url, json={"reason": "x"}, headers=api_token(manager)).status_code == 409
    assert check().ok
