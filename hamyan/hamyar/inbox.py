"""The in-app inbox: the in-app messages hamyan.notify wrote for a user (an outbox row of channel
"inapp" is the message itself; `read_at` marks it read) and the operator's announcements, which
admins write and every signed-in user sees until they end."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from hamyan.boxes.access import Principal
from hamyan.core import clock, parse, uow
from hamyan.core.errors import NotFound
from hamyan.extensions import db
from hamyan.hamyar.models import Announcement
from hamyan.notify.campaigns import _body as message_body
from hamyan.notify.models import INAPP, OutboxMessage
from hamyan.web.listing import Page, paged

PAGE_SIZE = 25


def _mine(user_id: int):
    return (OutboxMessage.channel == INAPP, OutboxMessage.user_id == user_id)


@dataclass(frozen=True)
class Bar:
    """What the navigation shows a signed-in user: unread messages and the newest announcement."""
    unread: int
    announcement: Announcement | None


def bar(user_id: int) -> Bar:
    """One query: the user's unread count and the id of the newest running announcement (the row
    itself is read only when there is one)."""
    unread = select(func.count(OutboxMessage.id)).where(*_mine(user_id), OutboxMessage.read_at.is_(None))
    newest = select(func.max(Announcement.id)).where(Announcement.ended_at.is_(None))
    count, announcement_id = db.session.execute(select(unread.scalar_subquery(), newest.scalar_subquery())).one()
    return Bar(count or 0, db.session.get(Announcement, announcement_id) if announcement_id else None)


def messages(user_id: int, page: int) -> Page:
    """A page of the user's in-app messages, newest first (past the last page: the last)."""
    return paged(select(OutboxMessage).where(*_mine(user_id)).order_by(OutboxMessage.id.desc()), page, PAGE_SIZE)


@uow.write
def mark_read(actor, message_id=None) -> int:
    """Mark one of the actor's messages read (or all of them without an id); returns how many.
    Someone else's message answers 404."""
    user_id = Principal.of(actor).user_id
    query = update(OutboxMessage).where(*_mine(user_id), OutboxMessage.read_at.is_(None))
    if message_id is not None:
        number = parse.record_id(message_id)
        message = db.session.get(OutboxMessage, number) if number else None
        if message is None or message.channel != INAPP or message.user_id != user_id:
            raise NotFound()
        query = query.where(OutboxMessage.id == number)
    return db.session.execute(query.values(read_at=clock.now())).rowcount


def announcements(running_only: bool = True, limit: int = 20) -> list[Announcement]:
    query = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
    if running_only:
        query = query.where(Announcement.ended_at.is_(None))
    return db.session.scalars(query).all()


def _admin(actor) -> Principal:
    principal = Principal.of(actor)
    if not principal.is_admin or principal.user is None:
        raise NotFound()
    return principal


@uow.write
def announce(actor, title: str, body: str) -> Announcement:
    """An admin's announcement, shown to every signed-in user until it is ended."""
    principal = _admin(actor)
    title = parse.text(title, "title", label=_("The title"), limit=200)
    row = Announcement(author_id=principal.user_id, title=title, body=message_body(body))
    db.session.add(row)
    db.session.flush()
    return row


@uow.write
def end_announcement(actor, announcement_id) -> Announcement:
    _admin(actor)
    number = parse.record_id(announcement_id)
    row = db.session.get(Announcement, number) if number else None
    if row is None:
        raise NotFound()
    if row.ended_at is None:
        row.ended_at = clock.now()
    return row
