"""Aptbox in Persian: every page of a Persian building right to left with no English left, as the
board and as a resident (names, references and numbers set apart as values)."""
import json
import re
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.reports import unit_statement_pdf
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from tests.aptbox.conftest import insert_units
from tests.aptbox.test_paged_lists import insert_transfers
from tests.conftest import login
from tests.i18n import box_memos, english_left, form_sent, latin_digits, latin_words, pdf_text, persian_page


@pytest.fixture
def persian_building(make_user, today, app, box_sets_language):
    """A Jalali building with units, a plan, an issued month, a payment, an expense, a notice and a poll."""
    board = make_user("board@example.com", "مدیر")
    box = services.create_building(board, "برج یاس", "IRR", "UTC", "fa_IR", "persian", late_fee_kind="fixed",
                                   late_fee_value="50000")
    units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 95, 3, 1, True), (3, 2, 60, 0, 0, False)])
    services.update_unit(board, box.id, units[0].id, number="1", floor="0", area="80", occupants="2", parking="1",
                         occupied=True, owner_name="رضا", resident_name="سارا")
    services.add_component(board, box.id, name="نظافت", amount="4000000", basis="area")
    services.issue_month(board, box.id, services.next_month(box))  # the explanations are kept in the building's words
    make_user("res@example.com", "سارا")
    services.add_person(board, box.id, units[0].id, "سارا", "res@example.com", "resident")
    services.record_payment(board, box.id, units[1].id, "1000000", reference="REF-77", payer="علی", key="k1")
    services.add_expense(board, box.id, "500000", "cleaning", vendor="شرکت پاکان")
    services.announce(board, box.id, "جلسه", "جلسه‌ی ساختمان جمعه است.")
    services.create_poll(board, box.id, "رنگ نما؟", "سفید\nکرم", closes_on="1405/01/10")
    return box, board, units


def pages(box, units):
    base = f"/buildings/{box.id}"
    return (base, f"{base}/units", f"{base}/units?q=هیچ", f"{base}/units/{units[0].id}", f"{base}/units/{units[2].id}",
            f"{base}/expenses", f"{base}/reports", f"{base}/notices", f"{base}/charges/all")
    # /payments and /late-fees are core's listings (web/listing.py, dues/lists.py): reported to core's owner.


def test_the_boards_pages_read_in_persian(persian_building, app):
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    base = f"/buildings/{box.id}"
    for url in pages(box, units) + (f"{base}/charges", f"{base}/units/import", f"{base}/collect", "/buildings/new"):
        persian_page(client, url)


def test_the_boards_counts_and_numbers_are_in_persian_digits(persian_building, app):
    """Counts, areas, floors, a poll's quorum and a list's record numbers are written in Persian digits
    (a unit's number stays as typed); a reference reads left to right; the collect sheet is Persian."""
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    base = f"/buildings/{box.id}"
    overview = persian_page(client, base)
    assert "۳ واحد؛" in overview and "۰ واحد معوق" in overview
    assert "حداکثر ۵ مگابایت" in persian_page(client, f"{base}/expenses")
    notices = persian_page(client, f"{base}/notices")
    assert "حد نصاب ۵۰٪" in notices and "۰ واحد رأی داده‌اند" in notices
    assert ">۹۵</td>" in persian_page(client, f"{base}/units")  # the area of unit 2
    assert ">۸۰ متر مربع<" in persian_page(client, f"{base}/units/{units[0].id}")
    payments = persian_page(client, f"{base}/payments")
    assert '<bdi translate="no">REF-77</bdi>' in payments and re.search('data-label="سند">[۰-۹]', payments)
    assert not re.search('data-label="(شماره|سند)">[0-9]', payments)
    assert "شمارهٔ پیگیری بانک (یکی برای همه)" in persian_page(client, f"{base}/collect")
    reports = persian_page(client, f"{base}/reports")
    assert not latin_digits(reports), latin_digits(reports)  # the charts' months and amounts too
    charges = persian_page(client, f"{base}/charges")  # the help texts' examples are in Persian digits too
    assert "یک ماه شمسی، مثلاً ۱۴۰۴-۰۹." in charges and "مثلاً ۰=۰.۵ (" in charges and "مثلاً ۱۰۰۰:" in charges
    assert "مثلاً ۱۴۰۴-۰۹)" in charges  # the month's label
    assert "شمسی (۱۴۰۴-۰۹-۱۵)" in persian_page(client, f"{base}/units/{units[0].id}")
    assert "درصدی مثل ۲" in persian_page(client, "/buildings/new")
    wrong = client.post("/buildings/new", data={"name": "برج", "due_day": "۳۲", "grace_days": "-1", "vacancy_discount": "۱۵۰"},
                        headers={"Accept-Language": "fa-IR,fa;q=0.9"}).get_data(as_text=True)
    assert "از ۱ تا ۲۹" in wrong and not latin_digits(wrong), latin_digits(wrong)  # an error's bounds


