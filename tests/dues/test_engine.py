"""The dues engine's pure rules: due dates per calendar, the one status vocabulary and definition
of late, arrears, oldest-first allocation, settlement dates, sub-share dues."""
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hamyan.dues import calendar, obligations, status

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out


def test_due_dates_per_calendar():
    assert calendar.due_dates(date(2026, 1, 31), "monthly", 7, "gregorian", 3) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]  # clamped, and never drifts
    assert calendar.due_dates(date(2026, 1, 1), "weekly", 0, "gregorian", 2) == [date(2026, 1, 1), date(2026, 1, 8)]
    assert calendar.due_dates(date(2026, 1, 1), "days", 10, "gregorian", 2) == [date(2026, 1, 1), date(2026, 1, 11)]
    # 31 Shahrivar 1405 -> 30 Mehr 1405 (Persian months 7-11 have 30 days).
    persian = calendar.due_dates(date(2026, 9, 22), "monthly", 7, "persian", 2)
    assert persian == [date(2026, 9, 22), date(2026, 10, 22)]
    dates = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [calendar.periods_due(dates, d) for d in (date(2025, 12, 31), date(2026, 2, 1), date(2027, 1, 1))] == [0, 2, 3]


def test_one_status_vocabulary_and_one_definition_of_late():
    due = date(2026, 3, 10)
    assert status.is_late(due, 2, date(2026, 3, 12)) is False  # due date + grace is still on time
    assert status.is_late(due, 2, date(2026, 3, 13)) is True
    cases = [
        ((100, 0, date(2026, 3, 9)), status.UPCOMING), ((100, 0, due), status.DUE),
        ((100, 40, due), status.PARTLY_PAID), ((100, 40, date(2026, 3, 13)), status.LATE),
        ((100, 100, date(2026, 4, 1), date(2026, 3, 12)), status.PAID),
        ((100, 100, date(2026, 4, 1), date(2026, 3, 13)), status.PAID_LATE),
    ]
    for (owed, paid, today, *settled), expected in cases:
        assert status.status(owed, paid, due, 2, today, *settled) == expected
    assert set(status.STATUSES) == {c[1] for c in cases}


def test_arrears_are_what_is_due_on_or_before_today_minus_paid():
    cum = [0, 100, 200, 300]
    assert obligations.arrears(cum, 2, 50) == 150
    assert obligations.arrears(cum, 2, 250) == 0  # paying ahead is not negative arrears


def test_allocation_is_oldest_first_and_refuses_more_than_owed():
    a = obligations.allocate_payment(170, arrears_now=100, charges_unpaid=50, not_yet_due=200)
    assert (a.to_arrears, a.to_charges, a.ahead, a.to_dues) == (100, 50, 20, 120)
    assert obligations.allocate_payment(400, 100, 50, 200) is None


def test_settlement_dates_follow_the_payments_in_order():
    payments = [(date(2026, 1, 5), 60), (date(2026, 1, 20), 60), (date(2026, 2, 3), 80)]
    assert obligations.settled_on(payments, [0, 100, 200, 300]) == [date(2026, 1, 20), date(2026, 2, 3), None]


@settings(deadline=None)  # pure arithmetic; a loaded machine once took 283 ms for one example (flaky failure)
@given(st.integers(1, 10**7), st.integers(1, 60), st.lists(st.integers(1, 12), min_size=1, max_size=4))
def test_sub_share_dues_add_up_to_the_share_in_every_period(amount, periods, weights):
    fractions = tuple(Fraction(w, sum(weights)) for w in weights)
    assume(amount * min(fractions) >= 1)  # each part owes at least one minor unit a period (obligations.py)
    per_holder = obligations.cumulative_dues(amount, periods, fractions)
    for p in range(periods + 1):
        assert sum(holder[p] for holder in per_holder) == amount * p
    for holder in per_holder:
        assert all(b >= a for a, b in zip(holder, holder[1:]))  # no period owes a negative amount
