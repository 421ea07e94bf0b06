"""Periods and due dates. A schedule is a first due date and a period kind:

    weekly    every 7 days
    days      every N days (N = every_days)
    monthly   the same day of each month in the box's calendar (Gregorian or Persian), clamped to
              the month's last day (31 Farvardin -> 30 Mehr; 31 January -> 28/29 February)

The n-th due date (n = 0 for the first) is always computed from the first one, never from the
previous date, so a clamped month does not shift the months after it. Dates are shown in the box's
calendar too (format_day)."""
from datetime import date, timedelta

import jdatetime
from babel.dates import format_date as babel_format_date
from dateutil.relativedelta import relativedelta

from hamyan.core.errors import ValidationError

PERIOD_KINDS = ("weekly", "monthly", "days")
MONTH_NAMES = {
    "persian": ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey",
                "Bahman", "Esfand"),
    "gregorian": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"),
}


def add_months(start: date, months: int, calendar: str = "gregorian") -> date:
    """The same day of the month `months` later, clamped to the month's last day."""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=start)
        index = j.year * 12 + (j.month - 1) + months
        year, month = divmod(index, 12)
        month += 1
        day = j.day
        while True:
            try:
                return jdatetime.date(year, month, day).togregorian()
            except ValueError:
                day -= 1
    return start + relativedelta(months=months)


def month_of(day: date, calendar: str = "gregorian") -> tuple[int, int]:
    """The (year, month) of a day in the calendar (1405, 9 for 2026-12-07 in a Persian box)."""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=day)
        return j.year, j.month
    return day.year, day.month


def day_in_month(year: int, month: int, day: int, calendar: str = "gregorian") -> date:
    """A day of a month of the calendar, clamped to the month's last day (31 Esfand -> 29 or 30)."""
    while day >= 1:
        try:
            if calendar == "persian":
                return jdatetime.date(year, month, day).togregorian()
            return date(year, month, day)
        except ValueError:
            day -= 1
    raise ValueError(f"no month {year}-{month}")


def month_bounds(year: int, month: int, calendar: str = "gregorian") -> tuple[date, date]:
    """The first and last day of a month of the calendar."""
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return day_in_month(year, month, 1, calendar), day_in_month(*following, 1, calendar) - timedelta(days=1)


def previous_month(day: date, calendar: str = "gregorian") -> tuple[int, int]:
    """The (year, month) before the one the day falls in."""
    year, month = month_of(day, calendar)
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_label(year: int, month: int, calendar: str = "gregorian") -> str:
    return f"{MONTH_NAMES[calendar if calendar == 'persian' else 'gregorian'][month - 1]} {year}"


def format_day(day: date, calendar: str = "gregorian", locale: str = "en") -> str:
    if day is None:
        return ""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=day)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return babel_format_date(day, format="medium", locale=locale)


def parse_day(value, calendar: str, field: str, label: str = "Date") -> date:
    """A date as a person of the box types it: YYYY-MM-DD or YYYY/MM/DD in any digits; in a Persian
    box a year before 1700 is a Jalali date (1404/09/15), so an impossible one (1404/12/31 in a
    common year) is an error on the field, not a Gregorian guess."""
    from hamyan.core import parse  # core imports nothing of dues

    if isinstance(value, date):
        return value
    raw = parse.normalize(value).replace("/", "-")
    parts = raw.split("-")
    if calendar == "persian" and len(parts) == 3 and all(p.isdigit() for p in parts) and int(parts[0]) < 1700:
        try:
            return jdatetime.date(int(parts[0]), int(parts[1]), int(parts[2])).togregorian()
        except ValueError:
            raise ValidationError(f"{label}: no such day in the Persian calendar "
                                  f"(write it as 1404/09/15).", field=field) from None
    try:
        return parse.day(raw, field, label)
    except ValidationError:
        example = "1404/09/15" if calendar == "persian" else "2026-03-15"
        raise ValidationError(f"{label}: no such day; write it as {example}.", field=field) from None


def day_text(day: date, calendar: str) -> str:
    """A date as a form shows it and parse_day() reads it back (1404/09/15 in a Persian box)."""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=day)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return day.isoformat()


def nth_due(first: date, kind: str, every_days: int, calendar: str, n: int) -> date:
    if kind == "monthly":
        return add_months(first, n, calendar)
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
