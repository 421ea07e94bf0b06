"""Accounts end to end over HTTP: sign-up, sign-in, lockout, password reset by email, profile
changes, CSRF, invitations, and box scoping."""
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from flask import Blueprint
from flask_login import current_user, login_required
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from hamyan.blueprints.auth import services as auth
from hamyan.blueprints.auth.models import User
from hamyan.notify.models import OutboxMessage
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, VIEW, authorize
from hamyan.boxes.models import Invitation, Membership
from hamyan.core import uow
from hamyan.core.errors import Forbidden, NotFound
from hamyan.extensions import db
from tests.conftest import PASSWORD, login, statements

NEW_PASSWORD = "a-brand-new-secret-7"


def text(response) -> str:
    return response.get_data(as_text=True)


def user_count() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def signup_form(**changes):
    data = {"name": "Zoë Rahimi زهره", "email": "Zoe@Example.com", "password": PASSWORD, "confirm": PASSWORD}
    data.update(changes)
    return data


# ---------------------------------------------------------------- sign up

def emailed_link(recipient: str, path: str) -> str:
    """The newest link to `path` (e.g. "/verify/") emailed to recipient, as a local URL."""
    bodies = db.session.execute(select(OutboxMessage.body).where(OutboxMessage.recipient == recipient)
                                .order_by(OutboxMessage.id.desc())).scalars().all()
    for body in bodies:
        found = re.search(rf"http://localhost({re.escape(path)}\S+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link emailed to {recipient}")


def test_signup_asks_to_confirm_the_email_and_the_link_confirms_it_once(client):
    response = client.post("/signup", data=signup_form())
    assert response.status_code == 200 and "Check your email" in text(response)
    assert "zoe@example.com" in text(response)
    user = auth.user_by_email("zoe@example.com")
    assert user.name == "Zoë Rahimi زهره" and not user.is_verified
    assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
    assert client.get("/profile").status_code == 302  # not signed in: the answer must not differ for a taken address
    link = emailed_link("zoe@example.com", "/verify/")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert db.session.get(User, user.id).is_verified
    assert "already used" in text(client.get(link, follow_redirects=True))
    login(client, "zoe@example.com")
    assert "Zoë Rahimi زهره" in text(client.get("/"))


@pytest.mark.parametrize("changes, field, message", [
    ({"email": "not-an-email"}, "email", "Invalid email address."),
    ({"password": "short", "confirm": "short"}, "password", "Use 8 to 128 characters."),
    ({"confirm": "something-else"}, "confirm", "Passwords differ."),
    ({"name": "   "}, "name", "This field is required."),
    ({"name": "x" * 121}, "name", "Your name has at most 120 characters."),  # web.fields.Length
])
def test_signup_refuses_bad_input_inline(client, changes, field, message):
    response = client.post("/signup", data=signup_form(**changes))
    assert response.status_code == 200
    assert message in text(response)
    assert 'is-invalid' in text(response)
    assert user_count() == 0


def test_signup_with_a_taken_email_answers_the_same_and_tells_the_owner(client, make_user):
    make_user("zoe@example.com")
    response = client.post("/signup", data=signup_form(email="ZOE@example.com"))
    assert response.status_code == 200 and "Check your email" in text(response)
    assert "already exists" not in text(response)
    assert user_count() == 1
    notice = db.session.execute(select(OutboxMessage)).scalar_one()
    assert notice.recipient == "zoe@example.com" and "already exists" in notice.body


def test_signup_double_submit_race_answers_the_same_not_a_500(client, make_user, monkeypatch):
    make_user("zoe@example.com")
    monkeypatch.setattr(auth, "user_by_email", lambda email: None)  # both submits passed the check
    response = client.post("/signup", data=signup_form(email="zoe@example.com"))
    assert response.status_code == 200 and "Check your email" in text(response)
    assert user_count() == 1


# ---------------------------------------------------------------- sign in / out

