"""Loan state replayed from plan and events: repayments and their undo, write-offs, reschedules."""
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import Installment, Loan, LoanEvent, LoanReschedule, Repayment
from hamyan.boxes.access import MANAGE
from hamyan.boxes.models import Box
from hamyan.boxes.numbers import next_number
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.extensions import db
from hamyan.i18n import Amount, box_text, show_day, show_money
from hamyan.ledger import service as ledger
from hamyan.ledger.models import LedgerAccount
from hamyan.lending import guarantees, state
from hamyan.money import allocate

from . import summary
from .common import (
    LOAN,
    MAX_TERM,
    _account,
    _accounts,
    _amount,
    _by,
    _event,
    _key,
    _loan,
    _not_future,
    _plan_day,
    _post,
    _request_hash,
    _same_request,
    _valid_id,
    installment_of,
    access,
    loan_state,
    loan_status,
)


# ------------------------------------------------------------------------- loan state (replayed)
def _terms(box: Box, loan: Loan) -> state.Terms:
    return state.Terms(loan.amount, loan.annual_rate, loan.term, loan.period_months, loan.interest_method,
                       loan.first_due, box.calendar)


def _events(loan: Loan, extra=()) -> list:
    """The loan's events as lending.state replays them: repayments not undone, reschedules and
    penalties not waived."""
    events = [state.Payment(r, r.paid_on, r.amount, r.mode, (r.seq, 0)) for r in repayments(loan)
              if r.reversed_at is None]
    events += [state.Reschedule(r.decided_on, r.term, r.first_due, (r.seq, 1)) for r in _reschedules(loan)]
    events += [state.Penalty(p.charged_on, installment_of(p.reference), p.amount, (p.id,))
               for p in late.charges(loan.box_id, LOAN, subject_ids=[loan.id]) if not p.waived]
    return events + list(extra)


def _reschedules(loan: Loan) -> list[LoanReschedule]:
    return list(db.session.execute(select(LoanReschedule).filter_by(loan_id=loan.id)
                                   .order_by(LoanReschedule.seq)).scalars())


def _next_seq(loan: Loan) -> int:
    """The place of a new repayment or reschedule in the order the loan's events were recorded."""
    return max([r.seq for r in repayments(loan)] + [r.seq for r in _reschedules(loan)], default=0) + 1


def outstanding_principal(loan: Loan) -> int:
    return loan_state(loan).outstanding_principal if loan.status == "active" else 0


def payoff(loan: Loan, on: date) -> int:
    """What clears the loan on `on` (lending.state's one definition)."""
    return loan_state(loan).payoff(on) if loan.status == "active" else 0


def _replay(box: Box, actor, loan: Loan, extra=()) -> tuple[state.LoanState, list]:
    """Replay the loan and bring its rows in line: installments, the split of every repayment,
    what guarantors hold, and whether it is cleared. Returns the state and the ledger legs that move
    what earlier entries recorded to where the replay puts it (principal, interest and penalties
    between repayments; pledges held or released), for the caller to post."""
    replayed = state.replay(_terms(box, loan), _events(loan, extra))
    before = summary.loan_inflows(loan)
    loan.installments.clear()
    db.session.flush()  # the old rows go before new ones take their numbers
    loan.installments.extend(Installment(
        number=x.number, due_date=x.due_date, principal=x.principal, interest=x.interest, penalty=x.penalty,
        paid_principal=x.paid_principal, paid_interest=x.paid_interest, paid_penalty=x.paid_penalty,
        prepayment=x.prepayment) for x in replayed.lines)
    moved = state.Split()
    for row, split in replayed.splits.items():
        if isinstance(row, Repayment):
            moved.principal += split.principal - row.principal
            moved.interest += split.interest - row.interest
            moved.penalty += split.penalty - row.penalty
            row.principal, row.interest, row.penalty = split.principal, split.interest, split.penalty
    legs = [(_account(box, f"mp:loan:{loan.id}:principal"), -moved.principal),
            (_account(box, "mp:income:interest"), -moved.interest),
            (_account(box, f"mp:loan:{loan.id}:penalty"), -moved.penalty) if moved.penalty else (None, 0)]
    if replayed.cleared_on is not None and loan.status == "active":
        loan.status, loan.closed_on = "closed", replayed.cleared_on
        _event(loan, actor, "closed")
    elif replayed.cleared_on is None and loan.status == "closed":
        loan.status, loan.closed_on = "active", None
        _event(loan, actor, "reopened", "A repayment that cleared it was undone")
    summary.move_inflows(box, before, summary.loan_inflows(loan))
    left = replayed.outstanding_principal if loan.status == "active" else 0
    for g, target in zip(loan.guarantees, guarantees.held(left, [g.amount for g in loan.guarantees])):
        if target != g.held:
            legs += [(_account(box, f"mp:member:{g.member_id}:pledged"), g.held - target),
                     (_account(box, f"mp:member:{g.member_id}:savings"), target - g.held)]
            g.held = target
    return replayed, legs


