"""Savings: where each saver stands, contributions and their undo (what savers owe: owed.py)."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select

from hamyan.boxes.access import MANAGE
from hamyan.blueprints.moneypool.models import Contribution, Loan, Pool, PoolMember, ShareAmount
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.dues import status as dues_status
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text
from hamyan.ledger import service as ledger
from hamyan.ledger.models import LedgerAccount

from . import summary
from .common import (
    PAGE_SIZE,
    _account,
    _accounts,
    _amount,
    _by,
    _key,
    _member,
    _natural,
    _not_future,
    _offset,
    _pool_start,
    _post,
    _request_hash,
    _same_request,
    _valid_id,
    access,
)
from .owed import _in_force, contributed, due_dates, dues, owed_and_arrears, share_amounts


# ------------------------------------------------------------------------------------ savings
@dataclass
class MemberPosition:
    member: PoolMember
    shares: int
    owed: int  # savings due up to and including today
    arrears: int  # of them, what is not paid (hamyan.dues: due on or before today, minus paid)
    paid: int
    savings: int  # available savings (ledger)
    pledged: int
    fees_owed: int
    loan_outstanding: int

    @property
    def total_savings(self) -> int:
        return self.savings + self.pledged


def positions(box: Box, pool: Pool, members: list[PoolMember], today: date | None = None,
              accounts: dict | None = None) -> list[MemberPosition]:
    """Where each member stands; a fixed number of queries, reading only these members' rows and accounts."""
    today = today or clock.today(box)
    ids = [m.id for m in members]
    amounts = share_amounts(box)
    dates = due_dates(pool, box, pool.first_due, today)
    paid = contributed(box, ids)
    loan_principal = {}
    out = []
    active_loans = db.session.execute(select(Loan.member_id, Loan.id).where(
        Loan.box_id == box.id, Loan.status == "active", Loan.member_id.in_(ids))).all()
    if accounts is None:
        accounts = _accounts(box, [f"mp:loan:{loan_id}:principal" for _, loan_id in active_loans]
                             + [f"mp:member:{i}:{kind}" for i in ids for kind in ("savings", "pledged", "fees")])
    for member_id, loan_id in active_loans:
        loan_principal[member_id] = loan_principal.get(member_id, 0) + _natural(
            accounts.get(f"mp:loan:{loan_id}:principal"))
    for m in members:
        owed, arrears = owed_and_arrears(dues(m, amounts, dates), today, paid.get(m.id, 0))
        out.append(MemberPosition(
            member=m, shares=_in_force(m.share_changes, today, "shares") if m.left_on is None else 0, owed=owed,
            arrears=arrears, paid=paid.get(m.id, 0), savings=_natural(accounts.get(f"mp:member:{m.id}:savings")),
            pledged=_natural(accounts.get(f"mp:member:{m.id}:pledged")),
            fees_owed=_natural(accounts.get(f"mp:member:{m.id}:fees")),
            loan_outstanding=loan_principal.get(m.id, 0)))
    return out


@uow.box_write
def record_contribution(actor, box_id: int, member_id: int, amount, paid_on: date | None, key: str) -> Contribution:
    """A savings payment, in part or in full. Late fees owed are paid from it first."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    key = _key(key)
    value = _amount(amount, box.currency, "amount")
    member = _member(box, member_id)
    request_hash = _request_hash(member_id=member.id, amount=value, paid_on=paid_on)
    existing = db.session.execute(select(Contribution).filter_by(box_id=box.id, key=key)).scalar_one_or_none()
    if existing is not None:
        _same_request(existing, request_hash)
        return existing
    paid_on = _not_future(box, paid_on, "paid_on", _pool_start(acc.pool))
    if member.left_on is not None:
        raise ValidationError(_("This member has left the pool."), field="member_id")
    fees_account = db.session.execute(select(LedgerAccount).filter_by(
        box_id=box.id, code=f"mp:member:{member.id}:fees")).scalar_one_or_none()
    fees = min(_natural(fees_account), value)
    entry = _post(box, actor, "contribution", [
        (_account(box, "mp:cash"), value),
        (fees_account, -fees) if fees else (None, 0),
        (_account(box, f"mp:member:{member.id}:savings"), -(value - fees)),
    ], f"contribution:{key}", paid_on, box_text(box, _l("Savings from %(name)s"), name=member.name))
    row = Contribution(box_id=box.id, member_id=member.id, key=key, request_hash=request_hash, amount=value,
                       fees=fees, paid_on=paid_on,
                       entry_id=entry.id, created_by_id=_by(actor))
    db.session.add(row)
    summary.refresh(box, [member.id])
    return row


@uow.box_write
def reverse_contribution(actor, box_id: int, contribution_id: int, reason: str) -> Contribution:
    """Undo a payment recorded by mistake: a reversal entry on the payment's own date puts the
    savings (and any late fees it paid) back as they were. Refused when the savings were used since."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    reason = parse.reason(reason)
    row = contribution_of(box, contribution_id)
    if row.reversed_at is not None:
        raise Conflict(_("This payment is already undone."), field="reason")
    savings = _natural(_account(box, f"mp:member:{row.member_id}:savings"))
    if savings < row.amount - row.fees:
        raise ValidationError(_("These savings have been used since (pledged or paid out); this payment can no "
                              "longer be undone."), field="reason")
    entry = db.session.get(ledger.Entry, row.entry_id)
    ledger.reverse(entry, memo=box_text(box, _l("Payment undone: %(reason)s"), reason=reason), idempotency_key=f"mp:{box.id}:contribution:{row.key}:undo",
                   created_by_id=_by(actor))
    row.reversed_at, row.reversal_reason = clock.now(), reason
    summary.refresh(box, [row.member_id])
    return row


def contribution_of(box: Box, contribution_id) -> Contribution:
    row = db.session.execute(select(Contribution).filter_by(id=contribution_id, box_id=box.id)
                             ).scalar_one_or_none() if _valid_id(contribution_id) else None
    if row is None:
        raise NotFound(_("No such payment in this pool."))
    return row


def contributions(box: Box, member_id: int | None, page: int, per_page: int = PAGE_SIZE) -> tuple[list[Contribution], int]:
    query = select(Contribution).filter_by(box_id=box.id)
    if member_id is not None:
        query = query.filter_by(member_id=member_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.execute(query.order_by(Contribution.paid_on.desc(), Contribution.id.desc())
                                   .limit(per_page).offset(_offset(page, per_page))).scalars())
    return rows, total


def share_amount_on(box: Box, day: date, amounts: list[ShareAmount] | None = None) -> int:
    return _in_force(share_amounts(box) if amounts is None else amounts, day, "amount")


def member_dues(box: Box, pool: Pool, member: PoolMember) -> list[dict]:
    """Each due date to today with what was owed and, oldest first, whether payments covered it."""
    today = clock.today(box)
    paid = contributed(box, [member.id]).get(member.id, 0)
    rows, running = [], 0
    for day, shares, amount in dues(member, share_amounts(box), due_dates(pool, box, pool.first_due, today)):
        running += amount
        covered = min(max(paid - (running - amount), 0), amount)
        rows.append({"day": day, "shares": shares, "amount": amount, "covered": covered,
                     "status": dues_status.status(amount, covered, day, pool.grace_days, today)})
    return list(reversed(rows))
