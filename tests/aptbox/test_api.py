"""The board's month end over the JSON API, and a resident's view of their unit."""
from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Assessment
from hamyan.extensions import db


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


def test_funds_notices_and_reports_over_the_api(client, make_user, api_token, today, monkeypatch):
    import base64

    from tests.aptbox.conftest import insert_units

    board = make_user("board@example.com", "Board")
    headers = api_token(board)
    box = services.create_building(board, "Yas", "IRR", "UTC", "en", "gregorian")
    units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 90, 1, 0, True)])
    services.record_payment(board, box.id, units[0].id, "5000000", None, "R", key="seed")
    base = f"/api/v1/buildings/{box.id}"
    bad = client.post(f"{base}/expenses", headers=headers, json={
        "amount": "100000", "category": "cleaning", "receipt": base64.b64encode(b"GIF89a....").decode()})
    assert bad.status_code == 422 and "receipt" in bad.json["error"]["fields"]
    over = client.post(f"{base}/expenses", headers=headers, json={"amount": "6000000", "category": "repairs"})
    assert over.status_code == 422 and "decision" in over.json["error"]["fields"]
    spent = {"amount": "100000", "category": "cleaning", "vendor": "پاکان",
             "receipt": base64.b64encode(b"%PDF-1.4 test").decode(), "receipt_name": "bill.pdf"}
    made, retried = (client.post(f"{base}/expenses", headers={**headers, "Idempotency-Key": "e1"}, json=spent)
                     for _ in range(2))
    assert made.status_code == 201 and made.json["has_receipt"] and made.json["status"] == "approved"
    # a retry spends nothing twice; the same key for another expense is a conflict
    assert retried.status_code == 201 and retried.json == made.json and retried.json["vendor"] == "پاکان"
    other = client.post(f"{base}/expenses", headers={**headers, "Idempotency-Key": "e1"}, json={**spent, "amount": "1"})
    assert other.status_code == 409 and other.json["error"]["code"] == "conflict"
    assert client.get(f"{base}/expenses", headers=headers).json == [made.json]
    roof = {"title": "Roof", "total": "2000000", "basis": "equal", "installments": 2}
    assessed = [client.post(f"{base}/assessments", headers={**headers, "Idempotency-Key": "a1"}, json=roof)
                for _ in range(2)]
    assert [a.status_code for a in assessed] == [201, 201] and assessed[0].json == assessed[1].json
    other = client.post(f"{base}/assessments", headers={**headers, "Idempotency-Key": "a1"}, json={**roof, "total": "3"})
    assert other.status_code == 409 and other.json["error"]["code"] == "conflict"
    assert db.session.query(Assessment).count() == 1
    moved = client.post(f"{base}/transfers", headers={**headers, "Idempotency-Key": "t"},
                        json={"amount": "1000000", "from_fund": "operating", "to_fund": "reserve"})
    assert moved.status_code == 201
    assert client.post(f"{base}/announcements", headers=headers, json={"title": "Hi", "body": "x"}).status_code == 201
    resident = make_user("res@example.com", "Res")
    services.add_person(board, box.id, units[1].id, "Res", "res@example.com", "resident")
    poll = client.post(f"{base}/polls", headers=headers, json={"question": "Paint?", "options": ["Yes", "No"],
                                                                 "closes_on": "2026-03-09"}).json
    res_headers = api_token(resident)
    vote = {"unit_id": units[1].id, "choice": 0}
    assert client.post(f"{base}/polls/{poll['id']}/votes", headers=res_headers, json=vote).status_code == 201
    assert client.post(f"{base}/polls/{poll['id']}/votes", headers=res_headers, json=vote).status_code == 409
    closed = client.post(f"{base}/polls/{poll['id']}/close", headers=headers).json
    assert closed["closed"] and closed["voters"] == [["2", "Res", "Yes"]] and closed["quorum_met"]
    report = client.get(f"{base}/report", headers=headers).json
    assert report["funds"] == {"operating": 3_900_000, "reserve": 1_000_000} and report["categories"] == [["cleaning", 100_000]]
    assert client.get(f"{base}/report", headers=res_headers).json["arrears"] == []
    from hamyan.statements import jobs

    monkeypatch.setattr(jobs, "start_thread", lambda app, job_id: None)  # made by test_reports; here only asked
    job = client.post(f"/api/v1/boxes/{box.id}/reports/board", headers=headers,
                      json={"start": "2026-02-01", "end": "2026-03-01"})
    assert job.status_code == 202
    pdf = client.get(f"{base}/units/{units[1].id}/statement", headers=res_headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_people_reports_and_waivers_over_the_api(client, make_user, api_token, today):
    import base64

    from tests.aptbox.conftest import insert_units

    board = make_user("board@example.com", "Board")
    headers = api_token(board)
    box = services.create_building(board, "Yas", "IRR", "UTC", "en", "gregorian", late_fee_kind="fixed",
                                   late_fee_value="50000", grace_days="0")
    units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 90, 1, 0, True)])
    base = f"/api/v1/buildings/{box.id}"
    resident = make_user("res@example.com", "Res")
    person = client.post(f"{base}/units/{units[1].id}/people", headers=headers,
                         json={"name": "Res", "email": "res@example.com", "relation": "resident"})
    assert person.status_code == 201 and person.json["role"] == "resident"
    res = api_token(resident)
    changed = client.put(f"{base}/units/{units[1].id}", headers=headers, json={"number": "2", "area": "-1"})
    assert changed.status_code == 422 and "area" in changed.json["error"]["fields"]
    assert client.put(f"{base}/units/{units[1].id}", headers=res, json={"number": "2", "area": "91"}).status_code == 403
    made = client.post(f"{base}/units/{units[1].id}/payment-reports", headers=res, json={
        "amount": "250000", "reference": "FIS-8", "receipt": base64.b64encode(b"%PDF-1.4").decode()})
    assert made.status_code == 201 and made.json["status"] == "pending"
    assert client.post(f"{base}/units/{units[0].id}/payment-reports", headers=res,
                       json={"amount": "1", "reference": "x"}).status_code == 404
    assert [r["id"] for r in client.get(f"{base}/payment-reports", headers=res).json] == [made.json["id"]]
    confirmed = client.post(f"{base}/payment-reports/{made.json['id']}/confirm", headers=headers)
    assert confirmed.json["status"] == "confirmed" and confirmed.json["entry_id"]
    assert confirmed.json["unit_id"] == units[1].id
    assert client.post(f"{base}/payment-reports/{made.json['id']}/reject", headers=headers,
                       json={"reason": "late"}).status_code == 409
    services.add_component(board, box.id, name="Cleaning", amount="300000", basis="equal")
    services.issue_month(board, box.id, "2026-02")
    services.assess_late_fees(board, box.id)
    detail = client.get(f"{base}/units/{units[0].id}", headers=headers).json
    fee = detail["summary"]["balance"]
    waived = client.post(f"{base}/units/{units[0].id}/late-fees/waive", headers=headers,
                         json={"reference": f"charge:{services.charges_of(units[0].id)[0].id}", "reason": "first"})
    assert waived.status_code == 200
    assert client.get(f"{base}/units/{units[0].id}", headers=headers).json["summary"]["balance"] == fee - 50_000
    component = services.components(box.id)[0].id
    changed = client.put(f"{base}/components/{component}", headers=headers,
                         json={"name": "Cleaning", "amount": "400000", "basis": "area"})
    assert changed.status_code == 200 and changed.json["amount"] == 400_000 and changed.json["basis"] == "area"
    assert services.runs(box.id)[0][0].total == 300_000  # the month issued keeps what it charged
    assert client.delete(f"{base}/components/{component}", headers=headers).status_code == 204
    assert client.get(f"{base}/components", headers=headers).json == []