def _record_repayment(box: Box, actor, loan: Loan, value: int, on: date, key: str, mode: str,
                      source: LedgerAccount, request_hash: str = "") -> Repayment:
    """Apply a repayment in its date order and post it (with whatever it moves in later ones)."""
    seq = _next_seq(loan)
    pending = state.Payment("new", on, value, mode, (seq, 0))
    replayed, legs = _replay(box, actor, loan, [pending])
    if replayed.unapplied.get("new"):
        before = state.replay(_terms(box, loan), _events(loan))
        raise ValidationError(_("That is more than the %(amount)s that clears this loan on %(day)s.",
                                amount=show_money(before.payoff(on), box), day=show_day(on, box)), field="amount")
    if replayed.unapplied:
        raise ValidationError(_("With this repayment back-dated, a later one would pay more than the loan owes; "
                              "undo the later one first."), field="paid_on")
    split = replayed.splits["new"]
    legs = [(source, split.total), (_account(box, f"mp:loan:{loan.id}:principal"), -split.principal),
            (_account(box, "mp:income:interest"), -split.interest),
            (_account(box, f"mp:loan:{loan.id}:penalty"), -split.penalty) if split.penalty else (None, 0)] + legs
    entry = _post(box, actor, "repayment", legs, f"repay:{loan.id}:{key}", on,
                  box_text(box, _l("Repayment of loan #%(number)s"), number=loan.number))
    repayment = Repayment(box_id=box.id, number=next_number(Repayment, box.id), loan_id=loan.id, key=key, request_hash=request_hash, amount=value,
                          principal=split.principal, interest=split.interest, penalty=split.penalty, mode=mode,
                          paid_on=on, seq=seq, entry_id=entry.id, created_by_id=_by(actor))
    db.session.add(repayment)
    if mode != "advance" and any(x.prepayment and x.due_date == on for x in replayed.lines):
        _event(loan, actor, "prepaid", f"Schedule {'shortened' if mode == 'shorten' else 'lowered'}")
    return repayment


@uow.box_write
def repay(actor, box_id: int, loan_id: int, amount, paid_on: date | None, key: str,
          mode: str = "advance") -> Repayment:
    """A repayment, partial or full, on its date (back-dated ones take their place in date order).
    Money beyond what is due never pays interest not yet due: it pays the next installments'
    principal (advance), or prepays principal and shortens the plan (shorten) or lowers the
    installments (reduce)."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    key = _key(key)
    loan = _loan(box, loan_id)
    existing = db.session.execute(select(Repayment).filter_by(loan_id=loan.id, key=key)).scalar_one_or_none()
    value = _amount(amount, box.currency, "amount")
    request_hash = _request_hash(amount=value, paid_on=paid_on, mode=mode)
    if existing is not None:
        _same_request(existing, request_hash)
        return existing
    if mode not in state.PREPAY_MODES:
        raise ValidationError(_("Choose what to do with money beyond what is due."), field="mode")
    if loan.status != "active":
        raise Conflict(_("This loan is %(status)s; there is nothing to repay.", status=loan_status(loan.status)),
                       field="amount")
    paid_on = _not_future(box, paid_on, "paid_on")
    if paid_on < loan.disbursed_on:
        raise ValidationError(_("That is before the loan was paid out."), field="paid_on")
    row = _record_repayment(box, actor, loan, value, paid_on, key, mode, _account(box, "mp:cash"), request_hash)
    summary.refresh(box, summary.loan_members(loan))
    return row


@uow.box_write
def undo_repayment(actor, box_id: int, loan_id: int, repayment_id: int, reason: str) -> Repayment:
    """Undo any repayment recorded by mistake: a reversal entry, and the loan replayed without it
    (later repayments then pay what it had paid; what that moves is posted in one entry)."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    reason = parse.reason(reason)
    loan, repayment = repayment_of(box, loan_id, repayment_id)
    if repayment.reversed_at is not None:
        raise Conflict(_("This repayment is already undone."), field="reason")
    if repayment.key == "leave" or loan.status not in ("active", "closed"):
        raise Conflict(_("Repayments of a loan settled when its borrower left, or written off, stay as they are."),
                       field="reason")
    original = db.session.get(ledger.Entry, repayment.entry_id)
    ledger.reverse(original, memo=box_text(box, _l("Repayment undone: %(reason)s"), reason=reason),
                   idempotency_key=f"mp:{box.id}:repay:{loan.id}:{repayment.key}:undo", created_by_id=_by(actor))
    # The reversal took back what the entry first recorded; the row may since have been moved by
    # a back-dated repayment or another undo: that difference is put back as well.
    recorded = _split_of(box, loan, original)
    still = state.Split(repayment.principal - recorded.principal, repayment.interest - recorded.interest,
                        repayment.penalty - recorded.penalty)
    accounts = _accounts(box)
    for g in loan.guarantees:  # the reversal also held again the pledges this repayment released
        pledged = accounts.get(f"mp:member:{g.member_id}:pledged")
        g.held += sum(p.amount for p in original.postings if pledged is not None and p.account_id == pledged.id)
    repayment.reversed_at, repayment.reversal_reason = clock.now(), reason
    repayment.principal, repayment.interest, repayment.penalty = 0, 0, 0
    _replayed, legs = _replay(box, actor, loan)
    legs += [(_account(box, f"mp:loan:{loan.id}:principal"), still.principal),
             (_account(box, "mp:income:interest"), still.interest),
             (_account(box, f"mp:loan:{loan.id}:penalty"), still.penalty) if still.penalty else (None, 0)]
    _post_adjustment(box, actor, loan, legs, f"undo:{repayment.id}", _l("Loan #%(loan)s recalculated: a repayment undone"))
    _event(loan, actor, "repayment_undone", box_text(box, _l("%(amount)s of %(day)s: %(reason)s"),
                                                      amount=Amount(repayment.amount), day=repayment.paid_on, reason=reason))
    summary.refresh(box, summary.loan_members(loan))
    return repayment


