"""Moneypool rules: the only code that writes moneypool tables or posts a pool's money.

Chart of accounts (ledger account codes, per pool box; balances are signed, debit positive)
    mp:cash                      Pool cash                           asset      (debit)
    mp:member:<id>:savings       A member's savings                  liability  (credit)
    mp:member:<id>:pledged       Savings held as a guarantor pledge  liability  (credit)
    mp:member:<id>:fees          Late contribution fees owed         asset      (debit)
    mp:loan:<id>:principal       Principal owed on one loan          asset      (debit)
    mp:loan:<id>:penalty         Late penalties owed on one loan     asset      (debit)
    mp:income:interest           Interest earned                     income     (credit)
    mp:income:fees               One-time loan service fees          income     (credit)
    mp:income:penalties          Late fees and loan penalties        income     (credit)
    mp:expense:writeoff          Loans written off                   expense    (debit)

Entries (each idempotency key is derived from the business action, so a retry writes nothing)
    contribution   Dr cash / Cr member fees (late fees first) / Cr member savings     mp:<box>:contribution:<key>
    late_fee       Dr member fees / Cr income:penalties                               mp:<box>:late_fee:<member>:<due>
    disbursement   Dr loan principal / Cr cash / Cr income:fees (fee kept)            mp:<box>:loan:<id>:disburse
                   + Dr guarantor savings / Cr guarantor pledged (pledges)
    penalty        Dr loan penalty / Cr income:penalties                              mp:<box>:penalty:<loan>:<n>
    repayment      Dr cash / Cr loan principal / Cr income:interest / Cr loan penalty mp:<box>:repay:<loan>:<key>
                   + Dr pledged / Cr savings (pledges released pro rata to principal repaid)
    write_off      Dr pledged (guarantors cover what they pledged) + Dr expense / Cr loan accounts
    settlement     a leaving member: their savings repay what they owe, the rest is paid out in cash
    waive          reversal of an unpaid late_fee or penalty entry, dated today      <charge key>:waive:<request key>
                   (the charge's key stays taken, so the hourly job never charges it again)
    loan_adjustment  what replaying a loan moved between its earlier entries (an undo,  mp:<box>:loan:<id>:adjust:<why>
                   a back-dated repayment): principal / interest / penalty, pledges held or released

Loans are replayed (hamyan.lending.state) from their plan and events: repayments not undone,
reschedules (mp_loan_reschedule) and penalties (mp_loan_penalty); installment rows hold the result.

Interest, fees and penalties are income when charged (fees, penalties) or when paid (interest):
interest not yet paid is only a plan in the schedule, so prepaying or writing off never has to
undo income. The balance sheet therefore reads
    cash + loans + fees and penalties owed  ==  savings + pledged + (income - write-offs).

Contributions are recorded as paid (cash basis); what a member owes is computed from the share
history, so arrears = owed to date - contributed, never a ledger balance.
"""
import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hamyan import calendars
from hamyan.blueprints.moneypool.models import (
    OPEN_STATUSES,
    PERIODS,
    QUEUE_POLICIES,
    Contribution,
    Guarantee,
    Installment,
    Loan,
    LoanEvent,
    LoanPenalty,
    LoanReschedule,
    Pool,
    PoolMember,
    Repayment,
    ShareAmount,
    ShareChange,
)
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, VIEW, Principal, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET, EXPENSE, INCOME, LIABILITY, LedgerAccount
from hamyan.lending import guarantees, schedules, state
from hamyan.money import (
    allocate,
    format_money,
    minor_digits,
    to_major,
    to_minor,
)

KIND = "moneypool"
PAGE_SIZE = 25
PREPAY_MODES = state.PREPAY_MODES
FORECAST_PERIODS = 120  # months looked ahead when estimating when cash will be enough
MAX_TERM = 360
MAX_SHARES = 1000
YEARS_AHEAD = 20  # dates of plans (first due dates, share changes, joining) within this many years of today


# --------------------------------------------------------------------------------------- helpers
def _accounts(box: Box, codes: list[str] | None = None) -> dict:
    """The pool's ledger accounts by code, all of them or just `codes` (one query)."""
    query = select(LedgerAccount).filter_by(box_id=box.id)
    if codes is not None:
        query = query.where(LedgerAccount.code.in_(codes))
    return {a.code: a for a in db.session.execute(query).scalars()}


def _account(box: Box, code: str) -> LedgerAccount:
    pool_wide = {
        "mp:cash": ("Pool cash", ASSET, "cash"),
        "mp:income:interest": ("Interest income", INCOME, "interest"),
        "mp:income:fees": ("Loan service fees", INCOME, "service_fees"),
        "mp:income:penalties": ("Late fees and penalties", INCOME, "penalties"),
        "mp:expense:writeoff": ("Loans written off", EXPENSE, "writeoff"),
    }
    if code in pool_wide:
        name, type_, purpose = pool_wide[code]
        subject = ("box", box.id)
    else:
        _, owner, ident, purpose = code.split(":")
        name, type_ = {"savings": ("Savings", LIABILITY), "pledged": ("Pledged savings", LIABILITY),
                       "fees": ("Late fees owed", ASSET), "principal": ("Loan principal", ASSET),
                       "penalty": ("Loan penalties owed", ASSET)}[purpose]
        name = f"{name} {ident}"
        # A pool member's accounts belong to the membership, so every product's statements find them alike.
        subject = ("loan", int(ident)) if owner == "loan" else (
            "membership", db.session.get(PoolMember, int(ident)).membership_id)
    return ledger.open_account(box.id, code, name, box.currency, type=type_, subject=subject, purpose=purpose)


def _natural(account: LedgerAccount | None) -> int:
    return account.natural_balance if account is not None else 0


def _by(actor) -> int | None:
    """The user recorded as the author of a row or entry (None for the system, e.g. the hourly job)."""
    return Principal.of(actor).user_id if actor is not None else None


def _post(box: Box, actor, code: str, legs: list, key: str, on: date, memo: str):
    legs = [(a, amount) for a, amount in legs if amount]
    return ledger.post(code, legs, idempotency_key=f"mp:{box.id}:{key}", effective_date=on, memo=memo,
                       box_id=box.id, created_by_id=_by(actor))


def _valid_id(value) -> bool:
    return isinstance(value, int) and parse.record_id(value) is not None


