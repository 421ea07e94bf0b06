"""The notify area's pages in Persian (right to left, no English left), as a manager, a member and an
admin: campaigns, a campaign's progress, notification settings; a Persian form error."""
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from hamyan.notify import campaigns, dispatch
from hamyan.notify.models import Campaign
from tests.i18n import english_left, latin_digits, persian_page

T0 = datetime(2026, 3, 1, 9)


@pytest.fixture
def fa_box(user_client, clock, monkeypatch):
    """A Persian box (fa_IR) with a manager and a member, each signed in."""
    clock.set(T0)
    monkeypatch.setattr(campaigns, "_thread", lambda app, campaign_id: None)  # the test expands by hand
    manager, member = user_client("boss@example.com", "مدیر صندوق"), user_client("mina@example.com", "مینا")
    with db.engine.begin() as conn:
        box_id = conn.execute(sa.insert(Box).values(kind="moneypool", name="صندوق محله", currency="IRR",
                                                    timezone="Asia/Tehran", locale="fa_IR", calendar="persian",
                                                    created_at=T0)).inserted_primary_key[0]
        for who, role in ((manager, "manager"), (member, "member")):
            conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=who.user.id, display_name=who.user.name,
                                                      role=role, created_at=T0))
    db.session.rollback()
    return box_id, manager, member


def test_a_manager_sends_a_message_in_persian(fa_box):
    box_id, manager, member = fa_box
    url = f"/boxes/{box_id}/messages"
    persian_page(manager, url)
    form = {"subject": "جلسه‌ی {box}", "body": "دوستان عزیز، جمعه می‌بینیمتان."}
    shown = manager.post(url, data={**form, "action": "preview"}, headers={"Accept-Language": "fa"})
    html = shown.get_data(as_text=True)
    assert "پیش‌نمایش" in html and "جلسه‌ی صندوق محله" in html and not english_left(html)
    empty = manager.post(url, data={"subject": "جلسه", "body": " ", "action": "send"},
                         headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "متن پیام را بنویسید." in empty and not english_left(empty)

    sent = manager.post(url, data={**form, "subject": "جلسه‌ی ماهانه", "action": "send"})
    campaign = db.session.scalar(sa.select(Campaign))
    assert "در حال آماده‌سازی پیام‌ها" in persian_page(manager, sent.location)
    campaigns.expand(campaign.id)
    sending = persian_page(manager, sent.location)
    assert "۰ از ۴ پیام" in sending and not latin_digits(sending), latin_digits(sending)
    dispatch.drain()
    done = persian_page(manager, sent.location)
    assert "انجام شد" in done and "ایمیل" in done and "درون برنامه" in done
    assert not latin_digits(done), latin_digits(done)
    listed = persian_page(manager, url)  # the list of messages sent before
    assert "۲ عضو" in listed and not latin_digits(listed), latin_digits(listed)


def test_a_member_sets_notifications_in_persian(fa_box):
    box_id, _, member = fa_box
    member.user.language = "fa"
    db.session.commit()
    html = persian_page(member, "/notifications")
    assert "صورت‌حساب ماهانه" in html and "پیامک" in html
    bad = member.post("/notifications", data={"phone": "۰۹۱۲", "quiet_start": "۲۵"}).get_data(as_text=True)
    assert "ساعتی از ۰ تا ۲۳ وارد کنید." in bad and not english_left(bad), english_left(bad)


def test_quiet_hours_sent_back_unchanged_from_a_persian_page_are_kept(fa_box):
    """The quiet hours are shown in Persian digits and, the form sent back as shown, kept."""
    from hamyan.notify import services
    from tests.i18n import form_sent

    _, _, member = fa_box
    member.user.language = "fa"
    db.session.commit()
    services.set_profile(member.user, "", 22, 7, "Asia/Tehran")
    sent = form_sent(persian_page(member, "/notifications"), "quiet_start")
    assert (sent["quiet_start"], sent["quiet_end"]) == ("۲۲", "۷"), sent
    assert member.post("/notifications", data=sent).status_code == 302
    db.session.expire_all()
    person = services.profile(member.user.id)
    assert (person.quiet_start, person.quiet_end) == (22, 7)


def test_an_admin_messages_every_user_in_persian(user_client, clock, monkeypatch):
    clock.set(T0)
    monkeypatch.setattr(campaigns, "_thread", lambda app, campaign_id: None)
    admin = user_client("root@example.com", "مدیر سامانه", is_admin=True)
    assert "همه‌ی کاربران همیان" in persian_page(admin, "/admin/messages")
    sent = admin.post("/admin/messages", data={"subject": "به‌روزرسانی", "body": "سلام {name}", "action": "send"})
    persian_page(admin, sent.location)


def test_a_manager_previews_the_boxs_own_messages_in_persian(fa_box):
    box_id, manager, _member = fa_box
    html = persian_page(manager, f"/boxes/{box_id}/messages/templates")
    assert "سلام مدیر صندوق،" in html and "قسط به مبلغ" in html and "صورت‌حساب" in html and "۳ روز" in html, html
    assert re.search("<title>[^<]* · \u2068[^<\u2069]+\u2069 · ", html), "the box's name set apart in the title"
    assert not latin_digits(html), latin_digits(html)
