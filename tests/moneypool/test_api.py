"""The JSON API: the loan cycle, errors with fields, Idempotency-Key, scoping, the OpenAPI document."""
from datetime import date

from sqlalchemy import func, select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Contribution, Repayment
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from tests.test_reports import wait_until_finished


def test_loan_cycle_over_the_api(app, make_user, api_token, clock):
    clock.today = date(2025, 3, 1)
    client = app.test_client()
    boss = make_user("boss@example.com", "Boss")
    member_user = make_user("m@example.com", "Mina")
    headers = api_token(boss)
    response = client.post("/api/v1/pools", json={
        "name": "Office fund", "currency": "USD", "first_due": "2025-01-05", "share_amount": "100",
        "my_shares": 0, "interest_method": "annuity", "annual_rate": "12", "max_term": 12,
        "min_membership_months": 0, "require_no_arrears": False}, headers=headers)
    assert response.status_code == 201, response.json
    box_id = response.json["id"]
    assert response.json["policy"]["interest_method"] == "annuity"
    response = client.post(f"/api/v1/pools/{box_id}/members", json={
        "display_name": "Mina", "email": "m@example.com", "shares": 3, "joined_on": "2025-01-01"}, headers=headers)
    assert response.status_code == 201, response.json
    member_id = response.json["member_id"]
    pay = {"member_id": member_id, "amount": "2000", "paid_on": "2025-02-05"}
    first = client.post(f"/api/v1/pools/{box_id}/contributions", json=pay, headers={**headers, "Idempotency-Key": "p1"})
    again = client.post(f"/api/v1/pools/{box_id}/contributions", json=pay, headers={**headers, "Idempotency-Key": "p1"})
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    assert db.session.scalar(select(func.count(Contribution.id))) == 1

    mine = api_token(member_user)
    response = client.post(f"/api/v1/pools/{box_id}/loans", json={"amount": "1200", "term": 12}, headers=mine)
    assert response.status_code == 201, response.json
    loan_id = response.json["id"]
    assert client.post(f"/api/v1/pools/{box_id}/loans/{loan_id}/approve", headers=mine).status_code == 403
    assert client.post(f"/api/v1/pools/{box_id}/loans/{loan_id}/approve", headers=headers).status_code == 200
    response = client.post(f"/api/v1/pools/{box_id}/loans/{loan_id}/disburse", json={"on": "2025-03-01"},
                           headers=headers)
    assert response.status_code == 200 and response.json["status"] == "active"
    schedule = response.json["installments"]
    assert len(schedule) == 12 and sum(i["principal"] for i in schedule) == 1200_00
    assert {i["total"] for i in schedule[:-1]} == {10662}  # 1,200 at 1% a month over 12: 106.62
    assert [p["id"] for p in client.get("/api/v1/pools", headers=mine).json] == [box_id]
    assert client.get("/api/v1/pools", headers=mine).json[0]["me"]["total_savings"] == 2000_00
    loan = client.get(f"/api/v1/pools/{box_id}/loans/{loan_id}", headers=mine)
    assert loan.status_code == 200 and loan.json["outstanding"] == 1200_00

    clock.today = date(2025, 4, 1)
    body = {"amount": "106.62", "paid_on": "2025-04-01"}
    for _ in range(2):
        response = client.post(f"/api/v1/pools/{box_id}/loans/{loan_id}/repayments", json=body,
                               headers={**headers, "Idempotency-Key": "r1"})
        assert response.status_code == 201, response.json
    assert db.session.scalar(select(func.count(Repayment.id))) == 1
    assert response.json["interest"] == 12_00
    sheet = client.get(f"/api/v1/pools/{box_id}/balance-sheet", headers=headers).json
    assert sheet["balanced"] and sheet["interest"] == 12_00
    book = client.get(f"/api/v1/pools/{box_id}/loan-book", headers=headers).json
    assert book["outstanding"] == sheet["loans"] and (book["total"], book["page"]) == (1, 1)
    assert [(r["loan_id"], r["outstanding"]) for r in book["loans"]] == [(loan_id, sheet["loans"])]
    response = client.get(f"/api/v1/pools/{box_id}/loan-book?per_page=101", headers=headers)
    assert response.status_code == 422 and "per_page" in str(response.json["error"]["fields"])
    assert ledger.check().ok


