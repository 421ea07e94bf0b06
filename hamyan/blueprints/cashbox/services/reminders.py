"""What each member with an account still owes for each period of the running round, for the
shared reminders job (dues.reminders decides the stage, notify.reminders tells them). Periods
already late when the round started are history (a round set up from paper records, whose payments
the manager has yet to enter): nobody is reminded of them."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.cashbox.models import Round
from hamyan.blueprints.cashbox.services.fines import SUBJECT, periods_late_at_start, reference
from hamyan.blueprints.cashbox.services.state import round_state
from hamyan.dues.reminders import Owed
from hamyan.extensions import db


def owed(box_id: int, today: date) -> list[Owed]:
    r = db.session.scalar(select(Round).filter_by(box_id=box_id, status="active"))
    if r is None:
        return []
    state = round_state(r, today)
    history = periods_late_at_start(r, state)
    by_number = {p.number: p for p in state.periods}
    found = []
    for member in state.members:
        m = member.membership
        if m.user_id is None:  # added without an account: the manager reminds them
            continue
        unpaid = [(by_number[cell.period], cell.due - cell.paid) for cell in member.cells
                  if cell.due > cell.paid and cell.period not in history]
        overdue = sum(amount for period, amount in unpaid if period.due_date < today) + member.fines_unpaid
        found.extend(Owed((SUBJECT, m.id), reference(period), period.due_date, amount,
                          _l("Round %(round)s, period %(period)s", round=r.number, period=period.number), user_id=m.user_id,
                          grace_days=state.cashbox.grace_days, link=f"/cashbox/{box_id}/me", overdue=overdue)
                     for period, amount in unpaid)
    return found
