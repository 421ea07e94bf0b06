"""Waiving a late fee or a loan penalty charged by mistake: service, pages and API."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.moneypool import reports, services
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry
from tests.conftest import login
from tests.moneypool.conftest import key
from tests.moneypool.test_loans import _fund, _user


def _reversals():
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.reverses_id.is_not(None)))


@pytest.fixture
def penalised(pool_factory, clock):
    """A loan whose first installment (1000, due Feb 10) is late: a 50 penalty is charged."""
    box, manager, savers = pool_factory(members=2, require_no_arrears=False, penalty_percent="5", grace_days=5)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "4000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    clock.today = date(2025, 2, 20)
    assert services.assess(box.id, history=True)["penalties"] == 1
    return box, manager, savers, loan


def _penalty_owed(box, loan):
    return services._natural(services._accounts(box).get(f"mp:loan:{loan.id}:penalty"))


def test_manager_waives_a_penalty_once_and_the_job_never_charges_it_again(penalised, make_user):
    box, manager, savers, loan = penalised
    income = reports.balance_sheet(box).penalties
    assert _penalty_owed(box, loan) == 50_00
    with pytest.raises(ValidationError):
        services.waive_penalty(manager, box.id, loan.id, 1, "  ", "w1")
    with pytest.raises(Forbidden):
        services.waive_penalty(_user(savers[0]), box.id, loan.id, 1, "Bank delay", "w1")
    outsider = make_user("other@example.com", "Other")
    other = services.create_pool(outsider, "Other", "USD", "10", date(2025, 1, 5))
    with pytest.raises(NotFound):
        services.waive_penalty(outsider, other.id, loan.id, 1, "Bank delay", "w1")
    with pytest.raises(NotFound):
        services.waive_penalty(manager, box.id, loan.id, 2, "Nothing charged there", "w1")
    inst = services.waive_penalty(manager, box.id, loan.id, 1, "The bank held the transfer", "w1")
    assert inst.penalty == 0 and _penalty_owed(box, loan) == 0
    assert reports.balance_sheet(box).penalties == income - 50_00
    assert services.waive_penalty(manager, box.id, loan.id, 1, "The bank held the transfer", "w1").penalty == 0
    assert _reversals() == 1  # the retry wrote nothing
    with pytest.raises(Conflict, match="already waived"):
        services.waive_penalty(manager, box.id, loan.id, 1, "Again", "w2")
    assert services.assess(box.id, history=True)["penalties"] == 0
    assert loan.installments[0].penalty == 0 and services.loan_events(loan)[-1].kind == "penalty_waived"
    assert ledger.check().ok and reports.balance_sheet(box).balanced


def test_a_paid_penalty_cannot_be_waived(penalised):
    box, manager, _savers, loan = penalised
    services.repay(manager, box.id, loan.id, "1050", None, key())  # the penalty is paid first
    with pytest.raises(Conflict, match="already been paid"):
        services.waive_penalty(manager, box.id, loan.id, 1, "Too late", key())
    assert _reversals() == 0 and ledger.check().ok


def test_late_fee_waived_once_refused_once_paid_and_never_charged_again(pool_factory, clock, make_user):
    box, manager, savers = pool_factory(members=2, late_fee="10", grace_days=5)
    clock.today = date(2025, 2, 20)  # Jan 5 and Feb 5 unpaid past grace: two fees each
    assert services.assess(box.id, history=True)["late_fees"] == 4
    first, second = savers
    with pytest.raises(Forbidden):
        services.waive_late_fee(_user(first), box.id, first.id, date(2025, 1, 5), "Mistake", "f1")
    with pytest.raises(NotFound):
        services.waive_late_fee(manager, box.id, first.id, date(2025, 3, 5), "Never charged", "f1")
    outsider = make_user("other@example.com", "Other")
    other = services.create_pool(outsider, "Other", "USD", "10", date(2025, 1, 5))
    with pytest.raises(NotFound):
        services.waive_late_fee(outsider, other.id, first.id, date(2025, 1, 5), "Mistake", "f1")
    fee = services.waive_late_fee(manager, box.id, first.id, date(2025, 1, 5), "Paid in cash, late entry", "f1")
    assert fee.waived and fee.amount == 10_00
    assert services.waive_late_fee(manager, box.id, first.id, date(2025, 1, 5), "Paid in cash, late entry", "f1")
    assert _reversals() == 1
    with pytest.raises(Conflict, match="already waived"):
        services.waive_late_fee(manager, box.id, first.id, date(2025, 1, 5), "Again", "f2")
    assert services._accounts(box)[f"mp:member:{first.id}:fees"].natural_balance == 10_00
    assert [f.waived for f in services.late_fees(box, first)] == [False, True]
    assert services.assess(box.id, history=True)["late_fees"] == 0  # not charged again
    # The second member pays; the payment takes their fees, which then cannot be waived.
    services.record_contribution(manager, box.id, second.id, "2020", date(2025, 2, 20), key())
    with pytest.raises(Conflict, match="already been paid"):
        services.waive_late_fee(manager, box.id, second.id, date(2025, 1, 5), "Too late", key())
    # Only what can be waived is offered: the member page lists the paid fees as paid, none to waive.
    assert [f.waivable for f in services.late_fees(box, second)] == [False, False]
    assert [f.waivable for f in services.late_fees(box, first)] == [True, False]
    assert _reversals() == 1 and ledger.check().ok and reports.balance_sheet(box).balanced


def test_waive_from_the_pages(app, penalised):
    box, _manager, _savers, loan = penalised
    boss, member = login(app.test_client(), "boss@example.com"), login(app.test_client(), "m0@example.com")
    base = f"/pools/{box.id}/loans/{loan.id}"
    page = boss.get(base).get_data(as_text=True)
    assert 'id="waive-form"' in page and "Installment 1" in page
    assert 'id="waive-form"' not in member.get(base).get_data(as_text=True)
    assert member.post(f"{base}/waive", data={"charge": "1", "reason": "Me", "key": "x"}).status_code == 403
    response = boss.post(f"{base}/waive", data={"charge": "1", "reason": "", "key": "p1"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Give a reason" in body and "<html" not in body
    for _ in range(2):  # a double submit
        response = boss.post(f"{base}/waive", data={"charge": "1", "reason": "Bank delay", "key": "p1"})
        assert response.status_code == 302
    assert _reversals() == 1 and loan.installments[0].penalty == 0
    response = boss.post(f"{base}/waive", data={"charge": "1", "reason": "Bank delay", "key": "p2"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200 and "already waived" in response.get_data(as_text=True)


def test_waive_a_late_fee_from_the_member_page(app, pool_factory, clock):
    box, _manager, savers = pool_factory(members=1, late_fee="10", grace_days=5)
    clock.today = date(2025, 1, 20)
    services.assess(box.id, history=True)
    boss, member = login(app.test_client(), "boss@example.com"), login(app.test_client(), "m0@example.com")
    url = f"/pools/{box.id}/members/{savers[0].id}"
    assert 'id="late-fees"' in boss.get(url).get_data(as_text=True)
    form = {"which": "waive", "charge": "2025-01-05", "reason": "Joined late", "key": "k1"}
    assert member.post(url, data=form).status_code == 403
    response = boss.post(url, data={**form, "charge": "nonsense"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Choose the late fee" in response.get_data(as_text=True)
    assert boss.post(url, data=form).status_code == 302 and boss.post(url, data=form).status_code == 302
    assert _reversals() == 1 and "waived" in boss.get(url).get_data(as_text=True)


def test_waive_over_the_api(app, penalised, api_token, make_user):
    box, manager, savers, loan = penalised
    client = app.test_client()
    boss, mine = api_token(manager), api_token(_user(savers[0]))
    url = f"/api/v1/pools/{box.id}/loans/{loan.id}/installments/1/waive-penalty"
    assert client.post(url, json={"reason": "Mine"}, headers=mine).status_code == 403
    outsider = make_user("other@example.com", "Other")
    assert client.post(url, json={"reason": "x"}, headers=api_token(outsider)).status_code == 404
    response = client.post(url, json={}, headers=boss)
    assert response.status_code == 422 and "reason" in response.json["error"]["fields"]
    first = client.post(url, json={"reason": "Bank delay"}, headers={**boss, "Idempotency-Key": "w"})
    again = client.post(url, json={"reason": "Bank delay"}, headers={**boss, "Idempotency-Key": "w"})
    assert first.status_code == again.status_code == 200, first.json
    assert first.json["installments"][0]["penalty"] == 0 and _reversals() == 1
    response = client.post(url, json={"reason": "Bank delay"}, headers=boss)
    assert response.status_code == 409 and "already waived" in response.json["error"]["message"]
    fees = client.get(f"/api/v1/pools/{box.id}/members/{savers[0].id}/late-fees", headers=boss)
    assert fees.status_code == 200 and fees.json == []
    bad = client.post(f"/api/v1/pools/{box.id}/members/{savers[0].id}/late-fees/2025-13-01/waive",
                      json={"reason": "x"}, headers=boss)
    assert bad.status_code == 404
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/pools/{box_id}/loans/{loan_id}/installments/{number}/waive-penalty",
                 "/api/v1/pools/{box_id}/members/{member_id}/late-fees/{due}/waive"):
        assert any(p["name"] == "Idempotency-Key" for p in paths[path]["post"]["parameters"])
