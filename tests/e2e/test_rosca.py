"""ROSCA in a real browser: a manager prices a ROSCA fairly, members take seats, the round starts,
payments come in and the first seat is paid out."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from hamyan.boxes.models import Box, Membership
from hamyan.core import clock
from hamyan.extensions import db
from tests.conftest import PASSWORD


def _sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile("/login"))


def test_manager_prices_sells_and_pays_out(page, browser, live_server, make_user):
    make_user("rosca.manager@example.com", "Rosca Manager")
    member = make_user("rosca.member@example.com", "Rosca Member")
    _sign_in(page, "rosca.manager@example.com")
    page.goto("/rosca/new")
    page.get_by_label("Name").fill("Browser ROSCA")
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_label("Number of seats").fill("2")
    page.get_by_label("Contribution per seat per period").fill("1000000")
    page.get_by_label("First due date").fill((clock.today_in("UTC") - timedelta(days=1)).isoformat())
    page.get_by_label("Seat pricing").select_option("fair")
    page.get_by_label("Rate per period (%)").fill("3")
    page.get_by_role("button", name="Create and see the prices").click()
    expect(page.locator("#pricing-explained")).to_contain_text("fair at 3.00% a period")
    expect(page.locator("#payout-chart rect")).to_have_count(2)
    expect(page.locator("#price-table tbody tr")).to_have_count(2)

    box = db.session.query(Box).filter_by(name="Browser ROSCA").one()
    db.session.add(Membership(box_id=box.id, user_id=member.id, display_name="Rosca Member", role="member"))
    db.session.commit()

    page.get_by_role("link", name="Seats", exact=True).click()
    page.locator("#seat-1").get_by_role("button", name="Take").click()
    expect(page.locator("#seat-1")).to_contain_text("Rosca Manager")

    other = browser.new_context(base_url=live_server)
    member_page = other.new_page()
    _sign_in(member_page, "rosca.member@example.com")
    member_page.goto(f"/rosca/{box.id}/seats")
    expect(member_page.locator("#seat-1")).not_to_contain_text("Take")
    member_page.locator("#seat-2").get_by_role("button", name="Take").click()
    expect(member_page.locator("#seat-2")).to_contain_text("Rosca Member")
    other.close()

    page.reload()
    page.get_by_role("button", name="Start the round").click()
    expect(page.locator("#confirm-dialog")).to_contain_text("2 seats each pay")  # what starting means
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, start the round").click()
    expect(page.locator("#round-facts")).to_contain_text("running")
    for name in ("Rosca Manager", "Rosca Member"):
        form = page.locator("#payment-form")
        form.get_by_label("Member").select_option(label=name)
        form.get_by_label("Amount").fill("1000000")
        form.get_by_role("button", name="Record payment").click()
        expect(page.get_by_text("The payment is recorded.")).to_be_visible()
    page.get_by_role("button", name="Pay seat 1").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, pay it out").click()
    expect(page.get_by_text("The payout is made.")).to_be_visible()
    expect(page.locator("#seat-board tbody tr").first).to_contain_text("collected")
