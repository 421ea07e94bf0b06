"""Admin user pages: find a user, see their boxes and devices, disable (they cannot sign in, their
sessions and tokens stop at once), enable, force a password reset, sign their devices out. Every
action is audited; everyone else gets 404."""
import pytest
from sqlalchemy import select

from hamyan.audit.models import AuditEvent
from hamyan.blueprints.auth.models import User, UserSession
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from tests.admin.conftest import count_queries
from tests.conftest import PASSWORD, login

ACTIONS = ("disable", "enable", "reset-password", "sign-out-everywhere", "devices/1/sign-out")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_user_pages_and_actions_are_404_to_everyone_but_admins(client, user_client, make_user, who):
    viewer = client if who == "anonymous" else user_client("member@example.com")
    target = make_user("sara@example.com")
    assert viewer.get("/admin/users").status_code == 404
    assert viewer.get(f"/admin/users/{target.id}").status_code == 404
    for action in ACTIONS:
        assert viewer.post(f"/admin/users/{target.id}/{action}").status_code == 404
    assert db.session.get(User, target.id).disabled_at is None


def test_admin_finds_users_by_name_or_email(admin_client, make_user):
    make_user("sara@example.com", "سارا رضایی")
    make_user("reza@example.com", "رضا احمدی")
    page = admin_client.get("/admin/users?q=سارا").get_data(as_text=True)
    assert "سارا رضایی" in page and "رضا احمدی" not in page
    page = admin_client.get("/admin/users?q=REZA@").get_data(as_text=True)
    assert "رضا احمدی" in page and "سارا رضایی" not in page
    assert "No user matches" in admin_client.get("/admin/users?q=%25").get_data(as_text=True)  # % is literal
    for bad in ("page=abc", "page=-3", "page=99999999999", "q=" + "x" * 5000):
        assert admin_client.get(f"/admin/users?{bad}").status_code == 200
    assert admin_client.get("/admin/users/99999999").status_code == 404


def test_disabled_user_is_signed_out_at_once_and_cannot_sign_in_or_use_tokens(app, admin_client, user_client,
                                                                              api_token):
    sara = user_client("sara@example.com", "سارا")
    token = api_token(sara.user)
    assert sara.get("/profile").status_code == 200
    assert admin_client.post(f"/admin/users/{sara.user.id}/disable").status_code == 302
    assert sara.get("/profile").status_code == 302  # the open session ended
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    refused = app.test_client().post("/login", data={"email": "sara@example.com", "password": PASSWORD})
    assert refused.status_code == 200 and "This account is disabled" in refused.get_data(as_text=True)
    assert "disabled" in admin_client.get(f"/admin/users/{sara.user.id}").get_data(as_text=True)

    assert admin_client.post(f"/admin/users/{sara.user.id}/enable").status_code == 302
    login(app.test_client(), "sara@example.com")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == admin_client.user.id)).all()
    assert actions.count("auth.services.set_disabled") == 2


def test_an_admin_cannot_disable_themself(admin_client):
    response = admin_client.post(f"/admin/users/{admin_client.user.id}/disable", follow_redirects=True)
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    assert db.session.get(User, admin_client.user.id).disabled_at is None


def test_forced_reset_stops_the_password_and_emails_a_link(app, admin_client, user_client):
    sara = user_client("sara@example.com")
    assert admin_client.post(f"/admin/users/{sara.user.id}/reset-password").status_code == 302
    assert sara.get("/profile").status_code == 302
    assert app.test_client().post("/login", data={"email": "sara@example.com", "password": PASSWORD}).status_code == 200
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject == "Reset your Hamyan password")).one()
    assert mail.recipient == "sara@example.com" and "/reset/" in mail.body
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == admin_client.user.id)).all() == [
        "auth.services.force_password_reset"]


def test_admin_sees_and_signs_out_a_users_devices(app, admin_client, user_client):
    sara = user_client("sara@example.com", "سارا")
    page = admin_client.get(f"/admin/users/{sara.user.id}").get_data(as_text=True)
    assert "Sign out" in page and "127.0.0.1" in page
    session = db.session.scalars(select(UserSession).where(UserSession.user_id == sara.user.id)).one()
    assert admin_client.post(f"/admin/users/{sara.user.id}/devices/{session.id}/sign-out").status_code == 302
    assert sara.get("/profile").status_code == 302
    other = user_client("reza@example.com")
    assert admin_client.post(f"/admin/users/{other.user.id}/devices/{session.id}/sign-out").status_code == 404
    assert admin_client.post(f"/admin/users/{other.user.id}/sign-out-everywhere").status_code == 302
    assert other.get("/profile").status_code == 302 and admin_client.get("/admin/users").status_code == 200


def test_users_page_query_count_does_not_grow_with_users(admin_client, make_user):
    for n in range(3):
        make_user(f"u{n}@example.com")
    few = count_queries(admin_client, "/admin/users")
    for n in range(3, 40):
        make_user(f"u{n}@example.com")
    assert count_queries(admin_client, "/admin/users") == few