def _page(page: int) -> int:
    """Past the last page is an empty page, not an offset overflow."""
    return min(max(page, 1), parse.MAX_ID // PAGE_SIZE)


def _not_future(box: Box, on: date | None, field: str, earliest: date | None = None) -> date:
    """The day money moved: not in the future, and not before `earliest` (the pool's or the
    member's or the loan's beginning) when given."""
    today = clock.today(box)
    on = on or today
    if not isinstance(on, date):
        raise ValidationError("Choose a date.", field=field)
    if on > today:
        raise ValidationError("This date is in the future; record money on the day it moved.", field=field)
    if earliest is not None and on < earliest:
        raise ValidationError(f"Choose a date on or after {earliest.isoformat()}.", field=field)
    return on


def _plan_day(box: Box, day, field: str, message: str = "Choose a date.") -> date:
    """A date a plan starts from: within YEARS_AHEAD years of today either way, so schedules built
    from it stay within the calendar."""
    if not isinstance(day, date):
        raise ValidationError(message, field=field)
    if abs((day - clock.today(box)).days) > 366 * YEARS_AHEAD:
        raise ValidationError(f"Choose a date within {YEARS_AHEAD} years of today.", field=field)
    return day


def _pool_start(pool: Pool) -> date:
    """The earliest day money can have moved in the pool: a year before its first due date."""
    return date.fromordinal(max(pool.first_due.toordinal() - 366, 1))


def _key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError("A request key of 1 to 100 characters is required.", field="key")
    return key


def _request_hash(**carried) -> str:
    """A fingerprint of everything a keyed request carries, as sent (a date left out is None), so
    a retry matches only the very same request."""
    return hashlib.sha256(json.dumps(carried, sort_keys=True, default=str).encode()).hexdigest()


def _same_request(existing, request_hash: str) -> None:
    """A retry under a used key must be the same request; anything else is refused (409) rather
    than silently answered with the first one."""
    if existing.request_hash != request_hash:
        raise Conflict("This key was already used for a different request; send a new Idempotency-Key "
                       "(or reload the form).", field="key")


def _tell(box: Box, member: PoolMember, subject: str, body: str) -> None:
    """Email a member about their money, when we know their address (added without one: no email)."""
    from hamyan.notify.services import notify

    email = member.membership.email or (member.membership.user.email if member.membership.user else None)
    if email:
        notify(email, f"{box.name}: {subject}", body)


def _event(loan: Loan, actor, kind: str, detail: str = "") -> None:
    db.session.add(LoanEvent(loan_id=loan.id, kind=kind, detail=detail[:500], by_id=_by(actor)))


# ------------------------------------------------------------------------------------ access
@dataclass
class Access:
    box: Box
    pool: Pool
    membership: Membership | None
    is_manager: bool
    member: PoolMember | None  # the user's own saver record, if any


def access(user, box_id: int, action: str = VIEW) -> Access:
    """The pool as this user (or principal) may see it; NotFound for outsiders and other kinds of
    box, Forbidden for a member asking for a manager's action."""
    allowed = authorize(user, box_id, action, KIND)
    pool = db.session.get(Pool, allowed.box.id)
    if pool is None:
        raise NotFound()
    member = None
    if allowed.membership is not None:
        member = db.session.execute(
            select(PoolMember).filter_by(membership_id=allowed.membership.id)).scalar_one_or_none()
    return Access(allowed.box, pool, allowed.membership, allowed.can_manage, member)


def manage(user, box_id: int) -> Access:
    return access(user, box_id, MANAGE)


def _member(box: Box, member_id) -> PoolMember:
    if not _valid_id(member_id):
        raise NotFound("No such member in this pool.")
    member = db.session.get(PoolMember, member_id)
    if member is None or member.box_id != box.id:
        raise NotFound("No such member in this pool.")
    return member


def _loan(box: Box, loan_id: int) -> Loan:
    if not _valid_id(loan_id):
        raise NotFound("No such loan in this pool.")
    loan = db.session.execute(select(Loan).filter_by(id=loan_id, box_id=box.id)).scalar_one_or_none()
    if loan is None:
        raise NotFound("No such loan in this pool.")
    return loan


def loan_for(user, box_id: int, loan_id: int) -> tuple[Access, Loan]:
    """A loan the user may see: managers see all, members their own and those they guarantee (their
    savings are at stake); any other loan answers 404."""
    acc = access(user, box_id)
    loan = _loan(acc.box, loan_id)
    if not acc.is_manager and (acc.member is None or (
            loan.member_id != acc.member.id and all(g.member_id != acc.member.id for g in loan.guarantees))):
        raise NotFound("No such loan in this pool.")
    return acc, loan


# ------------------------------------------------------------------------------- pool set-up
def _policy(values: dict, currency: str) -> dict:
    """Validate the loan and contribution policy fields that are present in values."""
    out = {}
    if "period_months" in values:
        out["period_months"] = parse.whole(values["period_months"], "period_months", 1, 12, "The period")
        if out["period_months"] not in PERIODS:
            raise ValidationError("Choose 1, 2, 3, 6 or 12 months.", field="period_months")
    if "repayment_months" in values:
        out["repayment_months"] = parse.whole(values["repayment_months"], "repayment_months", 1, 12, "The frequency")
        if out["repayment_months"] not in PERIODS:
            raise ValidationError("Choose 1, 2, 3, 6 or 12 months.", field="repayment_months")
    for name, label in (("grace_days", "Grace days"), ("min_membership_months", "Months of membership"),
                        ("guarantors_required", "Guarantors")):
        if name in values:
            out[name] = parse.whole(values[name], name, 0, 60 if name == "grace_days" else 120, label)
    if out.get("guarantors_required", 0) > 5:
        raise ValidationError("Ask for at most 5 guarantors.", field="guarantors_required")
    for name in ("min_term", "max_term"):
        if name in values:
            out[name] = parse.whole(values[name], name, 1, MAX_TERM, "The number of installments")
    for name in ("late_fee", "max_loan"):
        if name in values:
            raw = values[name]
            out[name] = 0 if raw in (None, "") else parse.amount(raw, currency, field=name, allow_zero=True)
    if "savings_multiple" in values:
        raw = values["savings_multiple"]
        out["savings_multiple"] = None if raw in (None, "") else parse.percent(raw, "savings_multiple", maximum=100)
        if out["savings_multiple"] is not None and out["savings_multiple"] <= 0:
            raise ValidationError("Use a multiple above zero, or leave it empty for no limit.", field="savings_multiple")
    if "interest_method" in values:
        if values["interest_method"] not in schedules.METHODS:
            raise ValidationError("Choose an interest method.", field="interest_method")
        out["interest_method"] = values["interest_method"]
    if "annual_rate" in values:
        out["annual_rate"] = parse.percent(values["annual_rate"], "annual_rate", maximum=200, places=3)
    for name in ("service_fee_percent", "penalty_percent"):
        if name in values:
            out[name] = parse.percent(values[name], name, maximum=50)
    for name in ("require_no_arrears", "one_open_loan"):
        if name in values:
            out[name] = bool(values[name])
    if "queue_policy" in values:
        if values["queue_policy"] not in QUEUE_POLICIES:
            raise ValidationError("Choose first come or lottery.", field="queue_policy")
        out["queue_policy"] = values["queue_policy"]
    return out


def _amount(raw, currency: str, field: str) -> int:
    return parse.amount(raw, currency, field=field)


POLICY_FIELDS = ("period_months", "grace_days", "late_fee", "max_loan", "savings_multiple", "min_term", "max_term",
                 "repayment_months", "interest_method", "annual_rate", "service_fee_percent", "penalty_percent",
                 "min_membership_months", "require_no_arrears", "one_open_loan", "guarantors_required",
                 "queue_policy")


def _settled_policy(current: dict, values: dict, currency: str) -> dict:
    """The whole policy after applying values, checked as a whole before anything is written."""
    policy = {**current, **_policy(values, currency)}
    if policy["min_term"] > policy["max_term"]:
        raise ValidationError("The longest term must not be below the shortest.", field="max_term")
    if policy["interest_method"] == "none":
        policy["annual_rate"] = Decimal(0)
    elif not policy["annual_rate"]:
        raise ValidationError("Give the yearly interest rate, or choose interest-free.", field="annual_rate")
    return policy


@uow.box_write
def create_pool(actor, name: str, currency: str, share_amount, first_due: date, timezone: str = "UTC",
                locale: str = "en", calendar: str = "gregorian", my_shares: int = 1, **policy) -> Box:
    """A new pool with the actor as its manager (and a saver with my_shares, 0 for none).
    Everything is checked before the first row is written."""
    currency = boxes.validate_box_settings(currency, timezone, locale, calendar)
    today = clock.today_in(timezone)
    if not isinstance(first_due, date):
        raise ValidationError("Choose the first due date.", field="first_due")
    if abs((first_due - today).days) > 366 * 20:
        raise ValidationError("Choose a first due date within twenty years of today.", field="first_due")
    share = _amount(share_amount, currency, "share_amount")
    defaults = {column.name: column.default.arg for column in Pool.__table__.columns
                if column.name in POLICY_FIELDS and column.default is not None}
    settings = _settled_policy({**defaults, "savings_multiple": None}, policy, currency)
    shares = parse.whole(my_shares, "my_shares", 0, MAX_SHARES, "Your shares")
    if db.session.execute(select(Box.id).join(Membership, Membership.box_id == Box.id).where(
            Box.kind == KIND, Box.name == (name or "").strip(), Membership.user_id == actor.id,
            Membership.left_at.is_(None))).first():
        # Also makes a double submit of the new-pool form create one pool.
        raise Conflict("You already have a pool with this name; choose another.", field="name")
    box = boxes.create_box(actor, KIND, name, currency, timezone, locale, calendar)
    db.session.add(Pool(box_id=box.id, first_due=first_due, **settings))
    db.session.add(ShareAmount(box_id=box.id, effective_from=first_due, amount=share, created_by_id=_by(actor)))
    # Pool-wide accounts up front: concurrent first uses would race to create them.
    for code in ("mp:cash", "mp:income:interest", "mp:income:fees", "mp:income:penalties", "mp:expense:writeoff"):
        _account(box, code)
    if shares:
        _join(box, boxes.membership_of(actor, box.id), shares, min(first_due, today))
    return box


@uow.box_write
def update_policy(actor, box_id: int, **values) -> Pool:
    acc = manage(actor, box_id)
    values.pop("period_months", None)  # the contribution period is fixed once members have saved
    current = {name: getattr(acc.pool, name) for name in POLICY_FIELDS}
    for name, value in _settled_policy(current, values, acc.box.currency).items():
        setattr(acc.pool, name, value)
    return acc.pool


@uow.box_write
def set_share_amount(actor, box_id: int, amount, effective_from: date) -> ShareAmount:
    """The value of a share from a date on; setting the same date again corrects it."""
    acc = manage(actor, box_id)
    value = _amount(amount, acc.box.currency, "amount")
    effective_from = _plan_day(acc.box, effective_from, "effective_from", "Choose the date it applies from.")
    row = db.session.execute(select(ShareAmount).filter_by(box_id=acc.box.id, effective_from=effective_from)
                             ).scalar_one_or_none()
    if row is None:
        row = ShareAmount(box_id=acc.box.id, effective_from=effective_from, amount=value, created_by_id=_by(actor))
        db.session.add(row)
    row.amount = value
    return row


def _join(box: Box, membership: Membership, shares: int, joined_on: date) -> PoolMember:
    member = PoolMember(box_id=box.id, membership_id=membership.id, joined_on=joined_on)
    db.session.add(member)
    db.session.flush()
    db.session.add(ShareChange(member_id=member.id, effective_from=joined_on, shares=shares))
    _account(box, f"mp:member:{member.id}:savings")
    return member


@uow.box_write
def add_member(actor, box_id: int, display_name: str, email: str | None, shares, joined_on: date | None = None,
               membership_id: int | None = None) -> PoolMember:
    """Add a saver: a new person (name, email), or someone already in the box (membership_id)."""
    acc = manage(actor, box_id)
    shares = parse.whole(shares, "shares", 0, MAX_SHARES, "Shares")
    joined_on = _plan_day(acc.box, joined_on or clock.today(acc.box), "joined_on")
    if membership_id:
        membership = db.session.get(Membership, membership_id) if _valid_id(membership_id) else None
        if membership is None or membership.box_id != acc.box.id:
            raise ValidationError("Choose someone from the list.", field="membership_id")
        if db.session.execute(select(PoolMember.id).filter_by(membership_id=membership.id)).first():
            raise Conflict("This person already saves in the pool.", field="membership_id")
    else:
        name = (display_name or "").strip()
        if name and db.session.execute(
                select(PoolMember.id).join(Membership, Membership.id == PoolMember.membership_id)
                .where(PoolMember.box_id == acc.box.id, PoolMember.left_on.is_(None),
                       func.lower(Membership.display_name) == name.lower())).first():
            # Pages tell savers apart by name; this also makes a double submit add them once.
            raise Conflict(f"{name} already saves in the pool; give a name that tells them apart.",
                           field="display_name")
        membership = boxes.add_member(actor, acc.box.id, display_name, email, "member")
    member = _join(acc.box, membership, shares, joined_on)
    return member


@uow.box_write
def set_shares(actor, box_id: int, member_id: int, shares, effective_from: date) -> ShareChange:
    acc = manage(actor, box_id)
    member = _member(acc.box, member_id)
    if member.left_on is not None:
        raise ValidationError("This member has left the pool.", field="shares")
    shares = parse.whole(shares, "shares", 0, MAX_SHARES, "Shares")
    effective_from = _plan_day(acc.box, effective_from, "effective_from", "Choose the date it applies from.")
    if effective_from < member.joined_on:
        raise ValidationError("That is before the member joined.", field="effective_from")
    row = db.session.execute(select(ShareChange).filter_by(member_id=member.id, effective_from=effective_from)
                             ).scalar_one_or_none()
    if row is None:
        row = ShareChange(member_id=member.id, effective_from=effective_from, shares=shares)
        db.session.add(row)
    row.shares = shares
    return row


# ------------------------------------------------------------------------------------ savings
def _in_force(history: list, day: date, attr: str) -> int:
    """The value of the last change effective on or before day (history sorted by effective_from)."""
    value = 0
    for row in history:
        if row.effective_from > day:
            break
        value = getattr(row, attr)
    return value


def due_dates(pool: Pool, box: Box, start: date, end: date) -> list[date]:
    """Contribution due dates in [start, end]."""
    out, i = [], 0
    while True:
        day = calendars.add_months(pool.first_due, i * pool.period_months, box.calendar)
        if day > end:
            return out
        if day >= start:
            out.append(day)
        i += 1


def share_amounts(box: Box) -> list[ShareAmount]:
    return list(db.session.execute(select(ShareAmount).filter_by(box_id=box.id)
                                   .order_by(ShareAmount.effective_from)).scalars())


def dues(member: PoolMember, amounts: list[ShareAmount], dates: list[date]) -> list[tuple[date, int, int]]:
    """(due date, shares, amount owed) for each due date while the member was in the pool."""
    out = []
    for day in dates:
        if day < member.joined_on or (member.left_on is not None and day > member.left_on):
            continue
        shares = _in_force(member.share_changes, day, "shares")
        if shares:
            out.append((day, shares, shares * _in_force(amounts, day, "amount")))
    return out


def contributed(box: Box, member_ids: list[int] | None = None, as_of: date | None = None) -> dict[int, int]:
    """Savings paid per member (late fees excluded), one query."""
    query = (select(Contribution.member_id, func.sum(Contribution.amount - Contribution.fees))
             .where(Contribution.box_id == box.id, Contribution.reversed_at.is_(None))
             .group_by(Contribution.member_id))
    if member_ids is not None:
        query = query.where(Contribution.member_id.in_(member_ids))
    if as_of is not None:
        query = query.where(Contribution.paid_on <= as_of)
    return {mid: int(total or 0) for mid, total in db.session.execute(query)}


@dataclass
class MemberPosition:
    member: PoolMember
    shares: int
    owed: int  # savings due up to and including today
    past_due: int  # savings due before today: what counts for arrears
    paid: int
    savings: int  # available savings (ledger)
    pledged: int
    fees_owed: int
    loan_outstanding: int

    @property
    def arrears(self) -> int:
        """Unpaid savings whose due date has passed (today's due date is not late yet)."""
        return max(self.past_due - self.paid, 0)

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
        owed = past_due = 0
        for day, _, amount in dues(m, amounts, dates):
            owed += amount
            past_due += amount if day < today else 0
        out.append(MemberPosition(
            member=m, shares=_in_force(m.share_changes, today, "shares") if m.left_on is None else 0, owed=owed,
            past_due=past_due,
            paid=paid.get(m.id, 0), savings=_natural(accounts.get(f"mp:member:{m.id}:savings")),
            pledged=_natural(accounts.get(f"mp:member:{m.id}:pledged")),
            fees_owed=_natural(accounts.get(f"mp:member:{m.id}:fees")),
            loan_outstanding=loan_principal.get(m.id, 0)))
    return out


@uow.box_write
def record_contribution(actor, box_id: int, member_id: int, amount, paid_on: date | None, key: str) -> Contribution:
    """A savings payment, in part or in full. Late fees owed are paid from it first."""
    acc = manage(actor, box_id)
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
        raise ValidationError("This member has left the pool.", field="member_id")
    fees_account = db.session.execute(select(LedgerAccount).filter_by(
        box_id=box.id, code=f"mp:member:{member.id}:fees")).scalar_one_or_none()
    fees = min(_natural(fees_account), value)
    entry = _post(box, actor, "contribution", [
        (_account(box, "mp:cash"), value),
        (fees_account, -fees) if fees else (None, 0),
        (_account(box, f"mp:member:{member.id}:savings"), -(value - fees)),
    ], f"contribution:{key}", paid_on, f"Savings from {member.name}")
    row = Contribution(box_id=box.id, member_id=member.id, key=key, request_hash=request_hash, amount=value,
                       fees=fees, paid_on=paid_on,
                       entry_id=entry.id, created_by_id=_by(actor))
    db.session.add(row)
    return row


@uow.box_write
def reverse_contribution(actor, box_id: int, contribution_id: int, reason: str) -> Contribution:
    """Undo a payment recorded by mistake: a reversal entry on the payment's own date puts the
    savings (and any late fees it paid) back as they were. Refused when the savings were used since."""
    acc = manage(actor, box_id)
    box = acc.box
    reason = parse.reason(reason)
    row = db.session.execute(select(Contribution).filter_by(id=contribution_id, box_id=box.id)
                             ).scalar_one_or_none() if _valid_id(contribution_id) else None
    if row is None:
        raise NotFound("No such payment in this pool.")
    if row.reversed_at is not None:
        raise Conflict("This payment is already undone.", field="reason")
    savings = _natural(_account(box, f"mp:member:{row.member_id}:savings"))
    if savings < row.amount - row.fees:
        raise ValidationError("These savings have been used since (pledged or paid out); this payment can no "
                              "longer be undone.", field="reason")
    entry = db.session.get(ledger.Entry, row.entry_id)
    ledger.reverse(entry, memo=f"Payment undone: {reason}"[:500], idempotency_key=f"mp:{box.id}:contribution:{row.key}:undo",
                   created_by_id=_by(actor))
    row.reversed_at, row.reversal_reason = clock.now(), reason
    return row


def contributions(box: Box, member_id: int | None, page: int) -> tuple[list[Contribution], int]:
    query = select(Contribution).filter_by(box_id=box.id)
    if member_id is not None:
        query = query.filter_by(member_id=member_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.execute(query.order_by(Contribution.paid_on.desc(), Contribution.id.desc())
                                   .limit(PAGE_SIZE).offset((_page(page) - 1) * PAGE_SIZE)).scalars())
    return rows, total


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
        problems.append("You have left the pool.")
    if months_between(member.joined_on, today) < pool.min_membership_months:
        problems.append(f"Members can borrow after {pool.min_membership_months} months in the pool.")
    position = positions(box, pool, [member], today)[0]
    if pool.require_no_arrears and position.arrears:
        problems.append("Savings payments are behind; catch up first.")
    if pool.one_open_loan:
        query = select(Loan.id).filter_by(member_id=member.id).where(Loan.status.in_(OPEN_STATUSES))
        if exclude_loan_id:
            query = query.where(Loan.id != exclude_loan_id)
        if db.session.execute(query).first():
            problems.append("You already have an open loan or request.")
    return problems, loan_limit(box, pool, position.savings)


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
        term=parse.whole(term, "term", 1, MAX_TERM, "The number of installments"),
        purpose=(purpose or "").strip(), guarantor_ids=sorted({str(i) for i in guarantor_ids or ()}))
    existing = db.session.execute(select(Loan).filter_by(box_id=box.id, request_key=key)).scalar_one_or_none()
    if existing is not None:
        if not acc.is_manager and (acc.member is None or existing.member_id != acc.member.id):
            raise Conflict("This request key was already used; reload the form.", field="key")
        _same_request(existing, request_hash)
        return existing
    if member_id is not None and member_id != (acc.member.id if acc.member else None):
        if not acc.is_manager:
            raise NotFound("No such member in this pool.")
        member = _member(box, member_id)
    elif acc.member is not None:
        member = acc.member
    else:
        raise ValidationError("Only savers in the pool can borrow.", field="member_id")
    value = _amount(amount, box.currency, "amount")
    term = parse.whole(term, "term", pool.min_term, pool.max_term, "The number of installments")
    purpose = (purpose or "").strip()
    if len(purpose) > 300:
        raise ValidationError("Keep the purpose under 300 characters.", field="purpose")
    problems, limit = eligibility(box, pool, member)
    if problems:
        raise ValidationError(" ".join(problems), field="amount")
    if limit is not None and value > limit:
        raise ValidationError(f"The most you can borrow now is {money(box, limit)}.",
                              field="amount")
    guarantors = _guarantors(box, pool, member, guarantor_ids)
    parts = allocate(value, [1] * len(guarantors)) if guarantors else []
    accounts = _accounts(box)
    for g, part in zip(guarantors, parts):
        if _natural(accounts.get(f"mp:member:{g.id}:savings")) < part:
            raise ValidationError(f"{g.name}'s savings do not cover a pledge of {money(box, part)}; "
                                  f"choose another guarantor or more of them.", field="guarantor_ids")
    fee = to_minor(Decimal(value) * pool.service_fee_percent / 100 / Decimal(10) ** minor_digits(box.currency), box.currency)
    loan = Loan(box_id=box.id, member_id=member.id, request_key=key, request_hash=request_hash, amount=value, term=term,
                period_months=pool.repayment_months, interest_method=pool.interest_method,
                annual_rate=pool.annual_rate, fee=fee, purpose=purpose)
    db.session.add(loan)
    db.session.flush()
    for g, part in zip(guarantors, parts):
        db.session.add(Guarantee(loan_id=loan.id, member_id=g.id, amount=part, held=0))
    _event(loan, actor, "requested", purpose)
    return loan


