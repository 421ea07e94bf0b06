"""Periods and due dates. A schedule is a first due date and a period kind:

    weekly    every 7 days
    days      every N days (N = every_days)
    monthly   the same day of each month in the box's calendar (Gregorian or Persian), clamped to
              the month's last day (31 Farvardin -> 30 Mehr; 31 January -> 28/29 February)

The n-th due date (n = 0 for the first) is always computed from the first one, never from the
previous date, so a clamped month does not shift the months after it. Dates are shown in the box's
calendar too (format_day)."""
from datetime import date, timedelta
from functools import lru_cache

import jdatetime
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from dateutil.relativedelta import relativedelta

from hamyan.core.errors import ValidationError

PERIOD_KINDS = ("weekly", "monthly", "days")


@lru_cache(maxsize=16384)
def add_months(start: date, months: int, calendar: str = "gregorian") -> date:
    """The same day of the month `months` later, clamped to the month's last day. Kept: a pool's
    dashboard forecasts 120 months of due dates, the same ones each request of the day."""
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


def month_label(year: int, month: int, calendar: str, locale: str) -> str:
    """A month of the calendar by its name and year, in `locale` (callers pass the language being
    written, hamyan.i18n.writing_language): "آذر 1405" or "Azar 1405" in a Persian-calendar box, else
    Babel's "دسامبر 2026" or "December 2026". Digits as they are: a page writes its own (i18n.digits)."""
    if calendar == "persian":
        return f"{PERSIAN_MONTHS['fa' if str(locale).startswith('fa') else 'en'][month - 1]} {year}"
    return format_skeleton("yMMMM", date(year, month, 1), locale=locale)


# Month names of the Persian (Jalali, Solar Hijri) calendar: in Persian, and as English writes them.
PERSIAN_MONTHS = {"fa": tuple(jdatetime.date.j_months_fa), "en": tuple(jdatetime.date.j_months_en)}
JALALI_EXAMPLE = "1405/09/11"  # what a date field of a Persian-calendar box shows as its placeholder
ISO_EXAMPLE = "2026-03-15"  # and of a Gregorian one, in its error message


def format_day(day: date, calendar: str = "gregorian", locale: str = "en") -> str:
    """The one way a date is shown: in a Persian-calendar box as the Jalali day, month name and year
    ("11 آذر 1405" in Persian, "11 Azar 1405" in English; hamyan.i18n turns the digits Persian on
    Persian pages), else Babel's medium date of `locale`."""
    if day is None:
        return ""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=day)
        names = PERSIAN_MONTHS["fa" if str(locale).startswith("fa") else "en"]
        return f"{j.day} {names[j.month - 1]} {j.year}"
    return babel_format_date(day, format="medium", locale=locale)


def format_moment(moment, timezone: str, calendar: str = "gregorian", locale: str = "en") -> str:
    """A stored (UTC) time as the box's clock shows it: its day as format_day() shows days, then hh:mm."""
    from hamyan.core import clock

    if moment is None:
        return ""
    local = clock.to_local(moment, timezone)
    if calendar == "persian":
        return f"{format_day(local.date(), calendar, locale)}، {local:%H:%M}" if str(locale).startswith("fa") else \
            f"{format_day(local.date(), calendar, locale)}, {local:%H:%M}"
    return local.strftime("%Y-%m-%d %H:%M")


def parse_day(value, calendar: str, field: str, label: str | None = None) -> date:
    """The one date parser of what people and partners type: in a Persian-calendar box a Jalali
    date, 1405/09/11 or 1405-09-11, in Latin, Persian or Arabic-Indic digits (an impossible one,
    such as 1405/12/31, or Esfand 30th of a common year, is an error on the field, never a guess);
    anywhere an ISO Gregorian date (YYYY-MM-DD, what the API sends: a year from 1700 on is Gregorian)."""
    from flask_babel import gettext as _

    from hamyan.core import parse  # core imports nothing of dues

    if isinstance(value, date):
        return value
    label = label or _("Date")
    raw = parse.normalize(value).replace("/", "-")
    parts = raw.split("-")
    if calendar == "persian" and len(parts) == 3 and all(p.isdigit() for p in parts) and int(parts[0]) < 1700:
        year, month, day = (int(p) for p in parts)
        try:
            return jdatetime.date(year, month, day).togregorian()
        except ValueError:
            if month == 12 and day == 30:
                message = _("%(label)s: %(year)s is not a leap year, so Esfand has 29 days "
                            "(no such day in the Persian calendar).", label=label, year=parse.said_number(year))
            else:
                message = _("%(label)s: no such day in the Persian calendar (write it as %(example)s).",
                            label=label, example=parse.said_number(JALALI_EXAMPLE))
            raise ValidationError(message, field=field) from None
    try:
        return parse.day(raw, field, label)
    except ValidationError:
        example = JALALI_EXAMPLE if calendar == "persian" else ISO_EXAMPLE
        raise ValidationError(_("%(label)s: no such day; write it as %(example)s.", label=label,
                                example=parse.said_number(example)),
                              field=field) from None


def day_text(day: date, calendar: str) -> str:
    """A date as a form shows it and parse_day() reads it back (1405/09/11 in a Persian box), and
    as CSV exports write it."""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=day)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return day.isoformat()


def input_attributes(calendar: str) -> dict:
    """The attributes of a date input: a Gregorian box's browser picker; in a Persian box a text
    input with a Jalali example (a browser's picker would only take Gregorian dates)."""
    if calendar == "persian":
        return {"type": "text", "inputmode": "numeric", "placeholder": JALALI_EXAMPLE, "dir": "ltr",
                "autocomplete": "off"}
    return {"type": "date"}


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
