"""Issue 9, accounts: who gets into a box. Invitations bound to the invited verified address,
email verification, emails compared byte for byte, sign-in counted per account, sign-out that ends
the session on the server, API tokens that die with the password, no user enumeration."""
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from hamyan.blueprints.auth import services as auth
from hamyan.blueprints.auth.models import ApiToken, User
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Invitation, Membership
from hamyan.core import uow
from hamyan.extensions import db
from tests.conftest import PASSWORD, login
from tests.test_auth import NEW_PASSWORD, _invite, emailed_link, text
from tests.test_auth import box_with_manager as box  # noqa: F401  (a fixture)


def _members(box) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(Membership.box_id == box.id))


# ---------------------------------------------------------------- invitations

def test_a_stranger_with_someone_elses_invitation_link_joins_nothing(app, box, make_user):
    box, manager = box
    make_user("stranger@example.com", "Stranger")
    _, link = _invite(manager, box, "treasurer@example.com", role="manager")
    stranger = login(app.test_client(), "stranger@example.com")
    page = text(stranger.get(link))
    assert "This invitation is for another address." in page and "Join Family fund" not in page
    refused = stranger.post(link)
    assert refused.status_code == 403 and "This invitation is for another address." in text(refused)
    assert _members(box) == 1
    assert db.session.execute(select(Invitation)).scalar_one().accepted_at is None


def test_an_unverified_account_with_the_invited_address_waits_for_its_confirmation(app, box, make_user):
    box, manager = box
    make_user("newbie@example.com", "Newbie", verified=False)
    _, link = _invite(manager, box, "newbie@example.com")
    client = login(app.test_client(), "newbie@example.com")
    refused = client.post(link)
    assert refused.status_code == 403 and "Confirm your email first" in text(refused)
    assert _members(box) == 1
    client.post(f"/verify?next={link}")
    response = client.get(emailed_link("newbie@example.com", "/verify/"))
    assert response.headers["Location"] == link  # signed in as its owner: back to the invitation
    assert client.post(link).status_code == 302
    assert _members(box) == 2


def test_resending_revokes_the_older_link_and_managers_can_withdraw_one(app, box, make_user):
    box, manager = box
    ali = make_user("ali@example.com", "Ali")
    _, first = _invite(manager, box, "ali@example.com")
    invitation, second = _invite(manager, box, "ALI@example.com")
    client = login(app.test_client(), "ali@example.com")
    assert "replaced by a newer one" in text(client.post(first, follow_redirects=True))
    assert boxes.membership_of(ali, box.id) is None
    manager_client = login(app.test_client(), "manager@example.com")
    page = text(manager_client.get(f"/boxes/{box.id}/members"))
    assert f'id="invitation-{invitation.id}"' in page and "Withdraw" in page
    manager_client.post(f"/boxes/{box.id}/members/invitations/{invitation.id}/revoke")
    assert "withdrawn" in text(client.post(second, follow_redirects=True))
    assert boxes.membership_of(ali, box.id) is None
    assert "Invitations not yet accepted" not in text(manager_client.get(f"/boxes/{box.id}/members"))


def test_an_expired_invitation_joins_nothing(app, box, make_user):
    box, manager = box
    make_user("ali@example.com", "Ali")
    _, link = _invite(manager, box, "ali@example.com")
    client = login(app.test_client(), "ali@example.com")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 8 * 24 * 3600)
        assert "has expired" in text(client.post(link, follow_redirects=True))
    assert _members(box) == 1


def test_only_another_box_manager_cannot_withdraw_an_invitation(app, box, make_user):
    box, manager = box
    other = make_user("other@example.com", "Other")
    boxes.create_box(other, "cashbox", "Other fund", "IRR")
    db.session.commit()
    invitation, _ = _invite(manager, box, "ali@example.com")
    response = login(app.test_client(), "other@example.com").post(
        f"/boxes/{box.id}/members/invitations/{invitation.id}/revoke")
    assert response.status_code == 404
    assert db.session.get(Invitation, invitation.id).revoked_at is None


# ---------------------------------------------------------------- verification

def test_an_added_member_is_linked_only_once_the_address_is_verified(app, box, make_user):
    box, manager = box
    squatter = make_user("treasurer@example.com", "Squatter", verified=False)
    client = login(app.test_client(), "manager@example.com")
    client.post(f"/boxes/{box.id}/members/add", data={"add-display_name": "New Treasurer",
                                                      "add-email": "treasurer@example.com", "add-role": "manager"})
    assert boxes.membership_of(squatter, box.id) is None
    assert "Not yet verified" in text(client.get(f"/boxes/{box.id}/members"))
    # whoever verifies the address owns it, and only then is linked
    with uow.transaction():
        auth.send_verification(db.session.get(User, squatter.id))
    app.test_client().get(emailed_link("treasurer@example.com", "/verify/"))
    assert boxes.membership_of(squatter, box.id).display_name == "New Treasurer"


