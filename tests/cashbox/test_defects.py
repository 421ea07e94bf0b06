"""Money defects of issue 7, each pinned by a test that failed before its fix."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment
from hamyan.core import clock
from hamyan.core.errors import ValidationError
from hamyan.dues import status
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import LedgerAccount
from tests.cashbox.helpers import fill_shares, first_round, make_box


def _api_box(make_user, api_token, shares=3, **rules):
    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=shares, **rules)
    members = fill_shares(manager, box, [f"M{n}" for n in range(1, shares + 1)])
    cb.start_round(manager, box.id, first_round(box).id)
    return manager, box, members, api_token(manager)


def _pay_all(manager, box, members, amount="100"):
    for m in members:
        cb.record_payment(manager, box.id, m.id, amount)


def test_a_retried_draw_without_a_period_returns_the_first_draw(client, make_user, api_token):
    manager, box, members, h = _api_box(make_user, api_token)
    _pay_all(manager, box, members)
    base = f"/api/v1/cashboxes/{box.id}"
    first = client.post(f"{base}/draws", json={}, headers=h | {"Idempotency-Key": "draw-1"})
    assert first.status_code == 201, first.get_json()
    retry = client.post(f"{base}/draws", json={"override_reason": None}, headers=h | {"Idempotency-Key": "draw-1"})
    assert retry.status_code == 201, retry.get_json()
    assert retry.get_json() == first.get_json()
    assert [p.drawn_at is not None for p in first_round(box).periods] == [True, False, False]
    clash = client.post(f"{base}/draws", json={"override_reason": "other"}, headers=h | {"Idempotency-Key": "draw-1"})
    assert clash.status_code == 409


@pytest.mark.parametrize("change", [
    {"paid_on": "yesterday"}, {"amount": "40"}, {"member": 1}, {"method": "bank"}, {"reference": "TX-9"},
])
def test_a_reused_payment_key_with_any_difference_is_409(client, make_user, api_token, change):
    manager, box, members, h = _api_box(make_user, api_token)
    today = clock.today(box)
    pay = {"membership_id": members[0].id, "amount": "50", "method": "cash", "reference": "",
           "paid_on": today.isoformat()}
    base = f"/api/v1/cashboxes/{box.id}"
    assert client.post(f"{base}/payments", json=pay, headers=h | {"Idempotency-Key": "p1"}).status_code == 201
    same = client.post(f"{base}/payments", json=pay, headers=h | {"Idempotency-Key": "p1"})
    assert same.status_code == 201
    other = dict(pay)
    if "paid_on" in change:
        other["paid_on"] = (today - timedelta(days=1)).isoformat()
    elif "member" in change:
        other["membership_id"] = members[1].id
    else:
        other.update(change)
    if other.get("method") == "bank":
        other["reference"] = "TX-1"
    r = client.post(f"{base}/payments", json=other, headers=h | {"Idempotency-Key": "p1"})
    assert r.status_code == 409, r.get_json()
    assert Payment.query.count() == 1


def _cash(box):
    return db.session.scalar(select(LedgerAccount.balance).filter_by(box_id=box.id, code="cash")) or 0


def test_a_payout_never_exceeds_cash_and_the_rest_is_owed_then_paid_as_it_comes_in(make_user):
    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=3)
    a, b, c = fill_shares(manager, box, ["A", "B", "C"])
    cb.start_round(manager, box.id, first_round(box).id)
    cb.record_payment(manager, box.id, b.id, "100")
    period = cb.draw(manager, box.id, 1, "A needs it now")  # A wins period 1; only 100 of 300 is in
    assert period.payout_status == "paid"
    assert _cash(box) == 0
    owed = cb.payouts_owed(box.id)
    assert [(o.membership.display_name, o.amount) for o in owed] == [("A", 10000)]  # 300 - 100 in - 100 A owed
    cb.record_payment(manager, box.id, c.id, "60")
    assert _cash(box) == 0
    assert [(o.membership.display_name, o.amount) for o in cb.payouts_owed(box.id)] == [("A", 4000)]
    cb.record_payment(manager, box.id, c.id, "40")
    assert cb.payouts_owed(box.id) == [] and _cash(box) == 0
    assert check().ok


def test_drawing_a_period_not_due_yet_is_a_clear_refusal(make_user):
    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=1, first_due=clock.today_in("UTC") + timedelta(days=5))
    fill_shares(manager, box, ["Solo"])
    cb.start_round(manager, box.id, first_round(box).id)
    with pytest.raises(ValidationError) as error:
        cb.draw(manager, box.id, 1, "now please")
    assert "period" in error.value.fields and "postings" not in error.value.message
    assert "due on" in error.value.message


def test_net_of_what_the_winner_owes_nets_everything_past_due_fines_included(make_user):
    manager = make_user("boss@example.com", "Boss")
    today = clock.today_in("UTC")
    box = make_box(manager, shares=4, first_due=today - timedelta(days=70), fine_kind="fixed", fine_value="5")
    a, *others = fill_shares(manager, box, ["A", "B", "C", "D"])
    cb.start_round(manager, box.id, first_round(box).id)
    # Periods 1..3 are past due, 4 is not. The others pay them; A pays nothing and is fined each period.
    for m in others:
        cb.record_payment(manager, box.id, m.id, "300", paid_on=today - timedelta(days=70))
    assert cb.assess_fines(box.id, actor=manager, history=True) == 3
    period = cb.draw(manager, box.id, 1, "A is owed the pot")
    netted = Payment.query.filter_by(method="netted").one()
    assert (netted.amount, netted.fine_amount) == (30000, 1500)  # three periods past due and their fines
    assert period.payout_status == "paid"
    assert check().ok


def test_a_json_float_is_not_an_amount_in_cashbox_either(client, make_user, api_token):
    manager, box, members, h = _api_box(make_user, api_token)
    r = client.post(f"/api/v1/cashboxes/{box.id}/payments", json={"membership_id": members[0].id, "amount": 1e9},
                    headers=h)
    assert r.status_code == 422 and "amount" in r.get_json()["error"]["fields"]
    for bad in ("1_0", "٣e1"):
        with pytest.raises(ValidationError):
            cb.update_rules(manager, box.id, grace_days=bad, fine_kind="none", fine_value=None, winner_policy="net")


def test_a_second_undo_is_409(client, make_user, api_token):
    manager, box, members, h = _api_box(make_user, api_token)
    payment = cb.record_payment(manager, box.id, members[0].id, "10")
    base = f"/api/v1/cashboxes/{box.id}"
    assert client.post(f"{base}/payments/{payment.id}/reverse", json={"reason": "x"}, headers=h).status_code == 200
    assert client.post(f"{base}/payments/{payment.id}/reverse", json={"reason": "x"}, headers=h).status_code == 409


def test_one_status_vocabulary():
    assert status.PARTLY_PAID == "partly paid"
    assert status.STATUSES == ("upcoming", "due", "partly paid", "paid", "paid late", "late")


def test_arrears_include_what_falls_due_today(make_user):
    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=2, first_due=clock.today_in("UTC"))
    a, _ = fill_shares(manager, box, ["A", "B"])
    r = first_round(box)
    cb.start_round(manager, box.id, r.id)
    assert cb.round_state(r).by_membership[a.id].arrears == 10000


def test_a_part_owing_less_than_one_minor_unit_a_period_is_refused(make_user):
    # Split 0.01 three ways and the largest-remainder dues of one third would go 0, 1, 0: a period
    # owing a negative amount. The round cannot start like that.
    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=1, contribution="0.01")
    a, b, c = (cb.add_member(manager, box.id, name) for name in ("A", "B", "C"))
    r = first_round(box)
    cb.set_holders(manager, box.id, r.id, 1, [(a.id, "1/3"), (b.id, "1/3"), (c.id, "1/3")])
    with pytest.raises(ValidationError) as error:
        cb.start_round(manager, box.id, r.id)
    assert "less than one" in error.value.message and first_round(box).status == "draft"


def test_the_draws_list_says_a_payout_is_still_partly_owed(client, make_user, api_token):
    """A pot paid out while the cash was short is not simply "paid out": the list and the API say
    what is still owed to the winner, until contributions bring it in."""
    from tests.conftest import login

    manager, box, (a, b, c), h = _api_box(make_user, api_token)
    cb.record_payment(manager, box.id, b.id, "100")
    cb.draw(manager, box.id, 1, "A needs it now")  # 100 of 300 in, 100 netted from A: 100 still owed

    def shown():
        page = login(client, "boss@example.com").get(f"/cashbox/{box.id}").get_data(as_text=True)
        draws = page[page.index('id="draws"'):]
        period = client.get(f"/api/v1/cashboxes/{box.id}/draws", headers=h).get_json()[0]
        return draws[:draws.index("</li>")], (period["payout_status"], period["payout_owed"])

    item, api = shown()
    assert "paid out in part: $100.00 still owed" in item and api == ("paid", 10000)
    cb.record_payment(manager, box.id, c.id, "60")
    item, api = shown()
    assert "$40.00 still owed" in item and api == ("paid", 4000)
    cb.record_payment(manager, box.id, c.id, "40")
    item, api = shown()
    assert "still owed" not in item and ">paid out<" in item and api == ("paid", 0)