def test_a_mixed_split_and_days_late_are_in_persian_digits(persian_building, app, today):
    """A component split by a mix says its percents in Persian digits, and a late unit its days late."""
    box, board, units = persian_building
    services.add_component(board, box.id, name="سرایدار", amount="1000000", basis="mix", mix="area=60, occupants=40")
    client = login(app.test_client(), "board@example.com")
    charges = persian_page(client, f"/buildings/{box.id}/charges")
    assert "۶۰٪ بر اساس متراژ + ۴۰٪ بر اساس تعداد ساکنان" in charges, latin_digits(charges)
    today(date(2026, 6, 1))
    unit = persian_page(client, f"/buildings/{box.id}/units/{units[0].id}")
    assert re.search("معوق، [۰-۹]+ روز", unit) and not re.search("معوق، [0-9]", unit), unit


def _input(html: str, name: str) -> str:
    return re.search(f'<input[^>]*name="{name}"[^>]*>', html).group(0)


def test_the_boards_forms_offer_and_answer_in_persian_digits(persian_building, app, today):
    """The dates and months a form offers are Jalali in Persian digits with an example (as the
    cashbox's are), and what a form says back counts in Persian digits."""
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    base, fa = f"/buildings/{box.id}", {"Accept-Language": "fa-IR,fa;q=0.9"}
    for url, name in ((f"{base}/units/{units[0].id}", "paid_on"), (f"{base}/expenses", "spent_on"),
                      (f"{base}/expenses", "moved_on"), (f"{base}/notices", "closes_on")):
        tag = _input(persian_page(client, url), name)
        assert re.search('value="[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}"', tag) and 'placeholder="۱۴۰۵/۰۹/۱۱"' in tag, (url, tag)
    charges = persian_page(client, f"{base}/charges")
    for name in ("month", "first_month"):
        assert re.search('value="[۰-۹]{4}-[۰-۹]{2}"', _input(charges, name)), _input(charges, name)
    wrong = client.post(f"{base}/units/{units[0].id}", headers=fa, data={
        "which": "payment", "amount": "سه میلیون", "paid_on": "۱۴۰۴/۱۲/۰۹"}).get_data(as_text=True)
    said = re.search("عددی با رقم وارد کنید[^<]*", wrong).group(0)  # its examples in the page's digits
    assert "مثلاً ۱۲۵۰ یا" in said and not re.search("[0-9]", said), said
    spent = client.post(f"{base}/expenses", headers=fa, follow_redirects=True, data={
        "which": "expense", "amount": "۲۵۰٬۰۰۰", "spent_on": "۱۴۰۴/۱۲/۰۹", "category": "repairs", "fund": "operating",
        "vendor": "آسانسور پارس", "note": "تعمیر درب",
        "decision": "صورت‌جلسه هیئت مدیره"}).get_data(as_text=True)  # back-dated before the fund held it
    assert "هزینه ثبت شد." in spent and "۹ اسفند ۱۴۰۴" in spent
    made = client.post(f"{base}/charges", headers=fa, follow_redirects=True, data={
        "which": "assessment", "title": "نقاشی نما", "total": "۶۰۰٬۰۰۰", "basis": "area", "mix": "",
        "installments": "۳", "first_month": "۱۴۰۵-۰۱"}).get_data(as_text=True)
    assert "در ۳ قسط شارژ شد." in made, made
    today(date(2026, 6, 1))
    asked = client.post(f"{base}/late-fees", headers=fa).get_data(as_text=True)
    charged = client.post(f"{base}/late-fees", headers=fa, data={"confirmed": "1"}, follow_redirects=True)
    for html in (asked, charged.get_data(as_text=True)):
        assert re.search("[۰-۹]+ جریمه دیرکرد", html) and not re.search("[0-9]+ جریمه دیرکرد", html), html
    services.issue_month(board, box.id, "1405-04")  # units owing now and at their next charge (Tir)
    collect = persian_page(client, f"{base}/collect")
    assert re.search("[۰-۹٬]+\xa0ریال از آن سررسید شده است.", collect), collect
    amounts = re.findall(r'name="amount-[0-9]+" id="[^"]*" value="([^"]+)"', collect)  # with ٬, not "," (issue 15)
    assert amounts and all(re.fullmatch("[۰-۹]{1,3}(٬[۰-۹]{3})*", a) for a in amounts), amounts


