"""A building's resident pays their own part of the unit's charges online through the sandbox
gateway in a real browser, on a 390 px phone, and sees it paid; the owner's part stays his."""
from playwright.sync_api import expect

from tests.aptbox.conftest import building, today  # noqa: F401  fixtures of the flat below
from tests.aptbox.test_online import flat  # noqa: F401  unit 1: owner امید, resident رعنا
from tests.e2e.test_moneypool import _sign_in
from tests.e2e.test_platform import scroll_width


def test_a_resident_pays_her_part_online(page, flat, live_server):  # noqa: F811
    from hamyan.extensions import db

    box, board, units = flat
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, "rana@example.com")
    page.goto(f"/buildings/{box.id}/units/{units[0].id}")
    expect(page.locator("#my-part")).to_contain_text("Your part as the resident")
    expect(page.locator("#my-part")).to_contain_text("700,000")
    page.locator("#pay-online").click()
    expect(page.locator("#target-label")).to_contain_text("Unit 1 (resident)")
    expect(page.get_by_label("Amount to pay")).to_have_value("700000")
    page.get_by_role("button", name="Continue to the gateway").click()
    page.get_by_role("button", name="Pay (success)").click()
    expect(page.locator("#payment-status")).to_have_attribute("data-status", "succeeded")
    page.goto(f"/buildings/{box.id}/units/{units[0].id}")
    expect(page.locator("#my-part")).not_to_contain_text("700,000")
    expect(page.locator("#owed-by")).to_have_count(0)  # the owner's 300,000 is his alone now
    assert scroll_width(page) <= 390
