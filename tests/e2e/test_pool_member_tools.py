"""A saver of a Persian pool on a 390x844 phone: the loan calculator updates as the figures are typed
(htmx), says what is wrong inline, prefills the request; the pool's balance sheet fits the screen."""
from datetime import timedelta

from playwright.sync_api import expect

from hamyan.blueprints.moneypool import services
from hamyan.core import clock
from tests.conftest import PASSWORD
from tests.e2e.test_phone_walk import HEIGHT, LONG_BOX, LONG_NAME, WIDTH
from tests.e2e.test_platform import scroll_width, sign_in


def _saver_pool(make_user):
    """A Persian pool whose saver (saver@example.com) has savings enough to borrow 150,000,000."""
    manager = make_user("pool.boss@example.com", "مدیر صندوق")
    make_user("saver@example.com", LONG_NAME)
    today = clock.today_in("Asia/Tehran")
    box = services.create_pool(manager, LONG_BOX, "IRR", "5000000", today - timedelta(days=200), timezone="Asia/Tehran",
                               locale="fa_IR", calendar="persian", my_shares=0, interest_method="annuity",
                               annual_rate="4", service_fee_percent="1", min_term="2", max_term="36",
                               min_membership_months="0", require_no_arrears=False, savings_multiple="3")
    saver = services.add_member(manager, box.id, LONG_NAME, "saver@example.com", 2, today - timedelta(days=200))
    services.record_contribution(manager, box.id, saver.id, "70000000", today - timedelta(days=1), "e2e-calc")
    return box


def test_a_saver_works_out_a_loan_on_a_phone(browser, live_server, make_user):
    box = _saver_pool(make_user)
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, "saver@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
    page.goto(f"/pools/{box.id}")
    page.get_by_role("link", name="Loan calculator").click()
    expect(page.locator("#loan-limit")).to_contain_text("You can borrow up to")
    page.get_by_label("Amount").fill("۱۵۰٬۰۰۰٬۰۰۰")
    page.get_by_label("Number of installments").fill("۱۲")  # no button pressed: htmx brings the schedule
    expect(page.locator("#quote-schedule tbody tr")).to_have_count(12)
    assert "/loans/calculator?" in page.url  # the answer has its own address
    page.get_by_label("Number of installments").fill("0")
    expect(page.locator("#calculator-form .invalid-feedback")).to_contain_text("36")  # "... from 2 to 36", in the box's language
    expect(page.locator("#quote-schedule")).to_have_count(0)
    page.get_by_label("Number of installments").fill("24")
    expect(page.locator("#quote-schedule tbody tr")).to_have_count(24)
    assert scroll_width(page) <= WIDTH
    page.get_by_role("link", name="Ask for this loan").click()
    expect(page.get_by_label("Amount")).to_have_value("150000000")
    expect(page.get_by_label("Number of installments")).to_have_value("24")

    page.goto(f"/pools/{box.id}")
    page.get_by_role("link", name="The pool's balance sheet").click()
    expect(page.locator("#assets")).to_have_text(page.locator("#liabilities").inner_text())
    expect(page.locator("#balanced")).to_contain_text("Both sides agree")
    assert scroll_width(page) <= WIDTH
    assert not problems, problems
    context.close()


def test_a_figure_typed_while_the_last_answer_is_on_its_way_is_kept(browser, live_server, make_user):
    """The calculator's answer replaces its own form: an answer to the amount alone, arriving after the
    installments were typed, must not wipe them (CI caught this on a slow machine)."""
    box = _saver_pool(make_user)
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    sign_in(page, "saver@example.com", PASSWORD)
    page.goto(f"/pools/{box.id}/loans/calculator")
    held = []
    page.route("**/loans/calculator?*", lambda route: held.append(route) if not held else route.continue_())
    page.get_by_label("Amount").fill("150000000")
    while not held:  # the amount's answer is asked for after the typing pause, and held here
        page.wait_for_timeout(50)
    page.get_by_label("Number of installments").fill("12")
    held[0].continue_()
    expect(page.locator("#quote-schedule tbody tr")).to_have_count(12)
    expect(page.get_by_label("Number of installments")).to_have_value("12")
    context.close()