def test_a_confirmation_link_is_signed_expires_and_is_spent_by_an_email_change(app, make_user):
    user = make_user("ali@example.com", verified=False)
    with uow.transaction():
        auth.send_verification(db.session.get(User, user.id))
    link = emailed_link("ali@example.com", "/verify/")
    client = app.test_client()
    assert "not valid" in text(client.get(link[:-3] + "xyz", follow_redirects=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 3 * 24 * 3600)
        assert "expired" in text(client.get(link, follow_redirects=True))
    auth.change_email(db.session.get(User, user.id), "ali2@example.com", PASSWORD)
    assert "already used or replaced" in text(client.get(link, follow_redirects=True))
    assert not db.session.get(User, user.id).is_verified


# ---------------------------------------------------------------- emails and sign-in counts

def test_emails_are_normalised_and_an_accented_variant_is_another_address(make_user):
    user = make_user("Manager@Example.COM")
    assert user.email == "manager@example.com"
    assert auth.user_by_email("MANAGER@example.com").id == user.id
    assert auth.user_by_email("mánager@example.com") is None
    with pytest.raises(Exception):
        auth.authenticate("mánager@example.com", PASSWORD)


@pytest.mark.mysql_only
def test_mariadb_does_not_match_an_accented_variant_of_an_email(app, make_user):
    """utf8mb4_unicode_ci would find `manager@` for `mánager@`; the email columns compare bytes."""
    make_user("manager@example.com", "Real")
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.email == "mánager@example.com")) == 0
    other = make_user("mánager@example.com", "Someone else")  # another address, so another account
    assert other is not None and auth.user_by_email("mánager@example.com").name == "Someone else"
    assert db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.email == "MANAGER@example.com")) == 0


def test_sign_in_attempts_are_counted_per_account_across_the_page_and_the_api(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    for email in ("ali@example.com", "ALI@example.com", " Ali@Example.com"):
        assert client.post("/login", data={"email": email, "password": "wrong-one"}).status_code == 200
    for _ in range(2):
        response = client.post("/api/v1/auth/token", json={"email": "ali@EXAMPLE.com", "password": "wrong-one"})
        assert response.status_code == 401
    locked = client.post("/api/v1/auth/token", json={"email": "ali@example.com", "password": PASSWORD})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "rate_limited"
    assert client.post("/login", data={"email": "ali@example.com", "password": PASSWORD}).status_code == 429


def test_an_unknown_account_costs_a_password_check_too(client, make_user, monkeypatch):
    make_user("ali@example.com")
    checks, hashes = [], []
    real_check, real_hash = auth.check_password_hash, auth.models.generate_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda *a: checks.append(a) or real_check(*a))
    monkeypatch.setattr(auth.models, "generate_password_hash", lambda *a: hashes.append(a) or real_hash(*a))
    for _ in range(2):
        client.post("/login", data={"email": "nobody@example.com", "password": "whatever-1"})
    assert len(checks) == 2 and len(hashes) == 1  # a check each time, like a wrong password; no new hash


# ---------------------------------------------------------------- sessions and tokens

def test_sign_out_ends_the_session_on_the_server(app, make_user):
    make_user("ali@example.com")
    client = app.test_client()
    client.post("/login", data={"email": "ali@example.com", "password": PASSWORD, "remember": "y"})
    session_cookie, remember = client.get_cookie("session").value, client.get_cookie("remember_token").value
    client.post("/logout")
    for name, value in (("session", session_cookie), ("remember_token", remember)):
        copied = app.test_client()
        copied.set_cookie(name, value)
        assert copied.get("/profile").status_code == 302, name


def test_sign_out_of_all_devices(app, make_user):
    make_user("ali@example.com")
    laptop, phone = login(app.test_client(), "ali@example.com"), login(app.test_client(), "ali@example.com")
    assert "Sign out of all devices" in text(laptop.get("/profile"))
    laptop.post("/logout", data={"everywhere": "1"})
    assert phone.get("/profile").status_code == 302 and laptop.get("/profile").status_code == 302


def _token_works(client, secret) -> bool:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_api_tokens_die_with_a_password_change_or_reset(app, make_user):
    user = make_user("ali@example.com")
    client = login(app.test_client(), "ali@example.com")
    _, secret = auth.create_api_token(user, "script")
    assert _token_works(client, secret)
    client.post("/profile", data={"which": "password", "password-current": PASSWORD,
                                  "password-password": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})
    assert not _token_works(client, secret)
    _, secret = auth.create_api_token(db.session.get(User, user.id), "script 2")
    app.test_client().post("/forgot", data={"email": "ali@example.com"})
    app.test_client().post(emailed_link("ali@example.com", "/reset/"),
                           data={"password": PASSWORD, "confirm": PASSWORD})
    assert not _token_works(client, secret)
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0


def test_a_next_with_a_control_character_never_reaches_a_header(client, make_user):
    make_user("ali@example.com")
    response = client.post("/login?next=%2F%0B%2Fexample.com", headers={"HX-Request": "true"},
                           data={"email": "ali@example.com", "password": PASSWORD})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
