"""Loan requests, guarantors, approval and disbursement; loan lists for pages."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from hamyan.boxes.access import MANAGE
from hamyan.dues.calendar import add_months
from hamyan.blueprints.moneypool.models import OPEN_STATUSES, Guarantee, Loan, Pool, PoolMember
from hamyan.boxes.models import Box
from hamyan.boxes.numbers import next_number
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text, digits, number, show_day, show_money
from hamyan.lending import schedules
from hamyan.money import allocate, minor_digits, to_minor
from hamyan.notify.services import notify_managers

from . import summary
from .common import (
    Access,
    MAX_GUARANTORS,
    MAX_TERM,
    PAGE_SIZE,
    _account,
    _accounts,
    _amount,
    _by,
    _event,
    _key,
    _loan,
    _member,
    _natural,
    _not_future,
    _offset,
    _plan_day,
    _pool_start,
    _post,
    _request_hash,
    _same_request,
    _tell,
    _valid_id,
    access,
    loan_status,
    loan_for,
)
from .savings import positions
from .queue import cash, waiting
from .repaying import _replay


# -------------------------------------------------------------------------------------- loans
def loan_limit(box: Box, pool: Pool, savings: int) -> int | None:
    """The most this member may borrow now, or None for no limit."""
    limits = []
    if pool.max_loan:
        limits.append(pool.max_loan)
    if pool.savings_multiple is not None:
        limits.append(int((Decimal(savings) * pool.savings_multiple).to_integral_value(rounding="ROUND_FLOOR")))
    return min(limits) if limits else None


def months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def eligibility(box: Box, pool: Pool, member: PoolMember, today: date | None = None,
                exclude_loan_id: int | None = None) -> tuple[list[str], int | None]:
    """Reasons the member cannot borrow now (empty when eligible), and their limit."""
    today = today or clock.today(box)
    problems = []
    if member.left_on is not None:
        problems.append(_("You have left the pool."))
    if months_between(member.joined_on, today) < pool.min_membership_months:
        problems.append(_("Members can borrow after %(months)s months in the pool.", months=number(pool.min_membership_months, box)))
    position = positions(box, pool, [member], today)[0]
    if pool.require_no_arrears and position.arrears:
        problems.append(_("Savings payments are behind; catch up first."))
    if pool.one_open_loan and open_loan(member, exclude_loan_id) is not None:
        problems.append(_("You already have an open loan or request."))
    return problems, loan_limit(box, pool, position.savings)


def open_loan(member: PoolMember, exclude_loan_id: int | None = None) -> Loan | None:
    """The member's loan that is asked for, approved or being repaid (the first), if any."""
    query = select(Loan).filter_by(member_id=member.id).where(Loan.status.in_(OPEN_STATUSES))
    if exclude_loan_id:
        query = query.where(Loan.id != exclude_loan_id)
    return db.session.scalars(query.order_by(Loan.id).limit(1)).first()


