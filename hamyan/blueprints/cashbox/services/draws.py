"""Draws and payouts: who wins a period (rotation.order: predefined or commit-reveal), and how
the pot reaches the winning share's holders (rotation.payouts): net of everything they owe past
due (dues and fines, when the box nets), from the cash the box holds, the rest owed to them
(payout_owed:<m>) and paid as payments come in. A payout never takes the cash below zero."""
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from flask_babel import gettext as _, lazy_gettext as _l


from hamyan import ledger
from hamyan.blueprints.cashbox.models import Cashbox, Payment, Period, Round, Share
from hamyan.blueprints.cashbox.services.common import (
    active_round,
    round_in_box,
    KIND,
    author,
    box_cash,
    cash_account,
    fines_account,
    member_account,
    payout_owed_account,
)
from hamyan.blueprints.cashbox.services.state import RoundState, refresh_summaries, round_state, split
from hamyan.boxes.access import MANAGE, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text, isolate, listed, number as num, show_day, show_money
from hamyan.ledger.models import LedgerAccount
from hamyan.rotation import draws, order, payouts

REASON_LIMIT = 500


def _retried_draw(box: Box, request_key: str, period_number, reason: str) -> Period | None:
    """The period first drawn under this Idempotency-Key, when the request is the same (a retry);
    Conflict when it differs."""
    earlier = db.session.scalar(select(Period).join(Round, Round.id == Period.round_id)
                                .where(Round.box_id == box.id, Period.request_key == request_key))
    if earlier is None:
        return None
    same_period = period_number in (None, "") or parse.record_id(period_number) == earlier.number
    if not same_period or reason != (earlier.override_reason or ""):
        raise Conflict(_("This idempotency key was already used for a different draw."), field="idempotency_key")
    return earlier


