"""Savers joining, changing shares and leaving (with their settlement); member lists for pages."""
from datetime import date, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import Select, func, select

from hamyan.blueprints.moneypool.models import OPEN_STATUSES, Guarantee, Loan, PoolMember, ShareChange
from hamyan.boxes.access import MANAGE
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text, show_money

from . import summary
from .common import (
    MAX_SHARES,
    PAGE_SIZE,
    _account,
    _accounts,
    _event,
    _member,
    _natural,
    _not_future,
    _offset,
    _plan_day,
    _post,
    _valid_id,
    access,
    money,
)
from .queue import cash
from .repaying import _record_repayment, payoff


def _join(box: Box, membership: Membership, shares: int, joined_on: date) -> PoolMember:
    member = PoolMember(box_id=box.id, membership_id=membership.id, joined_on=joined_on)
    db.session.add(member)
    db.session.flush()
    db.session.add(ShareChange(member_id=member.id, effective_from=joined_on, shares=shares))
    _account(box, f"mp:member:{member.id}:savings")
    return member


@uow.box_write
def add_member(actor, box_id: int, display_name: str, email: str | None, shares, joined_on: date | None = None,
               membership_id: int | None = None, same_name_ok: bool = False) -> PoolMember:
    """Add a saver: a new person (name, email), or someone already in the box (membership_id). A new
    person's name another member has needs same_name_ok (boxes.services.SameName): that also makes
    a double submit add them once."""
    acc = access(actor, box_id, MANAGE)
    shares = parse.whole(shares, "shares", 1, MAX_SHARES, _("Shares"))
    joined_on = _plan_day(acc.box, joined_on or clock.today(acc.box), "joined_on")
    if membership_id:
        membership = db.session.get(Membership, membership_id) if _valid_id(membership_id) else None
        if membership is None or membership.box_id != acc.box.id:
            raise ValidationError(_("Choose someone from the list."), field="membership_id")
        if db.session.execute(select(PoolMember.id).filter_by(membership_id=membership.id)).first():
            raise Conflict(_("This person already saves in the pool."), field="membership_id")
    else:
        membership = boxes.add_member(actor, acc.box.id, display_name, email, "member", same_name_ok)
    member = _join(acc.box, membership, shares, joined_on)
    summary.refresh(acc.box, [member.id])
    return member


@uow.box_write
def set_shares(actor, box_id: int, member_id: int, shares, effective_from: date) -> ShareChange:
    acc = access(actor, box_id, MANAGE)
    member = _member(acc.box, member_id)
    if member.left_on is not None:
        raise ValidationError(_("This member has left the pool."), field="shares")
    shares = parse.whole(shares, "shares", 0, MAX_SHARES, _("Shares"))
    effective_from = _plan_day(acc.box, effective_from, "effective_from", "Choose the date it applies from.")
    if effective_from < member.joined_on:
        raise ValidationError(_("That is before the member joined."), field="effective_from")
    row = _shares_from(member, effective_from, shares)
    summary.refresh(acc.box, [member.id])
    return row


def _shares_from(member: PoolMember, day: date, shares: int) -> ShareChange:
    """The member saves `shares` from `day` (one change a day: a second one replaces it)."""
    row = db.session.execute(select(ShareChange).filter_by(member_id=member.id, effective_from=day)
                             ).scalar_one_or_none()
    if row is None:
        row = ShareChange(member_id=member.id, effective_from=day, shares=shares)
        db.session.add(row)
    row.shares = shares
    return row


# ------------------------------------------------------------------------------ member leaves
def settlement(box: Box, member: PoolMember, on: date) -> tuple[int, int]:
    """(savings, owed) if the member left on `on`: owed is late fees plus what clears their loans."""
    accounts = _accounts(box)
    owed = _natural(accounts.get(f"mp:member:{member.id}:fees")) + sum(
        payoff(loan, on) for loan in db.session.execute(
            select(Loan).filter_by(member_id=member.id, status="active")).scalars())
    return _natural(accounts.get(f"mp:member:{member.id}:savings")), owed


