"""Reminders: which obligations a subject was told about, at which stage ("due" before the due
date, "late" after it), recorded once per (box, subject, reference, kind) so that re-runs of the
daily job tell nobody twice. Products write the message; this module remembers who was told."""
from datetime import date, timedelta

from sqlalchemy import select

from hamyan.dues import status
from hamyan.dues.models import Reminder
from hamyan.extensions import db

DUE, LATE = "due", "late"


def stage(due_date: date, grace_days: int, today: date, days_before: int, unpaid: int) -> str | None:
    """The reminder an obligation calls for today, if any: LATE once it is late (dues.status's one
    definition), DUE while its due date is `days_before` days away or less (the day itself included),
    nothing once it is paid."""
    if unpaid <= 0:
        return None
    if status.is_late(due_date, grace_days, today):
        return LATE
    if today <= due_date <= today + timedelta(days=days_before):
        return DUE
    return None


def told(box_id: int, subject_kind: str, references) -> set[tuple[int, str, str]]:
    """(subject id, reference, kind) already told among `references`."""
    references = list(references)
    if not references:
        return set()
    return {tuple(row) for row in db.session.execute(
        select(Reminder.subject_id, Reminder.reference, Reminder.kind).where(
            Reminder.box_id == box_id, Reminder.subject_kind == subject_kind, Reminder.reference.in_(references)))}


def record(box_id: int, subject: tuple[str, int], reference: str, kind: str, channel: str = "email") -> None:
    """Remember that the subject was told (in the caller's box write)."""
    db.session.add(Reminder(box_id=box_id, subject_kind=subject[0], subject_id=subject[1], reference=reference,
                            kind=kind, channel=channel))
