""""I have paid" in a real browser on a phone (390x844): a member sees the box's card on the box page,
reports a card-to-card payment with a photo of the receipt, the manager opens the receipt and
confirms it, and the member's page shows the payment recorded. No page walked writes an error to
the console and none scrolls sideways."""
import base64

from playwright.sync_api import expect
from sqlalchemy import select

from hamyan.blueprints.cashbox.models import Payment
from hamyan.blueprints.payments import reports
from hamyan.extensions import db
from tests.conftest import PASSWORD
from tests.payments.conftest import cashbox  # noqa: F401  (the fixture)
from tests.e2e.test_fix_mistakes import _fits, _no_console_errors, _phone
from tests.e2e.test_platform import sign_in

# a real 1x1 PNG
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def signed_in(page, email):
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()


def test_a_member_reports_a_payment_and_the_manager_confirms_it(browser, live_server, cashbox, tmp_path):
    box = cashbox.box
    reports.set_payee(cashbox.manager, box.id, "۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳", "رضا احمدی")
    db.session.commit()
    receipt = tmp_path / "رسید.png"
    receipt.write_bytes(PIXEL)

    context, page, messages = _phone(browser, live_server)
    try:
        signed_in(page, "ann@example.com")
        page.goto(f"/cashbox/{box.id}")
        expect(page.locator("#payee-account")).to_have_value("6037 9912 3456 7893")
        expect(page.locator("[data-copy=payee-account]")).to_be_visible()  # shown by the script
        _fits(page)
        page.locator("#i-have-paid").click()
        expect(page.get_by_role("heading", name="I have paid")).to_be_visible()
        page.get_by_role("button", name="Report the payment").click()  # empty: every error at once
        expect(page.locator(".invalid-feedback", has_text="reference is required")).to_be_visible()
        page.get_by_label("Amount paid").fill("۱۰۰")
        page.get_by_label("The bank's reference (tracking number)").fill("پیگیری ۸۸۲۱")
        page.get_by_label("Receipt (photo or PDF, optional)").set_input_files(str(receipt))
        page.get_by_role("button", name="Report the payment").click()
        expect(page.get_by_text("Reported. The managers confirm it")).to_be_visible()
        expect(page.locator("#my-reports")).to_contain_text("pending")
        _fits(page)
        _no_console_errors(messages)
    finally:
        context.close()

    context, page, messages = _phone(browser, live_server)
    try:
        signed_in(page, "boss@example.com")
        page.goto(f"/boxes/{box.id}/reported-payments")
        card = page.locator("[id^=report-]").first
        expect(card).to_contain_text("Ann")
        expect(card).to_contain_text("پیگیری ۸۸۲۱")
        with page.expect_popup() as popup:
            card.get_by_role("link", name="receipt").click()
        assert popup.value.evaluate("document.contentType") == "image/png"
        popup.value.close()
        _fits(page)
        card.get_by_role("button", name="Confirm: the money is in").click()
        expect(page.get_by_text("Confirmed: the payment is recorded")).to_be_visible()
        expect(page.locator("#no-pending")).to_be_visible()
        _no_console_errors(messages)
    finally:
        context.close()

    payment = db.session.scalar(select(Payment).filter_by(membership_id=cashbox.ann.id))
    assert payment.amount == 10000 and "پیگیری ۸۸۲۱" in payment.reference

    context, page, messages = _phone(browser, live_server)
    try:
        signed_in(page, "ann@example.com")
        page.goto(f"/boxes/{box.id}/reported-payments")
        expect(page.locator("#my-reports")).to_contain_text("confirmed")
        page.goto(f"/cashbox/{box.id}")
        expect(page.locator("main")).to_contain_text("$100.00")
        _no_console_errors(messages)
    finally:
        context.close()
