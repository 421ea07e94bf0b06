"""The ROSCA reports rendered as background jobs (named in the descriptor's `reports`)."""
from datetime import date

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
    """The payouts these members' seats are still to collect ("my money")."""
    from sqlalchemy import select

    from hamyan.blueprints.rosca.models import RoscaPeriod, Seat, SeatHolding
    from hamyan.extensions import db
    from hamyan.hamyar.mymoney import Upcoming

    return [Upcoming(seat.box_id, f"Payout to seat {seat.number}" + (
                f" (your part: {holding.numerator}/{holding.denominator})" if holding.numerator != holding.denominator else ""),
                     period.due_date, seat.payout * holding.numerator // holding.denominator, payout=True)
            for period, seat, holding in db.session.execute(
                select(RoscaPeriod, Seat, SeatHolding).join(Seat, (Seat.box_id == RoscaPeriod.box_id)
                                                           & (Seat.number == RoscaPeriod.number))
                .join(SeatHolding, SeatHolding.seat_id == Seat.id)
                .where(SeatHolding.membership_id.in_(membership_ids), RoscaPeriod.payout_entry_id.is_(None)))]