@uow.box_write
def request_loan(actor, box_id: int, amount, term, key: str, purpose: str = "", guarantor_ids=(),
                 member_id: int | None = None) -> Loan:
    """A member asks for a loan (a manager may file it for a member). The policy in force is kept
    on the loan, so later policy changes do not alter it."""
    acc = access(actor, box_id)
    box, pool = acc.box, acc.pool
    key = _key(key)
    request_hash = _request_hash(
        member_id=member_id, amount=_amount(amount, box.currency, "amount"),
        term=parse.whole(term, "term", 1, MAX_TERM, _("The number of installments")),
        purpose=(purpose or "").strip(), guarantor_ids=sorted({str(i) for i in guarantor_ids or ()}))
    existing = db.session.execute(select(Loan).filter_by(box_id=box.id, request_key=key)).scalar_one_or_none()
    if existing is not None:
        if not acc.is_manager and (acc.member is None or existing.member_id != acc.member.id):
            raise Conflict(_("This request key was already used; reload the form."), field="key")
        _same_request(existing, request_hash)
        return existing
    if member_id is not None and member_id != (acc.member.id if acc.member else None):
        if not acc.is_manager:
            raise NotFound(_("No such member in this pool."))
        member = _member(box, member_id)
    elif acc.member is not None:
        member = acc.member
    else:
        raise ValidationError(_("Only savers in the pool can borrow."), field="member_id")
    value = _amount(amount, box.currency, "amount")
    term = parse.whole(term, "term", pool.min_term, pool.max_term, _("The number of installments"))
    purpose = (purpose or "").strip()
    if len(purpose) > 300:
        raise ValidationError(_("Keep the purpose under 300 characters."), field="purpose")
    problems, limit = eligibility(box, pool, member)
    if problems:
        raise ValidationError(" ".join(problems), field="amount")
    if limit is not None and value > limit:
        raise ValidationError(_("The most you can borrow now is %(amount)s.", amount=show_money(limit, box)),
                              field="amount")
    guarantors = _guarantors(box, pool, member, guarantor_ids)
    parts = allocate(value, [1] * len(guarantors)) if guarantors else []
    accounts = _accounts(box)
    for g, part in zip(guarantors, parts):
        if _natural(accounts.get(f"mp:member:{g.id}:savings")) < part:
            raise ValidationError(_("%(name)s's savings do not cover a pledge of %(amount)s; choose another guarantor "
                                    "or more of them.", name=g.name, amount=show_money(part, box)), field="guarantor_ids")
    fee = service_fee(box, pool, value)
    loan = Loan(box_id=box.id, number=next_number(Loan, box.id), member_id=member.id, request_key=key, request_hash=request_hash, amount=value, term=term,
                period_months=pool.repayment_months, interest_method=pool.interest_method,
                annual_rate=pool.annual_rate, fee=fee, purpose=purpose)
    db.session.add(loan)
    db.session.flush()
    for g, part in zip(guarantors, parts):
        db.session.add(Guarantee(loan_id=loan.id, member_id=g.id, amount=part, held=0))
    _event(loan, actor, "requested", purpose)
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/pools/{box.id}/loans/{loan.id}"

    def request_email():  # in each manager's language: the amount, number and term written for them
        said = dict(box=box.name, name=member.name, number=digits(loan.number, box), amount=show_money(value, box),
                    term=number(term, box), purpose=purpose, link=link)
        body = (_("%(name)s asks for loan #%(number)s: %(amount)s over %(term)s installments (%(purpose)s).\n\n"
                  "Approve or decline it on the pool's loans page: %(link)s", **said) if purpose else
                _("%(name)s asks for loan #%(number)s: %(amount)s over %(term)s installments.\n\n"
                  "Approve or decline it on the pool's loans page: %(link)s", **said))
        return _("%(box)s: %(name)s asks for a loan of %(amount)s", **said), body

    notify_managers(box, request_email, kind="loan_request", dedupe_key=f"loan:{loan.id}:requested")
    return loan


def service_fee(box: Box, pool: Pool, amount: int) -> int:
    """The pool's one-time fee on a loan of `amount`, kept from the payout."""
    return to_minor(Decimal(amount) * pool.service_fee_percent / 100 / Decimal(10) ** minor_digits(box.currency),
                    box.currency)


@dataclass(frozen=True)
class Quote:
    """A loan worked out before it is asked for, under the pool's policy as it is today."""
    amount: int
    term: int
    fee: int
    lines: list[schedules.Line]

    @property
    def payout(self) -> int:
        return self.amount - self.fee

    @property
    def interest(self) -> int:
        return sum(line.interest for line in self.lines)

    @property
    def repaid(self) -> int:
        return self.amount + self.interest


def quote(box: Box, pool: Pool, amount, term) -> Quote:
    """The schedule a loan of `amount` over `term` installments would have if paid out today, by
    the pool's interest method, rate, period and fee, with its dates in the box's calendar (as
    disburse() plans it). Every bad input is reported at once."""
    errors = {}
    try:
        value = _amount(amount, box.currency, "amount")
    except ValidationError as error:
        errors.update(error.fields)
    try:
        if not parse.normalize(term):
            raise ValidationError(_("Enter the number of installments."), field="term")
        term = parse.whole(term, "term", pool.min_term, pool.max_term, _("The number of installments"))
    except ValidationError as error:
        errors.update(error.fields)
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)
    first_due = add_months(clock.today(box), pool.repayment_months, box.calendar)
    lines = schedules.build(value, pool.annual_rate, term, pool.repayment_months, pool.interest_method, first_due,
                            box.calendar)
    return Quote(value, len(lines), service_fee(box, pool, value), lines)


def _guarantors(box: Box, pool: Pool, borrower: PoolMember, ids) -> list[PoolMember]:
    try:
        ids = sorted({int(i) for i in ids or ()})
    except (TypeError, ValueError):
        raise ValidationError(_("Choose guarantors from the list."), field="guarantor_ids") from None
    if not all(_valid_id(i) for i in ids):
        raise ValidationError(_("Choose guarantors from the pool's members."), field="guarantor_ids")
    if len(ids) < pool.guarantors_required:
        raise ValidationError(_("This pool asks for %(count)s guarantor(s).", count=number(pool.guarantors_required, box)),
                              field="guarantor_ids")
    if len(ids) > MAX_GUARANTORS:
        raise ValidationError(_("Choose at most %(count)s guarantors.", count=number(MAX_GUARANTORS, box)),
                              field="guarantor_ids")
    members = list(db.session.execute(select(PoolMember).where(PoolMember.id.in_(ids))).scalars()) if ids else []
    if len(members) != len(ids) or any(m.box_id != box.id or m.left_on is not None for m in members):
        raise ValidationError(_("Choose guarantors from the pool's members."), field="guarantor_ids")
    if borrower.id in ids:
        raise ValidationError(_("You cannot guarantee your own loan."), field="guarantor_ids")
    return members


