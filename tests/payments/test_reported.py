""""I have paid" (payments.reports): a member reports a card-to-card or transfer payment with a
receipt, the managers are told and confirm it (one ledger entry, as a recorded payment) or reject
it (the member is told); the receipt is for the box's managers and that member only; the box's
card or Sheba is validated and shown."""
import io
import os

import pytest
from flask import current_app
from sqlalchemy import func, select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment
from hamyan.blueprints.payments import reports
from hamyan.blueprints.payments.models import ReportedPayment
from hamyan.core import parse
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.core.uploads import Receipt
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from tests.cashbox.helpers import make_box
from tests.conftest import login
from tests.payments.conftest import entries

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
CARD = "6037991234567893"  # passes the Luhn check
SHEBA = "IR062960000000100324200001"


@pytest.fixture(autouse=True)
def _no_uploads_yet(app):
    """Box ids come again after the tables are emptied, so each test starts without report files."""
    import shutil

    shutil.rmtree(os.path.join(app.instance_path, "uploads", "reports"), ignore_errors=True)


def uploads(box_id: int) -> list[str]:
    folder = os.path.join(current_app.instance_path, "uploads", "reports", str(box_id))
    return os.listdir(folder) if os.path.isdir(folder) else []


def rows() -> int:
    return db.session.scalar(select(func.count(ReportedPayment.id)))


def test_card_and_sheba_are_checked(cashbox):
    assert parse.payee_account("۶۰۳۷ ۹۹۱۲ ۳۴۵۶ ۷۸۹۳") == CARD
    assert parse.payee_account("ir06-2960-0000-0010-0324-2000-01") == SHEBA
    for bad in ("6037991234567890", "IR062960000000100324200002", "1234", "IR12", "x" * 500, "۱۲۳"):
        with pytest.raises(ValidationError):
            parse.payee_account(bad)
    with pytest.raises(ValidationError) as error:
        reports.set_payee(cashbox.manager, cashbox.box.id, "1234", "")
    assert set(error.value.fields) == {"payee_account", "payee_name"}  # every error at once
    with pytest.raises(Forbidden):
        reports.set_payee(cashbox.ann_user, cashbox.box.id, CARD, "Boss")
    payee = reports.set_payee(cashbox.manager, cashbox.box.id, "۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳", "رضا احمدی")
    assert payee.shown == "6037 9912 3456 7893" and reports.payee_of(cashbox.box.id).name == "رضا احمدی"
    assert reports.set_payee(cashbox.manager, cashbox.box.id, "", "") is None
    assert reports.payee_of(cashbox.box.id) is None


def test_report_confirm_records_one_payment_and_tells_people(cashbox):
    box, manager, ann = cashbox.box, cashbox.manager, cashbox.ann
    row = reports.report(cashbox.ann_user, box.id, "۱۰۰", None, "card", "پیگیری ۱۲۳۴", Receipt(PNG, "رسید.png"),
                         request_key="k1")
    assert row.status == "pending" and row.amount == 10000 and row.receipt_type == "image/png"
    assert len(uploads(box.id)) == 1
    told = db.session.scalars(select(OutboxMessage).filter_by(kind="payment_report")).all()
    assert {m.recipient for m in told if m.channel == "email"} == {"boss@example.com"}
    # a double submit answers the first report; another report under its key is refused (design: idempotency)
    assert reports.report(cashbox.ann_user, box.id, "100", None, "card", "پیگیری ۱۲۳۴", request_key="k1").id == row.id
    with pytest.raises(Conflict):
        reports.report(cashbox.ann_user, box.id, "100", None, "card", "x", request_key="k1")
    before = entries(box.id)
    confirmed = reports.confirm(manager, box.id, row.id)
    assert confirmed.status == "confirmed" and entries(box.id) == before + 1
    payment = db.session.scalar(select(Payment).filter_by(entry_id=confirmed.entry_id))
    assert payment.membership_id == ann.id and payment.amount == 10000 and "پیگیری ۱۲۳۴" in payment.reference
    assert reports.confirm(manager, box.id, row.id).entry_id == confirmed.entry_id  # double confirm: once
    assert entries(box.id) == before + 1
    receipts = db.session.scalars(select(OutboxMessage).filter_by(kind="receipt", user_id=cashbox.ann_user.id)).all()
    assert any("payment of" in m.subject and "recorded" in m.subject for m in receipts)


