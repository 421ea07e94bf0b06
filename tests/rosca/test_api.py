"""The ROSCA API: price, sell, start, pay, pay out (idempotent), trade; errors name their field;
other boxes answer 404."""
from datetime import timedelta

from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.rosca.helpers import utc_today


def test_a_round_over_the_api(app, make_user, api_token):
    manager, member = make_user("m@example.com", "Manager"), make_user("a@example.com", "Ali")
    mh, ah = api_token(manager), api_token(member)
    c = app.test_client()
    body = {"name": "Friends", "currency": "IRR", "seat_count": 3, "contribution": "1000000",
            "first_due": str(utc_today() - timedelta(days=1)), "pricing": "manual",
            "table": ["2900000", "3000000", "3100000"]}
    bad = c.post("/api/v1/roscas", json={**body, "table": ["1", "2", "3"]}, headers=mh)
    assert bad.status_code == 422 and "table" in bad.json["error"]["fields"]
    bad = c.post("/api/v1/roscas", json={**body, "pricing": "fair", "rate": "80"}, headers=mh)
    assert bad.status_code == 422 and "rate" in bad.json["error"]["fields"]
    r = c.post("/api/v1/roscas", json=body, headers=mh)
    assert r.status_code == 201, r.json
    box_id = r.json["box_id"]
    assert [s["payout"] for s in r.json["seats"]] == [2900000, 3000000, 3100000]
    assert r.json["calendar"] == "persian"
    ali = c.post(f"/api/v1/roscas/{box_id}/members", json={"display_name": "Ali", "email": "a@example.com"},
                 headers=mh).json["membership_id"]
    from hamyan.boxes.models import Membership

    db.session.get(Membership, ali).user_id = member.id
    db.session.commit()
    assert c.post(f"/api/v1/roscas/{box_id}/seats/1/take", json={}, headers=ah).status_code == 200
    taken = c.post(f"/api/v1/roscas/{box_id}/seats/1/take", json={}, headers=mh)
    assert taken.status_code in (409, 422)
    others = [c.post(f"/api/v1/roscas/{box_id}/members", json={"display_name": n}, headers=mh).json["membership_id"]
              for n in ("Bita", "Dara")]
    start = c.post(f"/api/v1/roscas/{box_id}/start", headers=mh)
    assert start.status_code == 422 and "seats" in start.json["error"]["fields"]
    for number, m in zip((2, 3), others):
        assert c.put(f"/api/v1/roscas/{box_id}/seats/{number}/holders", json={"holders": [{"membership_id": m}]},
                     headers=mh).status_code == 200
    assert c.post(f"/api/v1/roscas/{box_id}/start", headers=mh).json["status"] == "active"
    for m in [ali] + others:
        key = {**mh, "Idempotency-Key": f"pay-{m}"}
        first = c.post(f"/api/v1/roscas/{box_id}/payments", json={"membership_id": m, "amount": "1000000"}, headers=key)
        again = c.post(f"/api/v1/roscas/{box_id}/payments", json={"membership_id": m, "amount": "1000000"}, headers=key)
        assert first.status_code == 201 and again.json["id"] == first.json["id"]
    changed = c.post(f"/api/v1/roscas/{box_id}/payments", json={"membership_id": ali, "amount": "5"},
                     headers={**mh, "Idempotency-Key": f"pay-{ali}"})
    assert changed.status_code == 409
    key = {**mh, "Idempotency-Key": "payout-1"}
    paid = c.post(f"/api/v1/roscas/{box_id}/payouts", json={"period": 1}, headers=key)
    entries = db.session.query(Entry).count()
    assert paid.status_code == 201 and c.post(f"/api/v1/roscas/{box_id}/payouts", json={"period": 1},
                                               headers=key).json == paid.json
    assert c.post(f"/api/v1/roscas/{box_id}/payouts", json={"period": 1}, headers=mh).status_code == 409
    assert db.session.query(Entry).count() == entries
    swap = c.post(f"/api/v1/roscas/{box_id}/swaps", json={"earlier": 1, "later": 3}, headers=mh)
    assert swap.status_code == 422 and "earlier" in swap.json["error"]["fields"]  # seat 1 collected
    swap = c.post(f"/api/v1/roscas/{box_id}/swaps", json={"earlier": 2, "later": 3}, headers=mh)
    assert swap.status_code == 201 and swap.json["quote"] == 3000000 - 3100000  # rate 0: payout difference
    assert c.post(f"/api/v1/roscas/{box_id}/swaps/{swap.json['id']}/approve", headers=ah).status_code == 403
    done = c.post(f"/api/v1/roscas/{box_id}/swaps/{swap.json['id']}/approve", headers=mh)
    assert done.json["status"] == "approved" and done.json["price"] == -100000
    assert [b["box_id"] for b in c.get("/api/v1/roscas", headers=ah).json] == [box_id]
    assert c.get(f"/api/v1/roscas/{box_id}/swaps", headers=ah).json[0]["status"] == "approved"
    grid = c.get(f"/api/v1/roscas/{box_id}/grid", headers=ah)
    assert grid.status_code == 200 and len(grid.json["members"]) == 3
    pdf = c.get(f"/api/v1/roscas/{box_id}/statement?start={utc_today() - timedelta(days=9)}&end={utc_today()}",
                headers=ah)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    stranger = api_token(make_user("s@example.com", "Stranger"))
    for method, url in (("get", ""), ("get", "/grid"), ("post", "/start"), ("post", "/payouts")):
        assert getattr(c, method)(f"/api/v1/roscas/{box_id}{url}", headers=stranger, json={}).status_code == 404
