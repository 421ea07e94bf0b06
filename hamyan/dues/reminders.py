"""Reminders of everything owed, the same for every product. A product's descriptor names
`reminders="module:function"`, function(box_id, today) -> list[Owed]: each obligation still unpaid,
once per person to tell (a unit's owner and resident each with their own part). `stage` decides
what an obligation calls for today:

    before   the box's days before (REMINDER_DAYS_BEFORE, 3) or fewer before the due date
    due      on the due date
    late<N>  N days or more after it, for each N of the box's late days (REMINDER_LATE_DAYS, "1,7,30"),
             once it is late (past the product's grace days): escalating

Each box may choose its own days (`timing`); until it does, the platform's apply. A stage the job
missed (the server was down that day) is told late rather than never, but only the latest one. Each
(box, subject, reference, stage) is recorded once in dues_reminder (unique) in the same box write as
the messages, so re-runs, a restart in the middle of a run and several processes never tell anyone
twice; and once a stage is told, no earlier one is (`untold`), so changing a box's days never tells
anyone again what they were told. notify.reminders writes the messages; this module decides and remembers."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.core import parse
from hamyan.dues import status
from hamyan.dues.models import Reminder
from hamyan.extensions import db

BEFORE, DUE = "before", "due"
MAX_DAYS_BEFORE = 30
MAX_DAYS_LATE = 365
MOST_LATE_DAYS = 5


@dataclass(frozen=True)
class Owed:
    subject: tuple[str, int]  # who owes, as dues names it: ("membership", 12), ("unit", 3), ...
    reference: str  # the obligation within the subject: "period:7", "installment-due:2026-03-01"
    due_date: date
    amount: int  # still unpaid (this person's part), in minor units
    label: str  # what it is, for the message: "Contribution, period 3" (lazy: told in each reader's language)
    user_id: int | None = None  # a member with an account: told on the channels they keep on
    email: str | None = None  # someone without an account: told by email
    grace_days: int = 0  # the product's: late stages wait until the obligation is late
    link: str = "/"  # where they see what they owe (a path)
    # Everything the subject owes past due today, fines and late fees included (this person's part):
    # the same on each of the subject's obligations; a message tells it once per subject.
    overdue: int = 0


def stage(due_date: date, today: date, days_before: int, late_days: tuple[int, ...], grace_days: int = 0) -> str | None:
    """The stage to tell about today, or None."""
    delta = (today - due_date).days
    if delta < 0:
        return BEFORE if -delta <= days_before else None
    if delta == 0:
        return DUE
    if not status.is_late(due_date, grace_days, today):
        return None
    passed = [n for n in late_days if n <= delta]
    return f"late{max(passed)}" if passed else None


def timing(box=None) -> tuple[int, tuple[int, ...]]:
    """(days before a due date, the days late) the box's reminders go out at: its own, else the
    platform's (the platform's alone for None)."""
    cfg = current_app.config
    before, late = (None, None) if box is None else (box.reminder_days_before, box.reminder_late_days)
    before = cfg["REMINDER_DAYS_BEFORE"] if before is None else before
    late = str(cfg["REMINDER_LATE_DAYS"] if late is None else late)
    return int(before), tuple(sorted({int(n) for n in late.split(",") if n.strip()}))


def days_before(value, field: str = "reminder_days_before") -> int | None:
    """What a manager chose as the days before a due date ("5", "۵", 5), None for the platform's (empty)."""
    if isinstance(value, str) and not value.strip():
        return None
    return parse.count(value, field, 0, MAX_DAYS_BEFORE, _("Days before a due date"))


def late_days(value, field: str = "reminder_late_days") -> tuple[int, ...] | None:
    """What a manager chose as the days late ("2, 10", "۲، ۱۰", [2, 10]), None for the platform's (empty)."""
    if isinstance(value, str) and not value.strip() or isinstance(value, (list, tuple)) and not value:
        return None
    return parse.whole_list(value, field, 1, MAX_DAYS_LATE, MOST_LATE_DAYS, _("Each overdue reminder day"))


def untold(due_now: list, done: set) -> list:
    """The (obligation, stage) pairs of `due_now` to tell: neither that stage nor a later one was told
    (`done`, from `told`). A box that changes its days is not told an earlier stage after a later one
    (told 7 days late, then it chooses 1 and 3: no "3 days late" on day 8)."""
    furthest = {}
    for kind, subject_id, reference, stage_told in done:
        key = (kind, subject_id, reference)
        furthest[key] = max(furthest.get(key, -2), _order(stage_told))
    return [(o, s) for o, s in due_now if furthest.get((*o.subject, o.reference), -2) < _order(s)]


def _order(stage_name: str) -> int:
    return -1 if stage_name == BEFORE else 0 if stage_name == DUE else int(stage_name[4:])


def told(box_id: int, references) -> set[tuple[str, int, str, str]]:
    """(subject kind, subject id, reference, stage) already told among `references`."""
    references = sorted(set(references))
    if not references:
        return set()
    return {tuple(row) for row in db.session.execute(
        select(Reminder.subject_kind, Reminder.subject_id, Reminder.reference, Reminder.kind).where(
            Reminder.box_id == box_id, Reminder.reference.in_(references)))}


def record(box_id: int, subject: tuple[str, int], reference: str, kind: str) -> None:
    """Remember that the subject was told (in the caller's box write)."""
    db.session.add(Reminder(box_id=box_id, subject_kind=subject[0], subject_id=subject[1], reference=reference,
                            kind=kind))
