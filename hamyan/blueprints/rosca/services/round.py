"""The round: contributions (settling the oldest dues first), deposits, seat k's payout at period k
(rotation.payouts: net of what its holders owe past due, from the cash the box holds less the
deposits it keeps; never more), a default covered from the deposit, and deposits released at the end.

Entries (code: legs):
    contribution   Dr cash; Cr late:<m> (late fees owed, paid first); Cr member:<m> (the rest)
    late_fee       Dr late:<m>; Cr late_income (services.late)
    deposit        Dr cash; Cr deposit:<m>
    payout         Dr member:<h> (h's part of the payout and of its fee); Cr member:<h> (dues netted);
                   Cr fee_income (the seat's fee); Cr cash (handed over)
    cover          Dr deposit:<m>; Cr member:<m>: a defaulter's deposit pays what they owe
    reversal       the mirror of a contribution given back (an online payment refunded)
    release        Dr deposit:<m>; Cr cash: the deposit handed back at the end"""
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from flask_babel import gettext as _, lazy_gettext as _l
from hamyan import ledger, money
from hamyan.blueprints.rosca.models import MemberSummary, Rosca, RoscaPayment, RoscaPeriod, Seat
from hamyan.blueprints.rosca.services.common import (
    author, available, cash_account, deposit_account, deposits_by_member, fee_account, late_account, managing,
    member_account, member_in_sight, membership_in, running)
from hamyan.blueprints.rosca.services.setup import deposit_due
from hamyan.blueprints.rosca.services.state import member_states, refresh, standing
from hamyan.boxes.models import Box, Membership
from hamyan.boxes.numbers import next_number
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import calendar, obligations
from hamyan.dues.online import member_payment_hooks
from hamyan.dues.status import METHOD_NAMES
from hamyan.extensions import db
from hamyan.i18n import box_text, number as num, show_day, show_money
from hamyan.ledger.models import Entry
from hamyan.rotation import payouts, shares

METHODS = ("cash", "bank")


def _money(box: Box, amount: int) -> str:
    return show_money(amount, box)


def _retried(key: str, kind: str, member: Membership, value: int, method: str, reference: str, paid_on):
    """The payment first recorded under this key when the request is the same; Conflict otherwise."""
    entry = db.session.scalar(select(Entry).filter_by(idempotency_key=key))
    if entry is None:
        return None
    payment = db.session.scalar(select(RoscaPayment).filter_by(entry_id=entry.id))
    if payment is None or (payment.kind, payment.membership_id, payment.amount, payment.method, payment.reference) \
            != (kind, member.id, value, method, reference) or (paid_on is not None and payment.paid_on != paid_on):
        raise Conflict(_("This idempotency key was already used for a different payment."), field="idempotency_key")
    return payment


def _payment_input(box, membership_id, amount, method, reference, paid_on):
    member = membership_in(box.id, membership_id)
    value = parse.amount(amount, box.currency)
    method = parse.choice(method or "cash", METHODS, "method", _("Method"))
    reference = parse.text(reference, "reference", label=_("The reference"), limit=120, required=False)
    today = clock.today(box)
    day = parse.day(paid_on, "paid_on", _("Paid on")) if paid_on not in (None, "") else None
    if day is not None and day > today:
        raise ValidationError(_("A payment cannot be dated in the future."), field="paid_on")
    return member, value, method, reference, day