def test_reject_needs_a_reason_and_tells_the_member(cashbox):
    box = cashbox.box
    row = reports.report(cashbox.ann_user, box.id, "100", None, "transfer", "T-1")
    with pytest.raises(ValidationError):
        reports.reject(cashbox.manager, box.id, row.id, "  ")
    with pytest.raises(Forbidden):
        reports.reject(cashbox.ann_user, box.id, row.id, "no")
    reports.reject(cashbox.manager, box.id, row.id, "پولی به حساب نیامده")
    told = db.session.scalars(select(OutboxMessage).filter_by(kind="payment_report", user_id=cashbox.ann_user.id,
                                                              channel="email")).all()
    assert len(told) == 1 and "پولی به حساب نیامده" in told[0].body
    with pytest.raises(Exception):
        reports.confirm(cashbox.manager, box.id, row.id)  # a rejected report is not recorded later
    assert entries(box.id) == 0


@pytest.mark.parametrize("data, fields", [
    ({}, {"amount", "reference"}),
    ({"amount": "0", "reference": "r"}, {"amount"}),
    ({"amount": "-5", "reference": "r"}, {"amount"}),
    ({"amount": "1e5", "reference": "r"}, {"amount"}),
    ({"amount": "9" * 40, "reference": "r"}, {"amount"}),
    ({"amount": "100", "reference": "r" * 81}, {"reference"}),
    ({"amount": "100", "reference": "r\u202e"}, {"reference"}),
    ({"amount": "100", "reference": "r", "paid_on": "2999-01-01"}, {"paid_on"}),
    ({"amount": "100", "reference": "r", "paid_on": "not a day"}, {"paid_on"}),
    ({"amount": "100", "reference": "r", "method": "cash"}, {"method"}),
])
def test_bad_reports_write_nothing_and_say_every_error(cashbox, data, fields):
    values = {"amount": "", "paid_on": "", "method": "card", "reference": ""} | data
    with pytest.raises(ValidationError) as error:
        reports.report(cashbox.ann_user, cashbox.box.id, values["amount"], values["paid_on"], values["method"],
                       values["reference"], Receipt(PNG, "r.png"))
    assert set(error.value.fields) == fields
    assert rows() == 0 and uploads(cashbox.box.id) == []


@pytest.mark.parametrize("data, message", [
    (b"GIF89a" + b"0" * 10, "photo (JPEG or PNG) or a PDF"),
    (b"<html><script>alert(1)</script>", "photo (JPEG or PNG) or a PDF"),
    (b"", "empty"),
    (PNG + b"0" * (5 * 1024 * 1024), "at most 5 MB"),
])
def test_wrong_or_oversize_receipts_are_refused(cashbox, data, message):
    with pytest.raises(ValidationError) as error:
        reports.report(cashbox.ann_user, cashbox.box.id, "100", None, "card", "r", Receipt(data, "receipt.png"))
    assert message in error.value.fields["receipt"]
    assert rows() == 0 and uploads(cashbox.box.id) == []


def test_a_report_that_rolls_back_leaves_no_receipt_file(cashbox, monkeypatch):
    """The receipt is written before the row commits; a write that fails after it (here telling the
    managers), or a dry run (a confirm step's preview), takes the file away with the row."""
    from hamyan.core import uow

    def fails(*args, **kwargs):
        raise RuntimeError("the outbox is down")

    with monkeypatch.context() as patched:
        patched.setattr(reports, "notify_managers", fails)
        with pytest.raises(RuntimeError):
            reports.report(cashbox.ann_user, cashbox.box.id, "100", None, "card", "r-1", Receipt(PNG, "receipt.png"))
    assert rows() == 0 and uploads(cashbox.box.id) == []
    row, refused = uow.dry_run(reports.report, cashbox.ann_user, cashbox.box.id, "100", None, "card", "r-2",
                               Receipt(PNG, "receipt.png"))
    assert refused is None and rows() == 0 and uploads(cashbox.box.id) == []
    kept = reports.report(cashbox.ann_user, cashbox.box.id, "100", None, "card", "r-3", Receipt(PNG, "receipt.png"))
    assert uploads(cashbox.box.id) == [os.path.basename(kept.receipt_path)]