def repayment_of(box: Box, loan_id, repayment_id) -> tuple[Loan, Repayment]:
    loan = _loan(box, loan_id)
    repayment = db.session.execute(select(Repayment).filter_by(id=repayment_id, loan_id=loan.id)
                                   ).scalar_one_or_none() if _valid_id(repayment_id) else None
    if repayment is None:
        raise NotFound(_("No such repayment on this loan."))
    return loan, repayment


def _split_of(box: Box, loan: Loan, entry) -> state.Split:
    """How a repayment entry split the money, read back from its postings."""
    accounts = _accounts(box)
    amounts = {p.account_id: -p.amount for p in entry.postings}

    def of(code):
        account = accounts.get(code)
        return amounts.get(account.id, 0) if account is not None else 0

    return state.Split(of(f"mp:loan:{loan.id}:principal"), of("mp:income:interest"), of(f"mp:loan:{loan.id}:penalty"))


def _post_adjustment(box: Box, actor, loan: Loan, legs: list, key: str, why) -> None:
    """Post what a replay moved between earlier entries (nothing when it moved nothing); `why` (marked,
    with the loan's number as %(loan)s) is its memo."""
    net = defaultdict(int)
    for account, amount in legs:
        if account is not None:
            net[account.id] += amount
    kept = [(account_id, amount) for account_id, amount in net.items() if amount]
    if kept:
        ledger.post("loan_adjustment", kept, idempotency_key=f"mp:{box.id}:loan:{loan.id}:adjust:{key}",
                    effective_date=clock.today(box), memo=box_text(box, why, loan=loan.number), box_id=box.id,
                    created_by_id=_by(actor))