@uow.box_write
def approve(actor, box_id: int, loan_id: int) -> Loan:
    acc = access(actor, box_id, MANAGE)
    loan = _loan(acc.box, loan_id)
    if loan.status == "approved":
        return loan
    if loan.status != "requested":
        raise Conflict(_("This loan is %(status)s; only requests can be approved.", status=loan_status(loan.status)),
                       field="status")
    problems, limit = eligibility(acc.box, acc.pool, loan.member, exclude_loan_id=loan.id)
    if problems:
        raise ValidationError(_("The member is not eligible now: %(problems)s", problems=" ".join(problems)), field="status")
    if limit is not None and loan.amount > limit:
        raise ValidationError(_("The amount is now above the member's limit; reject it or ask for less."),
                              field="amount")
    loan.status, loan.approved_at, loan.decided_by_id = "approved", clock.now(), _by(actor)
    _event(loan, actor, "approved")
    queue = waiting(acc.box, acc.pool)
    ahead = queue[:queue.index(loan)]
    short = sum(waiting_loan.amount - waiting_loan.fee for waiting_loan in [*ahead, loan]) > cash(acc.box)

    def told():
        if short:
            then = _("It is paid out when the pool has the cash; your loan's page shows when that should be.")
        elif ahead:
            then = _("The pool has the cash; %(count)s loan(s) approved before it are paid out first.",
                     count=number(len(ahead), acc.box))
        else:
            then = _("The pool has the cash: the manager pays it out next.")
        return (_("loan #%(number)s approved", number=number(loan.number, acc.box)),
                _("Your request for %(amount)s is approved.", amount=show_money(loan.amount, acc.box)) + " " + then)
    _tell(acc.box, loan.member, told)
    return loan


@uow.box_write
def reject(actor, box_id: int, loan_id: int, reason: str) -> Loan:
    acc = access(actor, box_id, MANAGE)
    loan = _loan(acc.box, loan_id)
    reason = parse.reason(reason)
    if loan.status == "rejected":
        return loan
    if loan.status not in ("requested", "approved"):
        raise Conflict(_("This loan is %(status)s; it can no longer be rejected.", status=loan_status(loan.status)),
                       field="status")
    loan.status, loan.reason, loan.decided_by_id = "rejected", reason, _by(actor)
    _event(loan, actor, "rejected", reason)
    _tell(acc.box, loan.member, lambda: (
        _("loan #%(number)s not approved", number=number(loan.number, acc.box)),
        _("Your request for %(amount)s was not approved. The manager's reason: %(reason)s",
          amount=show_money(loan.amount, acc.box), reason=reason)))
    return loan


@uow.box_write
def cancel(actor, box_id: int, loan_id: int) -> Loan:
    """The borrower (or a manager) withdraws a request that has not been paid out."""
    acc, loan = loan_for(actor, box_id, loan_id)
    if not acc.is_manager and loan.member_id != acc.member.id:
        raise Forbidden(_("Only the borrower or a manager can withdraw this request."))
    if loan.status == "cancelled":
        return loan
    if loan.status not in ("requested", "approved"):
        raise Conflict(_("Only requests not yet paid out can be withdrawn."), field="status")
    loan.status = "cancelled"
    _event(loan, actor, "cancelled")
    return loan


