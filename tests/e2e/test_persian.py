"""A Persian manager on a phone (390x844): creates a Persian-calendar cashbox, records a payment typed
as a Jalali date in Persian digits, and sees it listed as Persian writes it, on right-to-left pages;
an impossible Jalali day is refused in Persian. Fields are found by id: the cashbox's labels are
being translated and may change words, not ids."""
import re

import pytest
from playwright.sync_api import expect

from hamyan.core import uow
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width

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


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    # Signing in answers htmx with a redirect the page then follows: wait for it, or the test's next
    # goto races it and is aborted (net::ERR_ABORTED).
    expect(page).not_to_have_url(re.compile(r"/login$"))


def assert_right_to_left(page):
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    items = page.locator("nav.navbar > .container > :visible")
    first, last = items.first.bounding_box(), items.last.bounding_box()
    assert items.count() >= 2 and first["x"] > last["x"], (first, last)  # the brand reads first, on the right
    assert scroll_width(page) <= PHONE["width"]


def test_a_persian_manager_runs_a_jalali_cashbox_on_a_phone(phone, make_user):
    manager = make_user("modir@example.com", "مدیر صندوق")
    with uow.transaction():
        manager.language = "fa"
    page = phone
    log_in(page, "modir@example.com")
    expect(page.locator("html")).to_have_attribute("lang", "fa")

    page.goto("/cashbox/new")
    assert_right_to_left(page)
    form = page.locator("#new-box-form")
    expect(form.locator("#period_days")).to_have_value("۱۴")  # a default, in the page's digits
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
    with page.expect_navigation():  # or the next click lands on the page being left
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


# How far a cell's text sits inside its card: (from the card's left border, from its right border).
TEXT_INSET = """cell => { const text = document.createRange(); text.selectNodeContents(cell);
  const t = text.getBoundingClientRect(), card = cell.closest('tr').getBoundingClientRect();
  return [t.left - card.left, card.right - t.right]; }"""


def test_an_empty_list_says_so_inside_its_card_in_english_and_persian(phone, make_user):
    """On a phone a list's rows are cards; its "nothing found" reads from its start, off the card's border."""
    from hamyan.blueprints.cashbox import services as cb

    manager = make_user("modir@example.com", "Mina")
    box = cb.create_cashbox(manager, "Family", "IRR", "1000000", 2, "monthly", "2026-11-01", "predefined")
    page = phone
    log_in(page, "modir@example.com")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for language, start in (("en", 0), ("fa", 1)):
        with uow.transaction():
            manager.language = language
        page.goto(f"/cashbox/{box.id}/payments?q=nobody")
        empty = page.locator("table tbody td[colspan]")
        expect(empty).to_have_class("text-muted")
        inset = empty.evaluate(TEXT_INSET)
        assert min(inset) >= 8 and inset[start] < inset[1 - start], (language, inset)  # from the start side


# Where a word of an element's text is drawn: the left edge of its first and its last character.
WORD_AT = """([element, word]) => { const node = element.firstChild, at = node.textContent.indexOf(word);
  const box = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                     return r.getBoundingClientRect().left; };
  return [box(at), box(at + word.length - 1)]; }"""


def test_references_read_in_their_own_direction_on_a_phone(phone, make_user):
    """A list's references are set apart, not forced left to right: a Latin tracking code reads left to
    right, a Persian reference the app wrote ("از دریافتی دوره ۱") right to left, and so does one typed
    in Persian with a code in it (forced left to right, its code read first, on the right)."""
    from hamyan.blueprints.cashbox import services as cb
    from tests.cashbox.helpers import first_round

    manager = make_user("modir@example.com", "مدیر")
    with uow.transaction():
        manager.language = "fa"
    box = cb.create_cashbox(manager, "صندوق", "IRR", "1000000", 1, "monthly", "2026-11-01", "predefined",
                            locale="fa_IR", calendar="persian")
    sara = cb.add_member(manager, box.id, "سارا")
    cb.set_holders(manager, box.id, first_round(box).id, 1, [(sara.id, "1")])
    cb.start_round(manager, box.id, first_round(box).id)
    cb.record_payment(manager, box.id, sara.id, "300000", "bank", reference="TX-77/AB")
    cb.record_payment(manager, box.id, sara.id, "300000", "cash", reference="از دریافتی دوره ۱")
    cb.record_payment(manager, box.id, sara.id, "300000", "bank", reference="واریز با کد TX-9")
    page = phone
    log_in(page, "modir@example.com")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    page.goto(f"/cashbox/{box.id}/payments")
    assert_right_to_left(page)
    code = page.locator("td bdi", has_text="TX-77/AB")
    first, last = page.evaluate(WORD_AT, [code.element_handle(), "TX-77/AB"])
    assert first < last, (first, last)  # T on the left, B on the right
    said = page.locator("td bdi", has_text="دریافتی")
    first, last = page.evaluate(WORD_AT, [said.element_handle(), "از دریافتی دوره"])
    assert first > last, (first, last)  # از on the right, دوره on its left
    typed = page.locator("td bdi", has_text="واریز")
    persian, code = page.evaluate(WORD_AT, [typed.element_handle(), "واریز با کد T"])
    assert persian > code, (persian, code)  # واریز read first, on the right; the code last, on the left


def test_a_failed_request_is_said_in_persian(browser, live_server, make_user):
    """When an htmx request fails (the server answers an error, or cannot be reached) a Persian page
    says so in Persian, with the error's number in Persian digits (app.js takes the page's words).
    The failures are made on purpose here, so the console's reports of them are expected."""
    manager = make_user("modir@example.com", "مدیر صندوق")
    with uow.transaction():
        manager.language = "fa"
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, "modir@example.com")
        page.goto("/cashbox/new")
        page.route("**/cashbox/new", lambda route: route.fulfill(status=503, body="")
                   if route.request.method == "POST" else route.continue_())
        page.locator("#new-box-form button[type=submit]").click()
        alert = page.locator("#flashes .alert").last
        expect(alert).to_contain_text("مشکلی در سمت ما پیش آمد (خطای ۵۰۳)")
        expect(alert.locator(".btn-close")).to_have_attribute("aria-label", "بستن")
        page.unroute("**/cashbox/new")
        page.route("**/cashbox/new", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
        page.locator("#new-box-form button[type=submit]").click()
        expect(page.locator("#flashes .alert").last).to_contain_text("سرور در دسترس نبود")
    finally:
        context.close()
