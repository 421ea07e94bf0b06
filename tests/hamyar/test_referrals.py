"""A referral link leads to the sign-up form and attributes the new account to its owner; box
invitations count as bringing someone too; the invite page lists both, with who is active."""
from sqlalchemy import select

from hamyan.boxes import services as boxes
from hamyan.extensions import db
from hamyan.hamyar.models import Referral
from tests.cashbox.helpers import make_box
from tests.conftest import PASSWORD


def test_referral_link_attributes_the_sign_up(user_client, client, make_user):
    sara = user_client("sara@example.com", "سارا محمدی")
    page = sara.get("/invite").get_data(as_text=True)
    link = page.split('id="referral-link" value="')[1].split('"')[0]
    assert "/r/" in link and sara.get("/invite").get_data(as_text=True).count(link) == 1
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup")
    assert client.post("/signup", data={"email": "reza@example.com", "name": "رضا کریمی", "password": PASSWORD,
                                        "confirm": PASSWORD}).status_code == 200
    row = db.session.scalar(select(Referral))
    assert row.referrer_id == sara.user.id and row.referred.name == "رضا کریمی"
    assert "رضا کریمی" in sara.get("/invite").get_data(as_text=True)


def test_unknown_code_and_invitations(user_client, make_user):
    boss = user_client("boss@example.com", "Boss")
    assert boss.get("/r/nope").status_code == 302
    box = make_box(boss.user)
    _, token = boxes.invite(boss.user, box.id, "guest@example.com")
    guest = make_user("guest@example.com", "Guest")
    boxes.accept_invitation(guest, token)
    page = boss.get("/invite").get_data(as_text=True)
    assert "Guest" in page and box.name in page
    assert db.session.query(Referral).count() == 0