def _guarantors(box: Box, pool: Pool, borrower: PoolMember, ids) -> list[PoolMember]:
    try:
        ids = sorted({int(i) for i in ids or ()})
    except (TypeError, ValueError):
        raise ValidationError("Choose guarantors from the list.", field="guarantor_ids") from None
    if not all(_valid_id(i) for i in ids):
        raise ValidationError("Choose guarantors from the pool's members.", field="guarantor_ids")
    if len(ids) < pool.guarantors_required:
        raise ValidationError(f"This pool asks for {pool.guarantors_required} guarantor(s).", field="guarantor_ids")
    if len(ids) > 5:
        raise ValidationError("Choose at most 5 guarantors.", field="guarantor_ids")
    members = list(db.session.execute(select(PoolMember).where(PoolMember.id.in_(ids))).scalars()) if ids else []
    if len(members) != len(ids) or any(m.box_id != box.id or m.left_on is not None for m in members):
        raise ValidationError("Choose guarantors from the pool's members.", field="guarantor_ids")
    if borrower.id in ids:
        raise ValidationError("You cannot guarantee your own loan.", field="guarantor_ids")
    return members


@uow.box_write
def approve(actor, box_id: int, loan_id: int) -> Loan:
    acc = manage(actor, box_id)
    loan = _loan(acc.box, loan_id)
    if loan.status == "approved":
        return loan
    if loan.status != "requested":
        raise Conflict(f"This loan is {loan.status.replace('_', ' ')}; only requests can be approved.", field="status")
    problems, limit = eligibility(acc.box, acc.pool, loan.member, exclude_loan_id=loan.id)
    if problems:
        raise ValidationError("The member is not eligible now: " + " ".join(problems), field="status")
    if limit is not None and loan.amount > limit:
        raise ValidationError("The amount is now above the member's limit; reject it or ask for less.",
                              field="amount")
    loan.status, loan.approved_at, loan.decided_by_id = "approved", clock.now(), _by(actor)
    _event(loan, actor, "approved")
    _tell(acc.box, loan.member, f"loan #{loan.id} approved",
          f"Your request for {money(acc.box, loan.amount)} is approved. It is paid out when the pool has the cash; "
          f"your loan's page shows your place in the queue.")
    return loan


