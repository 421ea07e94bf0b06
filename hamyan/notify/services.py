"""notify(): the one way the app sends a message. It only enqueues: the outbox row is written in the
caller's unit of work, so a write that rolls back sends nothing, and the dispatcher (dispatch.py)
sends it after that commits: right after for an email when SMTP is set (so no mail server is waited
for while a box's lock is held), else by the notify.dispatch job.

notify_member() is how a box tells one of its members something: it fans out to the channels the
member keeps on for that box (email, SMS to their mobile, in-app), holds text messages during their
quiet hours, and with a dedupe_key never enqueues the same message twice.

speaking() is where every message to a person is composed: inside it, gettext, dates and digits
speak the recipient's language (the one they chose, else their box's locale), whatever the language
of the request or job that sends it, so reminders, receipts, statements and campaigns all follow it."""
import logging
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import get_locale
from sqlalchemy import select

from hamyan.core import clock, uow
from hamyan.core.parse import mobile
from hamyan.extensions import db
from hamyan.i18n import LANGUAGES, box_language, writing_in
from hamyan.notify.models import EMAIL, INAPP, SMS, ChannelPreference, NotifyProfile, OutboxMessage

log = logging.getLogger(__name__)


def notify(recipient: str, subject: str, body: str, channel: str = EMAIL, **fields) -> OutboxMessage:
    """Enqueue a message in the running write; an email goes out once that write commits. Outside a
    unit of work nothing commits the row here: the notify.dispatch job sends it after the caller's commit."""
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject[:255], body=body, **fields)
    db.session.add(message)
    db.session.flush()
    log.info("outbox %s to %s: %s", channel, recipient, subject)
    if channel == EMAIL and current_app.config["SMTP_HOST"] and uow.active():
        from hamyan.notify.dispatch import drain

        message_id = message.id
        uow.after_commit(lambda: drain(ids=[message_id], rounds=1))
    return message


def language_for(user=None, box=None) -> str:
    """The language a message to this person is written in: the one they chose, else the box's
    (its locale); a message about their own account (no box), sent from their own request (a
    sign-up, a password reset), speaks the language of the page they are on. Else the app's default."""
    if user is not None and getattr(user, "language", None) in LANGUAGES:
        return user.language
    if box is None:
        return str(get_locale()) if has_request_context() else current_app.config["BABEL_DEFAULT_LOCALE"]
    return box_language(box)


@contextmanager
def speaking(user=None, box=None):
    """Compose a message to `user` (or to someone of `box` without an account) inside this; what is
    rendered inside (a statement's PDF) speaks it too (g.message_language)."""
    with writing_in(language_for(user, box)) as language:
        yield language


# What a member who never chose gets: plain stand-ins for the rows (no ORM instance at import).
DEFAULT_PREFERENCE = SimpleNamespace(email=True, sms=True, inapp=True, statements=True)
NO_PROFILE = SimpleNamespace(phone=None, quiet_start=None, quiet_end=None, timezone="Asia/Tehran")


def preference(user_id: int, box_id: int | None) -> ChannelPreference:
    """The member's channels for the box (the defaults when they never chose)."""
    found = db.session.scalar(select(ChannelPreference).filter_by(user_id=user_id, box_id=box_id)) if box_id else None
    return found or DEFAULT_PREFERENCE


def preferences(user_id: int, box_ids) -> dict[int, ChannelPreference]:
    """preference() for several boxes, read at once."""
    found = {p.box_id: p for p in db.session.scalars(select(ChannelPreference).where(
        ChannelPreference.user_id == user_id, ChannelPreference.box_id.in_(box_ids)))} if box_ids else {}
    return {box_id: found.get(box_id, DEFAULT_PREFERENCE) for box_id in box_ids}


def profile(user_id: int) -> NotifyProfile:
    return db.session.get(NotifyProfile, user_id) or NO_PROFILE