@uow.box_write
def disburse(actor, box_id: int, loan_id: int, on: date | None = None, first_due: date | None = None) -> Loan:
    """Pay an approved loan out of the pool's cash and generate its schedule."""
    acc = access(actor, box_id, MANAGE)
    box = acc.box
    loan = _loan(box, loan_id)
    if loan.status in ("active", "closed", "written_off") and loan.disbursed_on is not None:
        if on not in (None, loan.disbursed_on) or first_due not in (None, loan.first_due):
            raise Conflict(_("This loan was already paid out on %(day)s, its first installment due %(first)s.",
                             day=show_day(loan.disbursed_on, box), first=show_day(loan.first_due, box)),
                           field="on" if on not in (None, loan.disbursed_on) else "first_due")
        return loan  # a repeated click: already paid out
    if loan.status != "approved":
        raise Conflict(_("Approve the request before paying it out."), field="status")
    on = _not_future(box, on, "on", _pool_start(acc.pool))
    queue = waiting(box, acc.pool)
    ahead = queue[:queue.index(loan)]
    if acc.pool.queue_policy == "lottery" and len(queue) > 1 and loan.drawn_at is None:
        raise Conflict(_("Several loans are waiting: run the draw to pick the next one."), field="queue")
    if acc.pool.queue_policy == "fifo" and ahead:
        raise Conflict(_("Loan #%(number)s was approved earlier and is paid out first.",
                         number=number(ahead[0].number, box)), field="queue")
    payout = loan.amount - loan.fee
    available = cash(box)
    if payout > available:
        raise ValidationError(_("Not enough cash: the pool has %(cash)s and this loan needs %(amount)s. It waits in "
                                "the queue.", cash=show_money(available, box), amount=show_money(payout, box)),
                              field="amount")
    held = cash(box, on)
    if payout > held:
        raise ValidationError(_("On %(day)s the pool had only %(cash)s in cash, less than the %(amount)s this loan pays "
                                "out: pay it out on a day the cash was there.", day=show_day(on, box),
                              cash=show_money(held, box), amount=show_money(payout, box)), field="on")
    first_due = _plan_day(box, first_due or add_months(on, loan.period_months, box.calendar), "first_due")
    if first_due <= on:
        raise ValidationError(_("The first installment falls due after the payout."), field="first_due")
    accounts = _accounts(box)
    for g in loan.guarantees:
        if g.member.left_on is not None:
            raise ValidationError(_("%(name)s has left the pool and cannot guarantee this loan.", name=g.member.name),
                                  field="guarantor_ids")
        if _natural(accounts.get(f"mp:member:{g.member_id}:savings")) < g.amount:
            raise ValidationError(_("%(name)s's savings do not cover their pledge.", name=g.member.name),
                                  field="guarantor_ids")
    legs = [(_account(box, f"mp:loan:{loan.id}:principal"), loan.amount), (_account(box, "mp:cash"), -payout),
            (_account(box, "mp:income:fees"), -loan.fee) if loan.fee else (None, 0)]
    for g in loan.guarantees:
        legs += [(_account(box, f"mp:member:{g.member_id}:savings"), g.amount),
                 (_account(box, f"mp:member:{g.member_id}:pledged"), -g.amount)]
        g.held = g.amount
    _post(box, actor, "disbursement", legs, f"loan:{loan.id}:disburse", on,
          box_text(box, _l("Loan #%(loan)s to %(name)s"), loan=loan.number, name=loan.member.name))
    loan.status, loan.disbursed_on, loan.first_due = "active", on, first_due
    _replay(box, actor, loan)  # the plan, nothing paid yet
    _event(loan, actor, "disbursed", box_text(box, _l("paid out on %(day)s; first installment due %(first)s"),
                                              day=on, first=first_due))
    first = loan.installments[0]
    _tell(box, loan.member, lambda: (
        _("loan #%(number)s paid out", number=number(loan.number, box)),
        _("%(payout)s of your loan is paid out. The first installment of %(amount)s falls due on %(day)s; the whole "
          "schedule is on your loan's page.", payout=show_money(payout, box),
          amount=show_money(first.principal + first.interest, box), day=show_day(first.due_date, box))))
    summary.refresh(box, summary.loan_members(loan))
    return loan


# For lists that show a loan's own columns and its borrower's name: not its schedule, guarantees or
# the borrower's share changes (each an extra statement for every list).
LISTED = (lazyload(Loan.installments), lazyload(Loan.guarantees), joinedload(Loan.member).lazyload(PoolMember.share_changes))


def requests_waiting(box: Box) -> list[Loan]:
    """The newest loan requests waiting for a manager's decision (the dashboard's list)."""
    return list(db.session.scalars(select(Loan).where(Loan.box_id == box.id, Loan.status == "requested")
                                   .options(*LISTED).order_by(Loan.id.desc()).limit(PAGE_SIZE)))


def loans_page(acc: Access, status: str | None, page: int, per_page: int = PAGE_SIZE) -> tuple[list[Loan], int]:
    """Loans the user may see (members: their own), newest first."""
    query = select(Loan).where(Loan.box_id == acc.box.id)
    if not acc.is_manager:
        query = query.where(Loan.member_id == (acc.member.id if acc.member else -1))
    if status:
        query = query.where(Loan.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.execute(query.order_by(Loan.id.desc()).limit(per_page)
                                   .offset(_offset(page, per_page))).scalars())
    return rows, total


def guaranteed_by(member: PoolMember) -> list[Loan]:
    """Open loans this member guarantees."""
    return list(db.session.execute(
        select(Loan).join(Guarantee, Guarantee.loan_id == Loan.id)
        .where(Guarantee.member_id == member.id, Loan.status.in_(OPEN_STATUSES)).order_by(Loan.id)).scalars())


def loans_of(member: PoolMember) -> list[Loan]:
    return list(db.session.execute(select(Loan).filter_by(member_id=member.id).order_by(Loan.id.desc())).scalars())
