"""Due dates follow the box's calendar: Gregorian months, or Persian (Jalali) months."""
from datetime import date

import jdatetime
from babel.dates import format_date as babel_format_date
from dateutil.relativedelta import relativedelta


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


def format_day(day: date, calendar: str = "gregorian", locale: str = "en") -> str:
    if day is None:
        return ""
    if calendar == "persian":
        j = jdatetime.date.fromgregorian(date=day)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return babel_format_date(day, format="medium", locale=locale)