def test_errors_have_fields_and_nothing_is_written(app, make_user, api_token, clock):
    clock.today = date(2025, 3, 1)
    client = app.test_client()
    boss = make_user("boss@example.com", "Boss")
    headers = api_token(boss)
    box = services.create_pool(boss, "Fund", "USD", "100", date(2025, 1, 5), my_shares=1, max_loan="500",
                               require_no_arrears=False)
    member_id = services.access(boss, box.id).member.id
    services.record_contribution(boss, box.id, member_id, "300", date(2025, 1, 5), "seed")
    for body, field in (({"amount": "5000", "term": 3}, "amount"), ({"amount": "-1", "term": 3}, "amount"),
                        ({"amount": "abc", "term": 3}, "amount"), ({"amount": "100", "term": 0}, "term"),
                        ({"amount": "100", "term": "x"}, "term")):
        response = client.post(f"/api/v1/pools/{box.id}/loans", json=body, headers=headers)
        assert response.status_code == 422, response.json
        assert field in response.json["error"]["fields"], response.json
    response = client.post(f"/api/v1/pools/{box.id}/contributions", json={"member_id": member_id, "amount": "0"},
                           headers=headers)
    assert response.status_code == 422 and "amount" in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count(Contribution.id))) == 1
    # Not enough cash: approved but waits
    loan = client.post(f"/api/v1/pools/{box.id}/loans", json={"amount": "400", "term": 3}, headers=headers).json
    client.post(f"/api/v1/pools/{box.id}/loans/{loan['id']}/approve", headers=headers)
    response = client.post(f"/api/v1/pools/{box.id}/loans/{loan['id']}/disburse", json={}, headers=headers)
    assert response.status_code == 422 and "Not enough cash" in response.json["error"]["message"]
    waiting = client.get(f"/api/v1/pools/{box.id}/queue", headers=headers).json
    assert waiting[0]["loan_id"] == loan["id"] and waiting[0]["place"] == 1
    # Other people's pools
    stranger = make_user("x@example.com", "X")
    for url in (f"/api/v1/pools/{box.id}", f"/api/v1/pools/{box.id}/loans/{loan['id']}"):
        assert client.get(url, headers=api_token(stranger)).status_code == 404
    assert client.get(f"/api/v1/pools/{box.id}").status_code == 401


