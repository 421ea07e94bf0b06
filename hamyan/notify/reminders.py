"""Reminders for everything owed, from every product: a product's descriptor names a function
`reminders="module:function"`, function(box_id, today) -> list[Owed] (what each member owes and
when: a contribution, an installment, a charge, a seat), and the notify.reminders job tells each
member at each stage once:

    before   HAMYAN_REMINDER_DAYS_BEFORE days (3) or fewer before the due date
    due      on the due date
    late<N>  N days after it, for each N of HAMYAN_REMINDER_LATE_DAYS ("1,7,30"): escalating

Each message's dedupe key is (box, subject, reference, stage), unique in the outbox per channel, so
re-runs, a restart in the middle of a run and several processes never tell anyone twice. A stage the
job missed (the server was down on the day) is sent late rather than never, but only the latest one."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from hamyan import money
from hamyan.boxes.models import Box
from hamyan.dues.calendar import format_day
from hamyan.extensions import db
from hamyan.notify import services
from hamyan.notify.models import CHANNELS, ChannelPreference, NotifyProfile, OutboxMessage

KIND = "reminder"


@dataclass(frozen=True)
class Owed:
    user_id: int  # who is told (a member with an account)
    subject: tuple[str, int]  # who owes, as dues names it: ("membership", 12), ("loan", 3), ...
    reference: str  # the obligation within the subject: "due:2026-03-01", "installment:4"
    due_date: date
    amount: int  # still unpaid, in minor units
    label: str  # what it is, for the message: "Contribution", "Loan installment 4"


def stage(due_date: date, today: date, days_before: int, late_days: tuple[int, ...]) -> str | None:
    """The stage to tell about today, or None."""
    delta = (today - due_date).days
    if delta < 0:
        return "before" if -delta <= days_before else None
    if delta == 0:
        return "due"
    passed = [n for n in late_days if n <= delta]
    return f"late{max(passed)}" if passed else None


def settings() -> tuple[int, tuple[int, ...]]:
    cfg = current_app.config
    late = tuple(sorted({int(n) for n in str(cfg["REMINDER_LATE_DAYS"]).split(",") if n.strip()}))
    return cfg["REMINDER_DAYS_BEFORE"], late


def remind_box(box_id: int, owed_of) -> int:
    """Tell this box's members what they owe at today's stage (inside the box's write); returns the
    number of members told."""
    from hamyan.blueprints.auth.models import User
    from hamyan.core import clock

    box = db.session.get(Box, box_id)
    today = clock.today(box)
    days_before, late_days = settings()
    due_now = [(o, s) for o in owed_of(box_id, today) if o.amount > 0
               for s in [stage(o.due_date, today, days_before, late_days)] if s]
    if not due_now:
        return 0
    prefix = f"rem:{box_id}:"
    done = {key.rsplit(":", 1)[0] for key in db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.box_id == box_id, OutboxMessage.kind == KIND,
        OutboxMessage.dedupe_key.in_([f"{_key(box_id, o, s)}:{channel}" for o, s in due_now
                                      for channel in CHANNELS])))}
    user_ids = {o.user_id for o, _ in due_now}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    prefs = {p.user_id: p for p in db.session.scalars(select(ChannelPreference).where(
        ChannelPreference.box_id == box_id, ChannelPreference.user_id.in_(user_ids)))}
    people = {p.user_id: p for p in db.session.scalars(select(NotifyProfile).where(NotifyProfile.user_id.in_(user_ids)))}
    told = 0
    for owed, when in due_now:
        key = _key(box_id, owed, when)
        user = users.get(owed.user_id)
        if key in done or user is None:
            continue
        amount = money.format_money(owed.amount, box.currency, box.locale)
        day = format_day(owed.due_date, box.calendar, box.locale)
        subject, line = _wording(box.name, owed.label, amount, day, when)
        body = (f"Hello {user.name},\n\n{line}\n\nSee your account: "
                f"{current_app.config['BASE_URL'].rstrip('/')}/")
        made = services.notify_member(user, box_id, subject, body, kind=KIND, sms_text=f"{box.name}: {line}",
                                      dedupe_key=key, checked=True,
                                      prefs=prefs.get(user.id) or services.DEFAULT_PREFERENCE,
                                      person=people.get(user.id) or services.NO_PROFILE)
        told += bool(made)
    return told


def _key(box_id: int, owed: Owed, when: str) -> str:
    return f"rem:{box_id}:{owed.subject[0]}:{owed.subject[1]}:{owed.reference}:{when}"


def _wording(box_name: str, label: str, amount: str, day: str, when: str) -> tuple[str, str]:
    if when == "before":
        return f"{box_name}: {label} due {day}", f"{label} of {amount} is due on {day}."
    if when == "due":
        return f"{box_name}: {label} due today", f"{label} of {amount} is due today ({day})."
    days = when.removeprefix("late")
    return (f"{box_name}: {label} is {days} day{'s' if days != '1' else ''} late",
            f"{label} of {amount} was due on {day} and is still unpaid ({days} day{'s' if days != '1' else ''} late).")
