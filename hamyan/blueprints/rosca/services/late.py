"""Late fees: once per member and period not fully paid by its due date plus the grace days
(dues.status "late"), through hamyan.dues.late like every product's: Dr late:<m>, Cr late_income.
A member's next contributions pay their late fees first (round.record_payment); a fee is waived by
a reversal entry while unpaid, and its period is never charged again."""
from datetime import timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from hamyan.blueprints.rosca.models import Rosca
from hamyan.blueprints.rosca.services.common import author, late_account, late_income_account, managing
from hamyan.blueprints.rosca.services.state import LATE_SUBJECT, late_references, member_states, refresh, standing
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import NotFound, ValidationError
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.i18n import box_text

KINDS = ("none", late.FIXED, late.PERCENT)


def fee_rule(currency: str, kind, value) -> tuple[str, int]:
    """(kind, value) of a late fee as typed: an amount when fixed, a percent of the period's due
    (kept in basis points) when a percent."""
    kind = parse.choice(kind or "none", KINDS, "late_fee_kind", _("Late fee"))
    if kind == "none":
        return kind, 0
    if kind == late.FIXED:
        return kind, parse.amount(value, currency, field="late_fee_value")
    return kind, int(parse.percent(value, "late_fee_value", allow_zero=False) * 100)


@uow.box_write
def set_late_fee(actor, box_id, kind, value=None) -> Rosca:
    """The manager changes the late fee; fees already charged stay (a waiver takes one back)."""
    box, rosca = managing(actor, box_id)
    if rosca.status == "finished":
        raise ValidationError(_("The round is finished."), field="late_fee_kind")
    rosca.late_fee_kind, rosca.late_fee_value = fee_rule(box.currency, kind, value)
    return rosca


def charge_late_fees(rosca: Rosca, actor=None) -> int:
    """Charge every late fee due now, inside the caller's box write (the hourly job or the
    manager's button). Returns how many were charged."""
    if rosca.status != "active" or rosca.late_fee_kind == "none":
        return 0
    box = db.session.get(Box, rosca.box_id)
    today = clock.today(box)
    periods, states = member_states(rosca)
    due_dates = [p.due_date for p in periods]
    charged = late.charged(box.id, LATE_SUBJECT, late_references(rosca))  # waived too
    # Periods already late when the round started are a round set up from paper records: the
    # manager enters what was paid on time first, so they are never charged (as in a cashbox).
    started = clock.to_local(rosca.started_at, box.timezone).date()
    history = {n for n, d in enumerate(due_dates, 1) if dues_status.late_after(d, rosca.grace_days) < started}
    touched = []
    for membership_id, state in states.items():
        for number, due, _paid, status in standing(rosca, state, due_dates, today).cells:
            reference = f"period:{number}"
            if (status not in (dues_status.LATE, dues_status.PAID_LATE) or number in history
                    or (membership_id, reference) in charged):
                continue
            amount = late.amount_for(rosca.late_fee_kind, rosca.late_fee_value, due)
            if amount <= 0:
                continue
            m = state.membership
            due_date = due_dates[number - 1]
            late.charge(box.id, (LATE_SUBJECT, m.id), reference, due_date, amount, code="late_fee",
                        owed_account=late_account(box, m), income_account=late_income_account(box),
                        idempotency_key=f"rosca:{box.id}:late:{number}:{m.id}",
                        effective_date=dues_status.late_after(due_date, rosca.grace_days) + timedelta(days=1),
                        memo=box_text(box, _l("Late fee for %(name)s, period %(period)s"), name=m.display_name,
                                      period=number),
                        created_by_id=author(actor) if actor else None)
            touched.append(m.id)
    if touched:
        refresh(rosca, touched)
    return len(touched)


@uow.box_write
def assess_late_fees(actor, box_id) -> int:
    """The manager charges the late fees due now (the hourly job does the same)."""
    rosca = managing(actor, box_id)[1]
    return charge_late_fees(rosca, actor)


@uow.box_write
def waive_late_fee(actor, box_id, membership_id, period, reason: str) -> LateCharge:
    """Take back a member's late fee for a period (a reversal entry; never charged again), while
    it is unpaid; a retry of the same waiver answers the fee."""
    box, rosca = managing(actor, box_id)
    number = parse.record_id(membership_id)
    row = late.find(box.id, (LATE_SUBJECT, number or 0), f"period:{parse.record_id(period) or 0}")
    if row is None:
        raise NotFound(_("No such late fee in this round."))
    reason = parse.reason(reason, limit=300)
    if not row.waived and member_states(rosca, [row.subject_id])[1][row.subject_id].late_owed < row.amount:
        raise ValidationError(_("This late fee is already paid; reverse the payment that paid it first."),
                              field="reason")
    late.waive(row, reason, today=clock.today(box), idempotency_key=f"rosca:{box.id}:late:{row.reference}:"
               f"{row.subject_id}:waive", memo=box_text(box, _l("Late fee waived: %(reason)s"), reason=reason),
               by_id=author(actor))
    refresh(rosca, [row.subject_id])
    return row


def late_fees_of(rosca: Rosca, membership_id: int) -> tuple[int, list[LateCharge]]:
    """What a member owes in late fees, and their fees (waived included), oldest first."""
    state = member_states(rosca, [membership_id])[1].get(membership_id)
    rows = late.charges(rosca.box_id, LATE_SUBJECT, late_references(rosca), [membership_id])
    return (state.late_owed if state else 0), rows
