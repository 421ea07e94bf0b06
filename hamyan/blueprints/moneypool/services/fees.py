"""Late contribution fees and loan penalties: the daily assessment and waivers."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import Contribution, Installment, Loan, Pool, PoolMember
from hamyan.boxes.access import MANAGE
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan import i18n

from . import summary
from .common import (
    LOAN, MEMBER, _account, _accounts, _by, _event, _key, _loan, _member, _natural, _tell, _valid_id, fee_reference,
    access,
    loan_status, penalty_reference,
)
from .owed import due_dates, dues, share_amounts
from .repaying import _post_adjustment, _replay


# --------------------------------------------------------------------------- late charges (hamyan.dues)
@dataclass
class LateFee:
    due: date
    amount: int
    charged_on: date
    waived: bool
    waivable: bool = False  # waive_late_fee's rule: not waived, and the member's fees still owe it


def late_fees(box: Box, member: PoolMember) -> list[LateFee]:
    """The member's late fees, latest first, waived ones included (two queries)."""
    rows = late.charges(box.id, MEMBER, subject_ids=[member.membership_id])
    unpaid = _natural(_accounts(box, [f"mp:member:{member.id}:fees"]).get(f"mp:member:{member.id}:fees"))
    return [LateFee(row.due_date, row.amount, row.charged_on, row.waived, not row.waived and unpaid >= row.amount)
            for row in reversed(rows)]


@uow.box_write
def waive_late_fee(actor, box_id: int, member_id: int, due: date, reason: str, key: str) -> LateFee:
    """Cancel a late fee charged by mistake (managers), by a reversal entry. Refused once savings
    payments have taken it; the hourly job never charges that period again."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    reason, key = parse.reason(reason), _key(key)
    try:
        due = parse.day(due, "charge")
    except ValidationError:
        raise NotFound(_("No such late fee.")) from None
    member = _member(box, member_id)
    row = late.find(box.id, (MEMBER, member.membership_id), fee_reference(due))
    if row is None:
        raise NotFound(_("No such charge in this pool."))
    fees = _account(box, f"mp:member:{member.id}:fees")
    if not row.waived and _natural(fees) < row.amount:
        raise Conflict(_("This late fee has already been paid from a savings payment; it can no longer be "
                       "waived."), field="reason")
    _waive(box, actor, row, key, _l("Late fee waived: %(reason)s"), reason)  # the member hears by the receipt (notify.receipts)
    summary.refresh(box, [member.id])
    return LateFee(due, row.amount, row.charged_on, True)


def _waive(box: Box, actor, row: LateCharge, key: str, memo, reason: str) -> bool:
    """Reverse a charge, today, with `memo` (marked, the reason as %(reason)s). False when this very
    request already did (a retry writes nothing)."""
    return late.waive(row, reason, today=clock.today(box), idempotency_key=f"{row.entry.idempotency_key}:waive:{key}",
                      memo=i18n.box_text(box, memo, reason=reason), by_id=_by(actor))


@uow.box_write
def waive_penalty(actor, box_id: int, loan_id: int, number: int, reason: str, key: str) -> Installment:
    """Cancel a loan penalty charged by mistake (managers), by a reversal entry. Refused once a
    repayment paid any of it; the hourly job never charges that installment again."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    reason, key = parse.reason(reason), _key(key)
    loan = _loan(box, loan_id)
    row = late.find(box.id, (LOAN, loan.id), penalty_reference(number)) if _valid_id(number) else None
    inst = next((i for i in loan.installments if i.number == number), None)
    if row is None or inst is None:
        raise NotFound(_("No such penalty on this loan."))
    if not row.waived:
        if loan.status != "active":
            raise Conflict(_("This loan is %(status)s; its penalties can no longer be waived.",
                             status=loan_status(loan.status)),
                           field="reason")
        if inst.paid_penalty:
            raise Conflict(_("This penalty has already been paid by a repayment; it can no longer be waived."),
                           field="reason")
    if _waive(box, actor, row, key, _l("Penalty waived: %(reason)s"), reason):
        _replayed, legs = _replay(box, actor, loan)
        _post_adjustment(box, actor, loan, legs, f"waive:{row.id}", _l("Loan #%(loan)s recalculated: a penalty waived"))
        _event(loan, actor, "penalty_waived", i18n.box_text(box, _l("%(amount)s on installment %(number)s: %(reason)s"),
                                                           amount=i18n.Amount(row.amount), number=number, reason=reason))
    summary.refresh(box, summary.loan_members(loan))
    return next(i for i in loan.installments if i.number == number)


