"""Payments into a round: recorded (settling the oldest dues first, then unpaid fines, then
paying ahead, as dues.obligations.allocate_payment says), listed, and undone by a reversal."""
import uuid
from datetime import timedelta

from sqlalchemy import case, false, func, select
from flask_babel import gettext as _, lazy_gettext as _l


from hamyan import ledger
from hamyan.blueprints.cashbox.models import MemberSummary, Payment, Period, PeriodCell, Round
from hamyan.blueprints.cashbox.services.common import (
    KIND,
    active_round,
    author,
    box_cash,
    cash_account,
    fines_account,
    member_account,
    membership_in,
    undo,
)
from hamyan.blueprints.cashbox.services.draws import finish_if_done, pay_owed_payouts
from hamyan.blueprints.cashbox.services.state import count_payment, refresh_summaries, round_state
from hamyan.boxes.access import MANAGE, VIEW, authorize
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.boxes.models import Membership
from hamyan.dues import calendar, obligations
from hamyan.dues.status import METHOD_NAMES
from hamyan.dues.bulk import Line
from hamyan.dues.online import member_payment_hooks
from hamyan.extensions import db
from hamyan.i18n import box_text, number as num, show_money
from hamyan.ledger.models import Entry
from hamyan.web.listing import paged

REASON_LIMIT = 300


def _retried(key: str, member, value: int, method: str, reference: str, paid_on, round_id) -> Payment | None:
    """The payment first recorded under this key, when the request is the same in every field
    (a retry); Conflict when anything differs. A retry that leaves the date out matches any date."""
    entry = db.session.scalar(select(Entry).filter_by(idempotency_key=key))
    if entry is None:
        return None
    payment = db.session.scalar(select(Payment).filter_by(entry_id=entry.id))
    if payment is None or (payment.membership_id, payment.amount + payment.fine_amount, payment.method,
                           payment.reference) != (member.id, value, method, reference) \
            or (paid_on is not None and payment.paid_on != paid_on) \
            or (round_id is not None and payment.round_id != round_id):
        raise Conflict(_("This idempotency key was already used for a different payment."), field="idempotency_key")
    return payment


@uow.box_write
def record_payment(actor, box_id, membership_id, amount, method: str = "cash", reference: str = "",
                   paid_on=None, request_key: str | None = None, round_id=None) -> Payment:
    """Record money a member paid. `request_key` makes a retried submit return the first payment."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    key = f"cashbox:{box.id}:payment:{request_key}" if request_key else None
    if key and len(key) > 200:
        raise ValidationError(_("The idempotency key is too long (at most %(count)s characters).", count=num(120, box)),
                              field="idempotency_key")
    member = membership_in(box.id, membership_id)
    value = parse.amount(amount, box.currency, field="amount")
    method = parse.choice(method, ("cash", "bank"), "method", _("Method"))
    reference = parse.text(reference, "reference", label=_("A reference"), limit=120, required=False)
    if method == "bank" and not reference:
        raise ValidationError(_("A bank transfer needs its reference."), field="reference")
    given_day = None if paid_on in (None, "") else parse.day(paid_on, "paid_on", _("Paid on"))
    if key:
        existing = _retried(key, member, value, method, reference, given_day, parse.record_id(round_id) if round_id
                            is not None else None)
        if existing is not None:
            return existing
    r = active_round(box.id, round_id)
    today = clock.today(box)
    paid_on = given_day or today
    if paid_on > today:
        raise ValidationError(_("A payment cannot be dated in the future."), field="paid_on")
    if paid_on < r.first_due - timedelta(days=obligations.MAX_DAYS_BEFORE_FIRST_DUE):
        raise ValidationError(_("A payment to round %(number)s cannot be dated more than a year before its first "
                                "due date.", number=num(r.number, box)), field="paid_on")
    rs = round_state(r, today, [member.id])
    state = rs.by_membership.get(member.id)
    if state is None:
        raise ValidationError(_("%(name)s holds no share in round %(number)s.", name=member.display_name,
                                number=num(r.number, box)), field="membership_id")
    arrears_then = obligations.arrears(state.cum_due, calendar.periods_due([p.due_date for p in rs.periods], paid_on),
                                       state.paid)
    allocation = obligations.allocate_payment(value, arrears_then, state.fines_unpaid,
                                              state.round_total - state.paid - arrears_then)
    if allocation is None:
        owed = state.round_total - state.paid + state.fines_unpaid
        raise ValidationError(_("That is more than %(name)s owes for the whole round (%(amount)s).",
                                name=member.display_name, amount=show_money(owed, box)), field="amount")
    legs = [(cash_account(box), value)]
    if allocation.to_dues:
        legs.append((member_account(box, member), -allocation.to_dues))
    if allocation.to_charges:
        legs.append((fines_account(box, member), -allocation.to_charges))
    said = dict(name=member.display_name, round=r.number, method=METHOD_NAMES.get(method, method), reference=reference)
    memo = box_text(box, _l("Contribution from %(name)s, round %(round)s (%(method)s %(reference)s)") if reference
                    else _l("Contribution from %(name)s, round %(round)s (%(method)s)"), **said)
    entry = ledger.post("contribution", legs, idempotency_key=key or f"cashbox:{box.id}:payment:{uuid.uuid4().hex}",
                        effective_date=paid_on, memo=memo, box_id=box.id, created_by_id=author(actor))
    payment = Payment(round_id=r.id, membership_id=member.id, amount=allocation.to_dues,
                      fine_amount=allocation.to_charges, method=method, reference=reference, paid_on=paid_on,
                      entry_id=entry.id, created_by_id=author(actor))
    db.session.add(payment)
    db.session.flush()
    pay_owed_payouts(box, r, actor)  # ledger postings only: the member's state is rs and this payment
    count_payment(rs, payment)
    refresh_summaries(r, [member.id], rs)
    finish_if_done(r)
    return payment


def payment_of(box_id: int, payment_id) -> Payment:
    """A payment of this box's rounds; NotFound for any other."""
    number = parse.record_id(payment_id)
    payment = db.session.get(Payment, number) if number else None
    if payment is None or db.session.get(Round, payment.round_id).box_id != box_id:
        raise NotFound()
    return payment


