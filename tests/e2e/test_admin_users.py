"""On a phone (390x844), an admin finds a user by their Persian name, disables them; the user's open
session ends at once and they can no longer sign in."""
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width

PHONE = {"width": 390, "height": 844}


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    return context.new_page()


def _sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _fits(page):
    assert scroll_width(page) <= PHONE["width"]


def test_admin_disables_a_user_who_then_cannot_sign_in(browser, live_server, make_user):
    from hamyan.extensions import db

    make_user("admin@example.com", "مدیر سامانه", is_admin=True)
    make_user("sara.rezaei@example.com", "سارا رضایی")
    make_user("reza@example.com", "رضا احمدی")
    db.session.commit()
    sara = _phone(browser, live_server)
    _sign_in(sara, "sara.rezaei@example.com")
    sara.wait_for_url(lambda url: "/login" not in url)

    admin = _phone(browser, live_server)
    _sign_in(admin, "admin@example.com")
    admin.wait_for_url(lambda url: "/login" not in url)
    admin.goto("/admin/users")
    _fits(admin)
    admin.get_by_label("Name or email").fill("سارا")
    admin.get_by_role("button", name="Find").click()
    expect(admin.locator("#users")).not_to_contain_text("رضا احمدی")
    admin.get_by_role("link", name="سارا رضایی").click()
    expect(admin.locator("#user-status")).to_have_text("active")
    _fits(admin)
    admin.get_by_role("button", name="Disable account").click()
    expect(admin.locator("#user-status")).to_have_text("disabled")
    expect(admin.get_by_role("button", name="Enable")).to_be_visible()

    sara.goto("/profile")  # her open session ended at once
    expect(sara).to_have_url(f"{live_server}/login?next=%2Fprofile")
    _sign_in(sara, "sara.rezaei@example.com")
    expect(sara.locator("#login-form")).to_contain_text("This account is disabled")
    _fits(sara)


def test_every_admin_page_fits_a_phone(browser, live_server, make_user, tmp_path, app, monkeypatch):
    from hamyan import plans
    from hamyan.extensions import db

    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    admin_user = make_user("admin@example.com", "مدیر سامانه", is_admin=True)
    plans.create_plan(admin_user, "طرح پایه با نامی بلند برای آزمودن شکستن سطر", max_boxes="2", max_members="30",
                      trial_days="14", price_rials="25000000", is_default=True)
    db.session.commit()
    admin = _phone(browser, live_server)
    _sign_in(admin, "admin@example.com")
    admin.wait_for_url(lambda url: "/login" not in url)
    for path in ("/admin/users", f"/admin/users/{admin_user.id}", "/admin/boxes", "/admin/plans",
                 "/admin/subscriptions", "/admin/outbox", "/admin/health", "/profile/devices"):
        admin.goto(path)
        _fits(admin)