def after_quiet_hours(p: NotifyProfile, now: datetime) -> datetime:
    """`now`, or the end of the quiet hours when `now` (naive UTC) falls within them."""
    if p.quiet_start is None or p.quiet_end is None or p.quiet_start == p.quiet_end:
        return now
    zone = ZoneInfo(p.timezone)
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    hour = local.hour
    quiet = (p.quiet_start <= hour < p.quiet_end) if p.quiet_start < p.quiet_end else (
        hour >= p.quiet_start or hour < p.quiet_end)
    if not quiet:
        return now
    end = datetime.combine(local.date(), time(p.quiet_end), zone)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def notify_member(user, box_id: int | None, subject: str, body: str, *, kind: str, sms_text: str | None = None,
                  dedupe_key: str | None = None, attachment: tuple[str, str] | None = None,
                  prefs: ChannelPreference | None = None, person: NotifyProfile | None = None,
                  checked: bool = False, campaign_id: int | None = None,
                  channels: tuple[str, ...] | None = None) -> list[OutboxMessage]:
    """Enqueue the message on each channel the member keeps on for the box; returns the new rows
    (none for a channel already sent under this dedupe_key). A job telling many members passes
    their preferences and profiles read at once, and `checked` when it has already looked the
    dedupe keys up."""
    prefs, person = prefs or preference(user.id, box_id), person or profile(user.id)
    wanted = []
    if prefs.email and user.email:
        wanted.append((EMAIL, user.email))
    if prefs.sms and person.phone:
        wanted.append((SMS, person.phone))
    if prefs.inapp:
        wanted.append((INAPP, str(user.id)))
    wanted = [(channel, to) for channel, to in wanted if channels is None or channel in channels]
    keys = {channel: f"{dedupe_key}:{channel}" for channel, _ in wanted} if dedupe_key else {}
    done = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_(list(keys.values()))))) if keys and not checked else set()
    made = []
    for channel, recipient in wanted:
        if keys.get(channel) in done:
            continue
        extra = dict(user_id=user.id, box_id=box_id, kind=kind, dedupe_key=keys.get(channel), campaign_id=campaign_id)
        if channel == SMS:
            extra["next_attempt_at"] = after_quiet_hours(person, clock.now())
        if channel == EMAIL and attachment:
            extra.update(attachment_path=attachment[0], attachment_name=attachment[1])
        made.append(notify(recipient, subject, sms_text if channel == SMS and sms_text else body, channel, **extra))
    return made


def notify_membership(membership, box_id: int, subject: str, body: str, *, kind: str,
                      dedupe_key: str | None = None) -> list[OutboxMessage]:
    """Tell one member of a box: on their channels when they have an account, else by email to the
    address the manager gave (someone added without an account), else no one."""
    if membership.user is not None:
        return notify_member(membership.user, box_id, subject, body, kind=kind, dedupe_key=dedupe_key)
    if membership.email:
        key = f"{dedupe_key}:email" if dedupe_key else None
        if key and db.session.scalar(select(OutboxMessage.id).filter_by(dedupe_key=key)):
            return []
        return [notify(membership.email, subject, body, box_id=box_id, kind=kind, dedupe_key=key)]
    return []


def notify_managers(box, compose, *, kind: str, dedupe_key: str | None = None) -> list[OutboxMessage]:
    """Tell every manager of the box (an apartment fund's board) who has not left it: compose()
    gives the (subject, body), called in each manager's language, so its words, amounts, days and
    digits are written for that manager."""
    from hamyan.boxes.models import MANAGING_ROLES, Membership

    made = []
    for membership in db.session.scalars(select(Membership).where(
            Membership.box_id == box.id, Membership.role.in_(MANAGING_ROLES), Membership.left_at.is_(None))
            .order_by(Membership.id)):
        with speaking(membership.user, box):
            subject, body = compose()
            made += notify_membership(membership, box.id, subject, body, kind=kind,
                                      dedupe_key=f"{dedupe_key}:{membership.id}" if dedupe_key else None)
    return made


@uow.write
def set_profile(user, phone: str, quiet_start: int | None, quiet_end: int | None, timezone: str) -> NotifyProfile:
    """Save the user's mobile (validated, stored E.164; empty removes it) and quiet hours."""
    row = db.session.get(NotifyProfile, user.id) or NotifyProfile(user_id=user.id)
    row.phone = mobile(phone) if phone and phone.strip() else None
    row.quiet_start, row.quiet_end, row.timezone = quiet_start, quiet_end, timezone
    db.session.add(row)
    return row


@uow.write
def set_preference(user, box_id: int, **channels: bool) -> ChannelPreference:
    from hamyan.boxes.access import authorize

    authorize(user, box_id)  # only a box the user belongs to (else NotFound)
    row = db.session.scalar(select(ChannelPreference).filter_by(user_id=user.id, box_id=box_id)) or \
        ChannelPreference(user_id=user.id, box_id=box_id)
    for name in ("email", "sms", "inapp", "statements"):
        if name in channels:
            setattr(row, name, bool(channels[name]))
    db.session.add(row)
    return row
