"""The pages every box shares (settings, confirm step, name lookup, refusals) and the members,
payments and reports pages in Persian: right to left, no English left, flashes and errors in Persian."""
import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from tests.cashbox.helpers import fill_shares, first_round
from tests.conftest import login
from tests.i18n import english_left, persian_page

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}


@pytest.fixture
def persian_box(client, make_user):
    """A Persian-calendar rial cashbox with a started round; its manager signed in on `client`."""
    boss = make_user("boss@example.com", "رئیس")
    box = cb.create_cashbox(boss, "صندوق خانوادگی", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    members = fill_shares(boss, box, ["سارا", "رضا"])
    cb.start_round(boss, box.id, first_round(box).id)
    login(client, "boss@example.com")
    return box, members


def persian_post(client, url, data=None):
    response = client.post(url, data=data or {}, headers=FA, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert not english_left(html), english_left(html)
    return html


def test_box_settings_read_in_persian(client, persian_box):
    box, _ = persian_box
    page = persian_page(client, f"/boxes/{box.id}/settings")
    assert "تنظیمات صندوق" in page and "محل پرداخت اعضا" in page and 'dir="ltr">IR</bdi>' in page
    done = persian_post(client, f"/boxes/{box.id}/settings", {"name": "صندوق تازه", "locale": "fa_IR"})
    assert "تنظیمات صندوق ذخیره شد." in done
    bad = persian_post(client, f"/boxes/{box.id}/payee", {"payee_account": "1234", "payee_name": "رئیس"})
    assert "شبا" in bad
    saved = persian_post(client, f"/boxes/{box.id}/payee", {"payee_account": "IR820540102680020817909002",
                                                           "payee_name": "رئیس"})
    assert "اکنون اعضا می‌بینند به کجا پرداخت کنند." in saved
    archived = persian_post(client, f"/boxes/{box.id}/archive")
    assert "بایگانی شد" in archived and "بازگرداندن صندوق" in persian_page(client, f"/boxes/{box.id}/settings")
    assert "بازگردانده شد" in persian_post(client, f"/boxes/{box.id}/restore")


def test_the_confirm_step_and_a_refusal_read_in_persian(client, make_user):
    boss = make_user("boss@example.com", "رئیس")
    box = cb.create_cashbox(boss, "صندوق تازه", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    login(client, "boss@example.com")
    step = persian_post(client, f"/boxes/{box.id}/delete")
    assert "حذف شود؟" in step and "انصراف" in step
    assert "حذف شد" in persian_post(client, f"/boxes/{box.id}/delete", {"confirmed": "1"})


def test_the_name_lookup_reads_in_persian(client, persian_box):
    box, _ = persian_box
    page = persian_page(client, f"/cashbox/{box.id}/names?q=سا")
    assert "سارا" in page and "جستجوی عضو" in page
    assert "نام هیچ عضو شامل" in persian_page(client, f"/cashbox/{box.id}/names?q=zzz")


def test_the_members_pages_read_in_persian(client, persian_box):
    box, members = persian_box
    page = persian_page(client, f"/boxes/{box.id}/members")
    assert "سارا" in page and "افزودن عضو" in page
    persian_page(client, f"/boxes/{box.id}/members?status=left")
    added = persian_post(client, f"/boxes/{box.id}/members/add", {"add-display_name": "مریم", "add-role": "member"})
    assert "مریم" in added
    invited = persian_post(client, f"/boxes/{box.id}/members/invite",
                           {"invite-email": "maryam@example.com", "invite-role": "member", "invite-member": "مریم"})
    assert "دعوت‌نامه به" in invited
    maryam = db.session.scalar(db.select(Membership).filter_by(box_id=box.id, display_name="مریم"))
    edit = persian_page(client, f"/boxes/{box.id}/members/{maryam.id}/edit")
    assert "نام، ایمیل و نقش" in edit and "حذف مریم" in edit.replace("<bdi>", "").replace("</bdi>", "")
    assert "حذف شود؟" in persian_post(client, f"/boxes/{box.id}/members/{maryam.id}/remove")
    assert "از صندوق حذف شد" in persian_post(client, f"/boxes/{box.id}/members/{maryam.id}/remove", {"confirmed": "1"})
    assert "به صندوق برگشت" in persian_post(client, f"/boxes/{box.id}/members/{maryam.id}/rejoin")
