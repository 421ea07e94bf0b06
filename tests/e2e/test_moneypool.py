"""Moneypool in a real browser: a manager creates a pool and a saver, a member asks for a loan,
the manager approves and pays it out, and the member sees the schedule."""
from datetime import timedelta

from playwright.sync_api import expect

from hamyan.core import clock
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width


def _sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()


def test_member_borrows_and_sees_the_schedule(page, browser, live_server, make_user):
    make_user("pool.manager@example.com", "Pool Manager")
    make_user("mina@example.com", "Mina")
    _sign_in(page, "pool.manager@example.com")
    page.goto("/pools/new")
    page.get_by_label("Name", exact=True).fill("Browser pool")
    page.get_by_label("Currency (ISO code)").fill("USD")
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_label("Savings per share per period").fill("100")
    page.get_by_label("Your own shares (0 if you only manage)").fill("0")
    page.get_by_label("Months of membership before borrowing").fill("0")
    page.get_by_label("Interest", exact=True).select_option("flat")
    page.get_by_label("Yearly interest rate, %").fill("12")
    page.get_by_role("button", name="Create the pool").click()
    expect(page.locator(".alert-success")).to_contain_text("Browser pool is ready")

    page.get_by_role("link", name="Add a saver").click()
    page.get_by_label("Name", exact=True).fill("Mina")
    page.get_by_label("Email (optional; links their account or lets you invite them)").fill("mina@example.com")
    page.get_by_label("Shares").fill("2")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".alert-success")).to_contain_text("Mina now saves in the pool.")
    page.get_by_label("Amount").fill("1000")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("#member-savings")).to_have_text("$1,000.00")

    member = browser.new_context(base_url=live_server).new_page()
    _sign_in(member, "mina@example.com")
    member.get_by_role("link", name="Browser pool").click()
    expect(member.locator("#my-total")).to_have_text("$1,000.00")
    member.get_by_role("link", name="Ask for a loan").click()
    member.get_by_label("Amount").fill("5000")
    member.get_by_label("Number of installments").fill("3")
    member.get_by_role("button", name="Send the request").click()
    expect(member.locator("#loan-request-form .invalid-feedback")).to_contain_text("The most you can borrow now is $3,000.00")
    member.get_by_label("Amount").fill("600")
    member.get_by_role("button", name="Send the request").click()
    expect(member.locator(".alert-info")).to_contain_text("Waiting for the manager's decision")

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Mina asks for $600.00").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_contain_text("Approved")
    page.get_by_role("button", name="Pay out").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, pay it out").click()
    expect(page.locator(".alert-success")).to_contain_text("Paid out")

    member.reload()
    expect(member.locator("#loan-status")).to_have_text("being repaid")
    rows = member.locator("#schedule tbody tr")
    expect(rows).to_have_count(3)
    expect(member.locator("#schedule tfoot")).to_contain_text("600.00")  # principal
    expect(member.locator("#schedule tfoot")).to_contain_text("618.00")  # + 1% a month flat for 3 months
    member.context.close()

    # At phone width nothing is wider than the screen, even with large amounts.
    page.set_viewport_size({"width": 390, "height": 800})
    for path in ("", "/reports", "/loans"):
        page.goto(page.url.split("/pools/")[0] + "/pools/" + page.url.split("/pools/")[1].split("/")[0] + path)
        page.evaluate("document.querySelectorAll('.card .num').forEach(e => e.textContent = '$110,200,000,000.00')")
        assert scroll_width(page) <= 390, path


def test_manager_names_the_borrower_and_guarantors_by_typing(page, make_user):
    """The loan request form names savers with the name picker: suggestions as you type, another
    guarantor on request (htmx swaps the form), the borrower among the guarantors refused inline."""
    from hamyan.blueprints.moneypool import services
    from hamyan.extensions import db

    manager = make_user("pool.boss@example.com", "Pool Boss")
    first_due = clock.today_in("UTC") - timedelta(days=40)
    box = services.create_pool(manager, "Typed pool", "USD", "100", first_due, my_shares=0,
                               require_no_arrears=False, min_membership_months=0, guarantors_required=1)
    for i in range(3):
        saver = services.add_member(manager, box.id, f"Saver {i}", None, 1, first_due)
        services.record_contribution(manager, box.id, saver.id, "1000", first_due, f"e2e-{i}")
    db.session.commit()
    _sign_in(page, "pool.boss@example.com")
    page.goto(f"/pools/{box.id}/loans/new")
    form = page.locator("#loan-request-form")
    form.get_by_label("Borrower").press_sequentially("ver 1")
    expect(page.locator('#member-names option[value="Saver 1"]')).to_have_count(1)
    form.get_by_label("Borrower").fill("Saver 1")
    form.get_by_label("Amount").fill("100")
    form.get_by_label("Number of installments").fill("2")
    form.get_by_label("Guarantor 1").fill("Saver 2")
    form.get_by_role("button", name="Add a guarantor").click()
    form.get_by_label("Guarantor 2").fill("saver 1")
    form.get_by_role("button", name="Send the request").click()
    expect(form).to_contain_text("You cannot guarantee your own loan.")
    form.get_by_label("Guarantor 2").fill("Saver 0")
    form.get_by_role("button", name="Send the request").click()
    expect(page.locator(".alert-success")).to_contain_text("Request recorded for Saver 1")
