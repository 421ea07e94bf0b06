"""ROSCA pages in Persian: every page right to left with no English left (names set apart as values),
for the manager and a member, before the round and during it."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import RoscaPayment
from hamyan.blueprints.rosca.reports import member_statement_pdf
from hamyan.extensions import db
from hamyan.i18n import writing_in
from tests.i18n import box_memos, english_left, form_sent, latin_digits, latin_words, pdf_text

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}
from tests.rosca.helpers import rosca_of, utc_today

PAGES = ("", "/pricing", "/seats", "/periods", "/market", "/market?earlier=2&later=3", "/mine", "/payments", "/fines")


@pytest.fixture
def persian_round(user_client):
    """A Persian round of three seats: the manager, a member who signs in (سارا) and one who does not."""
    manager = user_client("boss@example.com", "مدیر")
    member = user_client("sara@example.com", "سارا")
    box = rs.create_rosca(manager.user, "دورهمی دوستان", "IRR", 3, "1000000", "monthly", utc_today() - timedelta(days=1),
                          rate="2", fee="1", deposit="100000", late_fee_kind="fixed", late_fee_value="50000")
    sara = rs.add_member(manager.user, box.id, "سارا", "sara@example.com")
    reza = rs.add_member(manager.user, box.id, "Reza Ahmadi")
    rs.assign_seat(manager.user, box.id, 1, [(sara.id, "1/2"), (reza.id, "1/2")])
    rs.assign_seat(manager.user, box.id, 2, [(reza.id, "1")])
    return manager, member, box, (sara, reza)


def _walk(client, box):
    for page in PAGES:
        response = client.get(f"/rosca/{box.id}{page}", headers=FA)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html, page
        assert not english_left(html), (page, english_left(html))
        assert not latin_digits(html), (page, latin_digits(html))


def test_pages_read_in_persian_before_and_during_the_round(persian_round):
    manager, member, box, (sara, reza) = persian_round
    _walk(manager, box)
    _walk(member, box)
    rs.assign_seat(manager.user, box.id, 3, [(sara.id, "1")])
    for membership_id, due in rs.deposit_due(rosca_of(box)).items():
        rs.record_deposit(manager.user, box.id, membership_id, str(due))
    rs.start(manager.user, box.id)
    rs.record_payment(manager.user, box.id, sara.id, "1000000")
    _walk(manager, box)
    _walk(member, box)
    rs.request_swap(manager.user, box.id, 2, 3)
    _walk(manager, box)
    _walk(member, box)
    page = manager.get(f"/rosca/{box.id}", headers=FA).get_data(as_text=True)
    assert "جایگاه" in page and "<bdi>Reza Ahmadi</bdi>" in page


def test_a_split_seats_parts_are_in_persian_digits(persian_round):
    """Half a seat reads ۱/۲ on a Persian page (still left to right), as the cashbox writes its shares' parts."""
    manager, member, box, _ = persian_round
    for client, page in ((manager, ""), (manager, "/seats"), (member, "/mine")):
        html = client.get(f"/rosca/{box.id}{page}", headers=FA).get_data(as_text=True)
        assert "۱/۲" in html and "1/2" not in html, (page, re.findall(".{60}1/2.{20}", html))


