"""Members see the pool's balance sheet, read-only: the very figures of the manager's reports page,
reached from their overview; outsiders get 404; its query count does not grow with the savers."""
import re
from datetime import date

import pytest

from hamyan.blueprints.moneypool import reports, services
from tests.conftest import login
from tests.moneypool.conftest import assert_queries_flat, key


@pytest.fixture
def pool(pool_factory, clock):
    box, manager, savers = pool_factory(members=3, require_no_arrears=False, guarantors_required=0,
                                        interest_method="flat", annual_rate="12", service_fee_percent="1")
    clock.today = date(2025, 3, 1)
    for m in savers:
        services.record_contribution(manager, box.id, m.id, "2000", date(2025, 1, 5), key())
    loan = services.request_loan(savers[0].membership.user, box.id, "1000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 3, 1))
    return box, manager, savers


def _sheet(page: str) -> str:
    return page[page.index('id="balance-sheet"'):page.index('id="balanced"')]


def _cells(page: str) -> list[str]:
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', _sheet(page))


def test_a_member_sees_the_managers_figures_from_the_overview(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m1@example.com")
    overview = member.get(f"/pools/{box.id}").get_data(as_text=True)
    assert f'href="/pools/{box.id}/balance-sheet"' in overview
    page = member.get(f"/pools/{box.id}/balance-sheet").get_data(as_text=True)
    boss = login(app.test_client(), "boss@example.com")
    managers = boss.get(f"/pools/{box.id}/reports").get_data(as_text=True)
    assert _cells(page) == _cells(managers)
    sheet = reports.balance_sheet(box)
    assert sheet.balanced and sheet.fees == 1000  # 1% of the $1,000 loan, in cents
    assert "$5,010.00" in _sheet(page) and "$10.00" in _sheet(page)  # cash: 6,000 − 990 paid out
    assert "Both sides agree" in page and "<form method=\"post\"" not in page.split('id="main"')[-1]


def test_an_earlier_day_and_bad_dates(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m1@example.com")
    page = member.get(f"/pools/{box.id}/balance-sheet?as_of=2025-02-01").get_data(as_text=True)
    assert "$6,000.00" in _sheet(page) and "$10.00" not in _sheet(page)  # before the loan
    for bad in ("", "yesterday", "۱۴۰۴-۰۱-۰۱", "2025-13-40", "9" * 200):
        response = member.get(f"/pools/{box.id}/balance-sheet", query_string={"as_of": bad})
        assert response.status_code == 200 and "Balance sheet" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/pools/{}/balance-sheet", "/pools/{}/reports"])
def test_a_day_that_is_not_one_is_said_on_its_field(app, pool, url):
    """Not today's figures under the date typed: the field keeps what was typed and says what is
    wrong with it; the figures are today's, under today's date."""
    box, _, _ = pool
    boss = login(app.test_client(), "boss@example.com")
    page = boss.get(url.format(box.id), query_string={"as_of": "2025-02-30"}).get_data(as_text=True)
    field = page[page.index('id="as_of"') - 80:page.index("Show")]
    assert "is-invalid" in field and 'value="2025-02-30"' in field and 'class="invalid-feedback"' in field
    assert "$5,010.00" in _sheet(page)  # today's cash
    plain = boss.get(url.format(box.id), query_string={"as_of": ""}).get_data(as_text=True)
    assert "is-invalid" not in plain[plain.index('id="as_of"') - 80:plain.index("Show")]


def test_outsiders_get_404_and_queries_do_not_grow(app, pool, make_user):
    box, manager, _ = pool
    make_user("out@example.com", "Outsider")
    assert login(app.test_client(), "out@example.com").get(f"/pools/{box.id}/balance-sheet").status_code == 404
    member = login(app.test_client(), "m1@example.com")
    url = f"/pools/{box.id}/balance-sheet"
    assert_queries_flat(member, url, manager, box.id)
