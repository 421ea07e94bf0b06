"""Fixing mistakes in a real browser on a phone (390x844): a member's name and role corrected, a
member removed after a confirm dialog, the confirm step before a draw (dialog with script, a page
without), a box archived and restored. No page walked writes an error to the console."""
import re

import pytest
from playwright.sync_api import expect

from hamyan.blueprints.cashbox import services as cb
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from tests.cashbox.helpers import fill_shares, first_round, make_box
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def running_box(make_user):
    """A started 2-share cashbox whose period 1 is due and fully paid, and one more member."""
    manager = make_user("fix.manager@example.com", "Fix Manager")
    box = make_box(manager, shares=2, contribution="100")
    ann, bob = fill_shares(manager, box, ["Ann", "Bob"])
    cb.start_round(manager, box.id, first_round(box).id)
    for member in (ann, bob):
        cb.record_payment(manager, box.id, member.id, "100")
    extra = cb.add_member(manager, box.id, "Extra Person")
    db.session.commit()
    return box, ann, extra


def _phone(browser, live_server, javascript=True):
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return context, page, messages


def _sign_in(page):
    sign_in(page, "fix.manager@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()


def _no_console_errors(messages):
    problems = [m for m in messages if m.startswith(("error", "pageerror")) or "Content Security Policy" in m]
    assert not problems, problems


def _fits(page):
    assert scroll_width(page) <= PHONE["width"], page.url


def test_fix_a_member_remove_one_and_draw_after_a_dialog(browser, live_server, running_box):
    box, ann, extra = running_box
    context, page, messages = _phone(browser, live_server)
    try:
        _sign_in(page)
        page.goto(f"/boxes/{box.id}/members")
        page.get_by_role("link", name="Edit Ann").click()
        form = page.locator("#edit-member-form")
        form.get_by_label("Name").fill("")
        form.get_by_role("button", name="Save").click()
        expect(form.locator(".invalid-feedback")).to_have_count(1)  # the form stays, with its error
        form = page.locator("#edit-member-form")
        form.get_by_label("Name").fill("آن رضایی")
        form.get_by_label("Role").select_option("manager")
        _fits(page)
        form.get_by_role("button", name="Save").click()
        expect(page.locator(".alert-success")).to_contain_text("آن رضایی's details are saved.")
        row = page.locator(f"#member-{ann.id}")
        expect(row).to_contain_text("آن رضایی")
        expect(row).to_contain_text("Manager")

        # Ann holds a share of the running round: she cannot be removed, and the page says why.
        page.get_by_role("link", name="Edit آن رضایی").click()
        expect(page.locator("#remove-blockers")).to_contain_text("hold share 1 of the running round 1")
        page.goto(f"/boxes/{box.id}/members/{extra.id}/edit")
        page.get_by_role("button", name="Remove Extra Person…").click()
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("Remove Extra Person from")
        dialog.get_by_role("button", name="Yes, remove them").click()
        expect(page.locator(".alert-success")).to_contain_text("Extra Person is removed from the box.")
        page.goto(f"/boxes/{box.id}/members?status=left")
        expect(page.locator(f"#member-{extra.id}")).to_contain_text("Removed")
        _fits(page)

        page.goto(f"/cashbox/{box.id}")
        page.get_by_role("button", name="Draw period 1").click()
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_contain_text("The pot of $200.00 is paid out")
        dialog.get_by_role("link", name="Cancel").click()  # closes the dialog, nothing drawn
        expect(dialog).to_be_hidden()
        page.get_by_role("button", name="Draw period 1").click()
        page.locator("#confirm-dialog").get_by_role("button", name="Yes, draw period 1").click()
        expect(page.locator(".alert-success")).to_contain_text(re.compile(r"Period 1: share [12] wins"))
        _no_console_errors(messages)
    finally:
        context.close()
    db.session.expire_all()
    assert db.session.get(Membership, extra.id).left_at is not None


def test_without_script_a_confirm_page_comes_before_the_draw(browser, live_server, running_box):
    box, *_ = running_box
    context, page, messages = _phone(browser, live_server, javascript=False)
    try:
        _sign_in(page)
        page.goto(f"/cashbox/{box.id}")
        page.get_by_role("button", name="Draw period 1").click()
        expect(page).to_have_url(re.compile(rf"/cashbox/{box.id}/draw$"))
        expect(page.get_by_role("heading", name="Draw period 1?")).to_be_visible()
        expect(page.locator("#confirm-lines")).to_contain_text("$200.00")
        expect(page.locator("nav.box-nav")).to_be_visible()  # inside the box
        _fits(page)
        page.get_by_role("button", name="Yes, draw period 1").click()
        expect(page.locator(".alert-success")).to_contain_text(re.compile(r"Period 1: share [12] wins"))
        _no_console_errors(messages)
    finally:
        context.close()


def test_archive_and_restore_a_box(browser, live_server, running_box):
    box, *_ = running_box
    context, page, messages = _phone(browser, live_server)
    try:
        _sign_in(page)
        page.goto(f"/boxes/{box.id}/settings")
        _fits(page)
        page.get_by_role("button", name="Archive the box").click()
        expect(page.locator(".alert-success")).to_contain_text("is archived")
        expect(page.locator("#archived-banner")).to_be_visible()
        page.goto("/")
        expect(page.locator("main a.box-card")).to_have_count(0)
        page.locator("#archived-boxes summary").click()
        page.locator("#archived-boxes").get_by_role("link", name=box.name).click()
        # the box's page shows before htmx has run, and a click then would be an ordinary one
        page.wait_for_url(f"**/cashbox/{box.id}")
        # read-only: a write is refused inside the box, with the way back
        page.get_by_role("button", name="Draw period 1").click()
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_contain_text("archived, so it is read-only")
        expect(dialog.get_by_role("button", name=re.compile("Yes"))).to_have_count(0)
        page.goto(f"/boxes/{box.id}/settings")
        page.get_by_role("button", name="Restore the box").click()
        expect(page.locator("#archived-banner")).to_have_count(0)
        page.goto("/")
        expect(page.locator("main a.box-card")).to_have_count(1)
        _no_console_errors(messages)
    finally:
        context.close()