def test_openapi_documents_the_pool_api(app):
    spec = app.test_client().get("/api/v1/openapi.json").json
    paths = [p for p in spec["paths"] if p.startswith("/api/v1/pools")]
    assert "/api/v1/pools/{box_id}/loans/{loan_id}/repayments" in paths and len(paths) >= 15
    post = spec["paths"]["/api/v1/pools/{box_id}/loans/{loan_id}/repayments"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    book = spec["paths"]["/api/v1/pools/{box_id}/loan-book"]["get"]  # the book's loans come a page at a time
    assert {"page", "per_page", "as_of"} <= {p["name"] for p in book["parameters"]} and "`per_page`" in book["summary"]
    from openapi_spec_validator import validate

    validate(spec)


def test_statements_and_payments_over_the_api(app, make_user, api_token, clock):
    from io import BytesIO

    from pypdf import PdfReader

    clock.today = date(2025, 3, 1)
    client = app.test_client()
    boss = make_user("boss@example.com", "Boss")
    mina = make_user("m@example.com", "Mina")
    box = services.create_pool(boss, "Fund", "USD", "100", date(2025, 1, 5), my_shares=0)
    member = services.add_member(boss, box.id, "Mina", "m@example.com", 1, date(2025, 1, 1))
    services.record_contribution(boss, box.id, member.id, "250.50", date(2025, 2, 5), "one")
    mine = api_token(mina)
    page = client.get(f"/api/v1/pools/{box.id}/members/{member.id}/contributions", headers=mine).json
    assert page["total"] == 1 and page["items"][0]["amount"] == 250_50
    response = client.get(f"/api/v1/pools/{box.id}/statement?start=2025-01-01&end=2025-03-01", headers=mine)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "250.50" in PdfReader(BytesIO(response.data)).pages[0].extract_text()
    # The manager report is a background job (issue 17): asked for, polled, then downloaded.
    period = {"start": "2025-01-01", "end": "2025-03-01"}
    assert client.post(f"/api/v1/boxes/{box.id}/reports/manager", json=period, headers=mine).status_code == 403
    boss_h = api_token(boss)
    response = client.post(f"/api/v1/boxes/{box.id}/reports/manager", json=period, headers=boss_h)
    assert response.status_code == 202
    job = wait_until_finished(response.json["id"])
    response = client.get(f"/api/v1/boxes/{box.id}/reports/jobs/{job.id}/file", headers=boss_h)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    response = client.get(f"/api/v1/pools/{box.id}/statement?start=2025-03-01&end=2025-01-01", headers=mine)
    assert response.status_code == 422 and "end" in response.json["error"]["fields"]


def test_every_manager_action_over_the_api(app, make_user, api_token, clock):
    clock.today = date(2025, 3, 1)
    client = app.test_client()
    boss = make_user("boss@example.com", "Boss")
    h = api_token(boss)
    box_id = client.post("/api/v1/pools", json={
        "name": "Fund", "currency": "USD", "first_due": "2025-01-05", "share_amount": "100", "my_shares": 0,
        "queue_policy": "lottery", "require_no_arrears": False, "min_membership_months": 0}, headers=h).json["id"]
    base = f"/api/v1/pools/{box_id}"
    assert client.patch(f"{base}/policy", json={"interest_method": "flat", "annual_rate": "6"},
                        headers=h).json["policy"]["interest_method"] == "flat"
    assert client.post(f"{base}/share-amounts", json={"amount": "120", "effective_from": "2025-03-01"},
                       headers=h).status_code == 201
    assert [s["amount"] for s in client.get(f"{base}/share-amounts", headers=h).json] == [100_00, 120_00]
    ids = [client.post(f"{base}/members", json={"display_name": f"M{i}", "shares": 2}, headers=h).json["member_id"]
           for i in range(3)]
    assert client.post(f"{base}/members/{ids[0]}/shares", json={"shares": 3, "effective_from": "2025-03-01"},
                       headers=h).json["shares"] == 3
    for member_id in ids:
        client.post(f"{base}/contributions", json={"member_id": member_id, "amount": "1000"}, headers=h)
    assert client.get(f"{base}/members", headers=h).json["total"] == 3
    loans = []
    for member_id in ids[:2]:
        loan = client.post(f"{base}/loans", json={"amount": "900", "term": 3, "member_id": member_id}, headers=h).json
        assert client.post(f"{base}/loans/{loan['id']}/approve", headers=h).status_code == 200
        loans.append(loan["id"])
    drawn = client.post(f"{base}/draw", headers=h).json
    assert drawn["id"] in loans
    paid_out = [client.post(f"{base}/loans/{drawn['id']}/disburse", json={"on": "2025-03-01"},
                            headers={**h, "Idempotency-Key": "d1"}) for _ in range(2)]
    assert [r.status_code for r in paid_out] == [200, 200] and paid_out[0].json == paid_out[1].json
    # the same key (or none) with another day is not this payout: 409, not the first answer
    for day in ({"on": "2025-02-27"}, {"first_due": "2025-05-01"}):
        again = client.post(f"{base}/loans/{drawn['id']}/disburse", json=day, headers={**h, "Idempotency-Key": "d1"})
        assert again.status_code == 409 and set(again.json["error"]["fields"]) == set(day), again.json
    other = next(x for x in loans if x != drawn["id"])
    assert client.post(f"{base}/loans/{other}/reject", json={"reason": "Cash is short this month"},
                       headers=h).json["status"] == "rejected"
    clock.today = date(2025, 5, 15)
    resched = client.post(f"{base}/loans/{drawn['id']}/reschedule",
                          json={"term": 6, "first_due": "2025-06-01", "reason": "Lost work"}, headers=h)
    assert resched.status_code == 200, resched.json
    assert sum(i["principal"] for i in resched.json["installments"]) == 900_00
    payment = client.post(f"{base}/loans/{drawn['id']}/repayments", json={"amount": "50"}, headers=h).json
    undone = client.post(f"{base}/loans/{drawn['id']}/repayments/{payment['id']}/reverse", json={"reason": "Typo"},
                         headers=h)
    assert undone.status_code == 200 and undone.json["reversed_at"]
    written = client.post(f"{base}/loans/{drawn['id']}/write-off", json={"reason": "Gone"}, headers=h).json
    assert written["status"] == "written_off"
    retried = client.post(f"{base}/loans/{drawn['id']}/write-off", json={"reason": "Gone"}, headers=h)
    assert retried.status_code == 200 and retried.json == written
    another = client.post(f"{base}/loans/{drawn['id']}/write-off", json={"reason": "Moved away"}, headers=h)
    assert another.status_code == 409 and set(another.json["error"]["fields"]) == {"reason"}
    contribution = client.post(f"{base}/contributions", json={"member_id": ids[2], "amount": "5"}, headers=h).json
    assert client.post(f"{base}/contributions/{contribution['id']}/reverse", json={"reason": "Wrong member"},
                       headers=h).json["reversed_at"]
    left = client.post(f"{base}/members/{ids[2]}/leave", json={}, headers=h)
    assert left.status_code == 200 and left.json["left_on"] == "2025-05-15" and left.json["total_savings"] == 0
    assert client.get(f"{base}/balance-sheet", headers=h).json["balanced"]
    assert ledger.check().ok


def test_list_pools_pages_like_list_cashboxes(app, make_user, api_token, clock):
    """GET /pools takes ?page=&per_page= (25 by default, 100 at most) and answers that page by name."""
    clock.today = date(2025, 3, 1)
    boss = make_user("pages@example.com", "Boss")
    headers = api_token(boss)
    for name in ("Cedar", "Alder", "Birch"):
        services.create_pool(boss, name, "USD", "100", date(2025, 1, 5), my_shares=0)
    client = app.test_client()
    names = lambda url: [p["name"] for p in client.get(url, headers=headers).json]  # noqa: E731
    assert names("/api/v1/pools") == ["Alder", "Birch", "Cedar"]
    assert names("/api/v1/pools?per_page=2") == ["Alder", "Birch"]
    assert names("/api/v1/pools?page=2&per_page=2") == ["Cedar"]
    response = client.get("/api/v1/pools?per_page=101", headers=headers)
    assert response.status_code == 422 and "per_page" in str(response.json["error"]["fields"])


def test_pool_lists_honour_per_page_like_the_other_lists(app, pool_factory, api_token, clock):
    """Savers, loans and a saver's contributions take ?per_page= (25 by default, 100 at most) as
    every other list does, and the OpenAPI document says so."""
    clock.today = date(2025, 6, 1)
    box, boss, savers = pool_factory(members=3, users=0, min_membership_months=0, require_no_arrears=False,
                                     one_open_loan=False)
    for day in (date(2025, 1, 5), date(2025, 2, 5), date(2025, 3, 5)):
        services.record_contribution(boss, box.id, savers[0].id, "1000", day, f"c{day}")
    for n in range(3):
        services.request_loan(boss, box.id, "100", 6, f"l{n}", member_id=savers[0].id)
    client, headers, base = app.test_client(), api_token(boss), f"/api/v1/pools/{box.id}"
    for url in (f"{base}/members", f"{base}/loans", f"{base}/members/{savers[0].id}/contributions"):
        whole, page = client.get(url, headers=headers).json, client.get(f"{url}?per_page=2&page=2", headers=headers).json
        assert whole["total"] == 3 and len(whole["items"]) == 3, url
        assert page["total"] == 3 and page["items"] == whole["items"][2:], url
        response = client.get(f"{url}?per_page=101", headers=headers)
        assert response.status_code == 422 and "per_page" in str(response.json["error"]["fields"]), url
    spec = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/pools/{box_id}/members", "/api/v1/pools/{box_id}/loans",
                 "/api/v1/pools/{box_id}/members/{member_id}/contributions"):
        assert "per_page" in {p["name"] for p in spec[path]["get"]["parameters"]} and "`per_page`" in spec[path]["get"]["summary"]