@uow.box_write
def reverse_payment(actor, box_id, payment_id, reason: str) -> Payment:
    """Undo a payment recorded by mistake: a reversal entry in the ledger; the payment stays listed."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    payment = payment_of(box.id, payment_id)
    reason = parse.reason(reason, limit=REASON_LIMIT)
    if payment.method == "netted":
        raise ValidationError(_("An amount netted from a payout cannot be undone on its own."), field="payment_id")
    r = db.session.get(Round, payment.round_id)
    if r.status != "active":
        raise ValidationError(_("Round %(number)s is not running; its payments are final.", number=num(r.number, box)),
                              field="payment_id")
    if payment.reversal is not None:
        raise Conflict(_("This payment has already been undone."), field="payment_id")
    total = payment.amount + payment.fine_amount
    if box_cash(box) < total:
        raise ValidationError(_("The box no longer holds this money (it was paid out), so the payment cannot be "
                                "undone."), field="payment_id")
    return undo(box, actor, payment, r, box_text(box, _l("Payment undone: %(reason)s"), reason=reason),
                f"reverse-payment:{payment.id}")


# How a payment made outside the box (online, or reported and confirmed) is recorded and refunded
apply_payment, refund_payment = member_payment_hooks(Payment, record_payment, reverse_payment)


def payments_in_sight(actor, box_id, round_id, membership_id, page: int, per_page: int = 25):
    """Payments, newest first: all of them for managers, members only their own (a read-only partner
    key, in no box, none)."""
    access = authorize(actor, box_id, VIEW, KIND)
    box, own = access.box, access.membership
    if not access.can_manage:
        if own is None:
            return paged(select(Payment).where(false()), 1, per_page)
        membership_id = own.id
    return payments_page(box.id, round_id, membership_id, page, per_page)


def payments_page(box_id: int, round_id, membership_id, page: int, per_page: int = 25):
    if any(x is not None and parse.record_id(x) is None for x in (round_id, membership_id)):
        raise NotFound()
    query = select(Payment).join(Round, Round.id == Payment.round_id).where(Round.box_id == box_id)
    if round_id:
        query = query.where(Payment.round_id == round_id)
    if membership_id:
        query = query.where(Payment.membership_id == membership_id)
    return paged(query.options(db.joinedload(Payment.membership)).order_by(Payment.paid_on.desc(), Payment.id.desc()),
                 page, per_page)


def period_lines(box, r: Round, number: int) -> list[Line]:
    """Every holder of the round with what leaves period `number` paid (the bulk entry form), by
    name: a payment settles the oldest first (record_payment), so that is what they still owe for
    the periods up to and including it, and their unpaid fines too when the period is not due yet
    (fines come before paying ahead). Two queries however many members."""
    unpaid = case((PeriodCell.due > PeriodCell.paid, PeriodCell.due - PeriodCell.paid), else_=0)
    earlier = dict(db.session.execute(
        select(PeriodCell.membership_id, func.sum(unpaid))
        .where(PeriodCell.round_id == r.id, PeriodCell.number < number).group_by(PeriodCell.membership_id)).all())
    rows = db.session.execute(
        select(PeriodCell, Membership.display_name, MemberSummary.fines_unpaid)
        .join(Membership, Membership.id == PeriodCell.membership_id)
        .outerjoin(MemberSummary, (MemberSummary.round_id == r.id)
                   & (MemberSummary.membership_id == PeriodCell.membership_id))
        .where(PeriodCell.round_id == r.id, PeriodCell.number == number)
        .order_by(Membership.display_name, Membership.id)).all()
    due_date = db.session.scalar(select(Period.due_date).filter_by(round_id=r.id, number=number))
    ahead = due_date > clock.today(box)
    lines = []
    for cell, name, fines in rows:
        own = max(cell.due - cell.paid, 0)
        before = int(earlier.get(cell.membership_id) or 0) + ((fines or 0) if ahead else 0) if own else 0
        note = _("Includes %(amount)s owed from before this period, which a payment settles first.",
                 amount=show_money(before, box)) if before else ""
        lines.append(Line(cell.membership_id, name, own + before, note))
    return lines