@uow.box_write
def leave(actor, box_id: int, member_id: int, on: date | None = None) -> PoolMember:
    """Settle a leaving member: their savings repay what they owe (loan, penalties, late fees) and
    the rest is paid out from the pool's cash. Refused while they guarantee someone's loan or when
    their savings do not cover what they owe."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    member = _member(box, member_id)
    if member.left_on is not None:
        return member
    on = _not_future(box, on, "on", member.joined_on)
    if db.session.execute(select(Guarantee.id).filter(Guarantee.member_id == member.id, Guarantee.held > 0)).first():
        raise ValidationError(_("This member guarantees a loan still being repaid; they can leave once it is."),
                              field="member_id")
    accounts = _accounts(box)
    savings_account = _account(box, f"mp:member:{member.id}:savings")
    savings = _natural(savings_account)
    fees = _natural(accounts.get(f"mp:member:{member.id}:fees"))
    loans = list(db.session.execute(select(Loan).filter_by(member_id=member.id)
                                    .where(Loan.status.in_(OPEN_STATUSES))).scalars())
    if any(loan.status == "active" and on < loan.disbursed_on for loan in loans):
        raise ValidationError(_("That is before their loan was paid out."), field="on")
    owed = fees + sum(payoff(loan, on) for loan in loans if loan.status == "active")
    if owed > savings:
        raise ValidationError(_("Savings of %(savings)s do not cover the %(owed)s owed; record a repayment first.",
                                savings=show_money(savings, box), owed=show_money(owed, box)), field="member_id")
    available = cash(box, on)  # the cash of that day and every day since
    if savings - owed > available:
        raise ValidationError(_("Paying out %(amount)s needs more than the %(cash)s the pool has in cash; settle once "
                                "enough has been repaid.", amount=show_money(savings - owed, box),
                                cash=show_money(available, box)), field="member_id")
    for loan in loans:
        if loan.status != "active":
            loan.status = "cancelled"
            _event(loan, actor, "cancelled", "Member left the pool")
            continue
        _record_repayment(box, actor, loan, payoff(loan, on), on, "leave", "shorten", savings_account)
    left = _natural(savings_account)
    if left or fees:
        _post(box, actor, "settlement", [(savings_account, left),
                                          (accounts.get(f"mp:member:{member.id}:fees"), -fees) if fees else (None, 0),
                                          (_account(box, "mp:cash"), -(left - fees))],
              f"leave:{member.id}:{on.isoformat()}", on,
              box_text(box, _l("%(name)s leaves: savings paid out"), name=member.name))
    member.left_on = on  # no savings fall due after this day
    summary.refresh(box, [member.id] + [g.member_id for loan in loans for g in loan.guarantees])
    return member


@uow.box_write
def rejoin(actor, box_id: int, member_id: int, shares, on: date | None = None) -> PoolMember:
    """A saver who left comes back, saving `shares` again from `on` (after the day they left):
    their history stays, nothing falls due between leaving and coming back (no shares then)."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    member = _member(box, member_id)
    if member.left_on is None:  # a double submit
        return member
    if member.membership.left_at is not None:
        raise ValidationError(_("They were removed from the box: bring them back on the Members page first."),
                              field="member_id")
    values = parse.fields(("shares", lambda: parse.whole(shares, "shares", 0, MAX_SHARES, _("Shares"))),
                          ("on", lambda: _plan_day(box, on or clock.today(box), "on")))
    shares, on = values["shares"], values["on"]
    if on <= member.left_on:
        raise ValidationError(_("They left the pool on that day or later; choose a day after they left."), field="on")
    for day, count in ((member.left_on + timedelta(days=1), 0), (on, shares)):
        _shares_from(member, day, count)
    member.left_on = None
    db.session.flush()
    db.session.expire(member, ["share_changes"])
    summary.refresh(box, [member.id])
    return member


def active_members(box: Box) -> list[PoolMember]:
    return list(db.session.execute(
        select(PoolMember).join(Membership, Membership.id == PoolMember.membership_id)
        .where(PoolMember.box_id == box.id, PoolMember.left_on.is_(None)).order_by(Membership.display_name)
    ).scalars())


def not_saving(box: Box) -> Select:
    """People in the box (e.g. added on the shared members page) who do not save in the pool yet, as
    (id, name): whom the add-a-saver form names (hamyan.web.picker)."""
    return (select(Membership.id, Membership.display_name, *boxes.TELLING)
            .outerjoin(PoolMember, PoolMember.membership_id == Membership.id)
            .where(Membership.box_id == box.id, Membership.left_at.is_(None), PoolMember.id.is_(None)))


def members_page(box: Box, page: int, name: str = "") -> tuple[list[PoolMember], int]:
    """Savers whose name contains `name` (any case), those still in the pool first, by name."""
    query = select(PoolMember).join(Membership, Membership.id == PoolMember.membership_id).where(
        PoolMember.box_id == box.id)
    if name.strip():
        query = query.where(func.lower(Membership.display_name).contains(name.strip().lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.execute(query.order_by(PoolMember.left_on.is_not(None), Membership.display_name,
                                                  PoolMember.id)
                                   .limit(PAGE_SIZE).offset(_offset(page))).scalars())
    return rows, total


def savers(box: Box, but: str | None = None) -> Select:
    """Savers still in the pool as (id, name), but the one called `but`: whom the pool's forms name
    (hamyan.web.picker)."""
    query = (select(PoolMember.id, Membership.display_name, *boxes.TELLING)
             .join(Membership, Membership.id == PoolMember.membership_id)
             .where(PoolMember.box_id == box.id, PoolMember.left_on.is_(None)))
    return query.where(Membership.display_name != but) if but else query


def removal_blockers(box: Box, membership: Membership) -> list[str]:
    """What keeps a member in the pool's box (boxes.services.why_not_remove): saving in the pool.
    Leaving the pool settles their savings, loans and guarantees; then they may be removed."""
    if db.session.scalar(select(PoolMember.id).filter_by(box_id=box.id, membership_id=membership.id)
                         .where(PoolMember.left_on.is_(None))):
        return [_("save in the pool (settle their leaving on their saver page first)")]
    return []
