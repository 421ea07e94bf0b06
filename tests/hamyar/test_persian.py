"""Hamyar's pages in Persian (right to left, no English left): the inbox with an announcement and a
message, the invite page with people brought, the admin's announcements; a nudge in the member's language."""
from hamyan.hamyar import inbox
from hamyan.notify.services import notify_member
from tests.i18n import english_left, latin_digits, persian_page


def test_inbox_invite_and_announcements_in_persian(user_client, make_user):
    admin = user_client("root@example.com", "مدیر سامانه", is_admin=True)
    member = user_client("mina@example.com", "مینا")
    inbox.announce(admin.user, "تعطیلات نوروز", "پشتیبانی تا ۱۵ فروردین تعطیل است.")
    assert "هنوز پیامی نیست" in persian_page(member, "/inbox")
    notify_member(member.user, None, "یادآوری", "قسط شما نزدیک است.", kind="test", channels=("inapp",))
    html = persian_page(member, "/inbox")
    assert "تعطیلات نوروز" in html and "جدید" in html and "خوانده شد" in html
    assert not latin_digits(html), latin_digits(html)  # "mark all 2 read" counts in Persian digits
    assert "نوشته نشده" not in html and "هنوز کسی نیست" in persian_page(member, "/invite")
    assert "در حال نمایش" in persian_page(admin, "/admin/announcements")
    bad = admin.post("/admin/announcements", data={"title": "", "body": "متن"},
                     headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert not english_left(bad), english_left(bad)