def test_the_receipt_is_for_the_boxs_managers_and_its_member_only(cashbox, app, make_user):
    box = cashbox.box
    row = reports.report(cashbox.ann_user, box.id, "100", None, "card", "r", Receipt(PNG, "r.png"))
    url = f"/boxes/{box.id}/reported-payments/{row.id}/receipt"
    assert login(app.test_client(), "ann@example.com").get(url).data == PNG
    response = login(app.test_client(), "boss@example.com").get(url)
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    other_manager = make_user("other@example.com", "Other")
    other = make_box(other_manager)
    client = login(app.test_client(), "other@example.com")  # another box's manager
    assert client.get(url).status_code == 404
    assert client.get(f"/boxes/{other.id}/reported-payments/{row.id}/receipt").status_code == 404
    with pytest.raises(NotFound):
        reports.receipt_file(other_manager, other.id, row.id)
    outsider = make_user("eve@example.com", "Eve")
    with pytest.raises(NotFound):
        reports.receipt_file(outsider, box.id, row.id)
    assert login(app.test_client(), "eve@example.com").get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # to the sign-in page


def test_another_member_of_the_box_cannot_see_the_receipt(cashbox, app, make_user):
    box = cashbox.box
    row = reports.report(cashbox.ann_user, box.id, "100", None, "card", "r", Receipt(PNG, "r.png"))
    carl = make_user("carl@example.com", "Carl")
    cb.add_member(cashbox.manager, box.id, "Carl", "carl@example.com")
    with pytest.raises(NotFound):
        reports.receipt_file(carl, box.id, row.id)
    assert login(app.test_client(), "carl@example.com").get(
        f"/boxes/{box.id}/reported-payments/{row.id}/receipt").status_code == 404
    assert reports.listing(carl, box.id).mine.items == []


def test_the_pages(cashbox, ann_client, app):
    box = cashbox.box
    reports.set_payee(cashbox.manager, box.id, CARD, "Boss")
    dashboard = ann_client.get(f"/cashbox/{box.id}").get_data(as_text=True)
    assert "6037 9912 3456 7893" in dashboard and "I have paid" in dashboard and 'data-copy="payee-account"' in dashboard
    page = ann_client.get(f"/boxes/{box.id}/reported-payments").get_data(as_text=True)
    assert "6037 9912 3456 7893" in page and 'enctype="multipart/form-data"' in page
    bad = ann_client.post(f"/boxes/{box.id}/reported-payments", data={
        "amount": "", "reference": "", "method": "card", "receipt": (io.BytesIO(b"GIF89a"), "x.png")},
        content_type="multipart/form-data")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "The bank&#39;s reference is required" in text
    assert "photo (JPEG or PNG) or a PDF" in text and rows() == 0
    ok = ann_client.post(f"/boxes/{box.id}/reported-payments", data={
        "amount": "۱۰۰", "reference": "R-9", "method": "transfer", "paid_on": "", "key": "abc",
        "receipt": (io.BytesIO(PNG), "r.png")}, content_type="multipart/form-data")
    assert ok.status_code == 302 and rows() == 1
    row = db.session.scalar(select(ReportedPayment))
    assert ann_client.post(f"/boxes/{box.id}/reported-payments/{row.id}/confirm").status_code == 403
    boss = login(app.test_client(), "boss@example.com")
    listing = boss.get(f"/boxes/{box.id}/reported-payments").get_data(as_text=True)
    assert f'id="report-{row.id}"' in listing and "R-9" in listing
    boss.post(f"/boxes/{box.id}/reported-payments/{row.id}/confirm")
    boss.post(f"/boxes/{box.id}/reported-payments/{row.id}/confirm")
    assert entries(box.id) == 1
    assert "No payment waits" in boss.get(f"/boxes/{box.id}/reported-payments").get_data(as_text=True)
    assert ">confirmed<" in ann_client.get(f"/boxes/{box.id}/reported-payments").get_data(as_text=True)


def test_the_settings_page_sets_the_payee(cashbox, app):
    boss = login(app.test_client(), "boss@example.com")
    bad = boss.post(f"/boxes/{cashbox.box.id}/payee", data={"payee_account": "1234", "payee_name": ""})
    assert "16-digit card number" in bad.get_data(as_text=True) and reports.payee_of(cashbox.box.id) is None
    assert boss.post(f"/boxes/{cashbox.box.id}/payee", data={"payee_account": SHEBA, "payee_name": "Boss"}
                     ).status_code == 302
    assert "IR06 2960" in boss.get(f"/boxes/{cashbox.box.id}/settings").get_data(as_text=True)


def test_an_oversize_request_gets_a_clear_page(cashbox, ann_client, app):
    app.config["MAX_CONTENT_LENGTH"], limit = 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = ann_client.post(f"/boxes/{cashbox.box.id}/reported-payments", data={
            "amount": "100", "reference": "r", "method": "card", "receipt": (io.BytesIO(PNG * 100), "r.png")},
            content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True) and rows() == 0
