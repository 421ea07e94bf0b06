"""The cashbox in Persian: every page right to left with no English left, as manager and member (names,
references and codes set apart as values), its flashes, form errors and CSV headings in Persian."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Cashbox, Payment
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box
from hamyan.core import uow
from hamyan.core.errors import ValidationError
from hamyan.notify import services as notify
from hamyan.extensions import db
from hamyan.i18n import writing_in
from hamyan.notify.models import OutboxMessage
from hamyan.statements import render_pdf
from tests.cashbox.helpers import fill_shares, first_round
from tests.i18n import box_memos, english_left, form_sent, latin_digits, latin_words, pdf_text, persian_page

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}


def persian(client, url: str) -> str:
    """The page as a Persian reader gets it: right to left, nothing English, no Latin digits."""
    response = client.get(url, headers=FA)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html, url
    assert not english_left(html), (url, english_left(html))
    assert not latin_digits(html), (url, latin_digits(html))
    return html


@pytest.fixture
def persian_box(user_client):
    """A Persian-calendar cashbox with a running round, a payment and a member who signs in."""
    manager = user_client("boss@example.com", "رئیس")
    member = user_client("sara@example.com", "سارا")
    box = cb.create_cashbox(manager.user, "صندوق خانوادگی", "IRR", "1000000", 3, "monthly", "2026-12-01",
                            "random", timezone="Asia/Tehran", locale="fa_IR", calendar="persian",
                            fine_kind="fixed", fine_value="50000", grace_days="2")
    joined = boxes.add_member(manager.user, box.id, "سارا", "sara@example.com")
    others = fill_shares(manager.user, box, ["رضا", "مریم"])
    cb.set_holders(manager.user, box.id, first_round(box).id, 3, [(joined.id, "1")])
    cb.start_round(manager.user, box.id, first_round(box).id)
    cb.record_payment(manager.user, box.id, others[0].id, "1000000", method="bank", reference="TX-12")
    with uow.transaction():  # an unread message: the navigation counts it
        notify.notify_member(manager.user, box.id, "پیام", "متن", kind="test", channels=("inapp",))
    return dict(box=box, manager=manager, member=member, joined=joined, others=others)


def test_new_cashbox_page_and_its_errors_read_in_persian(persian_box):
    c = persian_box["manager"]
    assert "درصدی مانند ۲.۵" in persian_page(c, "/cashbox/new")  # a help text's example in Persian digits
    wrong = c.post("/cashbox/new", data={"name": "", "contribution": "-3", "currency": "XYZ"}, headers=FA)
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and "is-invalid" in page and not english_left(page)
    wrong = c.post("/cashbox/new", headers=FA, data={
        "name": "صندوق", "currency": "IRR", "timezone": "Asia/Tehran", "calendar": "persian", "locale": "fa_IR",
        "contribution": "۱۰۰۰", "share_count": "۲", "period_kind": "days", "period_days": "۰", "first_due": "1405/12/31",
        "draw_mode": "random", "fine_kind": "percent", "fine_value": "۱۵۰", "winner_policy": "net"})
    page = wrong.get_data(as_text=True)  # the bounds and the example of a date in an error are in Persian digits
    assert "(به صورت ۱۴۰۵/۰۹/۱۱ بنویسید)" in page and not latin_digits(page), latin_digits(page)


def test_a_cashbox_made_on_a_persian_page_is_persian_and_takes_a_jalali_first_due(persian_box):
    """A Persian manager who types only the name, the amounts and a Jalali first due date gets a
    Persian, Jalali box (the form's defaults follow the page), not a Gregorian one that reads
    ۱۴۰۵/۰۹/۱۱ as a day of the year 1405; an English page still defaults to English and Gregorian."""
    c = persian_box["manager"]
    form = persian_page(c, "/cashbox/new")
    assert re.search('<option selected value="persian">|<option value="persian" selected>', form), form
    made = c.post("/cashbox/new", data={"name": "صندوق دوستان", "currency": "IRR", "timezone": "Asia/Tehran",
                                        "contribution": "۱٬۲۵۰٬۰۰۰", "share_count": "۱۲", "period_kind": "monthly",
                                        "first_due": "۱۴۰۵/۰۹/۱۱", "draw_mode": "random", "fine_kind": "none",
                                        "winner_policy": "net"}, headers=FA)
    assert made.status_code == 302, made.get_data(as_text=True)
    box = db.session.scalar(select(Box).filter_by(name="صندوق دوستان"))
    assert (box.locale, box.calendar) == ("fa_IR", "persian")
    assert first_round(box).first_due == date(2026, 12, 2)
    english = c.get("/cashbox/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="en"' in english and re.search('<option selected value="gregorian">|<option value="gregorian" selected>', english)


def test_payments_page_and_csv_read_in_persian(persian_box):
    box = persian_box["box"]
    assert "واریز بانکی" in persian(persian_box["manager"], f"/cashbox/{box.id}/payments")
    persian(persian_box["member"], f"/cashbox/{box.id}/payments")  # her own payments: none yet
    persian(persian_box["manager"], f"/cashbox/{box.id}/payments?q=هیچ")
    csv = persian_box["manager"].get(f"/cashbox/{box.id}/payments?export=csv", headers=FA).get_data(as_text=True)
    headings = csv.splitlines()[0].lstrip("\ufeff").split(",")
    # Persian headings in the English order (a word another area also translates may read its way).
    assert headings[:4] == ["تاریخ پرداخت", "عضو", "قسط (IRR)", "جریمه‌ها (IRR)"] and len(headings) == 8
    assert not re.search("[a-z]", ",".join(headings)), headings


def _draw_first(persian_box):
    box, manager = persian_box["box"], persian_box["manager"]
    r = first_round(box)
    cb.draw(manager.user, box.id, 1, "پیش از پرداخت کامل")
    return r


def test_every_page_reads_in_persian_as_manager_and_member(persian_box):
    box, manager, member, joined = (persian_box[k] for k in ("box", "manager", "member", "joined"))
    r = first_round(box)
    base = f"/cashbox/{box.id}"
    # /collect (box/bulk.html), /fines (the shared fines list) and /names (the picker page) are core's.
    manager_pages = ("", "/me", f"/members/{joined.id}", "/setup", "/payments",
                     f"/rounds/{r.id}/periods/1/draw")
    for url in manager_pages:
        persian(manager, base + url)
    for url in ("", "/me", "/payments", f"/rounds/{r.id}/periods/1/draw"):
        persian(member, base + url)
    _draw_first(persian_box)
    for client in (manager, member):
        page = persian(client, base)
        assert "قرعه‌کشی" in page
        draw = persian(client, f"{base}/rounds/{r.id}/periods/1/draw")
        assert "با هم می‌خوانند" in draw and 'dir="rtl"' in draw
    persian(member, base + "/me")
    assert 'id="unread-count">۱<' in persian(manager, base)  # the navigation's count of unread messages
    # A Jalali date input's example and value in Persian digits (the parser reads either)
    assert 'placeholder="۱۴۰۵/۰۹/۱۱"' in persian(manager, f"{base}/payments")
    reported = persian(member, f"/boxes/{box.id}/reported-payments")
    assert re.search('id="paid_on"[^>]*value="۱۴۰۵/[۰-۹]{2}/[۰-۹]{2}"', reported), reported[reported.find('id="paid_on"') - 300:][:600]


def test_a_shared_winning_share_writes_its_parts_in_persian_digits(user_client):
    manager = user_client("boss@example.com", "رئیس")
    box = cb.create_cashbox(manager.user, "صندوق", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    r = first_round(box)
    reza, maryam = (cb.add_member(manager.user, box.id, name) for name in ("رضا", "مریم"))
    cb.set_holders(manager.user, box.id, r.id, 1, [(reza.id, "1/2"), (maryam.id, "1/2")])
    cb.set_holders(manager.user, box.id, r.id, 2, [(cb.add_member(manager.user, box.id, "علی").id, "1")])
    cb.start_round(manager.user, box.id, r.id)
    cb.draw(manager.user, box.id, 1, "پیش از پرداخت کامل")
    assert "(۱/۲)" in persian(manager, f"/cashbox/{box.id}")
    assert "(۱/۲)" in persian(manager, f"/cashbox/{box.id}/rounds/{r.id}/periods/1/draw")
    assert '(<bdi dir="ltr">۱/۲</bdi>)' in persian(manager, f"/cashbox/{box.id}/rounds/{r.id}/setup")


def test_lists_of_names_and_numbers_are_separated_the_persian_way(persian_box):
    """A list in a Persian sentence (the shares not yet held, who still owes before a held payout,
    the shares a draw chose among) takes the Persian comma, not the Latin one."""
    manager = persian_box["manager"]
    box = cb.create_cashbox(manager.user, "صندوق دوم", "IRR", "1000000", 3, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian", winner_policy="hold")
    r = first_round(box)
    reza, maryam = (cb.add_member(manager.user, box.id, name) for name in ("رضا", "مریم"))
    cb.set_holders(manager.user, box.id, r.id, 1, [(reza.id, "1/2"), (maryam.id, "1/2")])
    with writing_in("fa"), pytest.raises(ValidationError) as unheld:
        cb.start_round(manager.user, box.id, r.id)
    assert "۲، ۳" in unheld.value.message, unheld.value.message
    db.session.rollback()
    for number in (2, 3):
        cb.set_holders(manager.user, box.id, r.id, number, [(cb.add_member(manager.user, box.id, f"عضو {number}").id, "1")])
    cb.start_round(manager.user, box.id, r.id)
    assert cb.draw(manager.user, box.id, 1, "پیش از پرداخت کامل").payout_status == "held"
    with writing_in("fa"), pytest.raises(ValidationError) as owing:
        cb.release_payout(manager.user, box.id, 1)
    assert "\u2068رضا\u2069، \u2068مریم\u2069" in owing.value.message, owing.value.message  # names set apart (issue 15)
    db.session.rollback()
    shown = persian_box["box"]
    cb.draw(manager.user, shown.id, 1, "پیش از پرداخت کامل")
    assert "۱، ۲، ۳" in persian(manager, f"/cashbox/{shown.id}/rounds/{first_round(shown).id}/periods/1/draw")


def test_the_pages_lists_take_the_persian_comma(user_client):
    """Seen walking a Persian cashbox: the draft's due dates, a member's shares in the grid, the
    holders of a share once the round runs and the payouts still owed were written "۱:۱/۲, ۲"."""
    manager = user_client("boss@example.com", "رئیس")
    box = cb.create_cashbox(manager.user, "صندوق", "IRR", "1000000", 4, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    r = first_round(box)
    assert "۱۰ آذر ۱۴۰۵، ۱۰ دی ۱۴۰۵، ۱۰ بهمن ۱۴۰۵" in persian(manager, f"/cashbox/{box.id}/setup")
    reza, maryam, ali = (cb.add_member(manager.user, box.id, name) for name in ("رضا", "مریم", "علی"))
    cb.set_holders(manager.user, box.id, r.id, 1, [(reza.id, "1/2"), (maryam.id, "1/2")])
    cb.set_holders(manager.user, box.id, r.id, 2, [(reza.id, "1")])
    cb.set_holders(manager.user, box.id, r.id, 3, [(ali.id, "1")])
    cb.set_holders(manager.user, box.id, r.id, 4, [(ali.id, "1")])
    cb.start_round(manager.user, box.id, r.id)
    assert '(<bdi dir="ltr">۱/۲</bdi>)، <bdi>مریم</bdi>' in persian(manager, f"/cashbox/{box.id}/rounds/{r.id}/setup")
    cb.draw(manager.user, box.id, 1, "پیش از پرداخت کامل")  # nothing collected: both halves are owed, net
    dashboard = persian(manager, f"/cashbox/{box.id}")
    assert "سهم ۱:۱/۲، ۲" in dashboard
    owed = re.search('id="payouts-owed">(.*?)</div>', dashboard, re.S).group(1)
    assert "ریال، <bdi>" in owed and ", " not in owed, owed


def test_a_draft_round_setup_page_reads_in_persian(user_client):
    manager = user_client("boss@example.com", "رئیس")
    box = cb.create_cashbox(manager.user, "صندوق تازه", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    persian(manager, f"/cashbox/{box.id}/setup")
    persian(manager, f"/cashbox/{box.id}")
    fill_shares(manager.user, box, ["رضا"])
    setup = persian(manager, f"/cashbox/{box.id}/setup")  # its examples of a split share in the box's digits
    assert '<bdi dir="ltr">۱/۲ + ۱/۲</bdi>' in setup and 'placeholder="۱/۲"' in setup
    ali = cb.add_member(manager.user, box.id, "علی")
    cb.set_holders(manager.user, box.id, first_round(box).id, 2, [(ali.id, "1/2")])
    assert '<bdi dir="ltr">۱/۲</bdi> واگذارشده' in persian(manager, f"/cashbox/{box.id}/setup"), "half a share held"
    english = manager.get(f"/cashbox/{box.id}/setup", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'e.g. <bdi dir="ltr">1/2 + 1/2</bdi> or <bdi dir="ltr">1/3 + 2/3</bdi>) before' in english


def test_the_boxs_money_is_named_in_persian(persian_box):
    """Where a box is introduced (its pages' head, the home page, my money) its money is named as its
    amounts are, ریال, not by the ISO code IRR."""
    manager, box = persian_box["manager"], persian_box["box"]
    head = re.search('id="box-facts">([^<]*)<', persian(manager, f"/cashbox/{box.id}")).group(1)
    assert "ریال" in head and "IRR" not in head, head
    for url in ("/", "/my-money"):
        html = manager.get(url, headers=FA).get_data(as_text=True)
        assert "· ریال<" in html and "IRR" not in html, url
    # The help of an amount on the payment and set-up forms names it as the page does
    assert "به ریال؛ بخشی یا کامل" in persian(manager, f"/cashbox/{box.id}")
    setup = persian(manager, f"/cashbox/{box.id}/setup")
    assert "مبلغی به ریال، یا درصد" in setup and "IRR" not in setup


def test_a_name_typed_with_arabic_letters_finds_the_persian_one(persian_box):
    """Keyboards differ: مريم typed with the Arabic ي is the box's مریم, in the picker and on the payment."""
    box, manager = persian_box["box"], persian_box["manager"]
    assert "مریم" in manager.get(f"/cashbox/{box.id}/names?q=مري", headers=FA).get_data(as_text=True)
    done = manager.post(f"/cashbox/{box.id}/payments", headers=FA, follow_redirects=True,
                        data={"member": "مريم", "amount": "۱٬۰۰۰٬۰۰۰", "method": "cash"}).get_data(as_text=True)
    assert "پرداخت <bdi>مریم</bdi> ثبت شد." in done, re.findall('invalid-feedback[^<]*<[^<]*', done)


def test_flashes_and_confirm_steps_speak_persian(persian_box):
    box, manager, others = persian_box["box"], persian_box["manager"], persian_box["others"]
    done = manager.post(f"/cashbox/{box.id}/payments", data={"member": "مریم", "amount": "1000000", "method": "cash"},
                        headers=FA, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "ثبت شد" in page and not english_left(page)
    wrong = manager.post(f"/cashbox/{box.id}/payments", data={"member": "مریم", "amount": "-5", "method": "bank"},
                         headers=FA)
    assert not english_left(wrong.get_data(as_text=True))
    ask = manager.post(f"/cashbox/{box.id}/draw", data={"period": "1", "override_reason": "لازم است"}, headers=FA)
    page = ask.get_data(as_text=True)
    assert "قرعه دوره" in page and not english_left(page), english_left(page)


def test_service_errors_speak_persian_on_the_page_and_in_the_api(persian_box, api_token, client):
    box, manager = persian_box["box"], persian_box["manager"]
    page = manager.post(f"/cashbox/{box.id}/draw", data={"period": "2", "override_reason": "لازم است"},
                        headers=FA, follow_redirects=True).get_data(as_text=True)
    assert "نخست قرعه دوره ۱ را بکشید." in page and not english_left(page), english_left(page)
    headers = {**api_token(manager.user), **FA}
    answer = client.post(f"/api/v1/cashboxes/{box.id}/draws", json={"period": 2, "override_reason": "لازم است"},
                         headers=headers)
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "validation_error"  # codes stay English
    assert error["message"] == error["fields"]["period"] == "نخست قرعه دوره ۱ را بکشید."
    answer = client.post(f"/api/v1/cashboxes/{box.id}/payments", headers=headers,
                         json={"membership_id": persian_box["joined"].id, "amount": "999000000"})
    message = answer.get_json()["error"]["message"]
    assert answer.status_code == 422 and message.startswith("این مبلغ بیشتر از بدهی سارا") and "۳٬۰۰۰٬۰۰۰" in message
    english = client.post(f"/api/v1/cashboxes/{box.id}/draws", json={"period": 2, "override_reason": "x"},
                          headers=api_token(manager.user))
    assert english.get_json()["error"]["message"] == "Draw period 1 first."


def test_ledger_memos_speak_the_box_language(box_sets_language, persian_box):
    """What the ledger says of each entry (on receipts, statements and pages) is Persian in a Persian
    box, with its digits; names and references stay as typed."""
    box, manager, others = persian_box["box"], persian_box["manager"], persian_box["others"]
    payment = cb.record_payment(manager.user, box.id, persian_box["joined"].id, "1000000", method="cash")
    cb.reverse_payment(manager.user, box.id, payment.id, "اشتباه ثبت شد")
    _draw_first(persian_box)
    memos = box_memos(box.id)
    assert memos[:3] == ["قسط رضا، دور ۱ (واریز بانکی TX-12)", "قسط سارا، دور ۱ (نقدی)",
                         "پرداخت برگشت خورد: اشتباه ثبت شد"], memos
    payout = next(m for m in memos if m.startswith("پرداخت به سهم "))
    assert payout.endswith("، دور ۱، دوره ۱") and not latin_words(payout), memos
    netted = db.session.scalars(select(Payment.reference).filter_by(method="netted")).all()  # when the winner owed
    assert all(r == "از دریافتی دوره ۱" for r in netted), netted
    receipt = db.session.scalar(select(OutboxMessage.body).filter_by(recipient="sara@example.com")
                                .where(OutboxMessage.body.contains("قسط سارا")))
    assert receipt is not None and not latin_words(receipt.split("http")[0]), receipt
    with writing_in("fa"):  # as the monthly statements job writes to a Persian reader
        statement = cb.member_statement(box, others[0], date(2026, 1, 1), date(2030, 1, 1))
        text = pdf_text(render_pdf("statements/cashbox_member.html", box=box, statement=statement, member=others[0]))
    assert "قسط رضا" in text or "اضر طسق" in text, text
    assert not latin_words(text.replace("TX-12", "").replace("Hamyan", "")), text
    assert "دریافتی" in text and "وام" not in text, text  # a cashbox pays out: its statement spoke of loans received


def test_the_setup_forms_show_persian_digits_and_sent_back_unchanged_save_the_same(user_client):
    """A draft round's forms show their numbers in Persian digits (contribution, shares, days, grace days,
    a percent fine, a share's parts, the winning order) and, each sent back as shown, change nothing."""
    manager = user_client("boss@example.com", "رئیس")
    box = cb.create_cashbox(manager.user, "صندوق تازه", "IRR", "1250000", 3, "days", "2027-01-10", "predefined",
                            period_days=12, timezone="Asia/Tehran", locale="fa_IR", calendar="persian",
                            grace_days=4, fine_kind="percent", fine_value="2.5")
    r = first_round(box)
    sara, reza = fill_shares(manager.user, box, ["سارا", "رضا"])
    cb.set_holders(manager.user, box.id, r.id, 3, [(sara.id, "1/3"), (reza.id, "2/3")])
    cb.set_order(manager.user, box.id, r.id, [3, 1, 2])

    def state():
        db.session.expire_all()
        shares = {s.number: sorted((h.membership_id, str(h.fraction)) for h in s.holdings) for s in r.shares}
        return (r.contribution, r.share_count, r.period_kind, r.period_days, r.first_due,
                cb.rules_text(db.session.get(Cashbox, box.id), box.currency),
                [s.number for s in sorted(r.shares, key=lambda s: s.draw_position)], shares)

    before = state()
    setup = persian(manager, f"/cashbox/{box.id}/setup")
    shown = {name: form_sent(setup, name)[name] for name in ("contribution", "share_count", "period_days", "grace_days",
                                                              "fine_value", "order", "s3-fraction_0", "s3-fraction_1")}
    assert shown == {"contribution": "۱۲۵۰۰۰۰", "share_count": "۳", "period_days": "۱۲", "grace_days": "۴",
                     "fine_value": "۲.۵", "order": "۳، ۱، ۲", "s3-fraction_0": "۱/۳", "s3-fraction_1": "۲/۳"}, shown
    for field in ("contribution", "grace_days", "order", "s3-fraction_0"):
        response = manager.post(f"/cashbox/{box.id}/setup", data=form_sent(setup, field), headers=FA)
        assert response.status_code == 302, (field, english_left(response.get_data(as_text=True)))
    assert state() == before