@uow.box_write
def record_payment(actor, box_id, membership_id, amount, method="cash", reference="", paid_on=None,
                   request_key: str | None = None) -> RoscaPayment:
    """A member's contribution; a retry with the same request key returns the first payment."""
    box, rosca = managing(actor, box_id)
    member, value, method, reference, day = _payment_input(box, membership_id, amount, method, reference, paid_on)
    key = f"rosca:{box.id}:payment:{request_key}" if request_key else None
    if key and (earlier := _retried(key, "contribution", member, value, method, reference, day)):
        return earlier
    running(rosca)
    day = day or clock.today(box)
    if day < rosca.first_due - timedelta(days=obligations.MAX_DAYS_BEFORE_FIRST_DUE):
        raise ValidationError(_("A payment cannot be dated more than a year before the round's first due date "
                                "(%(day)s).", day=show_day(rosca.first_due, box)), field="paid_on")
    periods, states = member_states(rosca, [member.id])
    state = states.get(member.id)
    if state is None:
        raise ValidationError(_("%(name)s holds no seat in this round.", name=member.display_name), field="membership_id")
    due_dates = [p.due_date for p in periods]
    late_fees = min(value, state.late_owed)  # late fees are paid first
    dues = value - late_fees
    arrears_then = obligations.arrears(state.cum_due, calendar.periods_due(due_dates, day), state.paid)
    allocation = obligations.allocate_payment(dues, arrears_then, 0, state.round_total - state.paid - arrears_then)
    if allocation is None:
        raise ValidationError(_("That is more than %(name)s owes for the whole round (%(amount)s).", name=member.display_name,
                                amount=_money(box, state.round_total - state.paid + state.late_owed)), field="amount")
    legs = [(cash_account(box), value)] + ([(member_account(box, member), -dues)] if dues else []) + (
        [(late_account(box, member), -late_fees)] if late_fees else [])
    entry = ledger.post("contribution", legs,
                        idempotency_key=key or f"rosca:{box.id}:payment:{uuid.uuid4().hex}", effective_date=day,
                        memo=box_text(box, _l("Contribution from %(name)s (%(method)s %(reference)s)") if reference
                                      else _l("Contribution from %(name)s (%(method)s)"), name=member.display_name,
                                      method=METHOD_NAMES[method], reference=reference),
                        box_id=box.id, created_by_id=author(actor))
    payment = RoscaPayment(box_id=box.id, number=next_number(RoscaPayment, box.id), membership_id=member.id, kind="contribution", amount=value, method=method,
                           reference=reference, paid_on=day, late_fees=late_fees, entry_id=entry.id,
                           created_by_id=author(actor))
    db.session.add(payment)
    db.session.flush()
    refresh(rosca, [member.id])
    finish_if_done(rosca)
    return payment


@uow.box_write
def reverse_payment(actor, box_id, payment_id: int, reason: str) -> Entry:
    """Undo a contribution (an online payment refunded, or one entered by mistake): a reversal
    entry dated today; the payment no longer settles dues. Refused when the box no longer holds the
    money (it was paid out). The same again answers the first reversal."""
    box, rosca = managing(actor, box_id)
    number = parse.record_id(payment_id)
    payment = db.session.get(RoscaPayment, number) if number else None
    if payment is None or payment.box_id != box.id or payment.kind != "contribution":
        raise NotFound(_("No such contribution in this box."))
    reason = parse.reason(reason, limit=300)
    entry = db.session.get(Entry, payment.entry_id)
    if entry.reversed_by is None and available(box.id) < payment.amount:
        raise Conflict(_("The box holds %(amount)s beyond its deposits: this payment was paid out and cannot be "
                         "given back.", amount=_money(box, max(available(box.id), 0))), field="reason")
    reversal = ledger.reverse(entry, memo=box_text(box, _l("Contribution reversed: %(reason)s"), reason=reason),
                              idempotency_key=f"rosca:{box.id}:payment:{payment.id}:reverse",
                              effective_date=clock.today(box), created_by_id=author(actor))
    refresh(rosca, [payment.membership_id])
    return reversal


# How a payment made outside the box (online, or reported and confirmed) is recorded and refunded
apply_payment, refund_payment = member_payment_hooks(RoscaPayment, record_payment, reverse_payment)


@uow.box_write
def record_deposit(actor, box_id, membership_id, amount, method="cash", reference="",
                   request_key: str | None = None) -> RoscaPayment:
    """A deposit held as a guarantee: the deposit per seat, split like the seat, before the start."""
    box, rosca = managing(actor, box_id)
    member, value, method, reference = _payment_input(box, membership_id, amount, method, reference, None)[:4]
    key = f"rosca:{box.id}:deposit:{request_key}" if request_key else None
    if key and (earlier := _retried(key, "deposit", member, value, method, reference, None)):
        return earlier
    if rosca.status == "finished":
        raise ValidationError(_("The round is finished."), field="status")
    owed = deposit_due(rosca).get(member.id, 0) - deposits_by_member(box.id).get(member.id, 0)
    if value > owed:
        raise ValidationError(_("%(name)s's deposit still to pay is %(amount)s.", name=member.display_name,
                                amount=_money(box, max(owed, 0))),
                              field="amount")
    entry = ledger.post("deposit", [(cash_account(box), value), (deposit_account(box, member), -value)],
                        idempotency_key=key or f"rosca:{box.id}:deposit:{uuid.uuid4().hex}",
                        effective_date=clock.today(box), box_id=box.id,
                        memo=box_text(box, _l("Deposit from %(name)s"), name=member.display_name),
                        created_by_id=author(actor))
    payment = RoscaPayment(box_id=box.id, number=next_number(RoscaPayment, box.id), membership_id=member.id, kind="deposit", amount=value, method=method,
                           reference=reference, paid_on=clock.today(box), entry_id=entry.id,
                           created_by_id=author(actor))
    db.session.add(payment)
    db.session.flush()
    refresh(rosca, [member.id])
    return payment


