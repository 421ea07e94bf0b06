"""A Persian manager on a phone (390x844): creates a Persian-calendar cashbox, records a payment typed
as a Jalali date in Persian digits, and sees it listed as Persian writes it, on right-to-left pages;
an impossible Jalali day is refused in Persian. Fields are found by id: the cashbox's labels are
being translated and may change words, not ids."""
import pytest
from playwright.sync_api import expect

from hamyan.core import uow
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized page; any console error or uncaught script error fails the test."""
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems, f"browser console reported: {problems}"


def assert_right_to_left(page):
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    items = page.locator("nav.navbar > .container > :visible")
    first, last = items.first.bounding_box(), items.last.bounding_box()
    assert items.count() >= 2 and first["x"] > last["x"], (first, last)  # the brand reads first, on the right
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_persian_manager_runs_a_jalali_cashbox_on_a_phone(phone, make_user):
    manager = make_user("modir@example.com", "مدیر صندوق")
    with uow.transaction():
        manager.language = "fa"
    page = phone
    page.goto("/login")
    page.locator("#email").fill("modir@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fa")

    page.goto("/cashbox/new")
    assert_right_to_left(page)
    form = page.locator("#new-box-form")
    form.locator("#name").fill("صندوق خانوادگی")
    form.locator("#currency").fill("IRR")
    form.locator("#timezone").fill("Asia/Tehran")
    form.locator("#calendar").select_option("persian")
    form.locator("#locale").fill("fa_IR")
    form.locator("#contribution").fill("۱٬۰۰۰٬۰۰۰")
    form.locator("#share_count").fill("۲")
    form.locator("#period_kind").select_option("monthly")
    form.locator("#first_due").fill("۱۴۰۵/۰۹/۱۰")
    form.locator("button[type=submit]").click()

    page.locator("#add-member-form #display_name").fill("مینا")
    page.locator("#add-member-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("مینا")
    page.locator("#one-share-each button[type=submit]").click()
    page.locator("#start-round").click()
    page.locator("#confirm-dialog button[type=submit]").click()
    expect(page.locator("#payment-form")).to_be_visible()
    assert_right_to_left(page)

    payment = page.locator("#payment-form")
    payment.locator("#member").fill("مینا")
    payment.locator("#amount").fill("۱٬۰۰۰٬۰۰۰")
    payment.locator("#paid_on").fill("1405/12/31")  # 1405 is a common year: Esfand has 29 days
    payment.locator("button[type=submit]").click()
    expect(page.locator("#payment-form #paid_on ~ .invalid-feedback")).to_contain_text("چنین روزی در تقویم شمسی نیست")
    payment = page.locator("#payment-form")
    payment.locator("#paid_on").fill("۱۴۰۵/۰۹/۱۱")
    payment.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("مینا")

    page.goto(page.url.split("?")[0].rstrip("/") + "/payments")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("۱۱ آذر ۱۴۰۵")
    expect(row).to_contain_text("مینا")
    expect(row).to_contain_text("۱٬۰۰۰٬۰۰۰")
    assert_right_to_left(page)
