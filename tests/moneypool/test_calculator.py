"""The loan calculator: the full schedule by the pool's policy before a loan is asked for, with the
borrower's limit (the request's rule), as a GET form without script and an htmx partial with it;
bad input is an inline error and nothing is written; "Ask for this loan" fills in the request."""
import html
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Loan, PoolMember
from hamyan.dues.calendar import add_months, format_day
from hamyan.extensions import db
from hamyan.lending import schedules
from tests.conftest import login
from tests.moneypool.conftest import assert_queries_flat, key


@pytest.fixture
def pool(pool_factory, clock):
    """Flat interest at 12% a year, a 1% fee, 3 to 12 installments; each saver saved 2,000 (limit 6,000)."""
    box, manager, savers = pool_factory(members=3, require_no_arrears=False, guarantors_required=0,
                                        interest_method="flat", annual_rate="12", service_fee_percent="1",
                                        savings_multiple="3", min_term="3", max_term="12")
    clock.today = date(2025, 3, 1)
    for m in savers:
        services.record_contribution(manager, box.id, m.id, "2000", date(2025, 1, 5), key())
    return box, manager, savers


def text(response) -> str:
    return response.get_data(as_text=True)


def rows(page: str) -> list[list[str]]:
    body = page[page.index('id="quote-schedule"'):].split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in body.split("</tr>") if "<td" in row]