@uow.box_write
def reject(actor, box_id: int, loan_id: int, reason: str) -> Loan:
    acc = manage(actor, box_id)
    loan = _loan(acc.box, loan_id)
    reason = parse.reason(reason)
    if loan.status == "rejected":
        return loan
    if loan.status not in ("requested", "approved"):
        raise Conflict(f"This loan is {loan.status.replace('_', ' ')}; it can no longer be rejected.", field="status")
    loan.status, loan.reason, loan.decided_by_id = "rejected", reason, _by(actor)
    _event(loan, actor, "rejected", reason)
    _tell(acc.box, loan.member, f"loan #{loan.id} not approved",
          f"Your request for {money(acc.box, loan.amount)} was not approved. The manager's reason: {reason}")
    return loan


@uow.box_write
def cancel(actor, box_id: int, loan_id: int) -> Loan:
    """The borrower (or a manager) withdraws a request that has not been paid out."""
    acc, loan = loan_for(actor, box_id, loan_id)
    if not acc.is_manager and loan.member_id != acc.member.id:
        raise Forbidden("Only the borrower or a manager can withdraw this request.")
    if loan.status == "cancelled":
        return loan
    if loan.status not in ("requested", "approved"):
        raise Conflict("Only requests not yet paid out can be withdrawn.", field="status")
    loan.status = "cancelled"
    _event(loan, actor, "cancelled")
    return loan


