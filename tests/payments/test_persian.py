"""Payments in Persian: paying online (the pay form, the sandbox gateway, the payer's status page),
the managers' online payments page (settings, events, reconciliation) and "I have paid" (the
member's form and reports, the managers' worklist) read right to left with no English left, as
manager and member; a form error and a service error are shown in Persian."""
import re

import pytest
from sqlalchemy import select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.payments import reports, services
from hamyan.blueprints.payments.models import GatewayEvent, PaymentIntent
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from tests.cashbox.helpers import first_round
from tests.i18n import box_memos, english_left, latin_words, persian_page
from tests.payments.test_reported_pages import insert_reports

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}
CARD = "6037991234567893"


@pytest.fixture
def box(user_client):
    """A Persian-calendar rial cashbox taking online payments and reports, with a paid online
    payment, a failed one and a pending report by its member Sara."""
    manager = user_client("boss@example.com", "رئیس")
    member = user_client("sara@example.com", "سارا")
    box = cb.create_cashbox(manager.user, "صندوق خانوادگی", "IRR", "1000000", 2, "monthly", "2026-12-01",
                            "predefined", timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    sara = cb.add_member(manager.user, box.id, "سارا", "sara@example.com")
    reza = cb.add_member(manager.user, box.id, "رضا")
    cb.set_holders(manager.user, box.id, first_round(box).id, 1, [(sara.id, "1")])
    cb.set_holders(manager.user, box.id, first_round(box).id, 2, [(reza.id, "1")])
    cb.start_round(manager.user, box.id, first_round(box).id)
    services.update_settings(manager.user, box.id, True, "member")
    reports.set_payee(manager.user, box.id, CARD, "رضا احمدی")
    for choice in ("success", "failure"):
        sent = member.post(f"/boxes/{box.id}/pay", data={"amount": "100000"}, headers=FA)
        authority = sent.headers["Location"].rsplit("/", 1)[1]
        member.post(f"/payments/sandbox/{authority}", data={"choice": choice})
    reports.report(member.user, box.id, "۵۰۰٬۰۰۰", None, "card", "TX-77", target=None, request_key="r1")
    return dict(box=box, manager=manager, member=member)


def test_online_payment_pages_read_in_persian(box):
    b, manager, member = box["box"], box["manager"], box["member"]
    page = persian_page(manager, f"/boxes/{b.id}/online-payments")
    assert "تطبیق" in page and "تکراری" in page and "کارمزد" in page
    persian_page(manager, f"/boxes/{b.id}/online-payments?problems=1")
    assert "رفتن به درگاه" in persian_page(member, f"/boxes/{b.id}/pay")
    intents = db.session.scalars(select(PaymentIntent).filter_by(box_id=b.id).order_by(PaymentIntent.id)).all()
    assert "سپاس" in persian_page(member, f"/payments/{intents[0].public_id}")
    assert "ناموفق" in persian_page(member, f"/payments/{intents[1].public_id}")
    started = member.post(f"/boxes/{b.id}/pay", data={"amount": "100000"}, headers=FA)
    assert "درگاه پرداخت آزمایشی" in persian_page(member, started.headers["Location"])


def test_a_persian_pay_form_error_is_in_persian(box, app, monkeypatch):
    b, member = box["box"], box["member"]
    page = member.post(f"/boxes/{b.id}/pay", data={"amount": "-5"}, headers=FA).get_data(as_text=True)
    assert "is-invalid" in page and not english_left(page), english_left(page)
    services.update_settings(box["manager"].user, b.id, True, "box")
    monkeypatch.setitem(app.config, "PAYMENTS_FEE_PERCENT", 100)
    page = member.post(f"/boxes/{b.id}/pay", data={"amount": "10"}, headers=FA).get_data(as_text=True)
    assert "مبلغ از کارمزد درگاه کمتر است." in page and not english_left(page)


def test_reported_payments_read_in_persian_for_manager_and_member(box):
    b, manager, member = box["box"], box["manager"], box["member"]
    page = persian_page(manager, f"/boxes/{b.id}/reported-payments")
    assert "تأیید: پول رسیده است" in page and "کارت به کارت" in page
    page = persian_page(member, f"/boxes/{b.id}/reported-payments")
    assert "پرداخت کرده‌ام" in page and "در انتظار" in page and "شمارهٔ کارت" in page
    wrong = member.post(f"/boxes/{b.id}/reported-payments", data={"amount": "x", "paid_on": "1499/01/01",
                                                                 "method": "card", "reference": ""}, headers=FA)
    page = wrong.get_data(as_text=True)
    assert "تاریخ پرداخت: این روز هنوز نرسیده است." in page and not english_left(page), english_left(page)
    pending = reports.listing(manager.user, b.id).reports.items[0]
    rejected = manager.post(f"/boxes/{b.id}/reported-payments/{pending.id}/reject", data={"reason": "پولی نرسید"},
                            headers=FA, follow_redirects=True)
    assert "رد شد؛ دلیلش به عضو گفته می‌شود." in rejected.get_data(as_text=True)
    page = persian_page(member, f"/boxes/{b.id}/reported-payments")
    assert "تأیید نشد" in page and "ردشده" in page
    again = manager.post(f"/boxes/{b.id}/reported-payments/{pending.id}/confirm", headers=FA, follow_redirects=True)
    page = again.get_data(as_text=True)
    assert "این اعلام ردشده است" in page and not english_left(page), english_left(page)


def test_what_the_gateway_did_and_the_ledger_say_in_persian(box_sets_language, box):
    """A Persian box keeps what became of each online payment (a gateway's notifications, a failure,
    an amount that differs) and the ledger's memos (the box's fee, a refund) in Persian; only the
    gateway's name and ids stay as they are."""
    b, manager, member = box["box"], box["manager"], box["member"]
    services.update_settings(manager.user, b.id, True, "box")
    for choice in ("success", "wrong_amount"):
        sent = member.post(f"/boxes/{b.id}/pay", data={"amount": "100000"}, headers=FA)
        member.post(f"/payments/sandbox/{sent.headers['Location'].rsplit('/', 1)[1]}", data={"choice": choice})
    intents = db.session.scalars(select(PaymentIntent).filter_by(box_id=b.id).order_by(PaymentIntent.id)).all()
    services.refund(manager.user, b.id, intents[2].public_id, "عضو اشتباه پرداخت کرد")
    events = db.session.scalars(select(GatewayEvent.reason).where(GatewayEvent.intent_id.in_([i.id for i in intents]))).all()
    kept = events + [i.failure for i in intents] + box_memos(b.id)
    assert intents[3].failure == "درگاه ۹۹٬۹۹۹\xa0ریال برداشت کرد، نه ۱۰۰٬۰۰۰\xa0ریال", intents[3].failure
    assert any(m.startswith("پرداخت برگشت خورد: پرداخت آنلاین بازپرداخت شد: عضو اشتباه") for m in kept), kept
    ids = re.compile("sandbox|[0-9a-f]{32}")
    assert not [text for text in kept if latin_words(ids.sub("", text))], kept


def test_the_reported_payments_pages_read_in_persian(box):
    """Both lists paged: the count of those waiting, the views and the pagers in Persian words and digits."""
    b, manager, member = box["box"], box["manager"], box["member"]
    sara = db.session.scalar(select(Membership.id).filter_by(box_id=b.id, user_id=member.user.id))
    insert_reports(b, sara, 30)
    insert_reports(b, sara, 30, "rejected")
    page = persian_page(manager, f"/boxes/{b.id}/reported-payments")
    assert "در انتظار: ۳۱" in page and "همهٔ گزارش‌ها" in page and 'aria-label="صفحه‌های گزارش‌ها"' in page
    assert re.search(r'aria-current="page">۱<', page) and ">۲</a>" in page
    page = persian_page(manager, f"/boxes/{b.id}/reported-payments?show=all&page=۲")
    assert re.search(r'aria-current="page">۲<', page) and ">ردشده<" in page
    page = persian_page(member, f"/boxes/{b.id}/reported-payments?mine=۲")
    assert 'aria-label="صفحه‌های گزارش‌های من"' in page and re.search(r'aria-current="page">۲<', page)
