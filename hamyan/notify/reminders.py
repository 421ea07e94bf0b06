"""The reminders job's messages: what each product's descriptor says is owed (dues.reminders.Owed),
at the stage dues.reminders decides for today, told once per (subject, obligation, stage). Each
person hears once per run, in one message listing every obligation that calls for a reminder
(a member late on three periods gets one message, not three), on the channels they keep on for
the box; someone without an account (a unit's owner known by email) gets an email."""
from flask import current_app
from sqlalchemy import select

from hamyan import money
from hamyan.boxes.models import Box
from hamyan.dues import reminders
from hamyan.dues.calendar import format_day
from hamyan.extensions import db
from hamyan.notify import services
from hamyan.notify.models import ChannelPreference, NotifyProfile

KIND = "reminder"


def settings() -> tuple[int, tuple[int, ...]]:
    cfg = current_app.config
    late = tuple(sorted({int(n) for n in str(cfg["REMINDER_LATE_DAYS"]).split(",") if n.strip()}))
    return cfg["REMINDER_DAYS_BEFORE"], late


def remind_box(box_id: int, owed_of) -> int:
    """Tell this box's people what they owe at today's stage (inside the box's write); returns the
    number of people told."""
    from hamyan.blueprints.auth.models import User
    from hamyan.core import clock

    box = db.session.get(Box, box_id)
    today = clock.today(box)
    days_before, late_days = settings()
    due_now = [(o, s) for o in owed_of(box_id, today) if o.amount > 0
               for s in [reminders.stage(o.due_date, today, days_before, late_days, o.grace_days)] if s]
    done = reminders.told(box_id, [o.reference for o, _ in due_now])
    due_now = [(o, s) for o, s in due_now if (*o.subject, o.reference, s) not in done]
    if not due_now:
        return 0
    for key in {(*o.subject, o.reference, s) for o, s in due_now}:
        reminders.record(box_id, key[:2], key[2], key[3])
    by_person = {}
    for o, s in due_now:
        by_person.setdefault(("user", o.user_id) if o.user_id else ("email", o.email), []).append((o, s))
    user_ids = [who for kind, who in by_person if kind == "user"]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    prefs = {p.user_id: p for p in db.session.scalars(select(ChannelPreference).where(
        ChannelPreference.box_id == box_id, ChannelPreference.user_id.in_(user_ids)))} if user_ids else {}
    people = {p.user_id: p for p in db.session.scalars(
        select(NotifyProfile).where(NotifyProfile.user_id.in_(user_ids)))} if user_ids else {}
    base = current_app.config["BASE_URL"].rstrip("/")
    told = 0
    for (kind, who), items in by_person.items():
        items.sort(key=lambda item: (item[0].due_date, item[0].label))
        lines = [_line(box, o, s, today) for o, s in items]
        late = any(s.startswith("late") for _, s in items)
        subject = f"{box.name}: " + (_headline(box, *items[0], today) if len(items) == 1
                                     else "payments late" if late else "payments due")
        text = "\n".join(f"- {line}" for line in lines) if len(lines) > 1 else lines[0]
        overdue = sum({o.subject: o.overdue for o, _ in items}.values())
        if overdue:  # what settles everything today, so nobody pays the dues and forgets the fines
            lines.append(f"Overdue now, fines included: {money.format_money(overdue, box.currency, box.locale)}.")
            text += f"\n\n{lines[-1]}"
        link = base + items[0][0].link
        if kind == "email":
            if who:
                services.notify(who, subject, f"{text}\n\nSee what you owe: {link}", box_id=box_id, kind=KIND)
                told += 1
            continue
        user = users.get(who)
        if user is None:
            continue
        made = services.notify_member(user, box_id, subject, f"Hello {user.name},\n\n{text}\n\nSee what you owe: {link}",
                                      kind=KIND, sms_text=f"{box.name}: {'; '.join(lines)}", checked=True,
                                      prefs=prefs.get(user.id) or services.DEFAULT_PREFERENCE,
                                      person=people.get(user.id) or services.NO_PROFILE)
        told += bool(made)
    return told


def _days_late(o: reminders.Owed, today) -> str:
    days = (today - o.due_date).days
    return f"{days} day{'s' if days != 1 else ''} late"


def _headline(box: Box, o: reminders.Owed, when: str, today) -> str:
    if when == reminders.BEFORE:
        return f"{o.label} due {format_day(o.due_date, box.calendar, box.locale)}"
    if when == reminders.DUE:
        return f"{o.label} due today"
    return f"{o.label} is overdue ({_days_late(o, today)})"


def _line(box: Box, o: reminders.Owed, when: str, today) -> str:
    amount = money.format_money(o.amount, box.currency, box.locale)
    day = format_day(o.due_date, box.calendar, box.locale)
    if when == reminders.BEFORE:
        return f"{o.label} of {amount} is due on {day}."
    if when == reminders.DUE:
        return f"{o.label} of {amount} is due today ({day})."
    return f"{o.label} of {amount} is overdue: it was due on {day} ({_days_late(o, today)})."
