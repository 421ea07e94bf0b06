"""The reported payments' pager on a Persian phone (390x844): it reads right to left in Persian digits,
the page does not scroll sideways, and a page link swaps only the list (htmx) and keeps the URL."""
from playwright.sync_api import expect
from sqlalchemy import select

from hamyan.boxes.models import Membership
from hamyan.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.test_fix_mistakes import _fits, _no_console_errors, _phone
from tests.e2e.test_platform import sign_in
from tests.payments.test_persian import box  # noqa: F401  (the fixture)
from tests.payments.test_reported_pages import insert_reports


def test_the_pager_reads_right_to_left_in_persian_digits(browser, live_server, box):  # noqa: F811
    b, manager, member = box["box"], box["manager"], box["member"]
    manager.user.language = "fa"  # the person's own choice: the test app lets no box set the page's language
    sara = db.session.scalar(select(Membership.id).filter_by(box_id=b.id, user_id=member.user.id))
    insert_reports(b, sara, 80)  # commits
    context, page, messages = _phone(browser, live_server)
    try:
        sign_in(page, "boss@example.com", PASSWORD)
        page.goto(f"/boxes/{b.id}/reported-payments")
        assert page.evaluate("document.documentElement.dir") == "rtl"
        expect(page.locator("#which-reports")).to_contain_text("در انتظار: ۸۱")
        pager = page.get_by_role("navigation", name="صفحه‌های گزارش‌ها")
        first, second, last = (pager.get_by_role("link", name=n, exact=True) for n in ("۱", "۲", "۴"))
        pager.scroll_into_view_if_needed()
        assert first.bounding_box()["x"] > second.bounding_box()["x"] > last.bounding_box()["x"]
        _fits(page)
        page.screenshot(path="/tmp/paged-lists/reported-fa-390.png", full_page=False)
        second.click()
        expect(page).to_have_url(f"{live_server}/boxes/{b.id}/reported-payments?page=2")
        expect(pager.locator("[aria-current=page]")).to_have_text("۲")
        expect(page.locator("#report-form")).to_be_visible()  # only the list was swapped
        _fits(page)
        _no_console_errors(messages)
    finally:
        context.close()