@uow.box_write
def draw(actor, box_id, period_number=None, override_reason: str | None = None,
         request_key: str | None = None) -> Period:
    """Draw the next period's winner and pay out (or hold) the pot. Once per period; a retry with
    the same request key returns the first draw."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    cashbox = db.session.get(Cashbox, box.id)
    reason = (override_reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationError(_("Keep the reason under %(count)s characters.", count=num(REASON_LIMIT, box)),
                              field="override_reason")
    if request_key:
        earlier = _retried_draw(box, request_key, period_number, reason)
        if earlier is not None:
            return earlier
    r = active_round(box.id)
    periods = list(db.session.scalars(select(Period).where(Period.round_id == r.id).order_by(Period.number)))
    pending = next((p for p in periods if p.drawn_at is None), None)
    if period_number not in (None, ""):
        number = parse.whole(period_number, "period", 1, r.share_count, _("Period"))
        period = periods[number - 1]
        if period.drawn_at is not None:
            raise Conflict(_("Period %(number)s has already been drawn.", number=num(number, box)), field="period")
        if period is not pending:
            raise ValidationError(_("Draw period %(number)s first.", number=num(pending.number, box)), field="period")
    if pending is None:
        raise Conflict(_("Every period of this round has been drawn."), field="period")
    period = pending
    state = round_state(r)
    if period.due_date > state.today:
        raise ValidationError(_("Period %(number)s falls due on %(day)s; it can be drawn from that day.",
                                number=num(period.number, box), day=show_day(period.due_date, box)), field="period")
    if not state.fully_paid(period.number) and not reason:
        collected = state.collected(period.number)
        raise ValidationError(
            _("Period %(number)s is not fully paid yet (%(collected)s of %(pot)s). Wait, or give a reason to draw "
              "anyway.", number=num(period.number, box), collected=show_money(collected, box), pot=show_money(r.pot, box)),
            field="override_reason")
    won = {p.winner_share_id for p in periods if p.winner_share_id}
    candidates = {s.number: s for s in state.shares if s.id not in won}
    number = order.winner(r.draw_mode, period.number, list(candidates),
                          {s.number: s.draw_position for s in state.shares}, period.seed)
    period.winner = candidates[number]
    period.drawn_at = clock.now()
    period.drawn_by_id = author(actor)
    period.override_reason = reason or None
    period.request_key = request_key
    _pay_out(box, cashbox, r, period, state, actor)
    _tell_winners(box, r, period)
    finish_if_done(r)
    return period


def _tell_winners(box: Box, r: Round, period: Period) -> None:
    """Each holder of the winning share hears of it by email, in their own language."""
    from hamyan.notify.services import notify, speaking

    holders = period.winner.holdings
    for holding, part in zip(holders, split(r.pot, holders)):
        m = holding.membership
        email = m.email or (m.user.email if m.user else None)
        if not email:
            continue
        with speaking(m.user, box):
            told = dict(box=box.name, share=num(period.winner.number, box), period=num(period.number, box))
            outcome = (_("It is paid out, less anything you owed (what the box has not collected yet is paid as it "
                         "comes in).") if period.payout_status == "paid" else _("It is held until what you owe is paid."))
            check = (_("Check the draw: seed %(seed)s, published commitment %(commitment)s.", seed=period.seed,
                       commitment=period.seed_hash) if period.seed
                     else _("The winner followed the order set before the round started."))
            subject = _("%(box)s: share %(share)s won period %(period)s", **told)
            body = _("Share %(share)s won period %(period)s of round %(round)s in %(box)s. Your part of the pot is "
                     "%(amount)s. %(outcome)s", round=num(r.number, box), amount=show_money(part, box),
                     outcome=outcome, **told) + "\n\n" + check
        notify(email, subject, body)


def _pay_out(box: Box, cashbox: Cashbox, r: Round, period: Period, state: RoundState, actor,
             release: bool = False) -> None:
    holders = period.winner.holdings
    by_member = state.by_membership
    owing = [(by_member[h.membership_id].arrears, by_member[h.membership_id].fines_unpaid) for h in holders]
    if cashbox.winner_policy == "hold" and any(a + f for a, f in owing):
        if release:
            names = listed(isolate(h.membership.display_name) for h, (a, f) in zip(holders, owing) if a + f)
            raise ValidationError(_("Still owing: %(names)s. The payout is released once they are clear.", names=names),
                                  field="period")
        period.payout_status = "held"
        return
    plan = payouts.plan(r.pot, [h.fraction for h in holders], owing, box_cash(box))
    today = clock.today(box)
    legs, cash_out = [], 0
    for holding, part in zip(holders, plan):
        m = holding.membership
        legs.append((member_account(box, m), part.part))
        if part.netted_dues:
            legs.append((member_account(box, m), -part.netted_dues))
        if part.netted_charges:
            legs.append((fines_account(box, m), -part.netted_charges))
        if part.owed:
            legs.append((payout_owed_account(box, m), -part.owed))
        cash_out += part.cash
    if cash_out:
        legs.append((cash_account(box), -cash_out))
    names = " + ".join(h.membership.display_name for h in holders)
    entry = ledger.post("payout", legs, idempotency_key=f"cashbox:{box.id}:payout:{r.id}:{period.number}",
                        effective_date=today, box_id=box.id, created_by_id=author(actor),
                        memo=box_text(box, _l("Payout to share %(share)s (%(names)s), round %(round)s period %(period)s"),
                                      share=period.winner.number, names=names, round=r.number, period=period.number))
    for holding, part in zip(holders, plan):
        if part.netted:
            db.session.add(Payment(round_id=r.id, membership_id=holding.membership_id, amount=part.netted_dues,
                                   fine_amount=part.netted_charges, method="netted",
                                   reference=box_text(box, _l("from the payout of period %(period)s"), period=period.number), paid_on=today,
                                   entry_id=entry.id, created_by_id=author(actor)))
    period.payout_status = "paid"
    period.payout_entry_id = entry.id
    period.paid_out_at = clock.now()
    db.session.flush()
    refresh_summaries(r, [h.membership_id for h in holders])


@dataclass(frozen=True)
class Owed:
    membership: Membership
    amount: int


def payouts_owed(box_id: int) -> list[Owed]:
    """Payouts won but not handed over yet (the cash was short), oldest first."""
    rows = db.session.execute(
        select(LedgerAccount.balance, Membership)
        .join(Membership, Membership.id == LedgerAccount.subject_id)
        .where(LedgerAccount.box_id == box_id, LedgerAccount.purpose == "payout_owed", LedgerAccount.balance != 0)
        .order_by(LedgerAccount.id))
    return [Owed(m, -balance) for balance, m in rows]


def pay_owed_payouts(box: Box, r: Round, actor) -> None:
    """Hand over payouts still owed, oldest first, from the cash just collected."""
    owed = payouts_owed(box.id)
    if not owed:
        return
    for debt, paid in zip(owed, payouts.pay_owed([o.amount for o in owed], box_cash(box))):
        if paid:
            ledger.post("payout_owed", [(payout_owed_account(box, debt.membership), paid), (cash_account(box), -paid)],
                        idempotency_key=f"cashbox:{box.id}:payout-owed:{uuid.uuid4().hex}",
                        effective_date=clock.today(box), box_id=box.id, created_by_id=author(actor),
                        memo=box_text(box, _l("Payout owed to %(name)s paid, round %(round)s"),
                                      name=debt.membership.display_name, round=r.number))


@uow.box_write
def release_payout(actor, box_id, period_number) -> Period:
    box = authorize(actor, box_id, MANAGE, KIND).box
    cashbox = db.session.get(Cashbox, box.id)
    r = active_round(box.id)
    number = parse.whole(period_number, "period", 1, r.share_count, _("Period"))
    period = db.session.scalar(select(Period).filter_by(round_id=r.id, number=number))
    if period.payout_status != "held":
        raise Conflict(_("The payout of period %(number)s is not held.", number=num(number, box)), field="period")
    _pay_out(box, cashbox, r, period, round_state(r), actor, release=True)
    finish_if_done(r)
    return period


def finish_if_done(r: Round) -> None:
    """A round finishes when every period is drawn and paid out, no one owes anything and no
    payout is still owed."""
    db.session.flush()
    if db.session.scalar(select(func.count(Period.id)).where(Period.round_id == r.id, Period.payout_status != "paid")):
        return
    state = round_state(r)
    if (state.periods and all(s.paid == s.round_total and not s.fines_unpaid for s in state.members)
            and not payouts_owed(r.box_id)):
        r.status = "finished"
        r.finished_at = clock.now()


@dataclass
class DrawCheck:
    """A period's draw as its page shows it: the period, the share recorded as winning it, and for a
    random draw already made, every step of checking it (rotation.draws.verify)."""
    period: Period
    winner: Share | None
    verification: draws.Verification | None


def draw_check(box_id: int, round_id, number) -> DrawCheck:
    """Period `number` of the box's round `round_id`, with its draw recomputed from the revealed seed
    among the shares no earlier period had won (as draw() chose); NotFound for another box's."""
    r = round_in_box(box_id, round_id)
    number = parse.record_id(number)
    period = db.session.scalar(select(Period).where(Period.round_id == r.id, Period.number == number)) if number else None
    if period is None:
        raise NotFound()
    winner = db.session.get(Share, period.winner_share_id) if period.winner_share_id else None
    if r.draw_mode != "random" or period.drawn_at is None:
        return DrawCheck(period, winner, None)
    won_before = select(Period.winner_share_id).where(Period.round_id == r.id, Period.number < period.number,
                                                      Period.winner_share_id.isnot(None))
    candidates = list(db.session.scalars(select(Share.number).where(Share.round_id == r.id,
                                                                    Share.id.not_in(won_before))))
    return DrawCheck(period, winner, draws.verify(period.seed, period.seed_hash, period.number, candidates))
