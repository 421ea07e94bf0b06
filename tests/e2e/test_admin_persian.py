"""A Persian admin on a phone (390x844): every admin page reads right to left (the tab bar starts on
the right) and nothing is wider than the screen."""
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width

PHONE = {"width": 390, "height": 844}
PAGES = ("/admin/analytics", "/admin/users", "/admin/boxes", "/admin/plans", "/admin/subscriptions", "/admin/outbox",
         "/admin/activity", "/admin/jobs", "/admin/backups", "/admin/partners", "/admin/health")


def test_a_persian_admin_walks_the_console_on_a_phone(browser, live_server, make_user, tmp_path, app, monkeypatch):
    from hamyan.extensions import db

    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    admin = make_user("admin@example.com", "مدیر سامانه", is_admin=True)
    admin.language = "fa"
    db.session.commit()
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill("admin@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    for url in PAGES + (f"/admin/users/{admin.id}",):
        page.goto(url)
        assert page.evaluate("document.documentElement.dir") == "rtl", url
        assert scroll_width(page) <= PHONE["width"], url
        tabs = page.locator(".nav-tabs .nav-link")
        first = tabs.first.bounding_box()
        assert first["x"] + first["width"] > PHONE["width"] / 2, url  # the first tab is on the right
        if url in ("/admin/users", "/admin/health"):
            page.screenshot(path=f"/tmp/faadmin/{url.strip('/').replace('/', '-')}.png", full_page=True)
    context.close()