def test_a_residents_pages_read_in_persian(persian_building, app):
    box, board, units = persian_building
    client = login(app.test_client(), "res@example.com")
    for url in pages(box, units)[:4] + pages(box, units)[5:]:
        persian_page(client, url)


def test_the_csv_headers_read_in_persian_in_the_same_order(persian_building, app):
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    fa = {"Accept-Language": "fa-IR,fa;q=0.9"}
    expenses = client.get(f"/buildings/{box.id}/export/expenses.csv", headers=fa).get_data(as_text=True)
    assert expenses.lstrip("\ufeff").splitlines()[0] == "تاریخ,صندوق,دسته,فروشنده,مبلغ,وضعیت,یادداشت,مصوبه"
    board.language = "en"  # who chose English reads English headers in the same building
    db.session.commit()
    english = client.get(f"/buildings/{box.id}/export/charges.csv").get_data(as_text=True)
    assert english.lstrip("\ufeff").splitlines()[0] == "due,charge,unit,amount,owner_part"


def test_service_errors_speak_persian_on_the_page_and_in_the_api(persian_building, app, api_token):
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    fa = {"Accept-Language": "fa-IR,fa;q=0.9"}
    poll = services.polls(box.id)[0][0]
    client.post(f"/buildings/{box.id}/polls/{poll.id}/close", headers=fa)
    again = client.post(f"/buildings/{box.id}/polls/{poll.id}/close", headers=fa)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "این نظرسنجی پیش‌تر بسته شده است." in page
    assert not english_left(page), english_left(page)
    api = app.test_client()
    answer = api.post(f"/api/v1/buildings/{box.id}/expenses", headers={**api_token(board), **fa},
                      json={"amount": "999000000", "category": "repairs"})
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "validation_error"
    assert error["fields"]["decision"].startswith("با این کار موجودی صندوق جاری زیر صفر می‌رود (موجودی: ")
    assert re.search("[۰-۹]", error["message"]) and not re.search("[0-9]", error["message"]), error


