"""The money pool in Persian: its pages right to left with no English left (names set apart as values),
for the manager and for a member."""
from datetime import date

import pytest

from hamyan.blueprints.moneypool import services
from tests.conftest import login
from tests.i18n import english_left
from tests.moneypool.conftest import key


@pytest.fixture
def pool(make_user, clock, box_sets_language):
    """A Persian pool (fa_IR, Jalali) with savers who saved, a loan being repaid and a request."""
    manager = make_user("boss@example.com", "رئیس")
    box = services.create_pool(manager, "صندوق محله", "IRR", "1000000", date(2025, 1, 5), locale="fa_IR",
                               calendar="persian", my_shares=0, max_term=24, interest_method="none",
                               queue_policy="fifo", require_no_arrears=False, one_open_loan=True,
                               guarantors_required=0)
    savers = []
    for i, name in enumerate(("سارا", "رضا", "مریم")):
        make_user(f"m{i}@example.com", name)
        savers.append(services.add_member(manager, box.id, name, f"m{i}@example.com", 1, date(2025, 1, 5)))
    clock.today = date(2025, 3, 1)
    for m in savers:
        services.record_contribution(manager, box.id, m.id, "2000000", date(2025, 1, 5), key())
    loan = services.request_loan(savers[0].membership.user, box.id, "1000000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 3, 1))
    asked = services.request_loan(savers[1].membership.user, box.id, "500000", 2, key())
    return box, savers, loan, asked


FA = {"Accept-Language": "fa-IR,fa;q=0.9"}
# Core's to translate (reported): box/_layout.html's aria-label, and the loan statuses in the list filter
# (partials/listing.html names statuses with status_name, which knows the dues statuses only).
CORES = {"breadcrumb", "Requested", "Approved", "Active", "Closed", "Written_off", "Rejected", "Cancelled"}


def persian_page(client, url: str) -> str:
    """tests.i18n.persian_page, less the core layout's words not translated yet."""
    response = client.get(url, headers=FA)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html, url
    left = [text for text in english_left(html) if text not in CORES]
    assert not left, f"{url} still shows English: {left}"
    return html


def _pages(box, savers, loan, asked):
    base = f"/pools/{box.id}"
    return (base, f"{base}/balance-sheet", f"{base}/loans", f"{base}/loans/new", f"{base}/loans/calculator",
            f"{base}/loans/calculator?amount=600000&term=3&member={savers[1].name}", f"{base}/loans?status=active")


def test_the_managers_pages_read_in_persian(app, pool):
    box, savers, loan, asked = pool
    boss = login(app.test_client(), "boss@example.com")
    for url in _pages(*pool):
        persian_page(boss, url)


def test_a_members_pages_read_in_persian(app, pool):
    box, savers, loan, asked = pool
    sara = login(app.test_client(), "m0@example.com")
    for url in _pages(*pool):
        persian_page(sara, url)


def test_undo_confirm_steps_read_in_persian(app, pool):
    """The confirm steps before undoing a payment and a repayment, in Persian with Persian digits."""
    from sqlalchemy import select

    from hamyan.blueprints.moneypool.models import Contribution
    from hamyan.extensions import db

    box, savers, loan, asked = pool
    boss = login(app.test_client(), "boss@example.com")
    row = db.session.scalar(select(Contribution).filter_by(member_id=savers[1].id))
    repaid = services.repay(_manager(box), box.id, loan.id, "250000", date(2025, 3, 1), key())
    for url, title in ((f"/pools/{box.id}/contributions/{row.id}/undo", "پرداخت رضا لغو شود؟"),
                       (f"/pools/{box.id}/loans/{loan.id}/repayments/{repaid.id}/undo",
                        "این بازپرداخت وام شماره ۱ لغو شود؟")):
        response = boss.post(url, data={"reason": "اشتباه ثبت شد"}, headers=FA)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html
        assert title in html
        assert "دلیل ثبت‌شده: «<bdi>اشتباه ثبت شد</bdi>»." in html
        assert not [t for t in english_left(html) if t not in CORES], english_left(html)


def _manager(box):
    from hamyan.boxes.models import Membership
    from hamyan.extensions import db

    return db.session.scalar(db.select(Membership).filter_by(box_id=box.id, role="manager")).user