def _retried_payout(box_id: int, request_key: str, period_number, reason: str) -> RoscaPeriod | None:
    earlier = db.session.scalar(select(RoscaPeriod).filter_by(box_id=box_id, request_key=request_key))
    if earlier is None:
        return None
    same = period_number in (None, "") or parse.record_id(period_number) == earlier.number
    if not same or reason != (earlier.override_reason or ""):
        raise Conflict(_("This idempotency key was already used for a different payout."), field="idempotency_key")
    return earlier


@uow.box_write
def pay_out(actor, box_id, period_number=None, override_reason: str | None = None,
            request_key: str | None = None) -> RoscaPeriod:
    """Pay seat k its payout at period k, once the period is collected (or with a recorded reason),
    never more than the box holds. Once per period; a retry with the same key returns the first."""
    box, rosca = managing(actor, box_id)
    reason = parse.text(override_reason, "override_reason", label=_("The reason"), required=False)
    if request_key and (earlier := _retried_payout(box.id, request_key, period_number, reason)):
        return earlier
    running(rosca)
    periods = list(db.session.scalars(select(RoscaPeriod).filter_by(box_id=box.id).order_by(RoscaPeriod.number)))
    pending = next((p for p in periods if not p.paid_out), None)
    if period_number not in (None, ""):
        number = parse.whole(period_number, "period", 1, rosca.seat_count, _("Period"))
        if periods[number - 1].paid_out:
            raise Conflict(_("Period %(number)s was already paid out to seat %(number)s.", number=num(number)), field="period")
        if periods[number - 1] is not pending:
            raise ValidationError(_("Pay out period %(number)s first.", number=num(pending.number)), field="period")
    if pending is None:
        raise Conflict(_("Every period has been paid out."), field="period")
    period, today = pending, clock.today(box)
    if period.due_date > today:
        raise ValidationError(_("Period %(number)s falls due on %(day)s; seat %(number)s collects from that day.",
                                number=num(period.number), day=show_day(period.due_date, box)),
                              field="period")
    states = member_states(rosca)[1]
    short = sum(max(s.cum_due[period.number] - s.paid, 0) for s in states.values())
    if short and not reason:
        raise ValidationError(_("Period %(number)s is not collected yet (%(amount)s still to come in). Wait, or give a reason "
                                "to pay out anyway.", number=num(period.number), amount=_money(box, short)),
                              field="override_reason")
    seat = db.session.scalar(select(Seat).filter_by(box_id=box.id, number=period.number))
    holders = seat.holdings
    due_dates = [p.due_date for p in periods]
    owing = [(standing(rosca, states[h.membership_id], due_dates, today).arrears, 0) for h in holders]
    cash = available(box.id)
    plan = payouts.plan(seat.payout, [h.fraction for h in holders], owing, cash)
    if any(part.owed for part in plan):
        raise ValidationError(_("The box holds %(cash)s it can pay out (deposits are kept aside); seat %(number)s is to "
                                "receive %(amount)s.", cash=_money(box, max(cash, 0)), number=num(seat.number),
                                amount=_money(box, seat.payout - sum(p.netted for p in plan))),
                              field="period")
    fee_parts = shares.split(seat.fee, [h.fraction for h in holders])
    legs = []
    for holding, part, fee_part in zip(holders, plan, fee_parts):
        account = member_account(box, holding.membership)
        legs.append((account, part.part + fee_part))
        if part.netted_dues:
            legs.append((account, -part.netted_dues))
    if seat.fee:
        legs.append((fee_account(box), -seat.fee))
    handed = sum(p.cash for p in plan)
    if handed:
        legs.append((cash_account(box), -handed))
    names = " + ".join(h.membership.display_name for h in holders)
    entry = ledger.post("payout", legs, idempotency_key=f"rosca:{box.id}:payout:{period.number}", effective_date=today,
                        memo=box_text(box, _l("Payout of seat %(seat)s (%(names)s), period %(period)s; paid before "
                                              "collected: %(reason)s") if short else
                                      _l("Payout of seat %(seat)s (%(names)s), period %(period)s"),
                                      seat=seat.number, names=names, period=period.number, reason=reason),
                        box_id=box.id, created_by_id=author(actor))
    for holding, part in zip(holders, plan):
        if part.netted_dues:
            db.session.add(RoscaPayment(box_id=box.id, number=next_number(RoscaPayment, box.id), membership_id=holding.membership_id, kind="netted",
                                        amount=part.netted_dues, method="cash", paid_on=today, entry_id=entry.id,
                                        reference=box_text(box, _l("from the payout of seat %(seat)s"), seat=seat.number),
                                        created_by_id=author(actor)))
    period.payout_entry_id = entry.id
    period.paid_out_at = clock.now()
    period.paid_out_by_id = author(actor)
    period.request_key = request_key
    period.override_reason = reason or None
    db.session.flush()
    refresh(rosca, [h.membership_id for h in holders])
    finish_if_done(rosca)
    return period


