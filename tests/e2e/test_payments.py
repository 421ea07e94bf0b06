"""A member pays a due online through the sandbox gateway in a real browser and sees it paid; the
manager's reconciliation page agrees with the ledger."""
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.payments.conftest import cashbox  # noqa: F401  the running cashbox with Ann


def _sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_member_pays_a_due_through_the_sandbox(page, cashbox, browser, live_server):  # noqa: F811
    from hamyan.extensions import db

    db.session.commit()
    _sign_in(page, "ann@example.com")
    page.goto(f"/cashbox/{cashbox.box.id}/me")
    expect(page.locator("#owes-now")).to_have_text("$100.00")
    page.locator("#pay-online").click()
    expect(page.get_by_label("Amount to pay")).to_have_value("100.00")
    expect(page.locator("#fee-note")).to_contain_text("1%")
    page.get_by_role("button", name="Continue to the gateway").click()
    expect(page.get_by_role("heading", name="Sandbox payment gateway")).to_be_visible()
    expect(page.locator("#sandbox-amount")).to_contain_text("10100")
    page.get_by_role("button", name="Pay (success)").click()
    expect(page.locator("#payment-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#payment-amount")).to_have_text("$100.00")
    page.get_by_role("link", name="My shares").click()
    expect(page.locator("#owes-now")).to_have_text("$0.00")

    manager = browser.new_context(base_url=live_server).new_page()
    _sign_in(manager, "boss@example.com")
    manager.goto(f"/boxes/{cashbox.box.id}/online-payments")
    row = manager.locator("#intents-table tbody tr").first
    expect(row).to_contain_text("paid")
    expect(row).to_contain_text("100.00")
    expect(manager.locator("#intents-table .problem")).to_have_count(0)
    manager.context.close()
