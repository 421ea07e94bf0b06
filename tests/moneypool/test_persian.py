"""The money pool in Persian: every page right to left with no English left (names set apart as values),
for the manager and for members, in every state a loan and a saver go through; its flashes, confirm
steps, form and service errors in Persian; the API's error message in Persian under its English code."""
import re
from datetime import date

import pytest
from flask_babel import refresh
from sqlalchemy import select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.reports import member_statement_pdf
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.i18n import writing_in
from tests.conftest import login
from tests.i18n import box_memos, english_left, form_sent, latin_digits, latin_words, pdf_text
from tests.moneypool.conftest import key

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}


def persian(client, url: str, status: int = 200) -> str:
    """The page as a Persian reader gets it: right to left, nothing English."""
    response = client.get(url, headers=FA)
    html = response.get_data(as_text=True)
    assert response.status_code == status and '<html lang="fa" dir="rtl">' in html, (url, response.status_code)
    assert not english_left(html), (url, english_left(html))
    return html


@pytest.fixture
def pool(make_user, clock, box_sets_language):
    """A Persian pool (fa_IR, Jalali) with a late fee and penalties: a loan being repaid with a guarantor,
    a request, an approved loan waiting, a rejected one, a saver behind with a late fee, one who left."""
    manager = make_user("boss@example.com", "رئیس")
    box = services.create_pool(manager, "صندوق محله", "IRR", "1000000", date(2025, 1, 5), locale="fa_IR",
                               calendar="persian", my_shares=0, max_term=24, interest_method="none",
                               queue_policy="fifo", require_no_arrears=False, one_open_loan=True,
                               guarantors_required=0, late_fee="50000", penalty_percent="2", savings_multiple="")
    savers = {}
    for i, name in enumerate(("سارا", "رضا", "مریم", "علی")):
        make_user(f"m{i}@example.com", name)
        savers[name] = services.add_member(manager, box.id, name, f"m{i}@example.com", 1, date(2025, 1, 5))
    clock.today = date(2025, 3, 1)
    for name, paid in (("سارا", "2000000"), ("رضا", "2000000"), ("مریم", "1000000"), ("علی", "2000000")):
        services.record_contribution(manager, box.id, savers[name].id, paid, date(2025, 1, 5), key())
    services.assess(box.id, history=True)  # مریم's February savings are late: a late fee
    user = lambda name: savers[name].membership.user  # noqa: E731
    loan = services.request_loan(user("سارا"), box.id, "1000000", 4, key(), "تعمیر خانه", [savers["رضا"].id])
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 3, 1))
    services.repay(manager, box.id, loan.id, "250000", date(2025, 3, 1), key())
    rejected = services.request_loan(user("علی"), box.id, "300000", 2, key())
    services.reject(manager, box.id, rejected.id, "صندوق فعلاً پول ندارد")
    services.leave(manager, box.id, savers["علی"].id, date(2025, 3, 1))
    waiting = services.request_loan(user("مریم"), box.id, "2500000", 6, key())
    services.approve(manager, box.id, waiting.id)
    asked = services.request_loan(user("رضا"), box.id, "500000", 2, key())
    return dict(box=box, manager=manager, savers=savers, loan=loan, rejected=rejected, waiting=waiting, asked=asked)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_titles_say_each_crumb_and_keep_names_apart(app, pool):
    """A page's title names its breadcrumb's items apart ("وام‌ها · شماره ۱", not "وام‌هاشماره ۱") and
    keeps each name people typed (the box's, a saver's) apart with Unicode's isolates, as <bdi> does on
    the page: a title holds no markup, and a Latin name would otherwise turn the title's order."""
    box, boss = pool["box"], login(app.test_client(), "boss@example.com")
    db.session.execute(db.update(type(box)).where(type(box).id == box.id).values(name="صندوق Sara و دوستان"))
    db.session.commit()
    named = "\u2068صندوق Sara و دوستان\u2069"
    loan = persian(boss, f"/pools/{box.id}/loans/{pool['loan'].id}")
    assert title(loan) == f"وام‌ها · شماره ۱ · {named} · همیان", title(loan)
    calculator = persian(boss, f"/pools/{box.id}/loans/calculator")
    assert title(calculator) == f"وام‌ها · محاسبه‌گر وام · {named} · همیان", title(calculator)
    saver = persian(boss, f"/pools/{box.id}/members/{pool['savers']['سارا'].id}")
    assert title(saver) == f"\u2068سارا\u2069 · {named} · همیان", title(saver)
    assert title(persian(boss, f"/boxes/{box.id}/members")) == f"اعضا · {named} · همیان"


