"""Late fines: one per member per period not fully paid by its due date plus the grace days
(dues.status's "late"), posted as the box's income; waived by a reversal entry and then never
charged again."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from hamyan import ledger
from hamyan.blueprints.cashbox.models import Cashbox, Fine, Period, Round
from hamyan.blueprints.cashbox.services.common import (
    KIND,
    author,
    fine_income_account,
    fines_account,
    undo,
)
from hamyan.blueprints.cashbox.services.state import RoundState, refresh_summaries, round_state
from hamyan.boxes.access import MANAGE, authorize
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import status as dues_status
from hamyan.extensions import db

REASON_LIMIT = 300


def periods_late_at_start(r: Round, state: RoundState) -> set[int]:
    """Numbers of the periods that were already late when the round started: a round set up from
    paper records, whose payments the manager has yet to enter as they were made."""
    started = clock.to_local(r.started_at, state.box.timezone).date()
    return {p.number for p in state.periods
            if dues_status.late_after(p.due_date, state.cashbox.grace_days) < started}


@uow.box_write
def assess_fines(box_id, today=None, actor=None, history: bool = False) -> int:
    """Charge one fine per member per period that was not fully paid by its due date plus grace days.
    Idempotent: a (period, member) pair is fined at most once. Returns the number of fines charged.
    Periods already late when the round started are fined only with history=True (a manager who
    asks, the demo): the hourly job would fine them before the manager enters what was paid on
    time, and a fine, like every entry, can only be undone by a reversal."""
    if actor is not None:
        authorize(actor, box_id, MANAGE, KIND)
    number = parse.record_id(box_id)
    box = db.session.get(Box, number) if number else None
    cashbox = db.session.get(Cashbox, number) if number else None
    if cashbox is None:
        return 0
    r = db.session.scalar(select(Round).filter_by(box_id=box.id, status="active"))
    if r is None:
        return 0
    state = round_state(r, today)
    charged_members = []
    if cashbox.fine_kind != "none":
        by_number = {p.number: p for p in state.periods}
        skip = set() if history else periods_late_at_start(r, state)
        fined = {tuple(row) for row in db.session.execute(select(Fine.period_id, Fine.membership_id)  # waived too
                                                           .where(Fine.period_id.in_([p.id for p in state.periods])))}
        for member in state.members:
            for cell in member.cells:
                period = by_number[cell.period]
                if (cell.status not in (dues_status.LATE, dues_status.PAID_LATE) or cell.period in skip
                        or (period.id, member.membership.id) in fined):
                    continue
                if cashbox.fine_kind == "fixed":
                    amount = cashbox.fine_value
                else:  # percent of the period's due, rounded half up once
                    amount = int((Decimal(cell.due) * cashbox.fine_value / 10000).quantize(Decimal(1), ROUND_HALF_UP))
                if amount <= 0:
                    continue
                m = member.membership
                entry = ledger.post(
                    "fine", [(fines_account(box, m), amount), (fine_income_account(box), -amount)],
                    idempotency_key=f"cashbox:{box.id}:fine:{period.id}:{m.id}",
                    effective_date=dues_status.late_after(period.due_date, cashbox.grace_days) + timedelta(days=1),
                    memo=f"Late fine for {m.display_name}, round {r.number} period {period.number}",
                    box_id=box.id, created_by_id=author(actor) if actor else None)
                db.session.add(Fine(period_id=period.id, membership_id=m.id, amount=amount, entry_id=entry.id))
                charged_members.append(m.id)
    # The job runs this hourly for every running round: it also moves the summaries to a new day.
    if today is None and r.summaries_on != state.today:
        refresh_summaries(r)
    elif charged_members:
        refresh_summaries(r, charged_members)
    return len(charged_members)


@uow.box_write
def waive_fine(actor, box_id, fine_id, reason: str) -> Fine:
    """Take back a fine charged by mistake: a reversal entry; the fine stays listed as waived and
    its period is not fined again. Only while it is unpaid (else undo the payment that paid it)."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    reason = parse.reason(reason, limit=REASON_LIMIT)
    number = parse.record_id(fine_id)
    fine = db.session.get(Fine, number) if number else None
    if fine is None or fine.period.round.box_id != box.id:
        raise NotFound()
    r = fine.period.round
    if r.status != "active":
        raise ValidationError(f"Round {r.number} is {r.status}; its fines are final.", field="fine_id")
    if fine.reversal is not None:
        raise Conflict("This fine has already been waived.", field="fine_id")
    owed = round_state(r, membership_ids=[fine.membership_id]).by_membership[fine.membership_id].fines_unpaid
    if owed < fine.amount:
        raise ValidationError("This fine is already paid. Undo the payment that paid it first.", field="fine_id")
    return undo(box, actor, fine, r, f"Fine waived: {reason}", f"waive-fine:{fine.id}")


def fines_of(r: Round, membership_id: int) -> list[Fine]:
    return list(db.session.scalars(select(Fine).join(Period, Period.id == Fine.period_id)
                                   .where(Period.round_id == r.id, Fine.membership_id == membership_id)
                                   .order_by(Period.number)))