def test_buildings_list_rules_transfers_and_late_fees_over_the_api(client, make_user, api_token, today, app):
    board = make_user("board@example.com", "Board")
    headers = api_token(board)
    made = [client.post("/api/v1/buildings", json={"name": name, "calendar": "gregorian", "timezone": "UTC",
                                                    "late_fee_kind": "fixed", "late_fee_value": "5000",
                                                    "grace_days": 0}, headers=headers).json
            for name in ("برج یاس", "آفتاب", "Cedar")]
    other = services.create_building(make_user("other@example.com", "Other"), "Not mine", "IRR", "UTC")
    listed = client.get("/api/v1/buildings", headers=headers)
    assert listed.status_code == 200
    assert [b["name"] for b in listed.json] == sorted(b["name"] for b in made)
    assert all(b["is_board"] for b in listed.json) and other.id not in [b["id"] for b in listed.json]
    assert [b["name"] for b in client.get("/api/v1/buildings?per_page=2&page=2", headers=headers).json] == \
        [sorted(b["name"] for b in made)[2]]
    assert client.get("/api/v1/buildings?per_page=0", headers=headers).status_code == 422
    assert client.get("/api/v1/buildings").status_code == 401

    box_id = made[0]["id"]
    units = client.post(f"/api/v1/buildings/{box_id}/units/import", headers=headers,
                        json={"csv": "number,area\n1,80\n2,60\n"}).json
    component = client.post(f"/api/v1/buildings/{box_id}/components", headers=headers,
                            json={"name": "نظافت", "amount": "1400000", "basis": "area"}).json
    rule = client.post(f"/api/v1/buildings/{box_id}/rules/units", headers=headers, json={
        "component_id": component["id"], "unit_id": units[1]["id"], "kind": "exempt", "reason": "خالی"})
    assert rule.status_code == 200 and rule.json["kind"] == "exempt"
    assert [r["id"] for r in client.get(f"/api/v1/buildings/{box_id}/rules/units", headers=headers).json] == \
        [rule.json["id"]]
    assert client.delete(f"/api/v1/buildings/{other.id}/rules/units/{rule.json['id']}",
                         headers=headers).status_code == 404
    assert client.delete(f"/api/v1/buildings/{box_id}/rules/units/{rule.json['id']}",
                         headers=headers).status_code == 204
    assert client.get(f"/api/v1/buildings/{box_id}/rules/units", headers=headers).json == []
    assert client.delete(f"/api/v1/buildings/{box_id}/rules/units/{rule.json['id']}",
                         headers=headers).status_code == 404

    client.post(f"/api/v1/buildings/{box_id}/charges", json={"month": "2026-02"}, headers=headers)
    assert client.post(f"/api/v1/buildings/{box_id}/late-fees", headers=headers).json == {"count": 2}
    assert client.post(f"/api/v1/buildings/{box_id}/late-fees", headers=headers).json == {"count": 0}
    resident = make_user("res@example.com", "Res")
    services.add_person(board, box_id, units[0]["id"], "Res", "res@example.com", "resident")
    assert client.post(f"/api/v1/buildings/{box_id}/late-fees", headers=api_token(resident)).status_code == 403

    client.post(f"/api/v1/buildings/{box_id}/units/{units[0]['id']}/payments", headers=headers,
                json={"amount": "800000", "reference": "R1"})
    moved = client.post(f"/api/v1/buildings/{box_id}/transfers", headers={**headers, "Idempotency-Key": "t1"},
                        json={"amount": "300000", "from_fund": "operating", "to_fund": "reserve"})
    assert moved.status_code == 201
    seen = client.get(f"/api/v1/buildings/{box_id}/transfers", headers=api_token(resident))
    assert seen.status_code == 200 and [t["id"] for t in seen.json] == [moved.json["id"]]
    assert client.get(f"/api/v1/buildings/{other.id}/transfers", headers=headers).status_code == 404
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/buildings"])
    assert "delete" in paths["/api/v1/buildings/{box_id}/rules/units/{rule_id}"]
    assert "get" in paths["/api/v1/buildings/{box_id}/transfers"]
