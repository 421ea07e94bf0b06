"""The same Idempotency-Key with any difference in the request answers 409; the same request returns the first."""
from datetime import date

from sqlalchemy import select

from hamyan.blueprints.moneypool import services
from hamyan.extensions import db


def _pool(app, make_user, api_token, clock):
    clock.today = date(2025, 3, 1)
    boss = make_user("boss@example.com", "Boss")
    box = services.create_pool(boss, "Fund", "USD", "100", date(2025, 1, 5), my_shares=1,
                               require_no_arrears=False, max_term=12)
    return app.test_client(), api_token(boss), box, services.access(boss, box.id).member.id


def _boss():
    from hamyan.blueprints.auth.models import User

    return db.session.execute(select(User).filter_by(email="boss@example.com")).scalar_one()


def test_a_payment_key_reused_with_another_date_is_refused(app, make_user, api_token, clock):
    client, headers, box, member_id = _pool(app, make_user, api_token, clock)
    url = f"/api/v1/pools/{box.id}/contributions"
    headers = {**headers, "Idempotency-Key": "pay-1"}
    first = client.post(url, json={"member_id": member_id, "amount": "100", "paid_on": "2025-02-05"}, headers=headers)
    assert first.status_code == 201, first.json
    for body in ({"member_id": member_id, "amount": "100", "paid_on": "2025-02-06"},
                 {"member_id": member_id, "amount": "100"},
                 {"member_id": member_id, "amount": "101", "paid_on": "2025-02-05"}):
        again = client.post(url, json=body, headers=headers)
        assert again.status_code == 409, (body, again.json)
    same = client.post(url, json={"member_id": member_id, "amount": "100", "paid_on": "2025-02-05"}, headers=headers)
    assert same.status_code == 201 and same.json["id"] == first.json["id"]


def test_a_loan_request_key_reused_with_other_guarantors_or_purpose_is_refused(app, make_user, api_token, clock):
    client, headers, box, _member_id = _pool(app, make_user, api_token, clock)
    guarantors = [services.add_member(_boss(), box.id, f"G{i}", None, 1, date(2025, 1, 1)).id
                  for i in range(2)]
    for guarantor in guarantors:
        services.record_contribution(_boss(), box.id, guarantor, "100", date(2025, 2, 5), f"g{guarantor}")
    url = f"/api/v1/pools/{box.id}/loans"
    headers = {**headers, "Idempotency-Key": "loan-1"}
    asked = {"amount": "100", "term": 2, "purpose": "Books", "guarantor_ids": [guarantors[0]]}
    first = client.post(url, json=asked, headers=headers)
    assert first.status_code == 201, first.json
    for changed in ({"guarantor_ids": [guarantors[1]]}, {"purpose": "A car"}, {"term": 3}):
        again = client.post(url, json={**asked, **changed}, headers=headers)
        assert again.status_code == 409, (changed, again.json)
    same = client.post(url, json=asked, headers=headers)
    assert same.status_code == 201 and same.json["id"] == first.json["id"]


def test_scientific_notation_is_not_money(app, make_user, api_token, clock):
    client, headers, box, member_id = _pool(app, make_user, api_token, clock)
    for amount in ("1e9", "1E3", "Infinity", "NaN", "0x10"):
        response = client.post(f"/api/v1/pools/{box.id}/contributions", headers=headers,
                               json={"member_id": member_id, "amount": amount, "paid_on": "2025-02-05"})
        assert response.status_code == 422 and "amount" in response.json["error"]["fields"], amount
    assert services.contributed(box) == {}


def test_a_second_undo_is_refused(app, make_user, api_token, clock):
    client, headers, box, member_id = _pool(app, make_user, api_token, clock)
    paid = client.post(f"/api/v1/pools/{box.id}/contributions", headers=headers,
                       json={"member_id": member_id, "amount": "100", "paid_on": "2025-02-05"}).json
    url = f"/api/v1/pools/{box.id}/contributions/{paid['id']}/reverse"
    assert client.post(url, json={"reason": "Typo"}, headers=headers).status_code == 200
    again = client.post(url, json={"reason": "Typo"}, headers=headers)
    assert again.status_code == 409 and "already undone" in again.json["error"]["message"]
