"""No console errors, and no Content Security Policy violation, after the htmx swaps a manager makes on a
phone (390x844): a name picker's offers, a share's holders saved as a partial form (first with an error),
the overview's member search and the payments list's pages, and an undo's confirm step in the dialog."""
import pytest
from playwright.sync_api import expect

from hamyan.blueprints.cashbox import services as cb
from hamyan.extensions import db
from tests.cashbox.helpers import make_box
from tests.conftest import PASSWORD
from tests.e2e.test_fix_mistakes import _fits, _no_console_errors, _phone
from tests.e2e.test_platform import sign_in

NAMES = ["مریم احمدی", "علی رضایی"]


@pytest.fixture
def draft_box(make_user):
    manager = make_user("swap.manager@example.com", "مدیر")
    box = make_box(manager, shares=2, contribution="100")
    for name in NAMES:
        cb.add_member(manager, box.id, name)
    db.session.commit()
    return manager, box


def _swapped(page, trigger):
    """Run `trigger` and wait for the htmx swap it causes to settle."""
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        trigger()
    # A locator wait, not wait_for_function: a string predicate is eval'd in the page, which the CSP
    # refuses whenever the swap is still running at the first check.
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_htmx_swaps_leave_the_console_clean(browser, live_server, draft_box):
    manager, box = draft_box
    context, page, messages = _phone(browser, live_server)
    try:
        sign_in(page, "swap.manager@example.com", PASSWORD)
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/cashbox/{box.id}/setup")
        holder = page.get_by_label("Holder 1 of share 1")
        _swapped(page, lambda: holder.press_sequentially("مریم", delay=20))  # the picker's offers
        expect(page.locator("#" + holder.get_attribute("list") + " option")).to_have_count(1)
        holder.fill("Nobody")
        row = page.locator("#share-1")
        _swapped(page, lambda: row.get_by_role("button").click())  # the share's form, with its error
        expect(row.locator(".invalid-feedback").first).to_be_visible()
        page.get_by_label("Holder 1 of share 1").fill(NAMES[0])
        _swapped(page, lambda: row.get_by_role("button").click())
        expect(row).to_contain_text("held")
        page.get_by_role("button", name="One share each").click()  # a plain form: a full page
        expect(page.get_by_text("Each of the 3 members holds one share.")).to_be_visible()
        _fits(page)
        round_ = cb.current_round(box.id)
        cb.start_round(manager, box.id, round_.id)
        for _ in range(27):
            cb.record_payment(manager, box.id, db.session.merge(round_).shares[1].holdings[0].membership_id, "1")
        db.session.commit()

        page.goto(f"/cashbox/{box.id}")
        _swapped(page, lambda: (page.get_by_label("Find a member").fill("علی"), page.keyboard.press("Enter")))
        expect(page.locator("#grid tbody tr")).to_have_count(1)
        page.goto(f"/cashbox/{box.id}/payments")
        member = page.locator("#filter-member")
        _swapped(page, lambda: member.press_sequentially("علی", delay=20))
        expect(page.locator("#filter-member-names option")).to_have_count(1)
        _swapped(page, lambda: page.get_by_role("navigation", name="Payment pages").get_by_role("link", name="2").click())
        expect(page.get_by_text("27 found")).to_be_visible()
        _fits(page)
        undo = page.locator("summary", has_text="Undo").first
        undo.click()
        page.get_by_label("Why undo the payment of entry").first.fill("ثبت تکراری")
        _swapped(page, lambda: page.locator("#list form button", has_text="Undo").first.click())
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("The reason recorded: “ثبت تکراری”")
        dialog.get_by_role("link", name="Cancel").click()
        expect(dialog).to_be_hidden()
        _fits(page)
    finally:
        context.close()
    _no_console_errors(messages)
