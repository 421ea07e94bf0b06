"""The reminders job's messages: what each product's descriptor says is owed (dues.reminders.Owed),
at the stage dues.reminders decides for today, told once per (subject, obligation, stage). Each
person hears once per run, in one message listing every obligation that calls for a reminder
(a member late on three periods gets one message, not three), on the channels they keep on for
the box; someone without an account (a unit's owner known by email) gets an email."""
from dataclasses import replace
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from hamyan.boxes.models import Box
from hamyan.dues import reminders
from hamyan.extensions import db
from hamyan.i18n import digits, show_day, show_money
from hamyan.notify import services
from hamyan.notify.models import ChannelPreference, NotifyProfile

KIND = "reminder"


def remind_box(box_id: int, owed_of) -> int:
    """Tell this box's people what they owe at today's stage (inside the box's write); returns the
    number of people told."""
    from hamyan.blueprints.auth.models import User
    from hamyan.core import clock

    box = db.session.get(Box, box_id)
    today = clock.today(box)
    days_before, late_days = reminders.timing(box)
    due_now = [(o, s) for o in owed_of(box_id, today) if o.amount > 0
               for s in [reminders.stage(o.due_date, today, days_before, late_days, o.grace_days)] if s]
    due_now = reminders.untold(due_now, reminders.told(box_id, [o.reference for o, _stage in due_now]))
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
        link = base + items[0][0].link
        if kind == "email":
            if who:
                with services.speaking(box=box):
                    subject, text, _sms = _compose(box, items, today)
                    body = _("%(text)s\n\nSee what you owe: %(link)s", text=text, link=link)
                services.notify(who, subject, body, box_id=box_id, kind=KIND)
                told += 1
            continue
        user = users.get(who)
        if user is None:
            continue
        with services.speaking(user, box):
            subject, body, sms_text = message(box, user.name, items, today, link)
        made = services.notify_member(user, box_id, subject, body, kind=KIND, sms_text=sms_text, checked=True,
                                      prefs=prefs.get(user.id) or services.DEFAULT_PREFERENCE,
                                      person=people.get(user.id) or services.NO_PROFILE)
        told += bool(made)
    return told


def message(box: Box, name: str, items: list, today, link: str) -> tuple[str, str, str]:
    """A member's reminder of these (obligation, stage) items, in the language being spoken: its
    subject, its email and in-app body, and its SMS."""
    subject, text, sms_text = _compose(box, items, today)
    return subject, _("Hello %(name)s,\n\n%(text)s\n\nSee what you owe: %(link)s", name=name, text=text, link=link), sms_text


def previews(box: Box, name: str) -> list[tuple[str, tuple[str, str, str]]]:
    """Each stage's reminder as `name` would read it, of a sample contribution: (the stage, the
    message), for the manager's preview."""
    from hamyan.core import clock
    from hamyan.money import to_minor

    today = clock.today(box)
    days_before, late_days = reminders.timing(box)
    sample = reminders.Owed(("membership", 0), "sample", today, to_minor(1_000_000 if box.currency == "IRR" else 100,
                                                                         box.currency), _("Contribution"))
    stages = [(digits(ngettext("%(num)s day before the due date", "%(num)s days before the due date", days_before), box),
               reminders.BEFORE, days_before)] if days_before else []
    stages.append((_("On the due date"), reminders.DUE, 0))
    stages += [(digits(ngettext("%(num)s day late", "%(num)s days late", days), box), f"late{days}", -days)
               for days in late_days]
    link = current_app.config["BASE_URL"].rstrip("/") + "/"
    return [(title, message(box, name, [(replace(sample, due_date=today + timedelta(days=shift)), stage)], today, link))
            for title, stage, shift in stages]


def _compose(box: Box, items: list, today) -> tuple[str, str, str]:
    """A person's reminder in the language being spoken: its subject, its text and its SMS."""
    lines = [_line(box, o, s, today) for o, s in items]
    late = any(s.startswith("late") for _o, s in items)
    subject = f"{box.name}: " + (_headline(box, *items[0], today) if len(items) == 1
                                 else _("payments late") if late else _("payments due"))
    text = "\n".join(f"- {line}" for line in lines) if len(lines) > 1 else lines[0]
    overdue = sum({o.subject: o.overdue for o, _stage in items}.values())
    if overdue:  # what settles everything today, so nobody pays the dues and forgets the fines
        lines.append(_("Overdue now, fines included: %(amount)s.", amount=show_money(overdue, box)))
        text += f"\n\n{lines[-1]}"
    return subject, text, f"{box.name}: {'; '.join(lines)}"


def _days_late(box: Box, o: reminders.Owed, today) -> str:
    days = (today - o.due_date).days
    return digits(ngettext("%(num)s day late", "%(num)s days late", days), box)


def _label(box: Box, o: reminders.Owed) -> str:
    """What is owed, in the language and digits being written (the product's label is lazy)."""
    return digits(str(o.label), box)


def _headline(box: Box, o: reminders.Owed, when: str, today) -> str:
    label = _label(box, o)
    if when == reminders.BEFORE:
        return _("%(label)s due %(day)s", label=label, day=show_day(o.due_date, box))
    if when == reminders.DUE:
        return _("%(label)s due today", label=label)
    return _("%(label)s is overdue (%(late)s)", label=label, late=_days_late(box, o, today))


def _line(box: Box, o: reminders.Owed, when: str, today) -> str:
    label, amount, day = _label(box, o), show_money(o.amount, box), show_day(o.due_date, box)
    if when == reminders.BEFORE:
        return _("%(label)s of %(amount)s is due on %(day)s.", label=label, amount=amount, day=day)
    if when == reminders.DUE:
        return _("%(label)s of %(amount)s is due today (%(day)s).", label=label, amount=amount, day=day)
    return _("%(label)s of %(amount)s is overdue: it was due on %(day)s (%(late)s).", label=label, amount=amount,
             day=day, late=_days_late(box, o, today))