@uow.box_write
def write_off(actor, box_id: int, loan_id: int, reason: str, on: date | None = None) -> Loan:
    """Stop expecting repayment. Guarantors' pledges cover what they can; the rest is a loss."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    reason = parse.reason(reason)
    loan = _loan(box, loan_id)
    if loan.status == "written_off":
        if reason != loan.reason:  # a retry returns the write-off; another one is not this
            raise Conflict(_("This loan was already written off: %(reason)s", reason=loan.reason), field="reason")
        return loan
    if loan.status != "active":
        raise Conflict(_("Only a loan being repaid can be written off."), field="status")
    on = _not_future(box, on, "on", loan.disbursed_on)
    principal = outstanding_principal(loan)
    penalties = sum(i.penalty - i.paid_penalty for i in loan.installments)
    legs = []
    held = [g for g in loan.guarantees if g.held]
    cover = min(sum(g.held for g in held), principal)
    for g, part in zip(held, allocate(cover, [g.held for g in held]) if cover else [0] * len(held)):
        legs += [(_account(box, f"mp:member:{g.member_id}:pledged"), g.held),
                 (_account(box, f"mp:member:{g.member_id}:savings"), -(g.held - part))]
        g.held = 0
    legs += [(_account(box, "mp:expense:writeoff"), principal - cover + penalties),
             (_account(box, f"mp:loan:{loan.id}:principal"), -principal),
             (_account(box, f"mp:loan:{loan.id}:penalty"), -penalties) if penalties else (None, 0)]
    if principal or penalties:
        _post(box, actor, "write_off", legs, f"loan:{loan.id}:write_off", on,
              box_text(box, _l("Write-off of loan #%(loan)s: %(reason)s"), loan=loan.number, reason=reason))
    summary.move_inflows(box, summary.loan_inflows(loan), Counter())  # nothing more is expected
    loan.status, loan.reason, loan.closed_on = "written_off", reason, on
    _event(loan, actor, "written_off", reason)
    summary.refresh(box, summary.loan_members(loan))
    return loan


@uow.box_write
def reschedule(actor, box_id: int, loan_id: int, term, first_due: date, reason: str) -> Loan:
    """A new plan for what is still owed: unpaid interest already due moves into the first new
    installment, penalties stay where they are."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    reason = parse.reason(reason)
    loan = _loan(box, loan_id)
    if loan.status != "active":
        raise Conflict(_("Only a loan being repaid can be rescheduled."), field="status")
    term = parse.whole(term, "term", 1, MAX_TERM, _("The number of installments"))
    today = clock.today(box)
    first_due = _plan_day(box, first_due, "first_due")
    if first_due <= today:
        raise ValidationError(_("The first new installment must fall due after today."), field="first_due")
    last = db.session.execute(select(LoanReschedule).filter_by(loan_id=loan.id).order_by(LoanReschedule.id.desc())
                              .limit(1)).scalar_one_or_none()
    if last is not None and (last.decided_on, last.term, last.first_due, last.reason) == (
            today, term, first_due, reason) and not db.session.execute(
            select(Repayment.id).where(Repayment.loan_id == loan.id, Repayment.created_at >= last.created_at)).first():
        return loan  # the same reschedule submitted twice
    row = LoanReschedule(loan_id=loan.id, decided_on=today, term=term, first_due=first_due, reason=reason,
                         seq=_next_seq(loan), created_by_id=_by(actor))
    db.session.add(row)
    db.session.flush()
    _replayed, legs = _replay(box, actor, loan)
    _post_adjustment(box, actor, loan, legs, f"reschedule:{row.id}", _l("Loan #%(loan)s recalculated: rescheduled"))
    _event(loan, actor, "rescheduled", box_text(box, _l("%(term)s installments from %(day)s: %(reason)s"),
                                                 term=term, day=first_due, reason=reason))
    summary.refresh(box, summary.loan_members(loan))
    return loan


def loan_events(loan: Loan) -> list[LoanEvent]:
    return list(db.session.execute(select(LoanEvent).filter_by(loan_id=loan.id).order_by(LoanEvent.id)).scalars())


def repayments(loan: Loan) -> list[Repayment]:
    return list(db.session.execute(select(Repayment).filter_by(loan_id=loan.id).order_by(Repayment.id)).scalars())


@dataclass
class LoanSummary:
    principal: int
    interest: int
    penalties: int
    paid: int
    outstanding: int  # principal still owed
    due_now: int  # unpaid amounts of installments due by today
    payoff: int
    days_overdue: int
    next_installment: Installment | None

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalties


def installment_statuses(loan: Loan, grace_days: int, today: date) -> dict[int, str]:
    """Each installment's status by number: "prepaid", else the dues vocabulary (late only once the
    grace days after its due date are over, as for savings and the penalty job)."""
    return {i.number: "prepaid" if i.prepayment else dues_status.status(i.total, i.paid, i.due_date, grace_days, today)
            for i in loan.installments}


def loan_summary(loan: Loan, today: date) -> LoanSummary:
    """The loan's figures on `today`. Only a loan being repaid owes anything: a closed or written-off
    loan shows what was planned and paid, and nothing due, overdue or outstanding."""
    lines = loan.installments
    current = loan_state(loan)
    owing = loan.status == "active"
    upcoming = current.next_line(today) if owing else None
    return LoanSummary(
        principal=sum(i.principal for i in lines) or loan.amount, interest=sum(i.interest for i in lines),
        penalties=sum(i.penalty for i in lines), paid=sum(i.paid for i in lines),
        outstanding=current.outstanding_principal if owing else 0, due_now=current.due_by(today) if owing else 0,
        payoff=current.payoff(today) if owing else 0, days_overdue=current.days_overdue(today) if owing else 0,
        next_installment=next(i for i in lines if i.number == upcoming.number) if upcoming else None)