def test_login_logout(client, make_user):
    make_user("ali@example.com", "Ali")
    response = client.post("/login", data={"email": " ALI@example.com ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Ali" in text(client.get("/"))
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/profile").status_code == 302


def test_a_read_in_flight_does_not_overwrite_the_session_a_write_just_changed(app, client, make_user):
    """A name lookup sent while a form posts carries the older session cookie. If its answer set the
    cookie again, it would put back the session without the post's message ("Payment recorded"),
    and the page the browser goes to next would say nothing."""
    make_user("ali@example.com", "Ali")
    client.post("/login", data={"email": "ali@example.com", "password": PASSWORD})
    client.get("/profile")  # the page with the form, as the browser has it
    stale = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Payment recorded.")]
    fresh = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], stale)
    lookup = client.get("/profile")
    assert lookup.status_code == 200
    assert not [c for c in lookup.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], fresh)
    assert "Payment recorded." in text(client.get("/"))


@pytest.mark.parametrize("email, password", [
    ("ali@example.com", "wrong-password"),
    ("nobody@example.com", PASSWORD),
])
def test_wrong_password_or_unknown_email_same_message(client, make_user, email, password):
    make_user("ali@example.com")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert "Wrong email or password." in text(response)
    assert client.get("/profile").status_code == 302


