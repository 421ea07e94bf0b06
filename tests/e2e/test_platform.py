"""The platform in a real browser: sign in as the demo manager, a failed sign-in, the phone-width shell."""
import re

import pytest

from playwright.sync_api import expect

from hamyan import demo
from hamyan.boxes import services as boxes
from hamyan.extensions import db
from tests.conftest import PASSWORD


def submit_sign_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, email, password):
    submit_sign_in(page, email, password)
    # The sign-in answers with a redirect the page then follows: wait for it, or the caller's next
    # goto races it and is aborted (net::ERR_ABORTED).
    expect(page).not_to_have_url(re.compile(r"/login(\?.*)?$"))
    # The page it lands on shows before its deferred scripts (htmx, bootstrap) have run: wait for them.
    page.wait_for_load_state()


def scroll_width(page):
    """The page's width once its stylesheets have loaded: a page shows its HTML before them, and a
    table measured unstyled is wider than the screen."""
    page.wait_for_load_state()
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_demo_manager_signs_in_and_sees_dashboard(page, console_messages, demo_users):
    sign_in(page, "manager@demo.hamyan", demo.DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
    expect(page.get_by_role("link", name="Demo Manager")).to_be_visible()
    # htmx and bootstrap loaded from our own origin and ran under the CSP
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert not [m for m in console_messages if m.startswith("error")], console_messages


def test_failed_sign_in_shows_error_inline(page, make_user):
    make_user("manager@example.com")
    submit_sign_in(page, "manager@example.com", "not-the-password")
    error = page.locator("#login-form .invalid-feedback")
    expect(error).to_have_text("Wrong email or password.")
    expect(error).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_label("Email")).to_have_value("manager@example.com")


def test_phone_width_navbar_collapses(page, make_user):
    make_user("member@example.com", "Mina Member")
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, "member@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
    menu = page.get_by_role("button", name="Menu")
    profile = page.get_by_role("link", name="Mina Member")
    expect(menu).to_be_visible()
    expect(profile).to_be_hidden()
    menu.click()
    expect(profile).to_be_visible()
    # nothing wider than the screen
    assert scroll_width(page) <= 375


def test_api_docs_render_under_the_csp(page, console_messages):
    page.goto("/api/v1/docs")
    expect(page.get_by_text("/api/v1/auth/token")).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Hamyan API")
    assert not [m for m in console_messages if m.startswith("error")], console_messages


@pytest.fixture
def manager_box(make_user):
    manager = make_user("manager@example.com", "Manager")
    box = boxes.create_box(manager, "cashbox", "Family fund", "IRR")
    db.session.commit()
    return manager, box


def test_manager_adds_a_member_on_the_members_page(page, manager_box):
    _, box = manager_box
    sign_in(page, "manager@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
    page.goto(f"/boxes/{box.id}/members")
    form = page.locator("#add-member-form")
    form.get_by_role("button", name="Add member").click()
    expect(form.locator(".invalid-feedback")).to_have_text("This field is required.")  # swapped in by htmx
    form.get_by_label("Name").fill("Uncle Reza")
    form.get_by_label("Email (optional)").fill("reza@example.com")
    form.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Uncle Reza is added.")).to_be_visible()
    row = page.locator("#members-table tr", has_text="Uncle Reza")
    expect(row).to_contain_text("No account")
    row.get_by_role("button", name="Send invite").click()
    expect(page.get_by_text("Invitation sent to reza@example.com.")).to_be_visible()
    expect(page.locator("#members-table tr", has_text="Uncle Reza")).to_contain_text("Invited")


def test_failed_htmx_request_is_reported_not_silent(page, manager_box):
    manager, box = manager_box
    sign_in(page, "manager@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
    page.goto(f"/boxes/{box.id}/members")
    boxes.membership_of(manager, box.id).role = "member"  # demoted while the page is open
    db.session.commit()
    form = page.locator("#add-member-form")
    form.get_by_label("Name").fill("Uncle Reza")
    form.get_by_role("button", name="Add member").click()
    expect(page.locator("#flashes .alert-danger")).to_have_text("You cannot do that here.")
