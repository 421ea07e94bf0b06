"""The one status vocabulary of an obligation, for every product, page and API:

    upcoming     not due yet, nothing paid
    due          due today or earlier, still within the grace days, nothing paid
    partly paid  something paid, not all, and not late
    paid         settled on time (by the due date plus grace days)
    paid late    settled, but after the due date plus grace days
    late         not settled and past the due date plus grace days

Late means: today is after due date + grace days."""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

UPCOMING, DUE, PARTLY_PAID, PAID, PAID_LATE, LATE = "upcoming", "due", "partly paid", "paid", "paid late", "late"
STATUSES = (UPCOMING, DUE, PARTLY_PAID, PAID, PAID_LATE, LATE)
UNSETTLED = (DUE, PARTLY_PAID, LATE)  # what a reminder or the attention list is about
# What pages show for each (the API keeps the English codes above).
LABELS = {UPCOMING: _l("upcoming"), DUE: _l("due"), PARTLY_PAID: _l("partly paid"), PAID: _l("paid"),
          PAID_LATE: _l("paid late"), LATE: _l("late"), "prepaid": _l("prepaid")}  # prepaid: a loan's installment
# The members page's filters, shown by the same list filters.
# How a payment was made, as lists and ledger memos name it (the code stays in CSV exports).
METHOD_NAMES = {"cash": _l("cash"), "bank": _l("bank transfer"), "netted": _l("netted")}
MEMBER_FILTERS = {"current": _l("current"), "left": _l("left"), "managers": _l("managers"),
                  "without an account": _l("without an account")}


def label(status: str) -> str:
    """A status as pages show it, in the page's language (another word is shown as it is)."""
    return str(LABELS.get(status) or MEMBER_FILTERS.get(status, status))


def late_after(due_date: date, grace_days: int) -> date:
    """The last day an obligation is on time."""
    return due_date + timedelta(days=grace_days)


def is_late(due_date: date, grace_days: int, today: date) -> bool:
    return today > late_after(due_date, grace_days)


def last_late_due(today: date, grace_days: int) -> date:
    """The latest due date that is late today: is_late(d, g, today) == (d <= last_late_due(today, g))."""
    return today - timedelta(days=grace_days + 1)


def status(owed: int, paid: int, due_date: date, grace_days: int, today: date,
           settled_on: date | None = None) -> str:
    """The status of one obligation of `owed`, of which `paid` is settled (settled_on: the day the
    last of it was paid, when it is settled)."""
    if paid >= owed:
        return PAID_LATE if settled_on is not None and settled_on > late_after(due_date, grace_days) else PAID
    if is_late(due_date, grace_days, today):
        return LATE
    if paid > 0:
        return PARTLY_PAID
    return DUE if due_date <= today else UPCOMING
