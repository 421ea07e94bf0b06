"""Moneypool savings follow hamyan.dues' one set of rules, as Cashbox does: arrears count today's
due date; a due date's status is the dues vocabulary ("partly paid", "late" only after the grace
days), not Moneypool's own ("part paid", "unpaid")."""
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Pool
from hamyan.extensions import db


def test_arrears_count_todays_due_date_and_statuses_use_the_dues_vocabulary(pool_factory, clock):
    box, manager, (saver,) = pool_factory(members=1, grace_days=3)
    pool = db.session.get(Pool, box.id)
    clock.today = date(2025, 1, 5)  # the first due date
    assert services.positions(box, pool, [saver])[0].arrears == 1000_00
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["due"]
    services.record_contribution(manager, box.id, saver.id, "400", date(2025, 1, 5), "part")
    clock.today = date(2025, 1, 8)  # the last day of grace
    assert services.positions(box, pool, [saver])[0].arrears == 600_00
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["partly paid"]
    clock.today = date(2025, 1, 9)
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["late"]
    services.record_contribution(manager, box.id, saver.id, "600", date(2025, 1, 9), "rest")
    assert services.positions(box, pool, [saver])[0].arrears == 0
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["paid"]


def test_a_loan_installment_is_late_only_after_the_grace_days(pool_factory, clock, app):
    from tests.conftest import login
    from tests.moneypool.conftest import key
    from tests.moneypool.test_loans import _fund, _user

    box, manager, savers = pool_factory(members=2, require_no_arrears=False, grace_days=5)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "4000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    first = min(loan.installments, key=lambda i: i.number)
    statuses = {}
    for day in (first.due_date, date.fromordinal(first.due_date.toordinal() + 5),
                date.fromordinal(first.due_date.toordinal() + 6)):
        statuses[day] = services.installment_statuses(loan, 5, day)[first.number]
    assert list(statuses.values()) == ["due", "due", "late"]
    clock.today = first.due_date
    services.repay(manager, box.id, loan.id, "100", first.due_date, key())
    assert services.installment_statuses(loan, 5, first.due_date)[first.number] == "partly paid"
    page = app.test_client()
    login(page, "boss@example.com")
    html = page.get(f"/pools/{box.id}/loans/{loan.id}").get_data(as_text=True)
    assert ">partly paid</span>" in html and "part paid" not in html and ">late</span>" not in html


@settings(max_examples=300, deadline=None)
@given(first_due=st.dates(date(2020, 1, 1), date(2030, 12, 31)), period_months=st.integers(1, 12),
       calendar=st.sampled_from(["gregorian", "persian"]), offset=st.integers(-400, 4000), span=st.integers(0, 800))
def test_due_dates_and_the_next_one_are_those_of_the_walk_from_the_first_due_date(first_due, period_months, calendar,
                                                                                  offset, span):
    """due_dates and next_due start their walk near the day asked for (a pool of 40 months walked
    ~200 steps a forecast): the same days as the walk from the first due date, in both calendars,
    month ends (clamped days) included."""
    from types import SimpleNamespace

    from hamyan.dues.calendar import add_months

    pool, box = SimpleNamespace(first_due=first_due, period_months=period_months), SimpleNamespace(calendar=calendar)
    start = first_due + timedelta(days=offset)
    end = start + timedelta(days=span)
    walked = [day for day in (add_months(first_due, i * period_months, calendar) for i in range(200 // period_months + 2))
              if start <= day <= end]
    assert services.due_dates(pool, box, start, end) == walked
    assert services.next_due(box, pool, start) == next(
        day for day in (add_months(first_due, i * period_months, calendar) for i in range(1000)) if day >= start)