def test_a_prepaid_installment_a_loan_to_repay_and_par_read_in_persian(app, pool):
    """A prepaid installment's status, the loan a saver reports paying toward and the reports' PAR
    figures are Persian words and digits."""
    box, loan = pool["box"], pool["loan"]
    services.repay(pool["manager"], box.id, loan.id, "500000", date(2025, 3, 1), key(), mode="shorten")
    boss = login(app.test_client(), "boss@example.com")
    page = persian(boss, f"/pools/{box.id}/loans/{loan.id}")
    assert 'text-bg-info">پیش‌پرداخت<' in page, re.findall("badge[^<]*<", page)
    reports = persian(boss, f"/pools/{box.id}/reports")  # PAR 30 said in Persian words (issue 15)
    assert "معوق بیش از ۳۰ روز: " in reports and "PAR" not in reports
    sara = login(app.test_client(), "m0@example.com")
    reported = persian(sara, f"/boxes/{box.id}/reported-payments")
    assert "بازپرداخت وام شماره ۱" in reported and not latin_digits(reported), latin_digits(reported)


def test_every_page_reads_in_persian_as_manager_and_member(app, pool):
    box, savers = pool["box"], pool["savers"]
    base = f"/pools/{box.id}"
    boss = login(app.test_client(), "boss@example.com")
    loans = [f"/loans/{pool[name].id}" for name in ("loan", "rejected", "waiting", "asked")]
    members = [f"/members/{m.id}" for m in savers.values()]
    shared = ["", "/rules", "/balance-sheet", "/loans", "/loans?status=active", "/loans/calculator",
              "/loans/calculator?amount=600000&term=3", "/contributions", "/repayments", "/fines"]
    for url in shared + loans + members + ["/settings", "/members/new", "/reports", "/reports?q=سارا", "/collect", "/loans/new",
                                          "/loans/calculator?amount=600000&term=3&member=سارا"]:
        page = persian(boss, base + url)
        assert not latin_digits(page), (url, latin_digits(page))  # the forms' pre-filled numbers too
    loan_page = persian(boss, f"{base}/loans/{pool['loan'].id}")
    assert "۲۵۰٬۰۰۰" in loan_page  # the repayment, in Persian digits
    assert "پرداخت در ۱۱ اسفند ۱۴۰۳؛ سررسید اولین قسط ۱۱ فروردین ۱۴۰۴" in loan_page  # its history, from the loan's dates
    assert "در حال بازپرداخت" in persian(boss, f"{base}/loans?status=active")  # the loan's status by name
    new = persian(boss, "/pools/new")  # a pool made on a Persian page is Persian and Jalali unless changed
    assert re.search('<option selected value="persian">|<option value="persian" selected>', new) and 'value="fa_IR"' in new

    sara = login(app.test_client(), "m0@example.com")  # a borrower with a loan open: cannot ask for another
    for url in shared + [loans[0], members[0], "/loans/new"]:
        persian(sara, base + url)
    reza = login(app.test_client(), "m1@example.com")  # a guarantor, with a request of his own
    for url in ("", loans[0], loans[3], members[1], "/loans/new"):
        persian(reza, base + url)


def test_confirm_steps_flashes_and_errors_speak_persian(app, pool):
    box, loan = pool["box"], pool["loan"]
    base = f"/pools/{box.id}"
    boss = login(app.test_client(), "boss@example.com")
    steps = [boss.post(f"{base}/members/{pool['savers']['مریم'].id}", data={"which": "leave", "on": "1403/12/11"}, headers=FA),
             boss.post(f"{base}/loans/{loan.id}/write-off", data={"reason": "رفته است"}, headers=FA),
             boss.post(f"{base}/draw", headers=FA)]
    for step in steps:
        page = step.get_data(as_text=True)
        assert step.status_code == 200 and not english_left(page), english_left(page)
    assert "سوخت شود؟" in steps[1].get_data(as_text=True)

    wrong = boss.post(f"{base}/loans/{loan.id}/repay", data={"amount": "-3", "paid_on": "1403/12/11", "mode": "advance",
                                                             "key": "r1"}, headers=FA)
    assert wrong.status_code == 200 and "is-invalid" in wrong.get_data(as_text=True)
    assert not english_left(wrong.get_data(as_text=True))
    too_much = boss.post(f"{base}/loans/{loan.id}/repay", data={"amount": "90000000", "paid_on": "1403/12/11",
                                                                "mode": "advance", "key": "r2"}, headers=FA)
    page = too_much.get_data(as_text=True)
    assert "این وام را در ۱۱ اسفند ۱۴۰۳ تسویه می‌کند" in page and not english_left(page)

    done = boss.post(f"{base}/loans/{pool['asked'].id}/approve", headers=FA, follow_redirects=True)
    assert "تأیید شد." in done.get_data(as_text=True) and not english_left(done.get_data(as_text=True))


