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


def test_a_saver_reports_a_loan_repayment_and_the_manager_confirms_it(client, app, make_user, api_token, clock):
    """A saver with a loan being repaid says the money was for it (page and API); confirmed, it is a
    repayment of that loan (one entry), not savings; without saying which, a report is refused."""
    from hamyan.blueprints.moneypool.models import Repayment
    from tests.conftest import login

    manager, saver = make_user("boss@example.com", "Boss"), make_user("sara@example.com", "Sara")
    box = pool.create_pool(manager, "Neighbours", "USD", "1000", date(2025, 1, 5), my_shares=0,
                           require_no_arrears=False, guarantors_required=0)
    member = pool.add_member(manager, box.id, "Sara", "sara@example.com", 1, date(2025, 1, 5))
    clock.today = date(2025, 3, 1)
    pool.record_contribution(manager, box.id, member.id, "9000", date(2025, 1, 5), "seed")
    loan = pool.request_loan(manager, box.id, "1200", 3, "ask", member_id=member.id)
    pool.approve(manager, box.id, loan.id)
    pool.disburse(manager, box.id, loan.id, date(2025, 3, 1))
    db.session.commit()
    url, sara = f"/api/v1/boxes/{box.id}/payment-reports", api_token(saver)
    target = f"loan:{loan.id}"
    assert client.get(f"{url}/targets", headers=sara).json == [
        {"target": "savings", "label": "Savings"}, {"target": target, "label": f"Repayment of loan #{loan.number}"}]
    page = login(app.test_client(), "sara@example.com").get(f"/boxes/{box.id}/reported-payments").get_data(as_text=True)
    assert f'<option value="{target}">Repayment of loan #{loan.number}</option>' in page
    assert_error(client.post(url, json={"amount": "400", "method": "card", "reference": "T"}, headers=sara), 422,
                 "validation_error", ["target"])
    assert_error(client.post(url, json={"amount": "400", "method": "card", "reference": "T", "target": "loan:999999"},
                             headers=sara), 422, "validation_error", ["target"])
    made = client.post(url, json={"amount": "400", "method": "card", "reference": "T", "target": target}, headers=sara)
    assert made.status_code == 201 and made.json["target"] == target
    done = client.post(f"{url}/{made.json['id']}/confirm", headers=api_token(manager)).json
    repayment = db.session.scalar(select(Repayment).filter_by(entry_id=done["entry_id"]))
    assert repayment.loan_id == loan.id and repayment.amount == 400_00 and repayment.number == 1
    assert db.session.scalar(select(func.count(Contribution.id)).filter_by(box_id=box.id)) == 1  # savings untouched
    from hamyan.blueprints.moneypool.services import online

    reversal = online.refund_payment(manager, box.id, done["entry_id"], "Bounced")  # a refund undoes the repayment
    db.session.refresh(repayment)
    assert reversal and repayment.reversed_at is not None and repayment.reversal_reason == "Bounced"