def test_a_statement_is_made_for_the_days_its_form_shows(persian_round):
    """Seen walking the Persian demo ROSCA: 'My statement (PDF)' sent the form's Jalali days
    (۱۴۰۵/۰۶/۱۳), which the statement read as ISO dates only, so every statement asked for from a
    Persian page was refused ("choose both days"). A wrong day now comes back on its field."""
    manager, member, box, (sara, reza) = persian_round
    mine = member.get(f"/rosca/{box.id}/mine", headers=FA).get_data(as_text=True)
    start, end = (re.search(f'id="st-{name}"[^>]*value="([^"]*)"', mine).group(1) for name in ("start", "end"))
    assert start.startswith("۱۴۰۵/"), start
    url = f"/rosca/{box.id}/statement.pdf"
    mine = member.get(url, query_string={"start": start, "end": end}, headers=FA)
    assert mine.status_code == 200 and mine.data.startswith(b"%PDF"), mine.get_data(as_text=True)[-600:]
    theirs = manager.get(url, query_string={"start": start, "end": end, "membership_id": reza.id}, headers=FA)
    assert theirs.status_code == 200 and theirs.data.startswith(b"%PDF")
    wrong = member.get(url, query_string={"start": "۱۴۰۵/۱۲/۳۰", "end": end}, headers=FA)  # 1405 is not a leap year
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and 'id="st-start"' in page and "کبیسه نیست" in page, page[-2000:]
    assert re.search('class="form-control is-invalid"[^>]*id="st-start"', page)
    wrong = manager.get(url, query_string={"start": end, "end": start, "membership_id": reza.id}, headers=FA)
    page = wrong.get_data(as_text=True)  # the dashboard's form, with the member still chosen
    assert wrong.status_code == 200 and "روز آخر پیش از روز نخست است." in page
    assert re.search('class="form-control is-invalid"[^>]*id="st-end"', page)
    assert re.search(f'<option selected translate="no" value="{reza.id}">', page)


def test_a_payment_form_error_says_its_field_once(persian_round):
    """A flashed error leads with its field's label, once: a date's error already names it."""
    manager, member, box, (sara, reza) = persian_round
    page = manager.post(f"/rosca/{box.id}/payments", headers=FA, follow_redirects=True, data={
        "membership_id": sara.id, "amount": "-۱۰۰", "method": "cash", "paid_on": "۱۴۰۵/۱۳/۴۰"}).get_data(as_text=True)
    assert "مبلغ: مبلغ باید بیشتر از صفر باشد." in page
    assert page.count("تاریخ پرداخت:") == 1 and "چنین روزی" in page, re.findall("تاریخ پرداخت:[^<]*", page)


def test_pricing_writes_its_rates_and_signed_amounts_the_persian_way(persian_round):
    """Rates in Persian digits (they were 2.00%, set apart), and a premium's plus sign before its amount
    (right to left it stood after it: ۱۲۳+)."""
    manager, member, box, _ = persian_round
    html = manager.get(f"/rosca/{box.id}/pricing", headers=FA).get_data(as_text=True)
    rates = re.findall('data-label="نرخ مؤثر هر دوره">([^<]*)<', html)
    assert rates and all(re.fullmatch("[۰-۹]+٫[۰-۹]{2}[%٪]", rate) for rate in rates), rates
    assert re.search('<bdi dir="ltr">\\+[۰-۹]', html) and not re.search("[0-9]%", html)


def test_the_new_rosca_page_reads_in_persian(user_client):
    manager = user_client("boss@example.com", "مدیر")
    html = manager.get("/rosca/new", headers=FA).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html and not english_left(html), english_left(html)
    # the Jalali calendar it offers first is the one its first due date is written in
    first_due = re.search('<input[^>]*name="first_due"[^>]*>', html).group(0)
    assert re.search('value="[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}"', first_due), first_due
    made = manager.post("/rosca/new", headers=FA, follow_redirects=True, data={
        "name": "دوره‌ای Yas", "currency": "IRR", "timezone": "Asia/Tehran", "calendar": "persian", "locale": "fa_IR",
        "seat_count": "۴", "contribution": "۱٬۰۰۰٬۰۰۰", "period_kind": "monthly", "first_due": "۱۴۰۵/۰۹/۱۱",
        "pricing": "fair", "grace_days": "0", "late_fee_kind": "none"}).get_data(as_text=True)
    # the flash sets the name apart as markup, not as the text "<bdi>"
    assert "<bdi>دوره‌ای Yas</bdi> ساخته شد" in made and "&lt;bdi&gt;" not in made, made
    box_id = int(re.search(r"/rosca/(\d+)/", made).group(1))
    added = manager.post(f"/rosca/{box_id}/members", data={"display_name": "Sara"}, headers=FA, follow_redirects=True)
    assert "<bdi>Sara</bdi>" in added.get_data(as_text=True) and "&lt;bdi&gt;" not in added.get_data(as_text=True)