def test_the_schedule_is_the_pools_and_the_limit_the_members(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m0@example.com")
    page = text(member.get(f"/pools/{box.id}/loans/calculator", query_string={"amount": "1200", "term": "4"}))
    lines = schedules.build(120000, Decimal("12"), 4, 1, "flat", add_months(date(2025, 3, 1), 1, "gregorian"))
    assert rows(page) == [[str(line.number), format_day(line.due_date), f"{line.total / 100:,.2f}",
                           f"{line.principal / 100:,.2f}", f"{line.interest / 100:,.2f}"] for line in lines]
    assert rows(page)[0] == ["1", "Apr 1, 2025", "312.00", "300.00", "12.00"]  # 1% a month on 1,200, flat
    assert "$1,188.00" in page and "$12.00" in page and "$48.00" in page and "$1,248.00" in page  # payout, fee, interest, all
    assert "You can borrow up to $6,000.00 now." in page and 'id="over-limit"' not in page
    ask = html.unescape(re.search(r'id="ask-for-this" href="([^"]+)"', page).group(1))
    assert ask == f"/pools/{box.id}/loans/new?amount=1200.00&term=4"
    form = text(member.get(ask))
    assert 'name="amount" required type="text" value="1200.00"' in form or 'value="1200.00"' in form
    assert re.search(r'name="term"[^>]*value="4"', form)
    assert db.session.scalar(select(func.count(Loan.id))) == 0


def test_over_the_limit_is_said_and_the_schedule_still_shown(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m0@example.com")
    page = text(member.get(f"/pools/{box.id}/loans/calculator?amount=7000&term=12"))
    assert "$7,000.00 is above that limit." in page and len(rows(page)) == 12


@pytest.mark.parametrize("amount, term, amount_error, term_error", [
    ("", "", "Enter an amount.", "Enter the number of installments."),
    ("0", "3", "more than zero", None),
    ("-5", "3", "more than zero", None),
    ("abc", "x", "Enter a number", "must be a whole number"),
    ("1e5", "3", "Enter a number", None),
    ("9" * 40, "3", "too large", None),
    ("1.234", "3", "decimal places", None),
    ("500", "0", None, "must be from 3 to 12"),
    ("500", "-2", None, "must be from 3 to 12"),
    ("500", "13", None, "must be from 3 to 12"),
    ("500", "9" * 30, None, "must be a whole number"),
    ("۵۰۰", "۲", None, "must be from 3 to 12"),
    ("پانصد", "سه", "Enter a number", "must be a whole number"),
])
def test_bad_input_is_an_inline_error_never_a_500(app, pool, amount, term, amount_error, term_error):
    box, _, _ = pool
    member = login(app.test_client(), "m0@example.com")
    for headers in ({}, {"HX-Request": "true"}):
        response = member.get(f"/pools/{box.id}/loans/calculator", query_string={"amount": amount, "term": term},
                              headers=headers)
        page = text(response)
        assert response.status_code == 200 and 'id="quote-schedule"' not in page
        for name, message in (("amount", amount_error), ("term", term_error)):
            feedback = page[page.index(f'name="{name}"'):].split("</div>\n  </div>")[0]
            if message:
                assert message in feedback and page.count(message) == 1, (name, page)
            else:
                assert "invalid-feedback" not in feedback, (name, feedback)
    assert db.session.scalar(select(func.count(Loan.id))) == 0


def test_htmx_gets_the_calculator_alone(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m1@example.com")
    page = text(member.get(f"/pools/{box.id}/loans/calculator?amount=900&term=3", headers={"HX-Request": "true"}))
    assert "<html" not in page and page.lstrip().startswith('<div class="row g-4" id="calculator">')
    assert len(rows(page)) == 3
    full = text(member.get(f"/pools/{box.id}/loans/calculator"))
    assert '<html' in full and 'hx-get="/pools/%d/loans/calculator"' % box.id in full and 'method="get"' in full
    assert 'id="quote-schedule"' not in full and 'class="invalid-feedback"' not in full  # nothing asked yet


def test_a_manager_sees_the_named_borrowers_limit(app, pool):
    box, _, savers = pool
    boss = login(app.test_client(), "boss@example.com")  # the boss does not save
    url = f"/pools/{box.id}/loans/calculator"
    assert "Name a saver to see their limit." in text(boss.get(url))
    page = text(boss.get(url, query_string={"member": "Member 2", "amount": "100", "term": "3"}))
    assert "<bdi>Member 2</bdi> can borrow up to $6,000.00 now." in page
    assert "member=Member+2" in page  # the request it prefills is for Member 2
    page = text(boss.get(url, query_string={"member": "Nobody", "amount": "100", "term": "3"}))
    assert "No saver here is called “Nobody”" in page and len(rows(page)) == 3


def test_a_member_who_cannot_borrow_sees_why(app, pool):
    box, _, savers = pool
    services.request_loan(savers[0].membership.user, box.id, "100", 3, key())
    member = login(app.test_client(), "m0@example.com")
    page = text(member.get(f"/pools/{box.id}/loans/calculator?amount=100&term=3"))
    assert "You cannot borrow now: You already have an open loan or request." in page and len(rows(page)) == 3


def test_a_jalali_rial_pool_with_persian_digits(app, make_user, clock):
    clock.today = date(2025, 3, 21)
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "صندوق قرض‌الحسنه محله", "IRR", "1000000", date(2025, 3, 21), locale="fa_IR",
                               calendar="persian", my_shares=1, interest_method="annuity", annual_rate="18",
                               min_term="1", max_term="36", require_no_arrears=False)
    boss = db.session.scalar(select(PoolMember).where(PoolMember.box_id == box.id))
    services.record_contribution(manager, box.id, boss.id, "50000000", date(2025, 3, 21), key())
    client = login(app.test_client(), "boss@example.com")
    page = text(client.get(f"/pools/{box.id}/loans/calculator", query_string={"amount": "۱۲۰٬۰۰۰٬۰۰۰", "term": "۱۲"}))
    assert len(rows(page)) == 12, page
    assert rows(page)[0][1] == "1 Ordibehesht 1404" and rows(page)[-1][1] == "1 Farvardin 1405"  # a month apart, Jalali
    lines = schedules.build(120_000_000, Decimal("18"), 12, 1, "annuity", date(2025, 4, 21), "persian")
    assert sum(line.principal for line in lines) == 120_000_000


def test_outsiders_get_404_and_queries_do_not_grow(app, pool, make_user):
    box, manager, _ = pool
    make_user("out@example.com", "Outsider")
    assert login(app.test_client(), "out@example.com").get(f"/pools/{box.id}/loans/calculator").status_code == 404
    member = login(app.test_client(), "m0@example.com")
    url = f"/pools/{box.id}/loans/calculator?amount=1000&term=12"
    assert_queries_flat(member, url, manager, box.id)


def test_the_request_form_links_to_the_calculator_with_what_was_typed(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m0@example.com")
    page = text(member.get(f"/pools/{box.id}/loans/new"))
    assert f'href="/pools/{box.id}/loans/calculator"' in page
    page = text(member.get(f"/pools/{box.id}/loans/new?amount=300&term=5"))
    assert f'href="/pools/{box.id}/loans/calculator?amount=300&amp;term=5"' in page
