"""The ROSCA reports rendered as background jobs (named in the descriptor's `reports`)."""
from datetime import date

from flask_babel import gettext as _

from hamyan.blueprints.rosca import services
from hamyan.blueprints.rosca.models import MemberSummary
from hamyan.statements import render_pdf
from hamyan.statements.stakeholder import summed


def member_statement_pdf(box, membership, start: date, end: date) -> bytes:
    """A member's statement for a period, as the statements.monthly job emails it."""
    return render_pdf("statements/rosca_member.html", box=box, statement=services.member_statement(
        box, membership, start, end), member=membership)


def render_manager_report(box, params: dict, progress) -> bytes:
    st, rows = services.manager_report(box, date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    progress(30)
    return render_pdf("statements/cashbox_report.html", progress, box=box, statement=st, rows=rows)


def standing() -> dict:
    """Where members of every rosca stand, per currency, for the stakeholder report (descriptor's `standing`)."""
    return summed(MemberSummary.due_now, MemberSummary.paid, MemberSummary.arrears)
def figures(box_ids):
    """Each box's dues, arrears for the dashboards (hamyan.analytics), from the summaries."""
    from hamyan.analytics.figures import summed
    from hamyan.blueprints.rosca.models import MemberSummary

    return summed(MemberSummary.box_id, MemberSummary.due_now, MemberSummary.arrears, box_ids)


def upcoming(membership_ids: list[int], today: date) -> list:
    """These members' next contribution and the payouts their seats are still to collect ("my money")."""
    from collections import defaultdict
    from fractions import Fraction

    from sqlalchemy import func, select

    from hamyan.blueprints.rosca.models import Rosca, RoscaPeriod, Seat, SeatHolding
    from hamyan.extensions import db
    from hamyan.hamyar.mymoney import Upcoming
    from hamyan.i18n import digits, number

    found, held, contribution = [], defaultdict(Fraction), {}
    for seat, holding, rosca, period in db.session.execute(
            select(Seat, SeatHolding, Rosca, RoscaPeriod).join(SeatHolding, SeatHolding.seat_id == Seat.id)
            .join(Rosca, Rosca.box_id == Seat.box_id)
            .outerjoin(RoscaPeriod, (RoscaPeriod.box_id == Seat.box_id) & (RoscaPeriod.number == Seat.number)
                       & RoscaPeriod.payout_entry_id.is_(None))
            .where(SeatHolding.membership_id.in_(membership_ids))):
        held[seat.box_id] += holding.fraction
        contribution[seat.box_id] = rosca.contribution
        if period is not None:
            whole = holding.numerator == holding.denominator
            label = _("Payout to seat %(number)s", number=number(seat.number)) if whole else _(
                "Payout to seat %(number)s (your part: %(part)s)", number=number(seat.number),
                part=digits(f"{holding.numerator}/{holding.denominator}"))
            found.append(Upcoming(seat.box_id, label, period.due_date, seat.payout if whole else None, payout=True))
    for box_id, due in db.session.execute(
            select(RoscaPeriod.box_id, func.min(RoscaPeriod.due_date))
            .where(RoscaPeriod.box_id.in_(list(held)), RoscaPeriod.due_date >= today).group_by(RoscaPeriod.box_id)):
        amount = contribution[box_id] * held[box_id]
        found.append(Upcoming(box_id, _("Next contribution"), due, int(amount) if amount.denominator == 1 else None))
    return found
