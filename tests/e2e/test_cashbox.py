"""Cashbox in a real browser: a manager creates a box, adds members, gives out shares (one split),
records payments, runs a random draw, and downloads a statement PDF whose totals are right."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from hamyan.core import clock
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width


def test_manager_runs_a_cashbox(page, make_user, tmp_path):
    make_user("cash.manager@example.com", "Cash Manager")
    page.goto("/login")
    page.get_by_label("Email").fill("cash.manager@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_text("New box").click()  # a <summary>: it opens without JavaScript
    page.get_by_role("link", name="Cashboxes").click()
    page.get_by_label("Name").fill("Browser box")
    page.get_by_label("Currency (ISO code)").fill("USD")
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_label("Contribution per share per period").fill("100")
    page.get_by_label("Number of shares").fill("2")
    page.get_by_label("Period", exact=True).select_option("weekly")
    page.get_by_label("First due date").fill((clock.today_in("UTC") - timedelta(days=1)).isoformat())
    page.get_by_label("Draw").select_option("random")
    page.get_by_role("button", name="Create cashbox").click()
    expect(page.get_by_role("heading", name="Set up round 1")).to_be_visible()

    for name in ("Ann", "Bob"):
        page.locator("#add-member-form").get_by_label("Name").fill(name)
        page.get_by_role("button", name="Add member").click()
        expect(page.locator(".alert-success")).to_contain_text(f"{name} is added.")
    page.get_by_label("Holder 1 of share 1").fill("Ann")
    page.get_by_label("Part 1 of share 1").fill("1")
    page.get_by_role("button", name="Save share 1").click()
    expect(page.locator("#share-1 .badge")).to_have_text("held")
    page.get_by_label("Holder 1 of share 2").fill("Ann")
    page.get_by_label("Part 1 of share 2").fill("1/2")
    page.get_by_label("Holder 2 of share 2").fill("Bob")
    page.get_by_label("Part 2 of share 2").fill("1/2")
    page.get_by_role("button", name="Save share 2").click()
    expect(page.locator("#share-2 .badge")).to_have_text("held")
    page.get_by_role("button", name="Start round 1").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, start round 1").click()
    expect(page.locator(".alert-success")).to_contain_text("Round 1 has started.")
    commitment = page.locator("#draw-form").locator("xpath=..").locator("code").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)

    # A wrong amount is refused inline (htmx swaps just the form), then the right payments.
    # The member is a typed name: htmx offers the matching names as you type.
    form = page.locator("#payment-form")
    page.wait_for_load_state()  # htmx listens from DOMContentLoaded: keys typed before it start no lookup
    form.get_by_label("Member").press_sequentially("an")
    expect(page.locator('#member-names option[value="Ann"]')).to_have_count(1)
    expect(page.locator("#member-names option")).to_have_count(2)  # and "Cash Manager"
    form.get_by_label("Member").fill("Ann")
    form.get_by_label("Amount").fill("-5")
    form.get_by_role("button", name="Record payment").click()
    expect(page.locator("#payment-form .invalid-feedback")).to_have_text("The amount must be more than zero.")
    for name, amount in (("Ann", "150"), ("Bob", "50")):
        form = page.locator("#payment-form")
        form.get_by_label("Member").fill(name)
        form.get_by_label("Amount").fill(amount)
        form.get_by_role("button", name="Record payment").click()
        expect(page.locator(".alert-success")).to_contain_text(f"Payment from {name} recorded.")

    page.get_by_role("button", name="Draw period 1").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, draw period 1").click()
    expect(page.locator(".alert-success")).to_contain_text(re.compile(r"Period 1: share [12] wins"))
    draws = page.locator("#draws")
    expect(draws).to_contain_text(commitment)
    expect(draws.locator("code").nth(1)).to_have_text(re.compile(r"[0-9a-f]{64}"))  # the revealed seed

    page.locator("#statement-form").get_by_label("From").fill(f"{clock.today_in('UTC').year - 1}-01-01")
    page.locator("#statement-form").get_by_label("To").fill(clock.today_in("UTC").isoformat())
    page.locator("#statement-form").get_by_label("Member").fill("bob")
    with page.expect_download() as download:
        page.get_by_role("button", name="Member statement").click()
    path = tmp_path / "statement.pdf"
    download.value.save_as(path)
    text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Member statement: Bob" in text and "Total in $50.00" in text
    won_by_share_2 = "Share 2:" in page.locator("#draws").inner_text()
    assert ("Total out $100.00" if won_by_share_2 else "Total out $0.00") in text

    # The dashboard reads on a phone: nothing wider than the screen but the scrollable grid.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    assert scroll_width(page) <= 375