def test_login_over_htmx_redirects_with_header(client, make_user):
    make_user("ali@example.com")
    response = client.post("/login", data={"email": "ali@example.com", "password": PASSWORD},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
    failed = client.post("/logout", headers={"HX-Request": "true"})
    assert failed.headers["HX-Redirect"] == "/login"
    response = client.post("/login", data={"email": "ali@example.com", "password": "nope-nope"},
                           headers={"HX-Request": "true"})
    # just the form, with the error inline, for htmx to swap in
    assert response.status_code == 200 and text(response).strip().startswith("<form")
    assert "Wrong email or password." in text(response)


@pytest.mark.parametrize("target, expected", [
    ("/profile", "/profile"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
])
def test_login_follows_only_local_next(client, make_user, target, expected):
    make_user("ali@example.com")
    response = client.post("/login", query_string={"next": target},
                           data={"email": "ali@example.com", "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_remember_me_cookie_restores_session(app, client, make_user):
    make_user("ali@example.com")
    client.post("/login", data={"email": "ali@example.com", "password": PASSWORD})
    assert client.get_cookie("remember_token") is None
    client.post("/logout")
    client.post("/login", data={"email": "ali@example.com", "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    # a browser that lost its session cookie but kept the remember cookie is still signed in
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/profile").status_code == 200
    # signing out forgets it
    client.post("/logout")
    assert not client.get_cookie("remember_token")


# ---------------------------------------------------------------- lockout

def _attempt(client, email, password="wrong-password"):
    return client.post("/login", data={"email": email, "password": password})


def test_lockout_after_five_failures_and_successes_do_not_count(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    for _ in range(3):  # successful sign-ins are not counted
        assert _attempt(client, "ali@example.com", PASSWORD).status_code == 302
        client.post("/logout")
    for _ in range(5):
        assert _attempt(client, "ali@example.com").status_code == 200
    locked = _attempt(client, "ali@example.com")
    assert locked.status_code == 429
    assert "Too many attempts. Wait a few minutes, then try again." in text(locked)
    assert 'id="login-form"' in text(locked)  # the sign-in page, not a bare error
    # while locked even the right password waits; another account is not affected
    assert _attempt(client, "ali@example.com", PASSWORD).status_code == 429
    assert _attempt(client, "other@example.com").status_code == 200


def test_a_stranger_guessing_locks_only_their_own_address_not_the_owner(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    stranger, owner = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "198.51.100.7"}
    wrong = {"email": "ali@example.com", "password": "wrong-password"}
    assert [client.post("/login", data=wrong, environ_base=stranger).status_code for _ in range(6)] == [200] * 5 + [429]
    assert client.post("/api/v1/auth/token", json=dict(wrong, name="x"), environ_base=stranger).status_code == 429
    # the owner, elsewhere, still has their own attempts and signs in
    assert client.post("/login", data=wrong, environ_base=owner).status_code == 200
    signed_in = client.post("/login", data={"email": "ali@example.com", "password": PASSWORD}, environ_base=owner)
    assert signed_in.status_code == 302


def test_the_owners_known_browser_is_never_locked_out_by_strangers(make_app, make_user):
    """Strangers behind the owner's own address (a carrier's shared address) and from many others
    lock themselves out; the browser the owner signed in on before still signs in."""
    make_user("ali@example.com")
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="8 per hour")
    shared = {"REMOTE_ADDR": "5.160.0.1"}
    owner = app.test_client()
    assert owner.post("/login", data={"email": "ali@example.com", "password": PASSWORD},
                      environ_base=shared).status_code == 302
    owner.post("/logout")
    stranger = app.test_client()
    wrong = {"email": "ali@example.com", "password": "wrong-password"}
    assert [stranger.post("/login", data=wrong, environ_base=shared).status_code for _ in range(6)] == [200] * 5 + [429]
    for n in range(4):
        stranger.post("/login", data=wrong, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})
    assert stranger.post("/login", data=wrong, environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 429
    assert owner.post("/login", data=wrong, environ_base=shared).status_code == 200  # counted on its own
    assert owner.post("/login", data={"email": "ali@example.com", "password": PASSWORD},
                      environ_base=shared).status_code == 302


def test_guessing_spread_over_many_addresses_is_still_stopped(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="8 per hour").test_client()
    codes = [client.post("/login", data={"email": "ali@example.com", "password": "wrong-password"},
                         environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code for n in range(9)]
    assert codes == [200] * 8 + [429]


def test_reset_requests_rate_limited(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    for _ in range(5):
        assert client.post("/forgot", data={"email": "ali@example.com"}).status_code == 302
    refused = client.post("/forgot", data={"email": "ali@example.com"}, headers={"HX-Request": "true"})
    assert refused.status_code == 429
    assert text(refused).strip().startswith("<form") and "Too many attempts." in text(refused)
    assert len(db.session.execute(select(OutboxMessage)).scalars().all()) == 5


def _redis_url():
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("no Redis at 127.0.0.1:6379, and CI=true requires one")
        pytest.skip("no Redis at 127.0.0.1:6379")
    return url


def test_lockout_count_shared_between_processes_through_redis(make_app, tmp_path):
    """Two app processes on one Redis: failures in one count in the other."""
    import redis

    url = _redis_url()
    email = f"shared-{uuid.uuid4().hex[:12]}@example.com"  # keys unique to this run
    other_process = f"""
import os
os.environ["HAMYAN_INSTANCE_PATH"] = {str(tmp_path)!r}
from hamyan import create_app
from hamyan.extensions import db
from tests.conftest import test_config
app = create_app(test_config({'sqlite:///' + str(tmp_path / 'other.sqlite')!r}, RATELIMIT_ENABLED=True,
                             RATELIMIT_STORAGE_URI={url!r}))
with app.app_context():
    db.create_all()
client = app.test_client()
print([client.post("/login", data={{"email": {email!r}, "password": "wrong-password"}}).status_code
       for _ in range(3)])
"""
    result = subprocess.run([sys.executable, "-c", other_process], check=False, capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.stdout.strip().endswith("[200, 200, 200]"), result.stderr[-2000:]
    try:
        client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url).test_client()
        assert [_attempt(client, email).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        store = redis.Redis.from_url(url)
        for key in store.scan_iter(f"*{email}*"):
            store.delete(key)


# ---------------------------------------------------------------- password reset

def _reset_link(message) -> str:
    return re.search(r"http://localhost(/reset/\S+)", message.get_content()).group(1)


def test_password_reset_end_to_end_through_smtp(client, make_user, smtp_server):
    make_user("ali@example.com", "Ali")
    response = client.post("/forgot", data={"email": "ali@example.com"})
    assert response.status_code == 302
    assert len(smtp_server) == 1
    email = smtp_server[0]
    assert email["To"] == "ali@example.com" and email["Subject"] == "Reset your Hamyan password"
    link = _reset_link(email)

    assert client.get(link).status_code == 200
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": "different-one"})
    assert "Passwords differ." in text(mismatch)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    refused = client.post("/login", data={"email": "ali@example.com", "password": PASSWORD})
    assert "Wrong email or password." in text(refused)
    login(client, "ali@example.com", NEW_PASSWORD)
    client.post("/logout")

    # the link works once
    again = client.get(link, follow_redirects=True)
    assert "This reset link was already used" in text(again)
    client.post(link, data={"password": "third-password-9", "confirm": "third-password-9"})
    login(client, "ali@example.com", NEW_PASSWORD)

    sent = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [m.sent_at is not None for m in sent] == [True]


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, smtp_server):
    response = client.post("/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert "If an account uses that email, a reset link is on its way." in text(response)
    assert smtp_server == []


def test_expired_or_forged_reset_link_refused(client, make_user, smtp_server, monkeypatch):
    make_user("ali@example.com")
    client.post("/forgot", data={"email": "ali@example.com"})
    link = _reset_link(smtp_server[0])
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 3601)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert "This reset link has expired" in text(response)
    monkeypatch.undo()
    forged = client.get(link[:-3] + "xyz", follow_redirects=True)
    assert "This reset link is not valid." in text(forged)
    login(client, "ali@example.com", PASSWORD)


# ---------------------------------------------------------------- profile

def _profile(client, which, **fields):
    data = {"which": which, **{f"{which}-{name}": value for name, value in fields.items()}}
    return client.post("/profile", data=data)


def test_profile_name(user_client):
    client = user_client()
    assert "Saved" not in text(_profile(client, "profile", name="  "))
    response = _profile(client, "profile", name="Mina مینا")
    assert response.status_code == 200 and "Profile saved." in text(response)
    assert db.session.get(User, client.user.id).name == "Mina مینا"


def test_change_email(app, user_client, make_user, smtp_server):
    make_user("taken@example.com")
    client = user_client("ali@example.com")
    other_device = login(app.test_client(), "ali@example.com")
    app.test_client().post("/forgot", data={"email": "ali@example.com"})
    reset_link = _reset_link(next(m for m in smtp_server if m["Subject"] == "Reset your Hamyan password"))
    wrong = _profile(client, "email", email="new@example.com", password="wrong-password")
    assert "The current password is wrong." in text(wrong)
    taken = _profile(client, "email", email="Taken@example.com", password=PASSWORD)
    assert "Another account uses this email." in text(taken)
    bad = _profile(client, "email", email="not an email", password=PASSWORD)
    assert "Invalid email address." in text(bad)
    done = _profile(client, "email", email="New@Example.com", password=PASSWORD)
    assert "Email changed." in text(done)
    user = db.session.get(User, client.user.id)
    assert user.email == "new@example.com" and not user.is_verified  # until the new address confirms it
    notice = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == "ali@example.com")
                                .order_by(OutboxMessage.id.desc()).limit(1)).scalar_one()
    assert "new@example.com" in notice.body
    client.get(emailed_link("new@example.com", "/verify/"))
    assert db.session.get(User, client.user.id).is_verified
    # this session stays, others end, and a reset link sent to the old address is spent
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302
    assert "already used" in text(app.test_client().get(reset_link, follow_redirects=True))


def test_change_password_signs_out_other_sessions(app, user_client):
    client = user_client("ali@example.com")
    other_device = login(app.test_client(), "ali@example.com")
    wrong = _profile(client, "password", current="wrong-password", password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert "The current password is wrong." in text(wrong)
    short = _profile(client, "password", current=PASSWORD, password="short", confirm="short")
    assert "Use 8 to 128 characters." in text(short)
    done = _profile(client, "password", current=PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert "Password changed." in text(done)
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302
    login(app.test_client(), "ali@example.com", NEW_PASSWORD)


# ---------------------------------------------------------------- CSRF

def test_csrf_refuses_form_post_without_token_and_accepts_htmx_header(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    credentials = {"email": "ali@example.com", "password": PASSWORD}
    refused = client.post("/login", data=credentials)
    assert refused.status_code == 400 and "This form has expired" in text(refused)

    page = text(client.get("/login"))
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert f'name="csrf_token" type="hidden" value="{token}"' in page
    accepted = client.post("/login", data=credentials, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 204
    # signed in now, and signing out also needs the token
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200


# ---------------------------------------------------------------- invitations

@pytest.fixture
def box_with_manager(make_user):
    manager = make_user("manager@example.com", "Manager")
    box = boxes.create_box(manager, "cashbox", "Family fund", "IRR")
    db.session.commit()
    return box, manager


def _invite(manager, box, email, **kwargs):
    with uow.transaction():
        invitation, token = boxes.invite(manager, box.id, email, **kwargs)
    return invitation, f"/invite/{token}"


def _member(box, user):
    return boxes.membership_of(user, box.id)


def test_invited_person_signs_up_through_the_emailed_link(app, box_with_manager, smtp_server):
    box, manager = box_with_manager
    _invite(manager, box, "Newbie@Example.com")
    email = smtp_server[0]
    assert email["To"] == "newbie@example.com" and "Family fund" in email["Subject"]
    link = re.search(r"http://localhost(/invite/\S+)", email.get_content()).group(1)

    client = app.test_client()
    page = text(client.get(link))
    assert "You are invited to <bdi>Family fund</bdi>" in page and f"/signup?next={link}" in page
    response = client.post(f"/signup?next={link}", data=signup_form(email="newbie@example.com", name="Newbie"))
    assert "Check your email" in text(response)
    response = client.get(emailed_link("newbie@example.com", "/verify/"))
    assert response.status_code == 302
    response = client.post(response.headers["Location"], data={"email": "newbie@example.com", "password": PASSWORD})
    assert response.headers["Location"] == link
    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = auth.user_by_email("newbie@example.com")
    membership = _member(box, user)
    assert membership.role == "member" and membership.display_name == "Newbie"
    assert "Family fund" in text(client.get("/"))
    # accepting again is harmless
    assert client.post(link).status_code == 302
    assert db.session.execute(select(func.count()).select_from(Membership)).scalar_one() == 2


def test_existing_user_signs_in_joins_and_link_is_refused_to_others(app, box_with_manager, make_user):
    box, manager = box_with_manager
    ali = make_user("ali@example.com", "Ali")
    mina = make_user("mina@example.com", "Mina")
    invitation, link = _invite(manager, box, "ali@example.com", role="manager")
    assert db.session.execute(select(OutboxMessage)).scalar_one().recipient == "ali@example.com"

    client = app.test_client()
    response = client.post(f"/login?next={link}", data={"email": "ali@example.com", "password": PASSWORD})
    assert response.headers["Location"] == link
    client.post(link)
    assert _member(box, ali).role == "manager"

    other = login(app.test_client(), "mina@example.com")
    page = text(other.post(link, follow_redirects=True))
    assert "already been used" in page
    assert _member(box, mina) is None
    assert db.session.get(Invitation, invitation.id).accepted_by_id == ali.id


def test_invitation_links_a_member_added_without_account(app, box_with_manager, make_user):
    box, manager = box_with_manager
    added = boxes.add_member(manager, box.id, "Uncle Reza", role="member")
    db.session.commit()
    _, link = _invite(manager, box, "reza@example.com", membership_id=added.id)
    reza = make_user("reza@example.com", "Reza")
    login(app.test_client(), "reza@example.com").post(link)
    membership = _member(box, reza)
    assert membership.id == added.id and membership.display_name == "Uncle Reza"


def test_bad_invitation_links(app, box_with_manager, make_user):
    box, manager = box_with_manager
    make_user("ali@example.com")
    client = login(app.test_client(), "ali@example.com")
    response = client.get("/invite/not-a-token", follow_redirects=True)
    assert "This invitation link is not valid." in text(response)
    _, link = _invite(manager, box, "ali@example.com")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 8 * 24 * 3600)
        response = client.post(link, follow_redirects=True)
    assert "This invitation has expired" in text(response)


def test_only_managers_invite(box_with_manager, make_user):
    box, manager = box_with_manager
    member = make_user("member@example.com")
    _, link = _invite(manager, box, "member@example.com")
    boxes.accept_invitation(member, link.rsplit("/", 1)[1])
    outsider = make_user("outsider@example.com")
    with pytest.raises(Forbidden):
        boxes.invite(member, box.id, "friend@example.com")
    with pytest.raises(NotFound):
        boxes.invite(outsider, box.id, "friend@example.com")


# ---------------------------------------------------------------- scoping

scoped = Blueprint("scoped_test", __name__, url_prefix="/_test")


@scoped.route("/boxes/<int:box_id>/members/<int:membership_id>")
@login_required
def show_member(box_id, membership_id):
    box = authorize(current_user, box_id, VIEW, "cashbox").box
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.box_id != box.id:
        raise NotFound()
    return membership.display_name


@scoped.route("/boxes/<int:box_id>/manage", methods=["POST"])
@login_required
def manage(box_id):
    return authorize(current_user, box_id, MANAGE, "cashbox").box.name


@pytest.fixture
def scoped_app(make_app):
    app = make_app()
    app.register_blueprint(scoped)
    return app


def test_member_of_box_a_gets_404_for_box_b_and_403_on_manager_actions(scoped_app, make_user):
    manager = make_user("manager@example.com", "Manager")
    member = make_user("member@example.com", "Member")
    make_user("admin@example.com", "Admin", is_admin=True)
    box_a = boxes.create_box(manager, "cashbox", "Box A", "USD")
    box_b = boxes.create_box(manager, "cashbox", "Box B", "USD")
    other_kind = boxes.create_box(manager, "moneypool", "Pool", "USD")
    member_a = boxes.add_member(manager, box_a.id, "Member", "member@example.com")
    member_b = boxes.add_member(manager, box_b.id, "Someone in B")
    db.session.commit()

    client = login(scoped_app.test_client(), "member@example.com")
    assert text(client.get(f"/_test/boxes/{box_a.id}/members/{member_a.id}")) == "Member"
    not_found = [
        f"/_test/boxes/{box_b.id}/members/{member_b.id}",  # another box
        f"/_test/boxes/{box_a.id}/members/{member_b.id}",  # B's object through A's URL
        f"/_test/boxes/{other_kind.id}/members/{member_a.id}",  # wrong kind
        f"/_test/boxes/999999/members/{member_a.id}",
    ]
    for url in not_found:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We could not find that page." in text(response)
    forbidden = client.post(f"/_test/boxes/{box_a.id}/manage")
    assert forbidden.status_code == 403 and "Only the box&#39;s managers can do this." in text(forbidden)
    assert client.post(f"/_test/boxes/{box_b.id}/manage").status_code == 404
    assert member.id == member_a.user_id

    boss = login(scoped_app.test_client(), "manager@example.com")
    assert boss.post(f"/_test/boxes/{box_a.id}/manage").status_code == 200
    admin = login(scoped_app.test_client(), "admin@example.com")
    assert admin.get(f"/_test/boxes/{box_b.id}/members/{member_b.id}").status_code == 200


def test_authorize_reads_the_box_and_the_users_membership_in_one_query(make_user):
    manager = make_user("manager@example.com", "Manager")
    outsider = make_user("outsider@example.com", "Outsider")
    box_id = boxes.create_box(manager, "cashbox", "Box", "USD").id
    db.session.commit()
    db.session.expire_all()
    with statements() as sent:
        access = authorize(manager, box_id, MANAGE, "cashbox")
    assert (access.box.name, access.membership.role, access.can_manage) == ("Box", "manager", True)
    assert len([s for s in sent if "FROM box" in s or "FROM membership" in s]) == 1, sent
    with pytest.raises(NotFound):
        authorize(outsider, box_id)
