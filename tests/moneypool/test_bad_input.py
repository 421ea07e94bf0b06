"""Ugly input found by a review: ids past INT, pages past the end, dates far in the past or future.
Each answers a clear 404/422 (or an empty page), never a 500, and writes nothing."""
from datetime import date

from sqlalchemy import func, select

from hamyan.blueprints.moneypool import services
from hamyan.boxes.models import Membership
from hamyan.blueprints.moneypool.models import PoolMember
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.conftest import login
from tests.moneypool.conftest import key

HUGE = 10**20


def _pool_with_loan(pool_factory, clock):
    clock.today = date(2025, 6, 1)
    box, boss, savers = pool_factory(members=3, users=0, min_membership_months=0, require_no_arrears=False)
    for saver in savers:
        services.record_contribution(boss, box.id, saver.id, "5000", date(2025, 5, 1), key())
    loan = services.request_loan(boss, box.id, "1000", 6, key(), member_id=savers[0].id)
    services.approve(boss, box.id, loan.id)
    return box, boss, savers, loan


def test_huge_ids_and_far_dates_answer_clearly_over_the_api(app, pool_factory, api_token, clock):
    box, boss, savers, loan = _pool_with_loan(pool_factory, clock)
    client, headers, base = app.test_client(), api_token(boss), f"/api/v1/pools/{box.id}"
    entries = db.session.scalar(select(func.count(Entry.id)))
    for method, url, body, status, field in [
        ("post", f"{base}/contributions", {"member_id": HUGE, "amount": "10"}, 404, None),
        ("post", f"{base}/contributions", {"member_id": savers[0].id, "amount": "10", "paid_on": "0001-01-01"},
         422, "paid_on"),
        ("get", f"{base}/loans/{HUGE}", None, 404, None),
        ("get", f"{base}/members/{HUGE}", None, 404, None),
        ("post", f"{base}/contributions/{HUGE}/reverse", {"reason": "x"}, 404, None),
        ("post", f"{base}/loans/{loan.id}/repayments/{HUGE}/reverse", {"reason": "x"}, 404, None),
        ("post", f"{base}/loans", {"amount": "100", "term": 3, "member_id": HUGE}, 404, None),
        ("post", f"{base}/loans", {"amount": "100", "term": 3, "member_id": savers[1].id, "guarantor_ids": [HUGE]},
         422, "guarantor_ids"),
        ("post", f"{base}/members", {"membership_id": HUGE, "shares": 1}, 422, "membership_id"),
        ("post", f"{base}/members", {"display_name": "x", "shares": 1, "joined_on": "9999-12-31"}, 422, "joined_on"),
        ("post", f"{base}/members/{savers[1].id}/shares", {"shares": 2, "effective_from": "9999-12-31"},
         422, "effective_from"),
        ("post", f"{base}/share-amounts", {"amount": "10", "effective_from": "0001-01-01"}, 422, "effective_from"),
        ("post", f"{base}/loans/{loan.id}/disburse", {"first_due": "9999-12-01"}, 422, "first_due"),
        ("post", f"{base}/loans/{loan.id}/disburse", {"on": "0001-01-01"}, 422, "on"),
        ("post", f"{base}/members/{savers[2].id}/leave", {"on": "2001-01-01"}, 422, "on"),
    ]:
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == status, (url, body, response.json)
        if field:
            assert field in response.json["error"]["fields"], (url, body, response.json)
    for url in (f"{base}/loans?page={HUGE}", f"{base}/members?page={HUGE}",
                f"{base}/members/{savers[0].id}/contributions?page={HUGE}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 422 and "page" in response.json["error"]["fields"], url
    assert db.session.scalar(select(func.count(Entry.id))) == entries

    assert client.post(f"{base}/loans/{loan.id}/disburse", json={}, headers=headers).status_code == 200
    for body in ({"term": 3, "first_due": "9999-12-01", "reason": "x"},
                 {"term": 360, "first_due": "2090-12-01", "reason": "x"}):
        response = client.post(f"{base}/loans/{loan.id}/reschedule", json=body, headers=headers)
        assert response.status_code == 422 and "first_due" in response.json["error"]["fields"]
    response = client.post(f"{base}/loans/{loan.id}/write-off", json={"reason": "x"}, headers=headers)
    assert response.status_code == 200


def test_huge_ids_and_pages_on_the_pages(app, pool_factory, clock):
    box, _boss, savers, _loan = _pool_with_loan(pool_factory, clock)
    client = app.test_client()
    login(client, "boss@example.com")
    for url in (f"/pools/{box.id}/loans/{HUGE}", f"/pools/{box.id}/members/{HUGE}",
                f"/pools/{box.id}/statement.pdf?member_id={HUGE}&start=2025-01-01&end=2025-02-01"):
        assert client.get(url).status_code == 404, url
    for url in (f"/pools/{box.id}?page={HUGE}", f"/pools/{box.id}/loans?page={HUGE}",
                f"/pools/{box.id}/members/{savers[0].id}?page={HUGE}"):
        assert client.get(url).status_code == 200, url


def test_ids_from_another_pool_in_urls_and_bodies(app, pool_factory, make_user, api_token, clock):
    box, boss, savers, loan = _pool_with_loan(pool_factory, clock)
    rival = make_user("rival@example.com", "Rival")
    other = services.create_pool(rival, "Other", "USD", "10", date(2025, 1, 5), my_shares=1,
                                 min_membership_months=0, require_no_arrears=False)
    theirs = services.access(rival, other.id).member
    payment = services.record_contribution(rival, other.id, theirs.id, "100", date(2025, 5, 1), key())
    their_loan = services.request_loan(rival, other.id, "50", 2, key())
    client, headers, base = app.test_client(), api_token(boss), f"/api/v1/pools/{box.id}"
    entries = db.session.scalar(select(func.count(Entry.id)))
    for method, url, body, status in [
        ("post", f"{base}/contributions", {"member_id": theirs.id, "amount": "10"}, 404),
        ("post", f"{base}/contributions/{payment.id}/reverse", {"reason": "x"}, 404),
        ("post", f"{base}/members/{theirs.id}/shares", {"shares": 2, "effective_from": "2025-06-01"}, 404),
        ("post", f"{base}/members/{theirs.id}/leave", {}, 404),
        ("post", f"{base}/members", {"membership_id": theirs.membership_id, "shares": 1}, 422),
        ("post", f"{base}/loans", {"amount": "100", "term": 3, "member_id": savers[1].id,
                                   "guarantor_ids": [theirs.id]}, 422),
        ("post", f"{base}/loans/{their_loan.id}/approve", None, 404),
        ("get", f"{base}/loans/{their_loan.id}", None, 404),
        ("post", f"/api/v1/pools/{other.id}/loans/{loan.id}/approve", None, 404),
        ("get", f"/api/v1/pools/{other.id}/balance-sheet", None, 404),
    ]:
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == status, (url, body, response.json)
    assert db.session.scalar(select(func.count(Entry.id))) == entries
    db.session.refresh(their_loan)
    assert their_loan.status == "requested"


def test_an_idempotency_key_reused_for_a_different_request_is_refused(app, pool_factory, api_token, clock):
    box, boss, savers, loan = _pool_with_loan(pool_factory, clock)
    services.disburse(boss, box.id, loan.id)
    client, base = app.test_client(), f"/api/v1/pools/{box.id}"
    headers = {**api_token(boss), "Idempotency-Key": "same"}
    for url, first, other in [
        (f"{base}/contributions", {"member_id": savers[1].id, "amount": "10"},
         {"member_id": savers[1].id, "amount": "20"}),
        (f"{base}/loans/{loan.id}/repayments", {"amount": "5"}, {"amount": "5", "mode": "shorten"}),
        (f"{base}/loans", {"amount": "100", "term": 3, "member_id": savers[2].id},
         {"amount": "100", "term": 4, "member_id": savers[2].id}),
    ]:
        assert client.post(url, json=first, headers=headers).status_code == 201
        entries = db.session.scalar(select(func.count(Entry.id)))
        assert client.post(url, json=first, headers=headers).status_code == 201  # a retry: the first answer
        response = client.post(url, json=other, headers=headers)
        assert response.status_code == 409 and "key" in response.json["error"]["fields"], response.json
        assert db.session.scalar(select(func.count(Entry.id))) == entries


def test_a_saver_is_not_added_with_no_shares(app, pool_factory, api_token, clock):
    """Someone added with 0 shares would save nothing (and so could borrow nothing), yet was told
    they now save: 0 is refused on its field, on the page and over the API, and nothing is written."""
    clock.today = date(2025, 6, 1)
    box, boss, _savers = pool_factory(members=1, users=0)
    members = db.session.scalar(select(func.count(PoolMember.id)))
    response = app.test_client().post(f"/api/v1/pools/{box.id}/members", headers=api_token(boss),
                                      json={"display_name": "Dara", "shares": 0})
    assert response.status_code == 422 and "shares" in response.get_json()["error"]["fields"]
    page = login(app.test_client(), "boss@example.com").post(
        f"/pools/{box.id}/members/new", data={"display_name": "Dara", "shares": "0", "joined_on": "2025-06-01"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Shares must be from 1 to" in text and "now saves" not in text
    assert db.session.scalar(select(func.count(PoolMember.id))) == members
    assert db.session.scalar(select(func.count(Membership.id)).where(Membership.display_name == "Dara")) == 0
