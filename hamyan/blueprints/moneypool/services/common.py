"""Helpers every moneypool rule shares: accounts and posting, input checks, idempotency, access."""
import hashlib
import json
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import LOAN_STATUS_NAMES, Loan, LoanEvent, Pool, PoolMember
from hamyan.boxes.access import MANAGE, VIEW, Principal, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import number, show_day, show_money
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET, EXPENSE, INCOME, LIABILITY, LedgerAccount
from hamyan.lending import state
from hamyan.money import to_major


KIND = "moneypool"
PAGE_SIZE = 25
PREPAY_MODES = state.PREPAY_MODES
FORECAST_PERIODS = 120  # months looked ahead when estimating when cash will be enough
MAX_TERM = 360
MAX_SHARES = 1000
MAX_GUARANTORS = 5  # on one loan
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
        _prefix, owner, ident, purpose = code.split(":")
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


def _offset(page: int, per_page: int = PAGE_SIZE) -> int:
    """The rows before page `page` of `per_page`: past the last page is an empty page, not an offset overflow."""
    return (min(max(page, 1), parse.MAX_ID // per_page) - 1) * per_page


def _not_future(box: Box, on: date | None, field: str, earliest: date | None = None) -> date:
    """The day money moved: not in the future, and not before `earliest` (the pool's or the
    member's or the loan's beginning) when given."""
    today = clock.today(box)
    on = on or today
    if not isinstance(on, date):
        raise ValidationError(_("Choose a date."), field=field)
    if on > today:
        raise ValidationError(_("This date is in the future; record money on the day it moved."), field=field)
    if earliest is not None and on < earliest:
        raise ValidationError(_("Choose a date on or after %(day)s.", day=show_day(earliest, box)), field=field)
    return on


def _plan_day(box: Box, day, field: str, message: str | None = None) -> date:
    """A date a plan starts from: within YEARS_AHEAD years of today either way, so schedules built
    from it stay within the calendar."""
    if not isinstance(day, date):
        raise ValidationError(message or _("Choose a date."), field=field)
    if abs((day - clock.today(box)).days) > 366 * YEARS_AHEAD:
        raise ValidationError(_("Choose a date within %(years)s years of today.", years=number(YEARS_AHEAD, box)),
                              field=field)
    return day


def _pool_start(pool: Pool) -> date:
    """The earliest day money can have moved in the pool: a year before its first due date."""
    return date.fromordinal(max(pool.first_due.toordinal() - 366, 1))


def _key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError(_("A request key of 1 to 100 characters is required."), field="key")
    return key


def _request_hash(**carried) -> str:
    """A fingerprint of everything a keyed request carries, as sent (a date left out is None), so
    a retry matches only the very same request."""
    return hashlib.sha256(json.dumps(carried, sort_keys=True, default=str).encode()).hexdigest()


def _same_request(existing, request_hash: str) -> None:
    """A retry under a used key must be the same request; anything else is refused (409) rather
    than silently answered with the first one."""
    if existing.request_hash != request_hash:
        raise Conflict(_("This key was already used for a different request; send a new Idempotency-Key "
                       "(or reload the form)."), field="key")


# Late charges are hamyan.dues': a late fee is charged to the saver's membership for one due date,
# a penalty to the loan for one installment; one row per obligation, waived by a reversal.
MEMBER, LOAN = "membership", "loan"


def fee_reference(due: date) -> str:
    return f"due:{due.isoformat()}"


def penalty_reference(number: int) -> str:
    return f"installment:{number}"


def installment_of(penalty_reference: str) -> int:
    return int(penalty_reference.removeprefix("installment:"))


def loan_state(loan: Loan) -> state.LoanState:
    """The loan as last replayed (its installment rows), for reads: no replay per request."""
    return state.LoanState([state.Line(i.number, i.due_date, i.principal, i.interest, i.penalty, i.paid_principal,
                                       i.paid_interest, i.paid_penalty, i.prepayment) for i in loan.installments])


def _tell(box: Box, member: PoolMember, compose) -> None:
    """Email a member about their money, when we know their address (added without one: no email).
    `compose()` -> (subject, body) is called in the member's language (notify.services.speaking), so
    its words, amounts and days are theirs."""
    from hamyan.notify.services import notify, speaking

    membership = member.membership
    email = membership.email or (membership.user.email if membership.user else None)
    if email:
        with speaking(membership.user, box):
            subject, body = compose()
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


def pools_of(actor, page: int, per_page: int) -> list[Access]:
    """A page of the actor's pools by name, each as access() gives it, in one query for the page."""
    principal = Principal.of(actor)
    rows = db.session.execute(
        select(Box, Pool, Membership, PoolMember).join(Pool, Pool.box_id == Box.id)
        .join(Membership, Membership.box_id == Box.id)
        .outerjoin(PoolMember, PoolMember.membership_id == Membership.id)
        .where(Box.kind == KIND, Membership.user_id == principal.user_id, Membership.left_at.is_(None))
        .order_by(Box.name, Box.id).offset((page - 1) * per_page).limit(per_page))
    return [Access(box, pool, membership, principal.is_admin or membership.is_managing, member)
            for box, pool, membership, member in rows]


def _member(box: Box, member_id) -> PoolMember:
    if not _valid_id(member_id):
        raise NotFound(_("No such member in this pool."))
    member = db.session.get(PoolMember, member_id)
    if member is None or member.box_id != box.id:
        raise NotFound(_("No such member in this pool."))
    return member


def _loan(box: Box, loan_id: int) -> Loan:
    if not _valid_id(loan_id):
        raise NotFound(_("No such loan in this pool."))
    loan = db.session.execute(select(Loan).filter_by(id=loan_id, box_id=box.id)).scalar_one_or_none()
    if loan is None:
        raise NotFound(_("No such loan in this pool."))
    return loan


def loan_for(user, box_id: int, loan_id: int) -> tuple[Access, Loan]:
    """A loan the user may see: managers see all, members their own and those they guarantee (their
    savings are at stake); any other loan answers 404."""
    acc = access(user, box_id)
    loan = _loan(acc.box, loan_id)
    if not acc.is_manager and (acc.member is None or (
            loan.member_id != acc.member.id and all(g.member_id != acc.member.id for g in loan.guarantees))):
        raise NotFound(_("No such loan in this pool."))
    return acc, loan


def _amount(raw, currency: str, field: str) -> int:
    return parse.amount(raw, currency, field=field)


# ------------------------------------------------------------------------------- reads for pages


def money(box: Box, amount: int) -> str:
    """An amount as the page (or the message being written) shows it, like `|money(box)`: an English
    page of a Persian pool writes English."""
    return show_money(amount, box)


def loan_status(status: str) -> str:
    """A loan's status as people read it, in the language being written."""
    return str(LOAN_STATUS_NAMES[status])


def major(box: Box, amount: int) -> str:
    """An amount as a person would type it back into a form."""
    return str(to_major(amount, box.currency))


def member_for(user, box_id: int, member_id: int) -> tuple[Access, PoolMember]:
    """A saver's record: managers see everyone, members only themselves (others answer 404)."""
    acc = access(user, box_id)
    member = _member(acc.box, member_id)
    if not acc.is_manager and (acc.member is None or acc.member.id != member.id):
        raise NotFound(_("No such member in this pool."))
    return acc, member
