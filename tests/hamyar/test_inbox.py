"""The inbox lists the user's in-app messages with an unread count in the navigation; marking read
touches only the user's own; announcements are written by admins (404 for others) and seen by all."""
from sqlalchemy import select

from hamyan.core import uow
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from hamyan.notify.services import notify_member


def tell(user, subject):
    with uow.transaction():
        return notify_member(user, None, subject, f"{subject} body", kind="test", channels=("inapp",))[0]


def test_inbox_unread_count_and_mark_read(user_client, make_user):
    me = user_client("me@example.com", "مریم احمدی")
    other = make_user("other@example.com", "Other")
    first, second = tell(me.user, "پرداخت ثبت شد"), tell(me.user, "Second")
    theirs = tell(other, "Not yours")
    page = me.get("/inbox").get_data(as_text=True)
    assert "پرداخت ثبت شد" in page and "Second" in page and "Not yours" not in page
    assert 'id="unread-count">2<' in page
    assert me.post("/inbox/read", data={"message": theirs.id}).status_code == 404
    assert me.post("/inbox/read", data={"message": first.id}).status_code == 302
    assert 'id="unread-count">1<' in me.get("/my-money").get_data(as_text=True)
    me.post("/inbox/read")
    db.session.expire_all()
    assert 'id="unread-count"' not in me.get("/inbox").get_data(as_text=True)
    assert db.session.get(OutboxMessage, theirs.id).read_at is None
    assert me.post("/inbox/read", data={"message": "x"}).status_code == 404


def test_announcements_are_admins_only_and_shown_to_everyone(user_client):
    admin = user_client("admin@example.com", "Admin", is_admin=True)
    member = user_client("member@example.com", "Member")
    assert member.get("/admin/announcements").status_code == 404
    assert member.post("/admin/announcements", data={"title": "x", "body": "y"}).status_code == 404
    response = admin.post("/admin/announcements", data={"title": "", "body": ""})
    assert response.status_code == 200 and "The title is required" in response.get_data(as_text=True)
    assert admin.post("/admin/announcements", data={"title": "نگهداری سامانه", "body": "Sunday\nnight"}).status_code == 302
    page = member.get("/my-money").get_data(as_text=True)
    assert 'id="announcement"' in page and "نگهداری سامانه" in page
    inbox_page = member.get("/inbox").get_data(as_text=True)
    assert "Sunday\nnight" in inbox_page and 'class="text-break pre-line"' in inbox_page
    assert ' style="' not in inbox_page  # the CSP refuses inline styles: line breaks kept by a class
    from hamyan.hamyar.models import Announcement

    row = db.session.scalar(select(Announcement))
    assert member.post(f"/admin/announcements/{row.id}/end").status_code == 404
    admin.post(f"/admin/announcements/{row.id}/end")
    assert 'id="announcement"' not in member.get("/my-money").get_data(as_text=True)


def test_inbox_pages_with_constant_queries(user_client):
    from tests.admin.conftest import count_queries

    me = user_client("me@example.com", "Me")
    for n in range(3):
        tell(me.user, f"Message {n}")
    few = count_queries(me, "/inbox")
    for n in range(60):
        tell(me.user, f"More {n}")
    assert count_queries(me, "/inbox") == few
    assert "More 59" in me.get("/inbox").get_data(as_text=True)
    assert "Message 0" in me.get("/inbox?page=3").get_data(as_text=True)


def test_pages_render_when_the_count_cannot_be_read(user_client, monkeypatch):
    """The database answering an error page must not fail again on the navigation's count."""
    from sqlalchemy.exc import OperationalError

    from hamyan.hamyar import inbox

    me = user_client("me@example.com", "Me")

    def away(user_id):
        raise OperationalError("SELECT", {}, Exception("server has gone away"))

    monkeypatch.setattr(inbox, "bar", away)
    page = me.get("/my-money")
    assert page.status_code == 200 and 'id="unread-count"' not in page.get_data(as_text=True)