def test_ledger_memos_speak_the_buildings_language(box_sets_language, persian_building, today):
    """Every entry's memo (a unit's payment and its reversal, an expense, a transfer between funds, a
    late fee and its waiver) is Persian with its digits, and so is a unit's statement PDF; names,
    references and reasons stay as typed."""
    box, board, units = persian_building
    payment = services.record_payment(board, box.id, units[0].id, "200000", reference="REF-9", key="k2", part="owner")
    services.reverse_payment(board, box.id, payment.id, "دو بار ثبت شد")
    services.transfer(board, box.id, "100000", "operating", "reserve", key="t1")
    today(date(2026, 9, 1))
    assert services.assess_late_fees(board, box.id)
    fee = db.session.scalars(select(LateCharge).filter_by(box_id=box.id).order_by(LateCharge.id)).first()
    services.waive_late_fee(board, box.id, fee.subject_id, fee.reference, "بخشیده شد")
    memos = box_memos(box.id)
    for said in ("واحد 2: پرداخت با شمارهٔ پیگیری REF-77", "نظافت: شرکت پاکان",
                 "واحد 1: پرداخت سهم مالک با شمارهٔ پیگیری REF-9", "پرداخت واحد برگشت خورد: دو بار ثبت شد",
                 "از صندوق جاری به صندوق ذخیره", "جریمهٔ دیرکرد بخشوده شد: بخشیده شد"):
        assert said in memos, (said, memos)
    late_fee = next(m for m in memos if m.startswith("جریمهٔ دیرکرد: "))
    assert re.search("[۰-۹]", late_fee) and late_fee.endswith("ریال پرداخت‌نشده)"), late_fee
    assert not [m for m in memos if latin_words(m.replace("REF-", ""))], memos
    with force_locale("fa"):  # as a Persian reader's page or message writes it
        text = pdf_text(unit_statement_pdf(box, units[0], date(2026, 1, 1), date(2026, 12, 31)))
    assert "پرداخت واحد برگشت خورد: دو بار ثبت شد" in text, text
    assert not latin_words(text.replace("REF-", "").replace("Hamyan", "")), text
    assert "۸۰ متر مربع" in text or "۰۸ متر مربع" in text, text  # the unit's area in Persian digits (was Latin)


def test_charges_are_titled_in_the_buildings_language(persian_building):
    """A month's charges and an assessment's installments keep their title, memo and explanations in the
    building's words whatever page issues them (they were written in the issuing page's language): Persian
    digits, or Latin ones when the building chose them."""
    from hamyan.blueprints.aptbox.models import Charge, ChargeRun
    from hamyan.ledger.models import Entry

    box, board, units = persian_building
    with force_locale("en"):  # a board member reading English issues the building's records
        month = services.issue_month(board, box.id, services.next_month(box))
        services.create_assessment(board, box.id, "آسانسور", "900000", "equal", installments=2)
    assert re.fullmatch("شارژ [^ ]+ [۰-۹]{4}", month.title), month.title
    assert db.session.get(Entry, month.entry_id).memo == month.title
    installments = db.session.scalars(select(ChargeRun).where(
        ChargeRun.box_id == box.id, ChargeRun.assessment_id.is_not(None)).order_by(ChargeRun.id)).all()
    assert [run.title for run in installments] == ["آسانسور (۱/۲)", "آسانسور (۲/۲)"]
    runs = [month.id] + [run.id for run in installments]
    lines = [line for d in db.session.scalars(select(Charge.detail).where(Charge.run_id.in_(runs))) for line in json.loads(d)]
    assert lines[-1]["why"].endswith("؛ قسط ۲ از ۲"), lines
    assert not [line for line in lines if latin_words(line["why"] + line["basis"])], lines
    assert not [line for line in lines if re.search("[0-9]", line["why"])], lines  # figures too (were Latin)
    box.latin_digits = True
    db.session.commit()
    with force_locale("en"):
        later = services.issue_month(board, box.id, services.next_month(box))
    assert re.fullmatch("شارژ [^ ]+ 14[0-9]{2}", later.title), later.title


def test_the_demo_building_is_written_in_persian(demo_users):
    """`flask demo seed` writes the Persian building's records in Persian: each month's charge title and
    each unit's explanation of its charge (names and numbers aside)."""
    from hamyan.blueprints.aptbox import demo
    from hamyan.blueprints.aptbox.models import Charge, ChargeRun
    from hamyan.boxes.models import Box

    box = db.session.scalar(select(Box).filter_by(kind="aptbox", name=demo.NAME))
    titles = db.session.scalars(select(ChargeRun.title).filter_by(box_id=box.id)).all()
    assert titles and not [t for t in titles if latin_words(t) or re.search("[0-9]", t)], titles
    assert "تعمیر اساسی آسانسور (۱/۳)" in titles  # an assessment's installments
    said = [line[part] for detail in db.session.scalars(select(Charge.detail).filter_by(box_id=box.id))
            for line in json.loads(detail) for part in ("basis", "why")]
    assert said and not [s for s in said if latin_words(s.replace("m²", ""))], said[:2]


