"""Periods and due dates. A schedule is a first due date and a period kind:

    weekly    every 7 days
    days      every N days (N = every_days)
    monthly   the same day of each month in the box's calendar (Gregorian or Persian), clamped to
              the month's last day (31 Farvardin -> 30 Mehr; 31 January -> 28/29 February)

The n-th due date (n = 0 for the first) is always computed from the first one, never from the
previous date, so a clamped month does not shift the months after it."""
from datetime import date, timedelta

from hamyan import calendars

PERIOD_KINDS = ("weekly", "monthly", "days")


def nth_due(first: date, kind: str, every_days: int, calendar: str, n: int) -> date:
    if kind == "monthly":
        return calendars.add_months(first, n, calendar)
    return first + timedelta(days=(7 if kind == "weekly" else every_days) * n)


def due_dates(first: date, kind: str, every_days: int, calendar: str, count: int) -> list[date]:
    """The first `count` due dates of a schedule."""
    return [nth_due(first, kind, every_days, calendar, n) for n in range(count)]


def periods_due(dates: list[date], day: date) -> int:
    """How many of the (ascending) due dates fall on or before `day`."""
    low, high = 0, len(dates)
    while low < high:
        middle = (low + high) // 2
        if dates[middle] <= day:
            low = middle + 1
        else:
            high = middle
    return low
