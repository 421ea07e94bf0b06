"""Nudges: a word to members who joined a box but never paid in, and to people who stopped coming.
The hamyar.nudges job sends them through hamyan.notify (each member's channels for the box), each
nudge once: its dedupe key names the membership (first payment: once ever) or the user and the day
they were last seen (coming back: once per absence), so re-runs and several processes never
send one twice.

- first payment: a member (not a manager) of a cashbox, money pool or ROSCA for NUDGE_PAY_DAYS who
  has never paid in: no credit to an account of their membership that the box owes them. (An
  apartment's payments are its unit's, so buildings are left to the reminders.)
- coming back: a user in at least one box, with no usage event (sign-in, payment...) for
  NUDGE_IDLE_DAYS."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from hamyan.analytics.models import UsageEvent
from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import MANAGING_ROLES, Box, Membership
from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.ledger.models import LIABILITY, LedgerAccount, Posting
from hamyan.notify import services
from hamyan.notify.models import CHANNELS, OutboxMessage

KIND = "nudge"
PAYING_KINDS = ("cashbox", "moneypool", "rosca")
BATCH = 200  # nudges written per transaction; a run sends at most MAX_PER_RUN, the next run goes on
MAX_PER_RUN = 2000


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def never_paid(now) -> list[tuple[Membership, Box, User]]:
    """Members who joined a paying box NUDGE_PAY_DAYS ago or more and have not paid in yet."""
    paid_in = (select(Posting.id).join(LedgerAccount, LedgerAccount.id == Posting.account_id)
               .where(LedgerAccount.box_id == Membership.box_id, LedgerAccount.subject_kind == "membership",
                      LedgerAccount.subject_id == Membership.id, LedgerAccount.type == LIABILITY, Posting.amount < 0)
               .exists())
    told = exists().where(OutboxMessage.kind == KIND, OutboxMessage.box_id == Membership.box_id,
                          OutboxMessage.user_id == Membership.user_id)
    cutoff = now - timedelta(days=current_app.config["NUDGE_PAY_DAYS"])
    return db.session.execute(
        select(Membership, Box, User).join(Box, Box.id == Membership.box_id).join(User, User.id == Membership.user_id)
        .where(Membership.left_at.is_(None), Membership.role.not_in(MANAGING_ROLES), Box.kind.in_(PAYING_KINDS),
               Membership.created_at <= cutoff, ~paid_in, ~told)
        .order_by(Membership.id).limit(MAX_PER_RUN)).all()


def idle(now) -> list[tuple[User, object]]:
    """Users in a box who have not been seen for NUDGE_IDLE_DAYS, with when they were last seen."""
    cutoff = now - timedelta(days=current_app.config["NUDGE_IDLE_DAYS"])
    last_seen = func.max(UsageEvent.at)
    in_a_box = exists().where(Membership.user_id == User.id, Membership.left_at.is_(None))
    # the coming-back nudges already sent (the only nudges of no box), latest per user
    nudged = (select(OutboxMessage.user_id, func.max(OutboxMessage.created_at).label("at"))
              .where(OutboxMessage.kind == KIND, OutboxMessage.box_id.is_(None)).group_by(OutboxMessage.user_id)
              .subquery())
    return db.session.execute(
        select(User, last_seen).outerjoin(UsageEvent, UsageEvent.user_id == User.id)
        .outerjoin(nudged, nudged.c.user_id == User.id)
        .where(User.created_at <= cutoff, in_a_box).group_by(User.id)
        .having(or_(last_seen.is_(None), last_seen <= cutoff),
                or_(func.max(nudged.c.at).is_(None), func.max(nudged.c.at) < func.coalesce(last_seen, User.created_at)))
        .order_by(User.id).limit(MAX_PER_RUN)).all()


def _send(batch: list[tuple]) -> int:
    """Send (user, box, key) nudges not sent yet, in one transaction (box None: the coming-back one)."""
    keys = [f"{key}:{channel}" for _, _, key in batch for channel in CHANNELS]
    done = {k.rsplit(":", 1)[0] for k in db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_(keys)))}
    sent = 0
    with uow.transaction():
        for user, box, key in batch:
            if key in done:
                continue
            with services.speaking(user, box):
                subject, body = _words(user, box)
            sent += bool(services.notify_member(user, box.id if box else None, subject, body, kind=KIND,
                                                dedupe_key=key, checked=True))
    return sent


def _words(user, box) -> tuple[str, str]:
    """A nudge's subject and body in the language being spoken: the first payment in `box`, or
    (no box) come back."""
    if box is not None:
        return (_("%(box)s: your first payment", box=box.name),
                _("Hello %(name)s,\n\nYou joined %(box)s a while ago and have not paid in yet. "
                  "See what is due and how to pay: %(link)s\n", name=user.name, box=box.name, link=_base() + "/"))
    return (_("Your boxes on Hamyan"),
            _("Hello %(name)s,\n\nWe have not seen you for a while. Your boxes, what you have saved and "
              "what is due are on %(link)s\n", name=user.name, link=_base() + "/my-money"))


def run() -> tuple[int, int]:
    """Send the nudges due now; returns (first-payment nudges, coming-back nudges)."""
    now = clock.now()
    pay = [(user, box, f"nudge:pay:{m.id}") for m, box, user in never_paid(now)]
    back = [(user, None, f"nudge:idle:{user.id}:{(seen or user.created_at):%Y-%m-%d}") for user, seen in idle(now)]
    counts = []
    for nudges in (pay, back):
        counts.append(sum(_send(nudges[i:i + BATCH]) for i in range(0, len(nudges), BATCH)))
    return counts[0], counts[1]
