"""Devices: each sign-in records its browser, system, IP and last seen; the owner (or an admin) signs
any of them out and that browser is signed out at its next request; a new device is told to the
owner; old sessions are cleaned by auth.sessions_cleanup."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from hamyan.blueprints.auth import jobs
from hamyan.blueprints.auth.models import UserSession
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from tests.conftest import login

ANDROID = "Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")


def browser(app, user_agent, ip):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": ip})
    return client


def new_device_notices():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "new_device")).all()


def test_devices_listed_and_one_signed_out_at_once(app, make_user):
    make_user("sara@example.com", "سارا رضایی")
    phone = login(browser(app, ANDROID, "5.160.10.2"), "sara@example.com")
    iphone = login(browser(app, IPHONE, "2.176.4.9"), "sara@example.com")
    page = phone.get("/profile/devices").get_data(as_text=True)
    assert "Chrome Mobile 120 on Android 13" in page and "Mobile Safari 17 on iOS 17" in page
    assert "5.160.10.2" in page and "2.176.4.9" in page and page.count("This device") == 1
    assert "(<bdi dir=\"ltr\">Asia/Tehran</bdi>)" in page  # the zone of her notification settings (Tehran unless she chose)

    other = db.session.scalars(select(UserSession).where(UserSession.ip == "2.176.4.9")).one()
    assert phone.post(f"/profile/devices/{other.id}/sign-out").status_code == 302
    assert iphone.get("/profile").status_code == 302  # signed out at its very next request
    assert phone.get("/profile").status_code == 200


def test_signing_out_this_device_or_every_other(app, make_user):
    make_user("sara@example.com")
    clients = [login(browser(app, ANDROID, f"10.0.0.{n}"), "sara@example.com") for n in range(3)]
    assert clients[0].post("/profile/devices/sign-out-others").status_code == 302
    assert [c.get("/profile").status_code for c in clients] == [200, 302, 302]
    mine = db.session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).one()
    response = clients[0].post(f"/profile/devices/{mine.id}/sign-out")
    assert response.headers["Location"].endswith("/login") and clients[0].get("/profile").status_code == 302


def test_another_users_device_is_404_and_bad_ids_too(app, make_user):
    make_user("sara@example.com")
    make_user("reza@example.com")
    sara = login(browser(app, ANDROID, "10.0.0.1"), "sara@example.com")
    reza = login(browser(app, IPHONE, "10.0.0.2"), "reza@example.com")
    rezas = db.session.scalars(select(UserSession).where(UserSession.ip == "10.0.0.2")).one()
    assert sara.post(f"/profile/devices/{rezas.id}/sign-out").status_code == 404
    assert sara.post("/profile/devices/99999999999/sign-out").status_code == 404
    assert reza.get("/profile").status_code == 200


def test_a_new_device_is_told_to_the_owner_a_known_one_is_not(app, make_user):
    make_user("sara@example.com")
    first = login(browser(app, ANDROID, "10.0.0.1"), "sara@example.com")
    assert new_device_notices() == []  # the account's very first sign-in
    first.post("/logout")
    login(first, "sara@example.com")  # the same browser again (its device cookie)
    assert new_device_notices() == []
    login(browser(app, IPHONE, "2.176.4.9"), "sara@example.com")
    [notice] = new_device_notices()
    assert notice.recipient == "sara@example.com" and "Mobile Safari 17 on iOS 17" in notice.body
    assert "2.176.4.9" in notice.body and "/profile/devices" in notice.body and "(Asia/Tehran)" in notice.body


def test_last_seen_follows_use_without_a_write_per_request(app, make_user, clock):
    make_user("sara@example.com")
    start = datetime(2026, 12, 1, 10, 0)
    clock.set(start)
    phone = login(browser(app, ANDROID, "10.0.0.1"), "sara@example.com")
    clock.set(start + timedelta(minutes=2))
    phone.get("/profile")
    db.session.expire_all()
    assert db.session.scalars(select(UserSession)).one().last_seen_at == start
    clock.set(start + timedelta(minutes=20))
    phone.get("/profile")
    db.session.expire_all()
    assert db.session.scalars(select(UserSession)).one().last_seen_at == start + timedelta(minutes=20)


def test_cleanup_deletes_old_ended_and_unused_sessions(app, make_user, clock):
    make_user("sara@example.com")
    start = datetime(2026, 12, 1, 10, 0)
    clock.set(start)
    old = login(browser(app, ANDROID, "10.0.0.1"), "sara@example.com")
    ended = login(browser(app, ANDROID, "10.0.0.2"), "sara@example.com")
    ended.post("/logout")
    clock.set(start + timedelta(days=app.config["SESSION_KEEP_DAYS"] - 1))
    kept = login(browser(app, IPHONE, "10.0.0.3"), "sara@example.com")
    assert jobs.clean_sessions() == "deleted 0 old sessions"
    clock.set(start + timedelta(days=app.config["SESSION_KEEP_DAYS"] + 1))
    assert jobs.clean_sessions() == "deleted 2 old sessions"
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    assert kept.get("/profile").status_code == 200 and old.get("/profile").status_code == 302


def test_a_forged_device_cookie_is_replaced(app, make_user):
    make_user("sara@example.com")
    client = browser(app, ANDROID, "10.0.0.1")
    client.set_cookie("hamyan_device", "x" * 500)
    login(client, "sara@example.com")
    assert len(client.get_cookie("hamyan_device").value) < 64
