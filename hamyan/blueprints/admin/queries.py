"""What the admin pages list: one page of rows plus the figures each row shows, fetched for the
page's rows together, so a page costs the same few queries however many users or boxes there are."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from hamyan.blueprints import product
from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.ledger.models import Entry, LedgerAccount
from hamyan.web.listing import paged

PER_PAGE = 50


def search_text(value) -> str:
    """The ?q= of a list: trimmed, at most 100 characters, never an error (a list just finds nothing)."""
    return (value if isinstance(value, str) else "").strip()[:100]


def kind_name(kind: str) -> str:
    """What one box of a kind is called, in the page's language (the kind itself when not installed)."""
    found = product(kind)
    return str(found.name) if found else kind


@dataclass(frozen=True)
class UserRow:
    user: User
    boxes: int  # active memberships


def users_page(q: str, page: int):
    """Users whose name or email contains q, newest first; a pager and its rows."""
    query = select(User).order_by(User.id.desc())
    if q:
        query = query.where(or_(func.lower(User.name).contains(q.lower(), autoescape=True),
                                User.email.contains(q.lower(), autoescape=True)))
    pager = paged(query, page, PER_PAGE)
    ids = [u.id for u in pager.items]
    counts = dict(db.session.execute(
        select(Membership.user_id, func.count()).where(Membership.user_id.in_(ids), Membership.left_at.is_(None))
        .group_by(Membership.user_id)).all()) if ids else {}
    return pager, [UserRow(u, counts.get(u.id, 0)) for u in pager.items]


def memberships_of(user_id: int) -> list[tuple[Box, Membership]]:
    """Every box the user is or was in, current ones first."""
    return list(db.session.execute(
        select(Box, Membership).join(Membership, Membership.box_id == Box.id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.left_at.is_not(None), Box.kind, Box.name)).all())


QUIET_AFTER = timedelta(days=60)  # a box that moved no money for this long is listed as quiet
BOX_STATUS_NAMES = {"no money yet": _l("no money yet"), "active": _l("active"), "quiet": _l("quiet")}


@dataclass(frozen=True)
class BoxRow:
    box: Box
    creator: str
    members: int  # active memberships
    entries: int  # ledger entries, reversals included
    last_entry_at: datetime | None
    held: dict  # currency -> minor units in the box's own asset accounts (cash, bank)

    @property
    def status(self) -> str:
        if self.last_entry_at is None:
            return "no money yet"
        return "active" if clock.now() - self.last_entry_at <= QUIET_AFTER else "quiet"


def boxes_page(q: str, kind: str, page: int):
    """Boxes of every product whose name contains q (of one kind when given), newest first, with
    their volumes: members, entries, last movement and money held (cached balances)."""
    query = select(Box).order_by(Box.id.desc())
    if q:
        query = query.where(func.lower(Box.name).contains(q.lower(), autoescape=True))
    if kind:
        query = query.where(Box.kind == kind)
    pager = paged(query, page, PER_PAGE)
    ids = [b.id for b in pager.items]
    if not ids:
        return pager, []
    members = dict(db.session.execute(
        select(Membership.box_id, func.count()).where(Membership.box_id.in_(ids), Membership.left_at.is_(None))
        .group_by(Membership.box_id)).all())
    entries = {box_id: (count, last) for box_id, count, last in db.session.execute(
        select(Entry.box_id, func.count(), func.max(Entry.created_at)).where(Entry.box_id.in_(ids))
        .group_by(Entry.box_id)).all()}
    held: dict = {}
    for box_id, currency, total in db.session.execute(
            select(LedgerAccount.box_id, LedgerAccount.currency, func.sum(LedgerAccount.balance))
            .where(LedgerAccount.box_id.in_(ids), LedgerAccount.type == "asset", LedgerAccount.subject_kind == "box")
            .group_by(LedgerAccount.box_id, LedgerAccount.currency)).all():
        held.setdefault(box_id, {})[currency] = int(total or 0)
    creators = dict(db.session.execute(
        select(User.id, User.name).where(User.id.in_({b.created_by_id for b in pager.items if b.created_by_id}))).all())
    return pager, [BoxRow(b, creators.get(b.created_by_id, ""), members.get(b.id, 0), *entries.get(b.id, (0, None)),
                          held.get(b.id, {})) for b in pager.items]
