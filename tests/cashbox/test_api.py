"""The cashbox JSON API: a whole round, idempotent money POSTs, errors and scoping."""
from datetime import timedelta

from hamyan.blueprints.cashbox.models import Payment, Period
from hamyan.ledger import check
from hamyan.ledger.models import Entry
from tests.cashbox.helpers import utc_today
from tests.test_reports import wait_until_finished


def _create(client, headers, **over):
    body = dict(name="API box", currency="USD", contribution="50", share_count=2, period_kind="weekly",
                first_due=(utc_today() - timedelta(days=1)).isoformat(), draw_mode="random",
                fine_kind="fixed", fine_value="2", grace_days=3)
    body.update(over)
    return client.post("/api/v1/cashboxes", json=body, headers=headers)


def test_whole_round_through_the_api(client, make_user, api_token, clock):
    manager = make_user("boss@example.com", "Boss")
    h = api_token(manager)
    r = _create(client, h)
    assert r.status_code == 201, r.get_json()
    box = r.get_json()
    box_id, round_id = box["box_id"], box["current_round"]["id"]
    ids = []
    for name in ("Ann", "Bob", "Cy"):
        r = client.post(f"/api/v1/cashboxes/{box_id}/members", json={"display_name": name}, headers=h)
        assert r.status_code == 201
        ids.append(r.get_json()["membership_id"])
    base = f"/api/v1/cashboxes/{box_id}"
    assert client.put(f"{base}/rounds/{round_id}/shares/1", json={"holders": [{"membership_id": ids[0], "fraction": "1"}]},
                      headers=h).status_code == 200
    r = client.put(f"{base}/rounds/{round_id}/shares/2", json={"holders": [
        {"membership_id": ids[1], "fraction": "1/3"}, {"membership_id": ids[2], "fraction": "2/3"}]}, headers=h)
    assert r.status_code == 200 and [x["round_total"] for x in r.get_json()["holders"]] == [3333, 6667]
    r = client.post(f"{base}/rounds/{round_id}/start", headers=h)
    assert r.status_code == 200, r.get_json()
    hashes = [p["seed_hash"] for p in r.get_json()["periods"]]
    assert all(len(x) == 64 for x in hashes) and not any(p["seed"] for p in r.get_json()["periods"])

    pay = {"membership_id": ids[0], "amount": "50", "method": "bank", "reference": "TX-1"}
    first = client.post(f"{base}/payments", json=pay, headers=h | {"Idempotency-Key": "k1"})
    again = client.post(f"{base}/payments", json=pay, headers=h | {"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert Payment.query.count() == 1
    clash = client.post(f"{base}/payments", json=pay | {"amount": "40"}, headers=h | {"Idempotency-Key": "k1"})
    assert clash.status_code == 409
    oops = client.post(f"{base}/payments", json={"membership_id": ids[1], "amount": "5"}, headers=h).get_json()
    r = client.post(f"{base}/payments/{oops['id']}/reverse", json={"reason": "wrong person"}, headers=h)
    assert r.status_code == 200 and r.get_json()["reversal_entry_id"]
    assert client.post(f"{base}/payments/{oops['id']}/reverse", json={"reason": "again"}, headers=h).status_code == 409
    for mid, amount in ((ids[1], "16.67"), (ids[2], "33.33")):
        assert client.post(f"{base}/payments", json={"membership_id": mid, "amount": amount}, headers=h).status_code == 201

    r = client.post(f"{base}/draws", json={"period": 1}, headers=h | {"Idempotency-Key": "d1"})
    assert r.status_code == 201, r.get_json()
    drawn = r.get_json()
    assert drawn["seed"] and drawn["seed_hash"] == hashes[0]
    retry = client.post(f"{base}/draws", json={"period": 1}, headers=h | {"Idempotency-Key": "d1"})
    assert retry.status_code == 201 and retry.get_json()["winner_share"] == drawn["winner_share"]
    twice = client.post(f"{base}/draws", json={"period": 1}, headers=h)
    assert twice.status_code == 409 and twice.get_json()["error"]["fields"]["period"]
    assert Period.query.filter(Period.drawn_at.isnot(None)).count() == 1

    # Period 2 is not due yet: no draw, even with a reason.
    r = client.post(f"{base}/draws", json={"override_reason": "early"}, headers=h)
    assert r.status_code == 422 and "falls due on" in r.get_json()["error"]["fields"]["period"]
    clock.set(utc_today() + timedelta(days=6))
    # Period 2 is due and not paid: the draw waits unless overridden with a reason.
    r = client.post(f"{base}/draws", json={}, headers=h)
    assert r.status_code == 422 and "override_reason" in r.get_json()["error"]["fields"]
    # Over the round the 1/3 holder pays exactly a third of the pot: 16.67 then 16.66.
    for mid, amount in ((ids[0], "50"), (ids[1], "16.66"), (ids[2], "33.34")):
        assert client.post(f"{base}/payments", json={"membership_id": mid, "amount": amount}, headers=h).status_code == 201
    assert client.post(f"{base}/draws", json={}, headers=h).status_code == 201

    grid = client.get(f"{base}/grid", headers=h).get_json()
    assert {c["status"] for m in grid["members"] for c in m["cells"]} <= {"paid", "paid late"}
    box = client.get(base, headers=h).get_json()
    assert box["current_round"]["status"] == "finished" and box["cash"] == 0
    r = client.post(f"{base}/payments", json={"membership_id": ids[0], "amount": "1", "round_id": round_id}, headers=h)
    assert r.status_code == 422 and "finished" in r.get_json()["error"]["message"]
    assert check().ok

    r = client.post(f"{base}/rounds/{round_id}/next", headers=h)
    assert r.status_code == 201 and r.get_json()["status"] == "draft" and r.get_json()["number"] == 2
    assert len(client.get(f"{base}/rounds", headers=h).get_json()) == 2

    r = client.get(f"{base}/statement?start=2020-01-01&end=2029-12-31&membership_id={ids[1]}", headers=h)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    # The box report is a background job (issue 17): asked for, polled, then downloaded.
    r = client.post(f"/api/v1/boxes/{box['box_id']}/reports/manager", json={"start": "2020-01-01", "end": "2029-12-31"},
                    headers=h)
    assert r.status_code == 202
    job = wait_until_finished(r.get_json()["id"])
    r = client.get(f"/api/v1/boxes/{box['box_id']}/reports/jobs/{job.id}/file", headers=h)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


def test_api_bad_input_is_a_clear_error(client, make_user, api_token):
    h = api_token(make_user("boss@example.com", "Boss"))
    for over, field in ((dict(contribution="-5"), "contribution"), (dict(contribution="0"), "contribution"),
                        (dict(contribution="abc"), "contribution"), (dict(contribution="1e400"), "contribution"),
                        (dict(contribution="10000000000000000000"), "contribution"),
                        (dict(share_count=0), "share_count"), (dict(share_count="x"), "share_count"),
                        (dict(currency="ZZZ"), "currency"), (dict(name=""), "name"),
                        (dict(fine_kind="percent", fine_value="250"), "fine_value")):
        r = _create(client, h, **over)
        assert r.status_code == 422, (over, r.get_json())
        assert field in r.get_json()["error"]["fields"], (over, r.get_json())
    assert Entry.query.count() == 0
    assert client.get("/api/v1/cashboxes").status_code == 401
    r = _create(client, h, contribution=True)
    assert r.status_code == 422 and "contribution" in r.get_json()["error"]["fields"]
    r = _create(client, h, contribution=12.5)  # a JSON float is never money (1e9 would be one too)
    assert r.status_code == 422 and "contribution" in r.get_json()["error"]["fields"]
    box = _create(client, h, contribution="12.50").get_json()
    assert box["current_round"]["contribution"] == 1250
    base = f"/api/v1/cashboxes/{box['box_id']}"
    # A body that is not JSON, dates a typo away, ids and pages no row can have: clear errors.
    r = client.post(base + "/members", data="{oops", headers=h | {"Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["fields"] == {"json": "Invalid JSON body."}
    for day in ("0001-01-01", "9999-12-25", (utc_today() + timedelta(days=365 * 12)).isoformat()):
        r = _create(client, h, first_due=day)
        assert r.status_code == 422 and "first_due" in r.get_json()["error"]["fields"], day
    huge = 2**70
    assert client.get(f"{base}/payments?round_id={huge}", headers=h).status_code == 404
    assert client.get(f"{base}/payments?membership_id={huge}", headers=h).status_code == 404
    assert client.get(f"{base}/payments?page={huge}", headers=h).get_json()["error"]["fields"].keys() == {"page"}
    assert client.post(f"{base}/payments/{2**40}/reverse", json={"reason": "x"}, headers=h).status_code == 404
    for start in ("0001-01-01", "1899-12-31"):
        r = client.post(f"/api/v1/boxes/{box['box_id']}/reports/manager", json={"start": start, "end": start}, headers=h)
        assert r.status_code == 422 and "1900" in r.get_json()["error"]["fields"]["start"]
    assert Entry.query.count() == 0


def test_api_scoping(client, make_user, api_token):
    owner = api_token(make_user("owner@example.com", "Owner"))
    box = _create(client, owner).get_json()
    stranger = api_token(make_user("other@example.com", "Other"))
    base = f"/api/v1/cashboxes/{box['box_id']}"
    for method, url, body in (("get", base, None), ("get", f"{base}/grid", None), ("get", f"{base}/payments", None),
                              ("post", f"{base}/payments", {"membership_id": 1, "amount": "1"}),
                              ("post", f"{base}/draws", {}), ("post", f"{base}/members", {"display_name": "X"})):
        r = getattr(client, method)(url, json=body, headers=stranger)
        assert r.status_code == 404, (url, r.status_code)
    assert client.get("/api/v1/cashboxes", headers=stranger).get_json() == []


def test_openapi_lists_cashbox_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/cashboxes/{box_id}/payments" in spec["paths"]
    post = spec["paths"]["/api/v1/cashboxes/{box_id}/payments"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])


def test_predefined_round_with_a_held_payout_through_the_api(client, make_user, api_token):
    h = api_token(make_user("boss@example.com", "Boss"))
    box = _create(client, h, draw_mode="predefined", share_count=3, fine_kind="none").get_json()
    base, rid = f"/api/v1/cashboxes/{box['box_id']}", box["current_round"]["id"]
    r = client.put(f"{base}/rules", json={"grace_days": 1, "fine_kind": "percent", "fine_value": "1.5",
                                          "winner_policy": "hold"}, headers=h)
    assert r.status_code == 200 and (r.get_json()["fine_value"], r.get_json()["winner_policy"]) == (150, "hold")
    r = client.put(f"{base}/rounds/{rid}", json={"contribution": "20", "share_count": 2, "period_kind": "days",
                                                 "period_days": 10, "first_due": utc_today().isoformat(),
                                                 "draw_mode": "predefined"}, headers=h)
    assert r.status_code == 200 and len(r.get_json()["shares"]) == 2 and r.get_json()["pot"] == 4000
    ids = [client.post(f"{base}/members", json={"display_name": n}, headers=h).get_json()["membership_id"]
           for n in ("Ann", "Bob")]
    for number, mid in ((1, ids[0]), (2, ids[1])):
        client.put(f"{base}/rounds/{rid}/shares/{number}", json={"holders": [{"membership_id": mid, "fraction": "1"}]},
                   headers=h)
    assert client.put(f"{base}/rounds/{rid}/order", json={"order": [2, 2]}, headers=h).status_code == 422
    assert client.put(f"{base}/rounds/{rid}/order", json={"order": [2, 1]}, headers=h).status_code == 200
    assert client.post(f"{base}/rounds/{rid}/start", headers=h).status_code == 200
    assert client.put(f"{base}/rounds/{rid}/order", json={"order": [1, 2]}, headers=h).status_code == 409
    client.post(f"{base}/payments", json={"membership_id": ids[0], "amount": 20}, headers=h)
    r = client.post(f"{base}/draws", json={"override_reason": "Bob pays tomorrow"}, headers=h)
    assert r.status_code == 201 and r.get_json()["winner_share"] == 2 and r.get_json()["payout_status"] == "held"
    assert client.post(f"{base}/periods/1/release", headers=h).status_code == 422
    client.post(f"{base}/payments", json={"membership_id": ids[1], "amount": "20"}, headers=h)
    r = client.post(f"{base}/periods/1/release", headers=h)
    assert r.status_code == 200 and r.get_json()["payout_status"] == "paid"
    bob = client.get(f"{base}/members/{ids[1]}", headers=h).get_json()
    assert bob["won"] == [{"share": 2, "period": 1, "due_date": utc_today().isoformat(), "amount": 4000}]
    assert bob["position"] == 2000 - 4000
    ann = client.get(f"{base}/members/{ids[0]}", headers=h).get_json()
    assert ann["may_win"][0]["period"] == 2 and ann["cells"][0]["status"] == "paid"
    draws = client.get(f"{base}/draws", headers=h).get_json()
    assert [d["winner_share"] for d in draws] == [2, None] and draws[0]["override_reason"] == "Bob pays tomorrow"
    assert client.get(f"{base}/payments?per_page=1&page=2", headers=h).get_json()["total"] == 2
