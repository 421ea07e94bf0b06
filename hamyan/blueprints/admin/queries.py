"""What the admin pages list: one page of rows plus the figures each row shows, fetched for the
page's rows together, so a page costs the same few queries however many users or boxes there are."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box, Membership
from hamyan.core import parse
from hamyan.extensions import db

PER_PAGE = 50


def search_text(value) -> str:
    """The ?q= of a list: trimmed, at most 100 characters, never an error (a list just finds nothing)."""
    return (value if isinstance(value, str) else "").strip()[:100]


def page_number(value) -> int:
    return min(parse.record_id(value) or 1, parse.MAX_ID // PER_PAGE)


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
    pager = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
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