def test_pricing_errors_write_their_amounts_and_counts_the_persian_way(persian_round):
    """Seen making a ROSCA on a Persian page: a linear or manual pricing's error said "IRR39,600,000"
    and "4 مبلغ", in a new box and when the manager prices again."""
    manager, member, box, _ = persian_round
    form = {"name": "دورهمی تازه", "currency": "IRR", "timezone": "Asia/Tehran", "calendar": "persian",
            "locale": "fa_IR", "seat_count": "۴", "contribution": "۱۰٬۰۰۰٬۰۰۰", "period_kind": "monthly",
            "first_due": "۱۴۰۵/۰۹/۰۵", "grace_days": "0", "late_fee_kind": "none", "fee": "1"}
    wrong = {"linear": ("lowest", "۵۰٬۰۰۰٬۰۰۰", "(۳۹٬۶۰۰٬۰۰۰\xa0ریال)"),
             "manual": ("table", "۱\n۲\n۳\n۴", "جمع دریافتی‌ها ۱۰\xa0ریال است"),
             "manual ": ("table", "۱\n۲", "۴ مبلغ")}
    for pricing, (field, value, said) in wrong.items():
        page = manager.post("/rosca/new", headers=FA, data={**form, "pricing": pricing.strip(), field: value})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and said in html and not latin_digits(html), (pricing, latin_digits(html))
        assert "IRR" not in re.search('name="%s"[^>]*>(.*?)</div>' % field, html, re.S).group(1)
    again = manager.post(f"/rosca/{box.id}/pricing", headers=FA, data={"pricing": "manual", "table": "1\n2", "fee": "0"})
    assert "۳ مبلغ" in again.get_data(as_text=True)


def test_service_errors_speak_persian_on_the_page_and_in_the_api(persian_round, api_token, client):
    manager, member, box, (sara, reza) = persian_round
    page = member.post(f"/rosca/{box.id}/seats/2/take", headers=FA, follow_redirects=True).get_data(as_text=True)
    assert "جایگاه ۲ گرفته شده است." in page and not english_left(page), english_left(page)
    answer = client.put(f"/api/v1/roscas/{box.id}/seats/3/holders", headers={**api_token(manager.user), **FA},
                        json={"holders": [{"membership_id": reza.id, "fraction": "1/2"},
                                          {"membership_id": reza.id, "fraction": "1/2"}]})
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "validation_error"
    assert error["message"] == "Reza Ahmadi دو بار در جایگاه ۳ آمده است."


def test_confirm_steps_say_what_will_happen_in_persian(persian_round):
    manager, member, box, (sara, reza) = persian_round
    def asks(url: str, said: str, **data) -> None:
        page = manager.post(url, data=data, headers=FA).get_data(as_text=True)
        assert said in page and not english_left(page), (url, english_left(page))

    rs.assign_seat(manager.user, box.id, 3, [(sara.id, "1")])
    for membership_id, due in rs.deposit_due(rosca_of(box)).items():
        rs.record_deposit(manager.user, box.id, membership_id, str(due))
    asks(f"/rosca/{box.id}/start", "دور آغاز می‌شود: ۳ جایگاه هر کدام در هر دوره ۱٬۰۰۰٬۰۰۰")
    rs.start(manager.user, box.id)
    asks(f"/rosca/{box.id}/payout", "جایگاه ۱ (", override_reason="پیش از جمع شدن همه اقساط")
    swap = rs.request_swap(manager.user, box.id, 2, 3)
    asks(f"/rosca/{box.id}/market/{swap.id}/approve", "جایگاه‌های ۲ و ۳ جابه‌جا می‌شوند")


