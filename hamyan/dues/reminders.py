"""Reminders of everything owed, the same for every product. A product's descriptor names
`reminders="module:function"`, function(box_id, today) -> list[Owed]: each obligation still unpaid,
once per person to tell (a unit's owner and resident each with their own part). `stage` decides
what an obligation calls for today:

    before   REMINDER_DAYS_BEFORE days (3) or fewer before the due date
    due      on the due date
    late<N>  N days or more after it, for each N of REMINDER_LATE_DAYS ("1,7,30"), once it is late
             (past the product's grace days): escalating

A stage the job missed (the server was down that day) is told late rather than never, but only the
latest one. Each (box, subject, reference, stage) is recorded once in dues_reminder (unique) in the
same box write as the messages, so re-runs, a restart in the middle of a run and several processes
never tell anyone twice. notify.reminders writes the messages; this module decides and remembers."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from hamyan.dues import status
from hamyan.dues.models import Reminder
from hamyan.extensions import db

BEFORE, DUE = "before", "due"


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
