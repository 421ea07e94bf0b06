"""Who brought whom. Two ways in: a box's invitation (the invitation keeps who sent it and who
accepted it) and a user's own referral link, /r/<code>, that leads to the sign-up form; the account
made there is attributed to the code's owner (a Referral row). A person brought counts as active
while they have a usage event (a sign-in, a payment...) in the last ACTIVE_DAYS days."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hamyan.analytics.models import UsageEvent
from hamyan.blueprints.auth.models import User
from hamyan.boxes.access import Principal
from hamyan.boxes.models import Box, Invitation
from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.hamyar.models import Referral, ReferralCode

ACTIVE_DAYS = 30
SHOWN = 100  # people listed on the invite page, newest first


def code_of(user_id: int) -> str | None:
    return db.session.scalar(select(ReferralCode.code).where(ReferralCode.user_id == user_id))


@uow.write
def make_code(actor) -> str:
    """The actor's referral code, made on first use."""
    user_id = Principal.of(actor).user_id
    found = code_of(user_id)
    if found:
        return found
    code = secrets.token_urlsafe(6)  # 8 characters of [A-Za-z0-9_-]
    db.session.add(ReferralCode(user_id=user_id, code=code))
    return code


def owner_of(code: str) -> int | None:
    if not isinstance(code, str) or not 0 < len(code) <= 16:
        return None
    return db.session.scalar(select(ReferralCode.user_id).where(ReferralCode.code == code))


def attribute(user: User, code: str | None) -> bool:
    """Record that `user` (just signed up) came through `code`; a bad code, one's own, or a user
    already attributed changes nothing."""
    referrer = owner_of(code) if code else None
    if referrer is None or referrer == user.id:
        return False
    try:
        with uow.transaction():
            if db.session.scalar(select(Referral.id).where(Referral.referred_id == user.id)) is None:
                db.session.add(Referral(referrer_id=referrer, referred_id=user.id))
    except IntegrityError:  # attributed meanwhile (a double submit)
        return False
    return True


@dataclass(frozen=True)
class Brought:
    name: str
    how: str | None  # the box they were invited to; None: by your link
    on: datetime
    active: bool


def brought_by(user_id: int) -> list[Brought]:
    """The people this user brought, newest first: by their link and by box invitations (two queries)."""
    since = clock.now() - timedelta(days=ACTIVE_DAYS)
    seen = (select(func.max(UsageEvent.at)).where(UsageEvent.user_id == User.id).correlate(User)
            .scalar_subquery())
    people = [Brought(name, None, on, bool(last and last >= since)) for name, on, last in db.session.execute(
        select(User.name, Referral.created_at, seen).join(User, User.id == Referral.referred_id)
        .where(Referral.referrer_id == user_id).order_by(Referral.id.desc()).limit(SHOWN))]
    people += [Brought(name, box, on, bool(last and last >= since)) for name, box, on, last in db.session.execute(
        select(User.name, Box.name, Invitation.accepted_at, seen).join(User, User.id == Invitation.accepted_by_id)
        .join(Box, Box.id == Invitation.box_id).where(Invitation.invited_by_id == user_id,
                                                      Invitation.accepted_at.is_not(None))
        .order_by(Invitation.id.desc()).limit(SHOWN))]
    return sorted(people, key=lambda b: b.on, reverse=True)[:SHOWN]


def referral_counts(since: datetime) -> tuple[int, int, int]:
    """For the admin dashboard: accounts made through referral links since `since`, of them active
    now, and invitations accepted since then."""
    recent = clock.now() - timedelta(days=ACTIVE_DAYS)
    active = (select(UsageEvent.id).where(UsageEvent.user_id == Referral.referred_id, UsageEvent.at >= recent)
              .exists())
    total, alive = db.session.execute(select(func.count(Referral.id),
                                             func.coalesce(func.sum(db.case((active, 1), else_=0)), 0))
                                      .where(Referral.created_at >= since)).one()
    accepted = db.session.scalar(select(func.count(Invitation.id)).where(Invitation.accepted_at >= since))
    return total, int(alive), accepted
