"""The one clock. Stored times are naive UTC (`now()`); a box's "today" is the date in its time zone,
never the server's, so due dates, lateness and "not in the future" agree wherever the server runs.

Tests freeze time with `frozen(moment)` (the `clock` fixture), which moves every caller at once."""
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

_frozen: datetime | None = None  # aware UTC while frozen


def _utc() -> datetime:
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def now() -> datetime:
    """The current moment as naive UTC, the way every DateTime column stores it."""
    return _utc().replace(tzinfo=None)


def today_in(tz: str) -> date:
    return _utc().astimezone(ZoneInfo(tz)).date()


def today(box) -> date:
    """Today in the box's time zone: the day that due dates and payment dates are compared with."""
    return today_in(box.timezone)


def to_local(moment: datetime, tz: str) -> datetime:
    """A stored (naive UTC) time in the given zone, for display."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(tz))


def to_utc(local: datetime, tz: str) -> datetime:
    """A wall-clock time of the zone as naive UTC, the way DateTime columns store it."""
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc).replace(tzinfo=None)


@contextmanager
def frozen(moment: datetime | date):
    """Hold the clock at `moment` (a naive datetime is UTC; a date is its midnight UTC)."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    previous, _frozen = _frozen, moment.astimezone(timezone.utc)
    try:
        yield
    finally:
        _frozen = previous