def test_the_transfers_pager_reads_in_persian(persian_building, app):
    box, board, units = persian_building
    insert_transfers(box, board, 60, note="جابه‌جایی")
    client = login(app.test_client(), "board@example.com")
    page = persian_page(client, f"/buildings/{box.id}/expenses?transfers=۲")
    assert 'aria-label="صفحه‌های جابه‌جایی‌ها"' in page and re.search(r'aria-current="page">۲<', page)
    assert re.search(r'>۱</a>', page)


def test_issuing_a_month_asks_in_persian_digits_and_months(persian_building, app):
    """The confirm step of issuing a month counts the units in Persian digits and names the month
    (typed in Latin or Persian digits) as the building's pages do."""
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    for typed in ("1405-03", "۱۴۰۵/۰۳"):
        asked = client.post(f"/buildings/{box.id}/charges", headers={"Accept-Language": "fa-IR,fa;q=0.9"},
                            data={"which": "issue", "month": typed}).get_data(as_text=True)
        assert "از ۳ واحد" in asked and "شارژهای خرداد ۱۴۰۵ صادر شود؟" in asked, asked
        assert not latin_digits(asked), latin_digits(asked)
    thirteenth = client.post(f"/buildings/{box.id}/charges", headers={"Accept-Language": "fa-IR,fa;q=0.9"},
                             data={"which": "issue", "month": "۱۴۰۵-۱۳"}).get_data(as_text=True)
    assert "چنین ماهی نیست." in thirteenth and "۲۰ سال" not in thirteenth  # not "within 20 years" (issue 15)


def test_the_rules_and_a_unit_show_persian_digits_and_sent_back_unchanged_save_the_same(persian_building, app):
    """The building's rules (days, a late fee, a discount, floor factors, rounding) and a unit's figures
    (floor, area, occupants, parking) are shown in Persian digits and, each form sent back as shown,
    saved as they were."""
    from hamyan.blueprints.aptbox.models import Building, Unit

    box, board, units = persian_building
    services.update_rules(board, box.id, due_day="3", grace_days="7", vacancy_discount="12.5",
                          floor_factors="0=0.5, 3=1.25", round_to="1000")
    services.update_unit(board, box.id, units[1].id, number="2", floor="1", area="95.5", occupants="3", parking="2",
                         occupied=True, owner_name="", resident_name="")
    client = login(app.test_client(), "board@example.com")
    base = f"/buildings/{box.id}"

    def saved():
        db.session.expire_all()
        building, unit = db.session.get(Building, box.id), db.session.get(Unit, units[1].id)
        return ([getattr(building, name) for name in ("due_day", "grace_days", "late_fee_kind", "late_fee_value",
                                                      "vacancy_discount", "floor_factors", "round_to")],
                [getattr(unit, name) for name in ("number", "floor", "area", "occupants", "parking", "occupied")])

    before = saved()
    charges = persian_page(client, f"{base}/charges")
    rules = form_sent(charges, "floor_factors")
    assert [rules[name] for name in ("due_day", "grace_days", "late_fee_value", "vacancy_discount", "floor_factors",
                                     "round_to")] == ["۳", "۷", "۵۰۰۰۰", "۱۲.۵۰", "۰=۰.۵, ۳=۱.۲۵", "۱۰۰۰"], rules
    unit_page = persian_page(client, f"{base}/units/{units[1].id}")
    figures = form_sent(unit_page, "area")
    assert [figures[name] for name in ("floor", "area", "occupants", "parking")] == ["۱", "۹۵.۵۰", "۳", "۲"], figures
    for url, sent in ((f"{base}/charges", rules), (f"{base}/units/{units[1].id}", figures)):
        response = client.post(url, data=sent, headers={"Accept-Language": "fa"})
        assert response.status_code == 302, (url, english_left(response.get_data(as_text=True)))
    assert saved() == before
