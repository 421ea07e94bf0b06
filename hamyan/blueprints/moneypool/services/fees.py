"""Late contribution fees and loan penalties: the daily assessment and waivers."""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hamyan.blueprints.moneypool.models import Contribution, Installment, Loan, LoanPenalty, Pool, PoolMember
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger import service as ledger

from . import summary
from .common import _account, _by, _event, _key, _loan, _member, _natural, _post, _tell, _valid_id, manage, money
from .savings import due_dates, dues, share_amounts
from .repaying import _post_adjustment, _replay


# --------------------------------------------------------------------------- daily assessment
def _charges(box: Box, prefix: str) -> set[str]:
    """Ledger keys of the late fees or penalties charged so far (waived ones included)."""
    return set(db.session.execute(select(ledger.Entry.idempotency_key).where(
        ledger.Entry.box_id == box.id, ledger.Entry.reverses_id.is_(None),
        ledger.Entry.idempotency_key.startswith(f"mp:{box.id}:{prefix}"))).scalars())


def _charge(box: Box, key: str) -> ledger.Entry:
    entry = db.session.execute(select(ledger.Entry).filter_by(box_id=box.id, idempotency_key=key)).scalar_one_or_none()
    if entry is None:
        raise NotFound("No such charge in this pool.")
    return entry


def _waive(box: Box, actor, charge: ledger.Entry, key: str, reason: str, what: str) -> bool:
    """Reverse a charge, today. False when this very request already did (a retry writes nothing)."""
    waive_key = f"{charge.idempotency_key}:waive:{key}"
    if charge.reversed_by is not None:
        if charge.reversed_by.idempotency_key == waive_key:
            return False
        raise Conflict(f"This {what} was already waived.", field="reason")
    ledger.reverse(charge, memo=f"{what.capitalize()} waived: {reason}"[:500], idempotency_key=waive_key,
                   effective_date=clock.today(box), created_by_id=_by(actor))
    return True


@dataclass
class LateFee:
    due: date
    amount: int
    charged_on: date
    waived: bool


def late_fees(box: Box, member: PoolMember) -> list[LateFee]:
    """The member's late fees, latest first, waived ones included (one query)."""
    entries = db.session.execute(select(ledger.Entry).where(
        ledger.Entry.box_id == box.id, ledger.Entry.reverses_id.is_(None),
        ledger.Entry.idempotency_key.startswith(f"mp:{box.id}:late_fee:{member.id}:"))
        .options(selectinload(ledger.Entry.postings), selectinload(ledger.Entry.reversed_by))
        .order_by(ledger.Entry.effective_date.desc())).scalars().all()
    return [LateFee(date.fromisoformat(e.idempotency_key.rsplit(":", 1)[1]), max(p.amount for p in e.postings),
                    e.effective_date, e.reversed_by is not None) for e in entries]


@uow.box_write
def waive_late_fee(actor, box_id: int, member_id: int, due: date, reason: str, key: str) -> LateFee:
    """Cancel a late fee charged by mistake (managers), by a reversal entry. Refused once savings
    payments have taken it; the hourly job never charges that period again."""
    acc = manage(actor, box_id)
    box = acc.box
    reason, key = parse.reason(reason), _key(key)
    try:
        due = parse.day(due, "charge")
    except ValidationError:
        raise NotFound("No such late fee.") from None
    member = _member(box, member_id)
    charge = _charge(box, f"mp:{box.id}:late_fee:{member.id}:{due.isoformat()}")
    fee = next(p.amount for p in charge.postings if p.amount > 0)
    fees = _account(box, f"mp:member:{member.id}:fees")
    if charge.reversed_by is None and _natural(fees) < fee:
        raise Conflict("This late fee has already been paid from a savings payment; it can no longer be "
                       "waived.", field="reason")
    if _waive(box, actor, charge, key, reason, "late fee"):
        _tell(box, member, "late fee waived", f"The late fee of {money(box, fee)} for your savings due on "
              f"{due.isoformat()} was waived: {reason}")
    summary.refresh(box, [member.id])
    return LateFee(due, fee, charge.effective_date, True)


