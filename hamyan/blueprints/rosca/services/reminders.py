"""What each member with an account still owes for each period of a running ROSCA, for the shared
reminders job (dues.reminders decides the stage and remembers who was told)."""
from datetime import date

from flask_babel import lazy_gettext as _l

from hamyan.blueprints.rosca.models import Rosca
from hamyan.blueprints.rosca.services.state import member_states, standing
from hamyan.dues.reminders import Owed
from hamyan.extensions import db

SUBJECT = "membership"


def reference(number: int) -> str:
    return f"rosca-period:{number}"


def owed(box_id: int, today: date) -> list[Owed]:
    rosca = db.session.get(Rosca, box_id)
    if rosca is None or rosca.status != "active":
        return []
    periods, states = member_states(rosca)
    due_dates = [p.due_date for p in periods]
    found = []
    for state in states.values():
        m = state.membership
        if m.user_id is None:  # added without an account: the manager reminds them
            continue
        unpaid = [(number, due - paid) for number, due, paid, _ in standing(rosca, state, due_dates, today).cells
                  if due > paid]
        overdue = sum(amount for number, amount in unpaid if due_dates[number - 1] < today) + state.late_owed
        found.extend(Owed((SUBJECT, m.id), reference(number), due_dates[number - 1], amount, _l("Period %(number)s", number=number),
                          user_id=m.user_id, grace_days=rosca.grace_days, link=f"/rosca/{box_id}/mine",
                          overdue=overdue)
                     for number, amount in unpaid)
    return found