@uow.box_write
def cover_default(actor, box_id, membership_id) -> RoscaPayment:
    """Use a defaulter's deposit to pay what they owe now."""
    box, rosca = managing(actor, box_id)
    member = member_in_sight(actor, box.id, membership_id)[1]  # named by the URL: another box's is a 404
    running(rosca)
    refresh(rosca, [member.id])
    summary = db.session.get(MemberSummary, (box.id, member.id))
    if summary is None or not summary.defaulted:
        raise ValidationError(_("%(name)s is not in default (a default is a member who collected and then fell late).",
                                name=member.display_name), field="membership_id")
    amount = min(summary.deposit_held, summary.arrears)
    if amount <= 0:
        raise ValidationError(_("No deposit is held for %(name)s.", name=member.display_name), field="membership_id")
    return _cover(box, rosca, member, amount, actor, _l("Deposit of %(name)s covers their default"))


def _cover(box, rosca, member, amount, actor, why) -> RoscaPayment:
    """Pay what `member` owes from their deposit; `why` (marked, their name as %(name)s) is the memo."""
    today = clock.today(box)
    memo = box_text(box, why, name=member.display_name)
    entry = ledger.post("cover", [(deposit_account(box, member), amount), (member_account(box, member), -amount)],
                        idempotency_key=f"rosca:{box.id}:cover:{uuid.uuid4().hex}", effective_date=today, memo=memo,
                        box_id=box.id, created_by_id=author(actor))
    payment = RoscaPayment(box_id=box.id, number=next_number(RoscaPayment, box.id), membership_id=member.id, kind="cover", amount=amount, method="cash",
                           reference=box_text(box, _l("from the deposit")), paid_on=today, entry_id=entry.id, created_by_id=author(actor))
    db.session.add(payment)
    db.session.flush()
    refresh(rosca, [member.id])
    return payment


@uow.box_write
def release_deposits(actor, box_id) -> list[tuple[Membership, int]]:
    """Once every seat has collected: each deposit first pays what its member still owes, the rest
    is handed back."""
    box, rosca = managing(actor, box_id)
    running(rosca)
    if db.session.scalar(select(func.count()).where(RoscaPeriod.box_id == box.id, RoscaPeriod.payout_entry_id.is_(None))):
        raise ValidationError(_("Deposits are released once every seat has collected."), field="status")
    released = []
    states = member_states(rosca)[1]
    for membership_id, held in sorted(deposits_by_member(box.id).items()):
        if held <= 0:
            continue
        member = db.session.get(Membership, membership_id)
        owed = states[membership_id].round_total - states[membership_id].paid if membership_id in states else 0
        if owed > 0:
            _cover(box, rosca, member, min(owed, held), actor, _l("Deposit of %(name)s pays what they owe"))
            held -= min(owed, held)
        if held:
            ledger.post("release", [(deposit_account(box, member), held), (cash_account(box), -held)],
                        idempotency_key=f"rosca:{box.id}:release:{membership_id}", effective_date=clock.today(box),
                        memo=box_text(box, _l("Deposit handed back to %(name)s"), name=member.display_name), box_id=box.id,
                        created_by_id=author(actor))
            released.append((member, held))
    refresh(rosca)
    finish_if_done(rosca)
    return released


def finish_if_done(rosca: Rosca) -> None:
    """Finished: every seat collected, no deposit held, nobody owes anything."""
    db.session.flush()
    if db.session.scalar(select(func.count()).where(RoscaPeriod.box_id == rosca.box_id,
                                                     RoscaPeriod.payout_entry_id.is_(None))):
        return
    if any(deposits_by_member(rosca.box_id).values()):
        return
    states = member_states(rosca)[1]
    if all(s.paid >= s.round_total for s in states.values()):
        rosca.status = "finished"
        rosca.finished_at = clock.now()