def waiting(box: Box, pool: Pool) -> list[Loan]:
    """Approved loans waiting for cash, in queue order."""
    query = select(Loan).filter_by(box_id=box.id, status="approved")
    if pool.queue_policy == "lottery":
        query = query.order_by(Loan.drawn_at.is_(None), Loan.drawn_at, Loan.approved_at, Loan.id)
    else:
        query = query.order_by(Loan.approved_at, Loan.id)
    return list(db.session.execute(query).scalars())


def cash(box: Box) -> int:
    account = db.session.execute(select(LedgerAccount).filter_by(box_id=box.id, code="mp:cash")).scalar_one_or_none()
    return _natural(account)


@uow.box_write
def draw(actor, box_id: int, seed: int | None = None) -> Loan:
    """Lottery queues: pick the next loan at random among those waiting that the cash can pay."""
    acc = manage(actor, box_id)
    if acc.pool.queue_policy != "lottery":
        raise ValidationError("This pool pays loans first come, first served; there is no draw.", field="queue")
    queue = waiting(acc.box, acc.pool)
    drawn = [loan for loan in queue if loan.drawn_at is not None]
    if drawn:
        raise Conflict(f"Loan #{drawn[0].id} won the last draw; pay it out first.", field="queue")
    available = cash(acc.box)
    candidates = [loan for loan in queue if loan.amount - loan.fee <= available]
    if not candidates:
        raise ValidationError("No waiting loan fits the cash the pool has now.", field="queue")
    winner = random.Random(seed).choice(candidates) if seed is not None else random.SystemRandom().choice(candidates)
    winner.drawn_at = clock.now()
    _event(winner, actor, "drawn", "Among loans " + ", ".join(f"#{loan.id}" for loan in candidates))
    return winner


