"""A cashbox draw checked in Chromium on a 390x844 phone: the browser's WebCrypto recomputes the
winner the server recorded, step by step, in the page's words (English, or Persian with Persian
digits: the script takes them from the page); a tampered seed shows a mismatch; the console stays clean."""
import pytest
from playwright.sync_api import expect

from hamyan.extensions import db
from tests.cashbox.test_draw_page import drawn_box
from tests.conftest import PASSWORD
from tests.e2e.test_phone_walk import HEIGHT, WIDTH
from tests.e2e.test_platform import scroll_width, sign_in


# What the page says, per language: the heading, the button, the verdicts and a tampered seed's step.
WORDS = {"en": ("My boxes", "Draw of period 3", "Verify in this browser", "Verified", "Mismatch", "they do not match"),
         "fa": ("صندوق‌های من", "قرعه‌کشی دوره ۳", "وارسی در این مرورگر", "تأیید شد", "ناهمخوانی", "با هم نمی‌خوانند")}


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_member_verifies_a_draw_in_the_browser(browser, live_server, make_user, language):
    boxes_heading, heading, button, verified, mismatch, no_match = WORDS[language]
    manager = make_user("draw.boss@example.com", "مدیر صندوق")
    manager.language = language
    box, r = drawn_box(manager, drawn=3)
    box_id, round_id = box.id, r.id
    db.session.commit()
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    sign_in(page, "draw.boss@example.com", PASSWORD)
    expect(page.get_by_role("heading", name=boxes_heading)).to_be_visible()
    page.goto(f"/cashbox/{box_id}")
    page.locator(f'a[href="/cashbox/{box_id}/rounds/{round_id}/periods/3/draw"]').click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    server_winner = page.locator("#server-winner").inner_text()

    page.get_by_role("button", name=button).click()
    expect(page.locator("#browser-result")).to_contain_text(verified)
    expect(page.locator("#browser-winner")).to_have_text(server_winner)
    steps = page.locator("#browser-steps li")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == \
        [li.get_attribute("data-step") for li in page.locator("#server-steps li").all()]
    assert page.locator("#browser-steps li").all_inner_texts() == page.locator("#server-steps li").all_inner_texts()
    assert scroll_width(page) <= WIDTH

    seed = page.locator("#verify-seed")
    original = seed.input_value()
    seed.fill(("0" if original[0] != "0" else "1") + original[1:])  # one character changed
    page.get_by_role("button", name=button).click()
    expect(page.locator("#browser-result")).to_contain_text(mismatch)
    expect(page.locator('#browser-steps li[data-step="commitment"]')).to_contain_text(no_match)
    seed.fill(original)
    page.get_by_role("button", name=button).click()
    expect(page.locator("#browser-result")).to_contain_text(verified)
    assert not console, console
    context.close()
