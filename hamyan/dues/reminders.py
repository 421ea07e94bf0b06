"""Reminders: which obligations a subject was told about, at which stage ("due" before the due
date, "late" after it), recorded once per (box, subject, reference, kind) so that re-runs of the
daily job tell nobody twice. Products write the message; this module remembers who was told."""
from sqlalchemy import select

from hamyan.dues.models import Reminder
from hamyan.extensions import db

DUE, LATE = "due", "late"


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