def test_ledger_memos_speak_the_rounds_language(box_sets_language, persian_round, clock):
    """Every entry's memo (deposits, contributions and a reversal, a late fee and its waiver, a seat
    trade, a payout before all was collected) is Persian with its digits, and so is a member's
    statement PDF; names (a Latin one too), references and reasons stay as typed."""
    manager, member, box, (sara, reza) = persian_round
    rs.assign_seat(manager.user, box.id, 3, [(sara.id, "1")])
    for membership_id, due in rs.deposit_due(rosca_of(box)).items():
        rs.record_deposit(manager.user, box.id, membership_id, str(due))
    rs.start(manager.user, box.id)
    payment = rs.record_payment(manager.user, box.id, sara.id, "1000000", method="bank", reference="TX-5")
    rs.reverse_payment(manager.user, box.id, payment.id, "اشتباه بود")
    clock.set(utc_today() + timedelta(days=40))  # period 2 is late (period 1 was when the round started)
    assert rs.assess_late_fees(manager.user, box.id)
    rs.waive_late_fee(manager.user, box.id, sara.id, 2, "بار اول است")
    rs.approve_swap(manager.user, box.id, rs.request_swap(manager.user, box.id, 2, 3).id)
    rs.pay_out(manager.user, box.id, 1, override_reason="نیاز فوری")
    memos = box_memos(box.id)
    for said in ("سپردهٔ سارا", "قسط سارا (واریز بانکی TX-5)", "قسط برگشت خورد: اشتباه بود",
                 "جریمهٔ دیرکرد بخشوده شد: بار اول است"):
        assert said in memos, (said, memos)
    assert any(m.startswith("جریمهٔ دیرکرد Reza Ahmadi، دوره ۲") for m in memos), memos
    assert any(m.startswith("دریافتی جایگاه ۱ (") and m.endswith("دوره ۱؛ پیش از جمع شدن اقساط پرداخت شد: نیاز فوری")
               for m in memos), memos
    assert not [m for m in memos if latin_words(m.replace("TX-5", "").replace("Reza Ahmadi", ""))], memos
    netted = db.session.scalars(select(RoscaPayment.reference).filter_by(box_id=box.id, kind="netted")).all()
    assert netted and all(r == "از دریافتی جایگاه ۱" for r in netted), netted
    assert rs.swaps_of(box.id)[0].note.startswith("جایگاه ۲: "), rs.swaps_of(box.id)[0].note
    with writing_in("fa"):  # as the monthly statements job writes to a Persian reader
        text = pdf_text(member_statement_pdf(box, sara, utc_today() - timedelta(days=2), utc_today() + timedelta(days=60)))
    assert "جریمهٔ دیرکرد بخشوده شد: بار اول است" in text, text
    assert not latin_words(text.replace("Reza Ahmadi", "").replace("Hamyan", "")), text


def test_the_pricing_form_shows_persian_digits_and_sent_back_unchanged_saves_the_same(persian_round):
    """The rate and the operator's fee are shown in Persian digits and, sent back as shown, kept as they were."""
    manager, member, box, _ = persian_round
    rs.reprice(manager.user, box.id, "fair", rate="2.5", fee="1.25")

    def priced():
        db.session.expire_all()
        rosca = rosca_of(box)
        return rosca.pricing, rosca.rate_ppm, rosca.fee_bp

    before = priced()
    sent = form_sent(manager.get(f"/rosca/{box.id}/pricing", headers=FA).get_data(as_text=True), "rate")
    assert (sent["rate"], sent["fee"]) == ("۲.۵", "۱.۲۵"), sent
    response = manager.post(f"/rosca/{box.id}/pricing", data=sent, headers=FA)
    assert response.status_code in (200, 302) and "is-invalid" not in response.get_data(as_text=True)
    assert priced() == before
