"""The money pool in Persian: every page right to left with no English left (names set apart as values),
for the manager and for members, in every state a loan and a saver go through; its flashes, confirm
steps, form and service errors in Persian; the API's error message in Persian under its English code."""
from datetime import date

import pytest

from hamyan.blueprints.moneypool import services
from tests.conftest import login
from tests.i18n import english_left
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


def test_every_page_reads_in_persian_as_manager_and_member(app, pool):
    box, savers = pool["box"], pool["savers"]
    base = f"/pools/{box.id}"
    boss = login(app.test_client(), "boss@example.com")
    loans = [f"/loans/{pool[name].id}" for name in ("loan", "rejected", "waiting", "asked")]
    members = [f"/members/{m.id}" for m in savers.values()]
    shared = ["", "/rules", "/balance-sheet", "/loans", "/loans?status=active", "/loans/calculator",
              "/loans/calculator?amount=600000&term=3", "/contributions", "/repayments", "/fines"]
    for url in shared + loans + members + ["/settings", "/members/new", "/reports", "/collect", "/loans/new",
                                          "/loans/calculator?amount=600000&term=3&member=سارا"]:
        persian(boss, base + url)
    loan_page = persian(boss, f"{base}/loans/{pool['loan'].id}")
    assert "۲۵۰٬۰۰۰" in loan_page  # the repayment, in Persian digits
    assert "پرداخت در ۱۱ اسفند ۱۴۰۳؛ سررسید اولین قسط ۱۱ فروردین ۱۴۰۴" in loan_page  # its history, from the loan's dates
    assert "در حال بازپرداخت" in persian(boss, f"{base}/loans?status=active")  # the loan's status by name
    persian(boss, "/pools/new")

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
    for url, title in ((f"/pools/{box.id}/contributions/{row.id}/undo", "پرداخت سارا لغو شود؟"),
                       (f"/pools/{box.id}/loans/{loan.id}/repayments/{repaid.id}/undo",
                        "این بازپرداخت وام شماره ۱ لغو شود؟")):
        response = boss.post(url, data={"reason": "اشتباه ثبت شد"}, headers=FA)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html
        assert title in html
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
