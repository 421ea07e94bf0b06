"""The cashbox reports rendered as background jobs (named in the descriptor's `reports`)."""
from datetime import date

from flask_babel import gettext as _

from hamyan.blueprints.cashbox import services
from hamyan.blueprints.cashbox.models import MemberSummary
from hamyan.statements import render_pdf
from hamyan.statements.stakeholder import summed


GRID_PERIODS = 40  # period columns of one block of the grid: as many as a landscape page holds


def render_manager_report(box, params: dict, progress) -> bytes:
    st, rows = services.manager_report(box, date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    grid = services.report_grid(box)
    progress(30)
    return render_pdf("statements/cashbox_report.html", progress, box=box, statement=st, rows=rows, grid=grid,
                      blocks=grid.blocks(GRID_PERIODS) if grid else [])


def member_statement_pdf(box, membership, start: date, end: date) -> bytes:
    """A member's statement for a period, as the statements.monthly job emails it."""
    return render_pdf("statements/cashbox_member.html", box=box, statement=services.member_statement(
        box, membership, start, end), member=membership)


def standing() -> dict:
    """Where members of every cashbox stand, per currency, for the stakeholder report (descriptor's `standing`)."""
    return summed(MemberSummary.due_now, MemberSummary.paid, MemberSummary.arrears)


def figures(box_ids):
    """Each box's dues, arrears for the dashboards (hamyan.analytics), from the summaries."""
    from hamyan.analytics.figures import summed
    from hamyan.blueprints.cashbox.models import MemberSummary

    return summed(MemberSummary.box_id, MemberSummary.due_now, MemberSummary.arrears, box_ids)


def upcoming(membership_ids: list[int], today: date) -> list:
    """These members' next contribution and the payouts their shares are to collect ("my money")."""
    from sqlalchemy import or_, select

    from hamyan.blueprints.cashbox.models import Holding, MemberSummary, Period, Round, Share
    from hamyan.extensions import db
    from hamyan.hamyar.mymoney import Upcoming
    from hamyan.i18n import digits, number

    found = [Upcoming(row.box_id, _("Next contribution"), row.next_due, row.next_amount)
             for row in db.session.scalars(select(MemberSummary).where(
                 MemberSummary.membership_id.in_(membership_ids), MemberSummary.next_due >= today))]
    for period, share, holding, r in db.session.execute(
            select(Period, Share, Holding, Round).join(Round, Round.id == Period.round_id)
            .join(Share, Share.round_id == Period.round_id).join(Holding, Holding.share_id == Share.id)
            .where(Holding.membership_id.in_(membership_ids), Period.payout_status != "paid",
                   or_(Period.winner_share_id == Share.id,
                       (Period.winner_share_id.is_(None)) & (Share.draw_position == Period.number)))):
        whole = holding.numerator == holding.denominator  # a part of a share: its amount waits for the split
        told = dict(share=number(share.number), period=number(period.number))
        label = _("Payout to share %(share)s (period %(period)s)", **told) if whole else _(
            "Payout to share %(share)s (period %(period)s), your part %(part)s",
            part=digits(f"{holding.numerator}/{holding.denominator}"), **told)
        found.append(Upcoming(r.box_id, label, period.due_date, r.pot if whole else None, payout=True))
    return found