def test_a_borrower_withdraws_a_request_and_reads_it_in_persian(app, pool):
    """Withdrawing a request answered 500 (its flash was lost in a comment); now it says so, in Persian."""
    reza = login(app.test_client(), "m1@example.com")
    url = f"/pools/{pool['box'].id}/loans/{pool['asked'].id}"
    response = reza.post(f"{url}/cancel", headers=FA, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "درخواست پس گرفته شد." in page and "پس‌گرفته" in page
    assert not english_left(page)


def test_an_api_error_keeps_its_english_code_and_says_it_in_persian(app, pool, api_token):
    box, loan = pool["box"], pool["loan"]
    headers = {**api_token(pool["manager"]), **FA}
    response = app.test_client().post(f"/api/v1/pools/{box.id}/loans/{loan.id}/approve", headers=headers)
    error = response.get_json()["error"]
    assert response.status_code == 409 and error["code"] == "conflict"
    assert error["message"] == "وضعیت این وام «در حال بازپرداخت» است؛ فقط درخواست‌ها را می‌توان تأیید کرد."




def test_undo_confirm_steps_read_in_persian(app, pool):
    """The confirm steps before undoing a payment and a repayment, in Persian with Persian digits."""
    from sqlalchemy import select

    from hamyan.blueprints.moneypool.models import Contribution, Repayment
    from hamyan.extensions import db

    box, loan = pool["box"], pool["loan"]
    boss = login(app.test_client(), "boss@example.com")
    row = db.session.scalar(select(Contribution).filter_by(member_id=pool["savers"]["سارا"].id))
    repaid = db.session.scalar(select(Repayment).filter_by(loan_id=loan.id))
    for url, title, day in ((f"/pools/{box.id}/contributions/{row.id}/undo", "پرداخت <bdi>سارا</bdi> لغو شود؟", "۱۶ دی ۱۴۰۳"),
                            (f"/pools/{box.id}/loans/{loan.id}/repayments/{repaid.id}/undo",
                             "این بازپرداخت وام شماره ۱ لغو شود؟", "۱۱ اسفند ۱۴۰۳")):
        response = boss.post(url, data={"reason": "اشتباه ثبت شد"}, headers=FA)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html
        assert title in html and day in html
        assert "دلیل ثبت‌شده: «<bdi>اشتباه ثبت شد</bdi>»." in html
        assert not english_left(html), english_left(html)


def test_messages_speak_each_readers_language(app, pool):
    """A Persian member's emails about her loan and late fee, and the manager's about a request, are in
    Persian with Jalali days and Persian digits; a member who chose English reads English in the same pool."""
    from sqlalchemy import select

    from hamyan.extensions import db
    from hamyan.notify.models import OutboxMessage

    def mail(to: str) -> list[str]:
        return [f"{m.subject} | {m.body}" for m in db.session.scalars(
            select(OutboxMessage).filter_by(recipient=to, channel="email").order_by(OutboxMessage.id))]

    sara = mail("m0@example.com")
    assert any("صندوق محله: وام شماره ۱ تأیید شد" in m for m in sara), sara
    assert any("وام شماره ۱ پرداخت شد" in m and "۱۱ فروردین ۱۴۰۴" in m for m in sara), sara
    assert any("جریمه دیرکرد" in m and "۱۶ بهمن ۱۴۰۳" in m for m in mail("m2@example.com"))
    assert any("وامی به مبلغ" in m and "درخواست کرده است" in m for m in mail("boss@example.com"))
    assert not any(english_left(m) for m in sara if "وام شماره" in m.split(" | ")[0])  # receipts quote entry memos

    reza = pool["savers"]["رضا"].membership.user
    reza.language = "en"
    db.session.commit()
    services.approve(pool["manager"], pool["box"].id, pool["asked"].id)
    assert any(f"loan #{pool['asked'].number} approved" in m and "is approved" in m for m in mail("m1@example.com"))


def test_the_manager_report_reads_in_persian(app, pool, api_token):
    """The manager report PDF of a Persian pool, for a manager who reads Persian: its words, the loan
    book's buckets, Jalali days and Persian digits (pypdf may read a right-to-left line reversed)."""
    from hamyan.extensions import db
    from tests.test_reports import report_over_api

    pool["manager"].language = "fa"
    db.session.commit()
    _reader, text = report_over_api(app.test_client(), pool["box"].id, api_token(pool["manager"]), date(2025, 1, 1),
                                    date(2025, 3, 1))
    for phrase in ("بدون تأخیر", "بیش از", "دفتر وام‌ها در ۱۱ اسفند", "موجودی نقد صندوق", "صفحه ۱ از"):
        phrase = phrase.replace("\u200c", "")  # pypdf drops the zero-width non-joiner
        assert phrase in text or phrase[::-1] in text, (phrase, text)
    # The loan book's words are all Persian; the cash lines quote the entries' memos as recorded (reported).
    assert not any(word in text for word in ("current", "days", "Loan book", "Savers"))


def test_ledger_memos_speak_the_pool_language(pool):
    """Every entry's memo (savings, a late fee and its waiver, a loan paid out, repaid, the repayment
    undone and the loan recalculated, a saver leaving) is Persian with Persian digits, and so is the
    member's statement PDF (its loan and payment numbers had Latin digits); names and reasons stay as typed."""
    box, manager, savers, loan = pool["box"], pool["manager"], pool["savers"], pool["loan"]
    due = db.session.scalar(select(LateCharge.due_date).filter_by(box_id=box.id, subject_kind="membership"))
    services.waive_late_fee(manager, box.id, savers["مریم"].id, due, "اشتباه بود", key())
    repayment = services.repay(manager, box.id, loan.id, "250000", date(2025, 3, 1), key())
    services.undo_repayment(manager, box.id, loan.id, repayment.id, "دو بار ثبت شد")
    memos = box_memos(box.id)
    for said in ("پس‌انداز سارا", "جریمه دیرکرد: مریم، سررسید ۱۶ بهمن ۱۴۰۳", "وام شماره ۱ به سارا",
                 "بازپرداخت وام شماره ۱", "خروج علی: پس‌انداز پرداخت شد", "جریمهٔ دیرکرد بخشوده شد: اشتباه بود",
                 "بازپرداخت برگشت خورد: دو بار ثبت شد"):
        assert said in memos, (said, memos)
    assert not [m for m in memos if latin_words(m)], memos
    with writing_in("fa"):  # as the monthly statements job writes to a Persian reader
        text = pdf_text(member_statement_pdf(box, savers["سارا"], date(2025, 1, 1), date(2025, 12, 31)))
    assert "وام شماره ۱ به سارا" in text and "بازپرداخت برگشت خورد: دو بار ثبت شد" in text, text
    assert not latin_words(text.replace("Hamyan", "")), text
    assert not re.search("[0-9]", text), text  # the loan's and the entries' numbers too, in Persian digits


def test_a_loan_request_is_written_for_each_manager(app, pool):
    """The managers' email of a loan request has its amount, number and term written in each manager's
    language (a Persian manager: Persian digits; one who chose English: English), not the asker's."""
    from hamyan.notify.models import OutboxMessage

    def request_email() -> str:
        m = db.session.scalars(select(OutboxMessage).filter_by(recipient="boss@example.com", channel="email",
                                                               kind="loan_request").order_by(OutboxMessage.id.desc())).first()
        return f"{m.subject} | {m.body}"

    said = request_email()
    assert "رضا وامی به مبلغ ۵۰۰٬۰۰۰\xa0ریال درخواست کرده است" in said, said
    assert "وام شماره ۴ را درخواست کرده است: ۵۰۰٬۰۰۰\xa0ریال در ۲ قسط" in said and pool["asked"].number == 4
    pool["manager"].language = "en"
    db.session.commit()
    services.reject(pool["manager"], pool["box"].id, pool["asked"].id, "بعداً")
    with app.test_request_context(headers=FA):  # asked from a Persian page
        loan = services.request_loan(pool["savers"]["رضا"].membership.user, pool["box"].id, "400000", 2, key())
    said = request_email()
    assert f"رضا asks for a loan of 400,000\xa0ریال | رضا asks for loan #{loan.number}: 400,000\xa0ریال over 2 installments" in said, said


def test_loan_history_notes_speak_the_pool_language(pool, clock):
    """What the services write in a loan's history (a penalty waived, a repayment undone, a new
    schedule, a payout) is Persian with Persian digits and Jalali days, like the ledger's memos;
    reasons stay as typed."""
    from hamyan.blueprints.moneypool.models import LoanEvent

    box, manager, loan = pool["box"], pool["manager"], pool["loan"]
    repayment = services.repay(manager, box.id, loan.id, "250000", date(2025, 3, 1), key())
    services.undo_repayment(manager, box.id, loan.id, repayment.id, "دو بار ثبت شد")
    clock.today = date(2025, 6, 1)
    assert services.assess(box.id, history=True)["penalties"]
    late = next(i for i in loan.installments if i.penalty)
    services.waive_penalty(manager, box.id, loan.id, late.number, "بانک دیر کرد", key())
    services.reschedule(manager, box.id, loan.id, 3, date(2025, 7, 1), "بیکار شد")
    notes = dict(db.session.execute(select(LoanEvent.kind, LoanEvent.detail).filter_by(loan_id=loan.id)).all())
    assert notes["disbursed"] == "پرداخت در ۱۱ اسفند ۱۴۰۳؛ سررسید اولین قسط ۱۱ فروردین ۱۴۰۴", notes
    assert notes["repayment_undone"] == "۲۵۰٬۰۰۰\xa0ریال پرداختی ۱۱ اسفند ۱۴۰۳: دو بار ثبت شد", notes
    assert notes["rescheduled"] == "۳ قسط از ۱۰ تیر ۱۴۰۴: بیکار شد", notes
    assert notes["penalty_waived"].endswith(": بانک دیر کرد"), notes
    assert not [n for n in notes.values() if latin_words(n) or re.search("[0-9]", n)], notes


def test_pool_money_follows_the_page_language(app, pool):
    """An amount the pool's views write follows the page, as `|money(box)` does: an English page of a
    Persian pool writes Latin digits, a Persian one Persian digits (it wrote the box's Latin ones on both)."""
    box = pool["box"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert services.money(box, 6_000_000) == "6,000,000\xa0ریال"
    with app.test_request_context(headers=FA):
        refresh()  # the language is kept for the app context both requests share
        assert services.money(box, 6_000_000) == "۶٬۰۰۰٬۰۰۰\xa0ریال"


def test_the_policy_form_shows_persian_digits_and_sent_back_unchanged_saves_the_same(app, pool):
    """The loan policy's numbers (grace days, a late fee, terms, rates, a multiple of savings) are shown
    in Persian digits and, the form sent back as shown, every one is saved as it was."""
    from hamyan.blueprints.moneypool.forms import PolicyFields
    from hamyan.blueprints.moneypool.models import Pool

    box, boss = pool["box"], login(app.test_client(), "boss@example.com")
    services.update_policy(pool["manager"], box.id, interest_method="flat", annual_rate="18.5", savings_multiple="2.5", max_loan="90000000",
                           min_term="2", max_term="36", service_fee_percent="1.25", min_membership_months="4")

    def policy():
        db.session.expire_all()
        saved = db.session.get(Pool, box.id)
        return {name: getattr(saved, name) for name in PolicyFields.POLICY_FIELDS}

    before = policy()
    page = persian(boss, f"/pools/{box.id}/settings")
    sent = form_sent(page, "annual_rate")
    assert [sent[name] for name in ("grace_days", "late_fee", "max_loan", "savings_multiple", "min_term", "max_term",
                                    "annual_rate", "service_fee_percent", "min_membership_months")] == [
        "۷", "۵۰۰۰۰", "۹۰۰۰۰۰۰۰", "۲.۵۰", "۲", "۳۶", "۱۸.۵۰۰", "۱.۲۵", "۴"], sent
    response = boss.post(f"/pools/{box.id}/settings", data=sent, headers=FA)
    assert response.status_code == 302, english_left(response.get_data(as_text=True))
    assert policy() == before
