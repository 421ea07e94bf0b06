"""The reported-payments API (/api/v1/boxes/<id>/payment-reports) for every kind of box: a member
reports (idempotent: the same key and report answers the first, another report under it 409), the
managers list, confirm (one ledger entry, as a recorded payment; again answers the first) or reject
it; another box's manager, an outsider and another member get 404; bad input a field error and
nothing written; the routes are in the OpenAPI document."""
import base64
import os
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from hamyan.blueprints.cashbox.models import Payment
from hamyan.blueprints.moneypool import services as pool
from hamyan.blueprints.moneypool.models import Contribution
from hamyan.blueprints.payments.models import ReportedPayment
from hamyan.extensions import db
from tests.cashbox.helpers import make_box
from tests.payments.conftest import entries
from tests.test_api import assert_error

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _reports() -> int:
    return db.session.scalar(select(func.count(ReportedPayment.id)))


def test_a_member_reports_and_the_manager_confirms_through_the_api(client, cashbox, api_token, make_user):
    box, url = cashbox.box, f"/api/v1/boxes/{cashbox.box.id}/payment-reports"
    ann, boss = api_token(cashbox.ann_user), api_token(cashbox.manager)
    body = {"amount": "100", "method": "card", "reference": "TR-99", "receipt": base64.b64encode(PNG).decode()}
    first = client.post(url, json=body, headers=ann | {"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.json
    assert first.json["status"] == "pending" and first.json["amount"] == 100_00 and first.json["has_receipt"]
    again = client.post(url, json=body, headers=ann | {"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json["id"] == first.json["id"] and _reports() == 1
    assert_error(client.post(url, json={**body, "amount": "90"}, headers=ann | {"Idempotency-Key": "k1"}), 409,
                 "conflict", ["idempotency_key"])
    report_id = first.json["id"]
    assert [r["id"] for r in client.get(url, headers=ann).json] == [report_id]
    assert client.get(f"{url}/{report_id}", headers=boss).json["reference"] == "TR-99"
    assert_error(client.post(f"{url}/{report_id}/confirm", headers=ann), 403, "forbidden")

    before = entries(box.id)
    done = client.post(f"{url}/{report_id}/confirm", headers=boss)
    assert done.status_code == 200 and done.json["status"] == "confirmed" and done.json["entry_id"]
    assert client.post(f"{url}/{report_id}/confirm", headers=boss).json["entry_id"] == done.json["entry_id"]
    assert entries(box.id) == before + 1
    assert db.session.scalar(select(Payment.amount).filter_by(entry_id=done.json["entry_id"])) == 100_00
    assert_error(client.post(f"{url}/{report_id}/reject", json={"reason": "late"}, headers=boss), 409, "conflict",
                 ["reason"])

    second = client.post(url, json={"amount": "50", "method": "transfer", "reference": "TR-100"}, headers=ann).json
    assert_error(client.post(f"{url}/{second['id']}/reject", json={"reason": " "}, headers=boss), 422,
                 "validation_error", ["reason"])
    rejected = client.post(f"{url}/{second['id']}/reject", json={"reason": "Not in the account"}, headers=boss)
    assert rejected.json["status"] == "rejected" and rejected.json["reason"] == "Not in the account"
    assert entries(box.id) == before + 1

    # Scoped: another box's manager, an outsider, and another member of the box see nothing of it.
    other = make_user("other@example.com", "Other")
    make_box(other)
    bob_user = make_user("bob@example.com", "Bob")
    cashbox.bob.user_id = bob_user.id
    db.session.commit()
    for who in (api_token(other), api_token(bob_user)):
        for method, path in (("GET", f"{url}/{report_id}"), ("POST", f"{url}/{report_id}/confirm"),
                             ("POST", f"{url}/{report_id}/reject")):
            response = client.open(path, method=method, json={"reason": "x"} if "reject" in path else None, headers=who)
            assert response.status_code in (403, 404), (path, response.status_code)
    assert client.get(f"{url}/{report_id}", headers=api_token(bob_user)).status_code == 404
    assert client.get(url, headers=api_token(bob_user)).json == []  # a member lists only their own
    assert client.get(url, headers=api_token(other)).status_code == 404


def test_bad_reports_say_every_field_and_write_nothing(client, cashbox, api_token):
    url, ann = f"/api/v1/boxes/{cashbox.box.id}/payment-reports", api_token(cashbox.ann_user)
    folder = os.path.join(current_app.instance_path, "uploads", "reports", str(cashbox.box.id))
    files = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    assert_error(client.post(url, json={"amount": "-5", "method": "card", "reference": "", "paid_on": "2999-01-01"},
                             headers=ann), 422, "validation_error", ["amount", "reference", "paid_on"])
    assert_error(client.post(url, json={"amount": "5", "method": "cheque", "reference": "x"}, headers=ann), 422,
                 "validation_error", ["method"])
    assert_error(client.post(url, json={"amount": "5", "method": "card", "reference": "x", "receipt": "%%%"},
                             headers=ann), 422, "validation_error", ["receipt"])
    assert_error(client.post(url, json={"amount": "5", "method": "card", "reference": "x",
                                        "receipt": base64.b64encode(b"GIF89a").decode()}, headers=ann),
                 422, "validation_error", ["receipt"])
    assert _reports() == 0
    assert (set(os.listdir(folder)) if os.path.isdir(folder) else set()) == files


def test_a_pool_report_is_confirmed_as_savings(client, make_user, api_token, clock):
    manager, saver = make_user("boss@example.com", "Boss"), make_user("sara@example.com", "Sara")
    box = pool.create_pool(manager, "Neighbours", "USD", "1000", date(2025, 1, 5), my_shares=0)
    pool.add_member(manager, box.id, "Sara", "sara@example.com", 1, date(2025, 1, 5))
    db.session.commit()
    url = f"/api/v1/boxes/{box.id}/payment-reports"
    made = client.post(url, json={"amount": "1000", "method": "transfer", "reference": "T1"}, headers=api_token(saver))
    assert made.status_code == 201, made.json
    done = client.post(f"{url}/{made.json['id']}/confirm", headers=api_token(manager)).json
    assert db.session.scalar(select(Contribution.amount).filter_by(entry_id=done["entry_id"])) == 1000_00


def test_the_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    base = "/api/v1/boxes/{box_id}/payment-reports"
    assert {"get", "post"} <= set(paths[base]) and "post" in paths[base + "/{report_id}/confirm"]
    assert "post" in paths[base + "/{report_id}/reject"] and "get" in paths[base + "/targets"]