@uow.box_write
def waive_penalty(actor, box_id: int, loan_id: int, number: int, reason: str, key: str) -> Installment:
    """Cancel a loan penalty charged by mistake (managers), by a reversal entry. Refused once a
    repayment paid any of it; the hourly job never charges that installment again."""
    acc = manage(actor, box_id)
    box = acc.box
    reason, key = parse.reason(reason), _key(key)
    loan = _loan(box, loan_id)
    row = db.session.execute(select(LoanPenalty).filter_by(loan_id=loan.id, number=number)).scalar_one_or_none() \
        if _valid_id(number) else None
    inst = next((i for i in loan.installments if i.number == number), None)
    if row is None or inst is None:
        raise NotFound("No such penalty on this loan.")
    charge = db.session.get(ledger.Entry, row.entry_id)
    if charge.reversed_by is None:
        if loan.status != "active":
            raise Conflict(f"This loan is {loan.status.replace('_', ' ')}; its penalties can no longer be waived.",
                           field="reason")
        if inst.paid_penalty:
            raise Conflict("This penalty has already been paid by a repayment; it can no longer be waived.",
                           field="reason")
    if _waive(box, actor, charge, key, reason, "penalty"):
        row.waived_at = clock.now()
        _, legs = _replay(box, actor, loan)
        _post_adjustment(box, actor, loan, legs, f"waive:{row.id}")
        _event(loan, actor, "penalty_waived", f"{money(box, row.amount)} on installment {number}: {reason}")
        _tell(box, loan.member, f"penalty on loan #{loan.id} waived",
              f"The penalty of {money(box, row.amount)} on installment {number} was waived: {reason}")
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
    touched = []  # savers charged
    cutoff = date.fromordinal(today.toordinal() - grace - 1) if today.toordinal() > grace + 1 else None
    if pool.late_fee and cutoff and cutoff >= pool.first_due:
        amounts = share_amounts(box)
        dates = due_dates(pool, box, pool.first_due, cutoff)
        late_fee = pool.late_fee
        member_ids = db.session.execute(select(PoolMember.id).filter_by(box_id=box.id, left_on=None)).scalars().all()
        for member_id in member_ids:
            m = _member(box, member_id)  # a payment being recorded for them goes first
            if m.left_on is not None:
                continue
            payments = db.session.execute(select(Contribution).filter_by(member_id=m.id, reversed_at=None)).scalars().all()
            charged = _charges(box, f"late_fee:{m.id}:")
            owed_so_far = 0
            for day, _, amount in dues(m, amounts, dates):
                owed_so_far += amount
                deadline = date.fromordinal(day.toordinal() + grace)
                paid = sum(c.amount - c.fees for c in payments if c.paid_on <= deadline)
                if paid < owed_so_far and deadline >= recorded(m.membership.created_at):
                    if f"mp:{box.id}:late_fee:{m.id}:{day.isoformat()}" in charged:
                        continue
                    _post(box, None, "late_fee", [(_account(box, f"mp:member:{m.id}:fees"), late_fee),
                                                  (_account(box, "mp:income:penalties"), -late_fee)],
                          f"late_fee:{m.id}:{day.isoformat()}", deadline, f"Late fee: {m.name}, due {day}")
                    _tell(box, m, "late fee", f"Your savings due on {day.isoformat()} were not paid within "
                          f"{grace} days, so a late fee of {money(box, late_fee)} was charged. It is taken "
                          f"from your next payment.")
                    done["late_fees"] += 1
                    touched.append(m.id)
    if pool.penalty_percent and cutoff:
        percent = pool.penalty_percent
        for loan_id in db.session.execute(select(Loan.id).filter_by(box_id=box.id, status="active")).scalars().all():
            loan = _loan(box, loan_id)  # a repayment being recorded goes first
            if loan.status != "active":
                continue
            charged = set(db.session.execute(select(LoanPenalty.number).filter_by(loan_id=loan.id)).scalars())
            due = []  # (installment, penalty, deadline): a waived penalty is never charged again
            for inst in loan.installments:
                late = inst.principal + inst.interest - inst.paid_principal - inst.paid_interest
                deadline = date.fromordinal(inst.due_date.toordinal() + grace)
                if inst.due_date <= cutoff and late > 0 and inst.penalty == 0 and \
                        deadline >= recorded(loan.requested_at) and inst.number not in charged:
                    penalty = int((Decimal(late) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))
                    if penalty > 0:
                        due.append((inst.number, inst.due_date, penalty, deadline))
            for number, due_date, penalty, deadline in due:
                entry = _post(box, None, "penalty", [(_account(box, f"mp:loan:{loan.id}:penalty"), penalty),
                                                     (_account(box, "mp:income:penalties"), -penalty)],
                              f"penalty:{loan.id}:{number}", deadline,
                              f"Late penalty, loan #{loan.id} installment {number}")
                db.session.add(LoanPenalty(loan_id=loan.id, number=number, charged_on=deadline, amount=penalty,
                                           entry_id=entry.id))
                _tell(box, loan.member, f"installment {number} of loan #{loan.id} is overdue",
                      f"The installment due on {due_date.isoformat()} is still unpaid after {grace} days, "
                      f"so a one-time penalty of {money(box, penalty)} was added to it.")
                done["penalties"] += 1
                touched.append(loan.member_id)
            if due:
                db.session.flush()
                _, legs = _replay(box, None, loan)
                _post_adjustment(box, None, loan, legs, f"penalties:{today.isoformat()}")
    summary.refresh(box, touched)  # the whole pool on a new day
    return done
