"""Choosing the interface language: a visitor's switch in the footer (a cookie), which a signed-in
person's own choice on the profile page overrides; and the account emails (sign-up, password reset,
invitation) written in their recipient's language, whatever the page that sent them speaks."""
import re

from sqlalchemy import select

from hamyan.blueprints.auth import services as auth
from hamyan.boxes import services as boxes
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.i18n import LANGUAGE_COOKIE
from hamyan.notify.models import OutboxMessage
from tests.conftest import PASSWORD
from tests.i18n import english_left

PERSIAN = '<html lang="fa" dir="rtl">'
ENGLISH = '<html lang="en" dir="ltr">'


def html(response) -> str:
    return response.get_data(as_text=True)


def last_subject(recipient: str) -> str:
    return db.session.execute(select(OutboxMessage.subject).where(OutboxMessage.recipient == recipient)
                              .order_by(OutboxMessage.id.desc()).limit(1)).scalar_one()


def test_a_visitor_switches_to_persian_and_back_without_script(client):
    page = html(client.get("/login"))
    assert ENGLISH in page and 'id="language-switch"' in page and 'value="fa"' in page
    assert 'name="next" value="/login?next=/profile"' in html(client.get("/login?next=/profile"))

    response = client.post("/language", data={"language": "fa", "next": "/signup"})
    assert response.status_code == 302 and response.headers["Location"] == "/signup"
    assert LANGUAGE_COOKIE + "=fa" in response.headers["Set-Cookie"]
    for url in ("/login", "/signup", "/"):
        page = html(client.get(url))
        assert PERSIAN in page and not english_left(page), (url, english_left(page))
    assert 'value="en"' in page and "English</button>" in page  # the way back, named in itself

    client.post("/language", data={"language": "en", "next": "/login"})
    assert ENGLISH in html(client.get("/login", headers={"Accept-Language": "fa"}))  # the choice beats the browser's


def test_the_switch_refuses_other_languages_and_other_sites(client):
    response = client.post("/language", data={"language": "de", "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Set-Cookie" not in response.headers or LANGUAGE_COOKIE not in response.headers["Set-Cookie"]
    assert "Choose one of the languages offered." in html(client.get("/login"))
    assert client.post("/language", data={"language": "fa\u0000", "next": "/login"}).status_code == 302
    assert ENGLISH in html(client.get("/login"))


def test_the_switch_is_csrf_protected(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert client.post("/language", data={"language": "fa"}).status_code == 400


def test_a_signed_in_persons_own_choice_wins_over_the_browsers(user_client):
    client = user_client("sara@example.com", "سارا")
    client.set_cookie(LANGUAGE_COOKIE, "fa")
    page = html(client.get("/profile"))
    assert PERSIAN in page and 'id="language-switch"' not in page  # signed in, the profile chooses
    client.post("/profile", data={"which": "language", "language-language": "en"})
    assert ENGLISH in html(client.get("/profile"))
    client.post("/profile", data={"which": "language", "language-language": ""})
    assert PERSIAN in html(client.get("/"))  # no choice of their own: this browser's


def test_a_visitor_who_chose_persian_signs_up_in_persian(client):
    client.post("/language", data={"language": "fa", "next": "/signup"})
    page = html(client.post("/signup", data={"name": "زهره رحیمی", "email": "zohre@example.com",
                                             "password": PASSWORD, "confirm": PASSWORD}))
    assert PERSIAN in page and not english_left(page)
    assert auth.user_by_email("zohre@example.com").language == "fa"  # kept as theirs
    assert last_subject("zohre@example.com") == "ایمیل خود را برای همیان تأیید کنید"


def test_a_sign_up_email_speaks_the_page_language_when_none_was_chosen(client):
    client.post("/signup", data={"name": "Ali", "email": "ali@example.com", "password": PASSWORD,
                                 "confirm": PASSWORD}, headers={"Accept-Language": "fa-IR,fa"})
    assert auth.user_by_email("ali@example.com").language is None
    assert last_subject("ali@example.com") == "ایمیل خود را برای همیان تأیید کنید"
    # signing up again with the address: its owner is told, in the language of that page
    client.post("/signup", data={"name": "Ali", "email": "ali@example.com", "password": PASSWORD,
                                 "confirm": PASSWORD})
    assert last_subject("ali@example.com") == "Someone tried to sign up to Hamyan with your email"


def test_a_password_reset_speaks_the_owners_choice_not_the_page(client, make_user):
    persian, english = make_user("fa@example.com", "مینا"), make_user("en@example.com", "Mina")
    with uow.transaction():
        persian.language, english.language = "fa", "en"
    client.post("/forgot", data={"email": "fa@example.com"})
    client.post("/forgot", data={"email": "en@example.com"}, headers={"Accept-Language": "fa"})
    assert last_subject("fa@example.com") == "بازنشانی گذرواژهٔ همیان"
    assert last_subject("en@example.com") == "Reset your Hamyan password"


def test_an_invitation_speaks_the_invitees_language_else_the_boxs(make_user, box_sets_language):
    manager = make_user("manager@example.com", "Manager")
    with uow.transaction():
        manager.language = "en"  # the sender's language does not matter
        invitee = make_user("mina@example.com", "مینا")
        invitee.language = "fa"
    english_box = boxes.create_box(manager, "cashbox", "Family fund", "USD")
    persian_box = boxes.create_box(manager, "cashbox", "صندوق محله", "IRR", locale="fa_IR", calendar="persian")
    db.session.commit()
    with uow.transaction():
        boxes.invite(manager, english_box.id, "mina@example.com")
        boxes.invite(manager, persian_box.id, "new@example.com")
        boxes.invite(manager, english_box.id, "other@example.com")
    assert last_subject("mina@example.com") == "به Family fund در همیان دعوت شده‌اید"
    assert last_subject("new@example.com") == "به صندوق محله در همیان دعوت شده‌اید"
    body = db.session.execute(select(OutboxMessage.body).where(OutboxMessage.recipient == "new@example.com")).scalar_one()
    assert "با نقش عضو" in body and "/invite/" in body
    assert last_subject("other@example.com") == "You are invited to Family fund on Hamyan"


def test_emails_are_typed_left_to_right_on_a_persian_page(user_client):
    """An email input reads left to right whatever the page's direction (right to left, "ali." showed
    ".ali" as it was typed), however its form names it; a name's input keeps the page's direction."""
    person = user_client("mina@example.com", "مینا")
    box = boxes.create_box(person.user, "cashbox", "صندوق", "IRR", "Asia/Tehran", "fa_IR", "persian")
    db.session.commit()
    fa = {"Accept-Language": "fa-IR,fa;q=0.9"}
    profile = person.get("/profile", headers=fa).get_data(as_text=True)
    members = person.get(f"/boxes/{box.id}/members", headers=fa).get_data(as_text=True)
    for html, name in ((profile, "email-email"), (members, "add-email"), (members, "invite-email")):
        tag = re.search(f'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'dir="ltr"' in tag, tag
    assert 'dir="ltr"' not in re.search('<input[^>]*name="profile-name"[^>]*>', profile).group(0)