@uow.box_write
def disburse(actor, box_id: int, loan_id: int, on: date | None = None, first_due: date | None = None) -> Loan:
    """Pay an approved loan out of the pool's cash and generate its schedule."""
    acc = manage(actor, box_id)
    box = acc.box
    loan = _loan(box, loan_id)
    if loan.status in ("active", "closed", "written_off") and loan.disbursed_on is not None:
        return loan  # a repeated click: already paid out
    if loan.status != "approved":
        raise Conflict("Approve the request before paying it out.", field="status")
    on = _not_future(box, on, "on", _pool_start(acc.pool))
    queue = waiting(box, acc.pool)
    ahead = queue[:queue.index(loan)]
    if acc.pool.queue_policy == "lottery" and len(queue) > 1 and loan.drawn_at is None:
        raise Conflict("Several loans are waiting: run the draw to pick the next one.", field="queue")
    if acc.pool.queue_policy == "fifo" and ahead:
        raise Conflict(f"Loan #{ahead[0].id} was approved earlier and is paid out first.", field="queue")
    payout = loan.amount - loan.fee
    available = cash(box)
    if payout > available:
        raise ValidationError(
            f"Not enough cash: the pool has {money(box, available)} and this loan "
            f"needs {money(box, payout)}. It waits in the queue.", field="amount")
    first_due = _plan_day(box, first_due or calendars.add_months(on, loan.period_months, box.calendar), "first_due")
    if first_due <= on:
        raise ValidationError("The first installment falls due after the payout.", field="first_due")
    accounts = _accounts(box)
    for g in loan.guarantees:
        if g.member.left_on is not None:
            raise ValidationError(f"{g.member.name} has left the pool and cannot guarantee this loan.",
                                  field="guarantor_ids")
        if _natural(accounts.get(f"mp:member:{g.member_id}:savings")) < g.amount:
            raise ValidationError(f"{g.member.name}'s savings do not cover their pledge.", field="guarantor_ids")
    legs = [(_account(box, f"mp:loan:{loan.id}:principal"), loan.amount), (_account(box, "mp:cash"), -payout),
            (_account(box, "mp:income:fees"), -loan.fee) if loan.fee else (None, 0)]
    for g in loan.guarantees:
        legs += [(_account(box, f"mp:member:{g.member_id}:savings"), g.amount),
                 (_account(box, f"mp:member:{g.member_id}:pledged"), -g.amount)]
        g.held = g.amount
    _post(box, actor, "disbursement", legs, f"loan:{loan.id}:disburse", on, f"Loan #{loan.id} to {loan.member.name}")
    loan.status, loan.disbursed_on, loan.first_due = "active", on, first_due
    _replay(box, actor, loan)  # the plan, nothing paid yet
    _event(loan, actor, "disbursed",
           f"paid out on {on.isoformat()}; first installment due {first_due.isoformat()}")
    first = loan.installments[0]
    _tell(box, loan.member, f"loan #{loan.id} paid out",
          f"{money(box, payout)} of your loan is paid out. The first installment of "
          f"{money(box, first.principal + first.interest)} "
          f"falls due on {first.due_date.isoformat()}; the whole schedule is on your loan's page.")
    return loan


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
    events += [state.Penalty(p.charged_on, p.number, p.amount, (p.id,)) for p in db.session.execute(
        select(LoanPenalty).filter_by(loan_id=loan.id, waived_at=None)).scalars()]
    return events + list(extra)


def _reschedules(loan: Loan) -> list[LoanReschedule]:
    return list(db.session.execute(select(LoanReschedule).filter_by(loan_id=loan.id)
                                   .order_by(LoanReschedule.seq)).scalars())


def _next_seq(loan: Loan) -> int:
    """The place of a new repayment or reschedule in the order the loan's events were recorded."""
    return max([r.seq for r in repayments(loan)] + [r.seq for r in _reschedules(loan)], default=0) + 1