@uow.box_write
def assess(box_id: int, today: date | None = None, history: bool = False) -> dict:
    """Charge late contribution fees and loan penalties that have fallen due. Safe to run again:
    every charge's ledger key names the member or installment and the due date.

    Only deadlines after the member or loan was recorded count, so a manager typing in a pool's
    past (back-dated payments) is not fined for history; history=True charges those too."""
    box = db.session.get(Box, box_id)
    pool = db.session.get(Pool, box_id)
    today = today or clock.today(box)
    grace = pool.grace_days

    def recorded(moment) -> date:
        return date.min if history else moment.date()

    done = {"late_fees": 0, "penalties": 0}
    touched = []  # savers whose rows change: charged, or guaranteeing a loan charged
    cutoff = dues_status.last_late_due(today, grace)  # due dates on or before it are late today
    if pool.late_fee and cutoff >= pool.first_due:
        amounts = share_amounts(box)
        dates = due_dates(pool, box, pool.first_due, cutoff)
        late_fee = pool.late_fee
        member_ids = db.session.execute(select(PoolMember.id).filter_by(box_id=box.id, left_on=None)).scalars().all()
        for member_id in member_ids:
            m = _member(box, member_id)  # a payment being recorded for them goes first
            if m.left_on is not None:
                continue
            payments = db.session.execute(select(Contribution).filter_by(member_id=m.id, reversed_at=None)).scalars().all()
            charged = late.charged(box.id, MEMBER, [fee_reference(day) for day in dates])
            owed_so_far = 0
            for day, _shares, amount in dues(m, amounts, dates):
                owed_so_far += amount
                deadline = dues_status.late_after(day, grace)
                paid = sum(c.amount - c.fees for c in payments if c.paid_on <= deadline)
                if paid < owed_so_far and deadline >= recorded(m.membership.created_at):
                    if (m.membership_id, fee_reference(day)) in charged:
                        continue
                    late.charge(box.id, (MEMBER, m.membership_id), fee_reference(day), day, late_fee,
                                code="late_fee", owed_account=_account(box, f"mp:member:{m.id}:fees"),
                                income_account=_account(box, "mp:income:penalties"),
                                idempotency_key=f"mp:{box.id}:late_fee:{m.id}:{day.isoformat()}",
                                effective_date=deadline,
                                memo=i18n.box_text(box, _l("Late fee: %(name)s, due %(day)s"), name=m.name, day=day))
                    _tell(box, m, lambda: (_("late fee"), _(
                        "Your savings due on %(day)s were not paid within %(days)s days, so a late fee of %(amount)s "
                        "was charged. It is taken from your next payment.", day=i18n.show_day(day, box),
                        days=i18n.number(grace, box), amount=i18n.show_money(late_fee, box))))
                    done["late_fees"] += 1
                    touched.append(m.id)
    if pool.penalty_percent:
        percent = pool.penalty_percent
        for loan_id in db.session.execute(select(Loan.id).filter_by(box_id=box.id, status="active")).scalars().all():
            loan = _loan(box, loan_id)  # a repayment being recorded goes first
            if loan.status != "active":
                continue
            charged = late.charged(box.id, LOAN, [penalty_reference(i.number) for i in loan.installments])
            due = []  # (installment, penalty, deadline): a waived penalty is never charged again
            for inst in loan.installments:
                unpaid = inst.principal + inst.interest - inst.paid_principal - inst.paid_interest
                deadline = dues_status.late_after(inst.due_date, grace)
                if inst.due_date <= cutoff and unpaid > 0 and inst.penalty == 0 and \
                        deadline >= recorded(loan.requested_at) and (loan.id, penalty_reference(inst.number)) not in charged:
                    penalty = late.amount_for(late.PERCENT, int(percent * 100), unpaid)  # basis points
                    if penalty > 0:
                        due.append((inst.number, inst.due_date, penalty, deadline))
            for number, due_date, penalty, deadline in due:
                late.charge(box.id, (LOAN, loan.id), penalty_reference(number), due_date, penalty, code="penalty",
                            owed_account=_account(box, f"mp:loan:{loan.id}:penalty"),
                            income_account=_account(box, "mp:income:penalties"),
                            idempotency_key=f"mp:{box.id}:penalty:{loan.id}:{number}", effective_date=deadline,
                            memo=i18n.box_text(box, _l("Late penalty, loan #%(loan)s installment %(number)s"),
                                               loan=loan.number, number=number))
                _tell(box, loan.member, lambda: (
                    _("installment %(number)s of loan #%(loan)s is overdue", number=i18n.number(number, box),
                      loan=i18n.number(loan.number, box)),
                    _("The installment due on %(day)s is still unpaid after %(days)s days, so a one-time penalty of "
                      "%(amount)s was added to it.", day=i18n.show_day(due_date, box), days=i18n.number(grace, box),
                      amount=i18n.show_money(penalty, box))))
                done["penalties"] += 1
            if due:  # the replay may hold more of a guarantor's pledge: their savings change too
                touched += summary.loan_members(loan)
                db.session.flush()
                _replayed, legs = _replay(box, None, loan)
                _post_adjustment(box, None, loan, legs, f"penalties:{today.isoformat()}",
                                 _l("Loan #%(loan)s recalculated: late penalties"))
    summary.refresh(box, touched)  # the whole pool on a new day
    return done
