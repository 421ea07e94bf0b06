"""The board's month end over the JSON API, and a resident's view of their unit."""
from hamyan.blueprints.aptbox import services


def test_month_end_over_the_api(client, make_user, api_token, today):
    board = make_user("board@example.com", "Board")
    headers = api_token(board)
    made = client.post("/api/v1/buildings", json={"name": "برج یاس", "currency": "IRR", "calendar": "persian",
                                                   "timezone": "Asia/Tehran", "round_to": "1000"}, headers=headers)
    assert made.status_code == 201, made.json
    box_id = made.json["id"]
    bad = client.post(f"/api/v1/buildings/{box_id}/units/import", json={"csv": "number,area\n1,80\n2,-3\n"},
                      headers=headers)
    assert bad.status_code == 422 and "line 3" in bad.json["error"]["fields"]
    assert client.get(f"/api/v1/buildings/{box_id}/units", headers=headers).json == []
    ok = client.post(f"/api/v1/buildings/{box_id}/units/import",
                     json={"csv": "number,floor,area,occupants\n1,0,80,2\n2,1,95.5,3\n3,1,61,0\n"}, headers=headers)
    assert ok.status_code == 201 and len(ok.json) == 3
    mix = client.post(f"/api/v1/buildings/{box_id}/components", headers=headers, json={
        "name": "نظافت", "amount": "3000000", "basis": "mix", "mix": {"area": 70, "occupants": 20}})
    assert mix.status_code == 422 and "mix" in mix.json["error"]["fields"]
    assert client.post(f"/api/v1/buildings/{box_id}/components", headers=headers, json={
        "name": "نظافت", "amount": "3000000", "basis": "mix", "mix": {"area": 70, "occupants": 30}}).status_code == 201
    run = client.post(f"/api/v1/buildings/{box_id}/charges", json={"month": "1404-12"}, headers=headers)
    assert run.status_code == 201 and run.json["total"] == 3_000_000
    assert client.post(f"/api/v1/buildings/{box_id}/charges", json={"month": "1404-12"},
                       headers=headers).status_code == 409
    unit_id = ok.json[1]["id"]
    pay = {"amount": "۱۰۰۰۰۰۰", "paid_on": "1404-12-08", "reference": "FIS-9"}
    first = client.post(f"/api/v1/buildings/{box_id}/units/{unit_id}/payments", json=pay,
                        headers={**headers, "Idempotency-Key": "p1"})
    again = client.post(f"/api/v1/buildings/{box_id}/units/{unit_id}/payments", json=pay,
                        headers={**headers, "Idempotency-Key": "p1"})
    assert first.status_code == 201 and again.json["id"] == first.json["id"] and first.json["amount"] == 1_000_000
    detail = client.get(f"/api/v1/buildings/{box_id}/units/{unit_id}", headers=headers).json
    assert detail["charge"] == sum(line["amount"] for line in detail["why"])
    assert "95.5" in detail["why"][0]["why"] and detail["ledger"][-1]["balance"] == detail["charge"] - 1_000_000
    resident = make_user("res@example.com", "Res")
    services.add_person(board, box_id, unit_id, "Res", "res@example.com", "resident")
    mine = client.get(f"/api/v1/buildings/{box_id}/units", headers=api_token(resident)).json
    assert [row["unit"]["id"] for row in mine] == [unit_id]
    assert client.get(f"/api/v1/buildings/{box_id}/units/{ok.json[0]['id']}",
                      headers=api_token(resident)).status_code == 404
    assert client.post(f"/api/v1/buildings/{box_id}/charges", json={"month": "1405-01"},
                       headers=api_token(resident)).status_code == 403