def loan_state(loan: Loan) -> state.LoanState:
    """The loan as last replayed (its installment rows), for reads: no replay per request."""
    return state.LoanState([state.Line(i.number, i.due_date, i.principal, i.interest, i.penalty, i.paid_principal,
                                       i.paid_interest, i.paid_penalty, i.prepayment) for i in loan.installments])


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
        raise ValidationError(f"That is more than the {money(box, before.payoff(on))} that clears this loan on "
                              f"{on.isoformat()}.", field="amount")
    if replayed.unapplied:
        raise ValidationError("With this repayment back-dated, a later one would pay more than the loan owes; "
                              "undo the later one first.", field="paid_on")
    split = replayed.splits["new"]
    legs = [(source, split.total), (_account(box, f"mp:loan:{loan.id}:principal"), -split.principal),
            (_account(box, "mp:income:interest"), -split.interest),
            (_account(box, f"mp:loan:{loan.id}:penalty"), -split.penalty) if split.penalty else (None, 0)] + legs
    entry = _post(box, actor, "repayment", legs, f"repay:{loan.id}:{key}", on, f"Repayment of loan #{loan.id}")
    repayment = Repayment(loan_id=loan.id, key=key, request_hash=request_hash, amount=value,
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
    acc = manage(actor, box_id)
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
        raise ValidationError("Choose what to do with money beyond what is due.", field="mode")
    if loan.status != "active":
        raise Conflict(f"This loan is {loan.status.replace('_', ' ')}; there is nothing to repay.", field="amount")
    paid_on = _not_future(box, paid_on, "paid_on")
    if paid_on < loan.disbursed_on:
        raise ValidationError("That is before the loan was paid out.", field="paid_on")
    return _record_repayment(box, actor, loan, value, paid_on, key, mode, _account(box, "mp:cash"), request_hash)


@uow.box_write
def undo_repayment(actor, box_id: int, loan_id: int, repayment_id: int, reason: str) -> Repayment:
    """Undo any repayment recorded by mistake: a reversal entry, and the loan replayed without it
    (later repayments then pay what it had paid; what that moves is posted in one entry)."""
    acc = manage(actor, box_id)
    box = acc.box
    reason = parse.reason(reason)
    loan = _loan(box, loan_id)
    repayment = db.session.execute(select(Repayment).filter_by(id=repayment_id, loan_id=loan.id)
                                   ).scalar_one_or_none() if _valid_id(repayment_id) else None
    if repayment is None:
        raise NotFound("No such repayment on this loan.")
    if repayment.reversed_at is not None:
        raise Conflict("This repayment is already undone.", field="reason")
    if repayment.key == "leave" or loan.status not in ("active", "closed"):
        raise Conflict("Repayments of a loan settled when its borrower left, or written off, stay as they are.",
                       field="reason")
    original = db.session.get(ledger.Entry, repayment.entry_id)
    ledger.reverse(original, memo=f"Repayment undone: {reason}"[:500],
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
    _, legs = _replay(box, actor, loan)
    legs += [(_account(box, f"mp:loan:{loan.id}:principal"), still.principal),
             (_account(box, "mp:income:interest"), still.interest),
             (_account(box, f"mp:loan:{loan.id}:penalty"), still.penalty) if still.penalty else (None, 0)]
    _post_adjustment(box, actor, loan, legs, f"undo:{repayment.id}")
    _event(loan, actor, "repayment_undone", f"{money(box, repayment.amount)} of {repayment.paid_on}: {reason}")
    return repayment


def _split_of(box: Box, loan: Loan, entry) -> state.Split:
    """How a repayment entry split the money, read back from its postings."""
    accounts = _accounts(box)
    amounts = {p.account_id: -p.amount for p in entry.postings}

    def of(code):
        account = accounts.get(code)
        return amounts.get(account.id, 0) if account is not None else 0

    return state.Split(of(f"mp:loan:{loan.id}:principal"), of("mp:income:interest"), of(f"mp:loan:{loan.id}:penalty"))


def _post_adjustment(box: Box, actor, loan: Loan, legs: list, why: str) -> None:
    """Post what a replay moved between earlier entries (nothing when it moved nothing)."""
    net = defaultdict(int)
    for account, amount in legs:
        if account is not None:
            net[account.id] += amount
    kept = [(account_id, amount) for account_id, amount in net.items() if amount]
    if kept:
        ledger.post("loan_adjustment", kept, idempotency_key=f"mp:{box.id}:loan:{loan.id}:adjust:{why}",
                    effective_date=clock.today(box), memo=f"Loan #{loan.id} replayed: {why}", box_id=box.id,
                    created_by_id=_by(actor))


@uow.box_write
def write_off(actor, box_id: int, loan_id: int, reason: str, on: date | None = None) -> Loan:
    """Stop expecting repayment. Guarantors' pledges cover what they can; the rest is a loss."""
    acc = manage(actor, box_id)
    box = acc.box
    reason = parse.reason(reason)
    loan = _loan(box, loan_id)
    if loan.status == "written_off":
        return loan
    if loan.status != "active":
        raise Conflict("Only a loan being repaid can be written off.", field="status")
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
        _post(box, actor, "write_off", legs, f"loan:{loan.id}:write_off", on, f"Write-off of loan #{loan.id}: {reason}")
    loan.status, loan.reason, loan.closed_on = "written_off", reason, on
    _event(loan, actor, "written_off", reason)
    return loan


@uow.box_write
def reschedule(actor, box_id: int, loan_id: int, term, first_due: date, reason: str) -> Loan:
    """A new plan for what is still owed: unpaid interest already due moves into the first new
    installment, penalties stay where they are."""
    acc = manage(actor, box_id)
    box = acc.box
    reason = parse.reason(reason)
    loan = _loan(box, loan_id)
    if loan.status != "active":
        raise Conflict("Only a loan being repaid can be rescheduled.", field="status")
    term = parse.whole(term, "term", 1, MAX_TERM, "The number of installments")
    today = clock.today(box)
    first_due = _plan_day(box, first_due, "first_due")
    if first_due <= today:
        raise ValidationError("The first new installment must fall due after today.", field="first_due")
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
    _, legs = _replay(box, actor, loan)
    _post_adjustment(box, actor, loan, legs, f"reschedule:{row.id}")
    _event(loan, actor, "rescheduled", f"{term} installments from {first_due.isoformat()}: {reason}"[:500])
    return loan


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
            if due:
                db.session.flush()
                _, legs = _replay(box, None, loan)
                _post_adjustment(box, None, loan, legs, f"penalties:{today.isoformat()}")
    return done


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
    acc = manage(actor, box_id)
    box = acc.box
    member = _member(box, member_id)
    if member.left_on is not None:
        return member
    on = _not_future(box, on, "on", member.joined_on)
    if db.session.execute(select(Guarantee.id).filter(Guarantee.member_id == member.id, Guarantee.held > 0)).first():
        raise ValidationError("This member guarantees a loan still being repaid; they can leave once it is.",
                              field="member_id")
    accounts = _accounts(box)
    savings_account = _account(box, f"mp:member:{member.id}:savings")
    savings = _natural(savings_account)
    fees = _natural(accounts.get(f"mp:member:{member.id}:fees"))
    loans = list(db.session.execute(select(Loan).filter_by(member_id=member.id)
                                    .where(Loan.status.in_(OPEN_STATUSES))).scalars())
    if any(loan.status == "active" and on < loan.disbursed_on for loan in loans):
        raise ValidationError("That is before their loan was paid out.", field="on")
    owed = fees + sum(payoff(loan, on) for loan in loans if loan.status == "active")
    if owed > savings:
        raise ValidationError(
            f"Savings of {money(box, savings)} do not cover the "
            f"{money(box, owed)} owed; record a repayment first.", field="member_id")
    available = _natural(accounts.get("mp:cash"))
    if savings - owed > available:
        raise ValidationError(
            f"Paying out {money(box, savings - owed)} needs more than the {money(box, available)} the pool has in "
            f"cash; settle once enough has been repaid.", field="member_id")
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
              f"leave:{member.id}", on, f"{member.name} leaves: savings paid out")
    member.left_on = on  # no savings fall due after this day
    return member


# ------------------------------------------------------------------------------- reads for pages


def money(box: Box, amount: int) -> str:
    return format_money(amount, box.currency, box.locale)


def major(box: Box, amount: int) -> str:
    """An amount as a person would type it back into a form."""
    return str(to_major(amount, box.currency))


def member_for(user, box_id: int, member_id: int) -> tuple[Access, PoolMember]:
    """A saver's record: managers see everyone, members only themselves (others answer 404)."""
    acc = access(user, box_id)
    member = _member(acc.box, member_id)
    if not acc.is_manager and (acc.member is None or acc.member.id != member.id):
        raise NotFound("No such member in this pool.")
    return acc, member


def active_members(box: Box) -> list[PoolMember]:
    return list(db.session.execute(
        select(PoolMember).join(Membership, Membership.id == PoolMember.membership_id)
        .where(PoolMember.box_id == box.id, PoolMember.left_on.is_(None)).order_by(Membership.display_name)
    ).scalars())


def memberships_not_saving(box: Box) -> list[Membership]:
    """People in the box (e.g. added on the shared members page) who do not save in the pool yet."""
    return list(db.session.execute(
        select(Membership).outerjoin(PoolMember, PoolMember.membership_id == Membership.id)
        .where(Membership.box_id == box.id, Membership.left_at.is_(None), PoolMember.id.is_(None))
        .order_by(Membership.display_name)).scalars())


def members_page(box: Box, page: int, name: str = "") -> tuple[list[PoolMember], int]:
    """Savers whose name contains `name` (any case), those still in the pool first, by name."""
    query = select(PoolMember).join(Membership, Membership.id == PoolMember.membership_id).where(
        PoolMember.box_id == box.id)
    if name.strip():
        query = query.where(func.lower(Membership.display_name).contains(name.strip().lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.execute(query.order_by(PoolMember.left_on.is_not(None), Membership.display_name,
                                                  PoolMember.id)
                                   .limit(PAGE_SIZE).offset((_page(page) - 1) * PAGE_SIZE)).scalars())
    return rows, total


def loans_page(acc: Access, status: str | None, page: int) -> tuple[list[Loan], int]:
    """Loans the user may see (members: their own), newest first."""
    query = select(Loan).where(Loan.box_id == acc.box.id)
    if not acc.is_manager:
        query = query.where(Loan.member_id == (acc.member.id if acc.member else -1))
    if status:
        query = query.where(Loan.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.execute(query.order_by(Loan.id.desc()).limit(PAGE_SIZE)
                                   .offset((_page(page) - 1) * PAGE_SIZE)).scalars())
    return rows, total


def guaranteed_by(member: PoolMember) -> list[Loan]:
    """Open loans this member guarantees."""
    return list(db.session.execute(
        select(Loan).join(Guarantee, Guarantee.loan_id == Loan.id)
        .where(Guarantee.member_id == member.id, Loan.status.in_(OPEN_STATUSES)).order_by(Loan.id)).scalars())


def loans_of(member: PoolMember) -> list[Loan]:
    return list(db.session.execute(select(Loan).filter_by(member_id=member.id).order_by(Loan.id.desc())).scalars())


def share_amount_on(box: Box, day: date) -> int:
    return _in_force(share_amounts(box), day, "amount")


def next_due(box: Box, pool: Pool) -> date:
    today = clock.today(box)
    i = 0
    while True:
        day = calendars.add_months(pool.first_due, i * pool.period_months, box.calendar)
        if day >= today:
            return day
        i += 1


def member_dues(box: Box, pool: Pool, member: PoolMember) -> list[dict]:
    """Each due date to today with what was owed and, oldest first, whether payments covered it."""
    today = clock.today(box)
    paid = contributed(box, [member.id]).get(member.id, 0)
    rows, running = [], 0
    for day, shares, amount in dues(member, share_amounts(box), due_dates(pool, box, pool.first_due, today)):
        running += amount
        covered = min(max(paid - (running - amount), 0), amount)
        rows.append({"day": day, "shares": shares, "amount": amount, "covered": covered,
                     "status": "paid" if covered == amount else ("part paid" if covered else "unpaid")})
    return list(reversed(rows))


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


# --------------------------------------------------------------------------------- reconcile
def reconcile() -> list[str]:
    """Every loan replayed from scratch against its kept rows and the ledger (the product's
    `reconcile`, run by `flask ledger check`): one line per difference, none when all agree."""
    problems = []
    loans = db.session.execute(select(Loan).where(Loan.status.in_(("active", "closed", "written_off")))
                               .order_by(Loan.id)).scalars().all()
    pledged = defaultdict(int)
    by_box = {}  # each pool's accounts, read once: a pool has thousands of loans
    for loan in loans:
        box = db.session.get(Box, loan.box_id)
        if box.id not in by_box:
            by_box[box.id] = _accounts(box)
        accounts = by_box[box.id]
        for g in loan.guarantees:
            pledged[(box.id, g.member_id)] += g.held
        if loan.status == "written_off":
            continue
        replayed = state.replay(_terms(box, loan), _events(loan))
        kept = loan_state(loan)
        if sorted(_line_tuple(x) for x in replayed.lines) != sorted(_line_tuple(x) for x in kept.lines):
            problems.append(f"loan {loan.id}: installments differ from a replay of its plan and repayments")
        for row, split in replayed.splits.items():
            if (row.principal, row.interest, row.penalty) != (split.principal, split.interest, split.penalty):
                problems.append(f"loan {loan.id}: repayment {row.id} is split differently by a replay")
        if (loan.status == "closed") != (replayed.cleared_on is not None):
            problems.append(f"loan {loan.id}: status {loan.status} but a replay says "
                            f"{'cleared' if replayed.cleared_on else 'still owed'}")
        owed = replayed.outstanding_principal if loan.status == "active" else 0
        if _natural(accounts.get(f"mp:loan:{loan.id}:principal")) != owed:
            problems.append(f"loan {loan.id}: principal account differs from the {owed} still owed")
        penalties = sum(x.penalty - x.paid_penalty for x in replayed.lines) if loan.status == "active" else 0
        if _natural(accounts.get(f"mp:loan:{loan.id}:penalty")) != penalties:
            problems.append(f"loan {loan.id}: penalty account differs from the {penalties} unpaid")
    for (box_id, member_id), held in sorted(pledged.items()):
        if _natural(by_box[box_id].get(f"mp:member:{member_id}:pledged")) != held:
            problems.append(f"member {member_id}: pledged savings differ from the {held} their guarantees hold")
    return problems


def _line_tuple(line) -> tuple:
    return (line.number, line.due_date, line.principal, line.interest, line.penalty, line.paid_principal,
            line.paid_interest, line.paid_penalty, bool(line.prepayment))
