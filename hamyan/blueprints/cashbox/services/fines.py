"""Late fines: one per member per period not fully paid by its due date plus the grace days
(dues.status's "late"), posted as the box's income; waived by a reversal entry and then never
charged again."""
from datetime import timedelta

from sqlalchemy import select
from flask_babel import gettext as _, lazy_gettext as _l


from hamyan.blueprints.cashbox.models import Cashbox, Period, Round
from hamyan.blueprints.cashbox.services.common import (
    KIND,
    author,
    fine_income_account,
    fines_account,
)
from hamyan.blueprints.cashbox.services.state import RoundState, refresh_summaries, round_state
from hamyan.boxes.access import MANAGE, authorize
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.i18n import box_text, number as num

REASON_LIMIT = 300
SUBJECT = "membership"  # a cashbox fine is charged to the member, for one period: its reference


def reference(period: Period) -> str:
    return f"period:{period.id}"


def period_id(fine: LateCharge) -> int:
    return int(fine.reference.removeprefix("period:"))


def period_of(fine: LateCharge) -> Period:
    return db.session.get(Period, period_id(fine))


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
    for m, period, amount in _fines_due(box, cashbox, r, state, history):
        late.charge(
            box.id, (SUBJECT, m.id), reference(period), period.due_date, amount, code="fine",
            owed_account=fines_account(box, m), income_account=fine_income_account(box),
            idempotency_key=f"cashbox:{box.id}:fine:{period.id}:{m.id}",
            effective_date=dues_status.late_after(period.due_date, cashbox.grace_days) + timedelta(days=1),
            memo=box_text(box, _l("Late fine for %(name)s, round %(round)s period %(period)s"), name=m.display_name,
                          round=r.number, period=period.number),
            created_by_id=author(actor) if actor else None)
        charged_members.append(m.id)
    # The job runs this hourly for every running round: it also moves the summaries to a new day.
    if today is None and r.summaries_on != state.today:
        refresh_summaries(r)
    elif charged_members:
        refresh_summaries(r, charged_members)
    return len(charged_members)


def _fines_due(box: Box, cashbox: Cashbox, r: Round, state: RoundState, history: bool) -> list:
    """(membership, period, amount) of each fine not yet charged: a period fallen late, once."""
    if cashbox.fine_kind == "none":
        return []
    due = []
    by_number = {p.number: p for p in state.periods}
    skip = set() if history else periods_late_at_start(r, state)
    fined = late.charged(box.id, SUBJECT, [reference(p) for p in state.periods])  # waived too
    for member in state.members:
        for cell in member.cells:
            period = by_number[cell.period]
            if (cell.status not in (dues_status.LATE, dues_status.PAID_LATE) or cell.period in skip
                    or (member.membership.id, reference(period)) in fined):
                continue
            amount = late.amount_for(cashbox.fine_kind, cashbox.fine_value, cell.due)
            if amount > 0:
                due.append((member.membership, period, amount))
    return due


def fines_to_charge(actor, box_id) -> list:
    """What "charge late fines now" would charge, for its confirm step: (membership, period, amount)."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    cashbox = db.session.get(Cashbox, box.id)
    r = db.session.scalar(select(Round).filter_by(box_id=box.id, status="active"))
    return _fines_due(box, cashbox, r, round_state(r), history=True) if cashbox and r else []


@uow.box_write
def waive_fine(actor, box_id, fine_id, reason: str) -> LateCharge:
    """Take back a fine charged by mistake: a reversal entry; the fine stays listed as waived and
    its period is not fined again. Only while it is unpaid (else undo the payment that paid it)."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    reason = parse.reason(reason, limit=REASON_LIMIT)
    number = parse.record_id(fine_id)
    fine = db.session.get(LateCharge, number) if number else None
    if fine is None or fine.box_id != box.id or fine.subject_kind != SUBJECT:
        raise NotFound()
    r = period_of(fine).round
    if r.status != "active":
        raise ValidationError(_("Round %(number)s is not running; its fines are final.", number=num(r.number, box)),
                              field="fine_id")
    if fine.waived:
        raise Conflict(_("This fine has already been waived."), field="fine_id")
    owed = round_state(r, membership_ids=[fine.subject_id]).by_membership[fine.subject_id].fines_unpaid
    if fine.id not in _unpaid(late.charges(r.box_id, SUBJECT, [reference(p) for p in r.periods], [fine.subject_id]),
                              owed):
        raise ValidationError(_("This fine is already paid. Undo the payment that paid it first."), field="fine_id")
    late.waive(fine, reason, today=clock.today(box), idempotency_key=f"cashbox:{box.id}:waive-fine:{fine.id}",
               memo=box_text(box, _l("Fine waived: %(reason)s"), reason=reason), by_id=author(actor))
    refresh_summaries(r, [fine.subject_id])
    return fine


def _unpaid(fines: list[LateCharge], owed: int) -> set[int]:
    """Which of a member's fines (by period) are still wholly unpaid when `owed` of them is: payments
    settle fines oldest first, so what is owed is the newest ones'."""
    unpaid = set()
    for fine in sorted((f for f in fines if not f.waived), key=lambda f: (f.due_date, f.id), reverse=True):
        if owed < fine.amount:
            break
        unpaid.add(fine.id)
        owed -= fine.amount
    return unpaid


def fines_of(r: Round, membership_id: int) -> list[tuple[Period, LateCharge, bool]]:
    """A member's fines in the round with their periods, by period, and whether each may be waived
    (waive_fine's rule, read from the member's summary: the round runs, the fine is unpaid)."""
    from hamyan.blueprints.cashbox.models import MemberSummary

    # The member's charges first (few, every round's), then only the periods they name: never the
    # round's every period.
    fines = late.charges(r.box_id, SUBJECT, subject_ids=[membership_id])
    if not fines:
        return []
    periods = {reference(p): p for p in db.session.scalars(select(Period).where(
        Period.round_id == r.id, Period.id.in_([period_id(f) for f in fines])))}
    fines = [f for f in fines if f.reference in periods]
    summary = db.session.get(MemberSummary, (r.id, membership_id))
    unpaid = _unpaid(fines, summary.fines_unpaid if summary is not None else 0) if r.status == "active" else set()
    return [(periods[f.reference], f, f.id in unpaid) for f in fines]
