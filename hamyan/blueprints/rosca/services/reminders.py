"""Reminders: members with an account are emailed what they still owe for a period once before it
is due and once when it is late (dues.reminders remembers who was told, so a re-run tells nobody
twice)."""
from flask import current_app

from hamyan import money
from hamyan.blueprints.rosca.models import Rosca
from hamyan.blueprints.rosca.services.state import member_states, standing
from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.dues import reminders
from hamyan.dues.calendar import format_day
from hamyan.extensions import db

SUBJECT = "membership"


def reference(number: int) -> str:
    return f"rosca-period:{number}"


@uow.box_write
def send_reminders(box_id, days_before: int) -> int:
    """One email per member and run listing each period due within `days_before` days or late and
    not told yet at that stage. Returns the number of emails."""
    from hamyan.notify.services import notify

    rosca = db.session.get(Rosca, box_id)
    if rosca is None or rosca.status != "active":
        return 0
    box = db.session.get(Box, box_id)
    today = clock.today(box)
    periods, states = member_states(rosca)
    due_dates = [p.due_date for p in periods]
    told = reminders.told(box.id, SUBJECT, [reference(p.number) for p in periods])
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/rosca/{box.id}/mine"
    sent = 0
    for member_id, state in states.items():
        m = state.membership
        if m.user_id is None:  # added without an account: the manager reminds them
            continue
        lines, late = [], False
        for number, due, paid, _ in standing(rosca, state, due_dates, today).cells:
            kind = reminders.stage(due_dates[number - 1], rosca.grace_days, today, days_before, due - paid)
            if kind is None or (m.id, reference(number), kind) in told:
                continue
            reminders.record(box.id, (SUBJECT, m.id), reference(number), kind)
            late = late or kind == reminders.LATE
            lines.append(f"- Period {number}, due {format_day(due_dates[number - 1], box.calendar, box.locale)}: "
                         f"{money.format_money(due - paid, box.currency, box.locale)}" + (" (late)" if kind == reminders.LATE else ""))
        if lines:
            notify(m.user.email, f"{box.name}: " + ("a payment is late" if late else "a payment is due soon"),
                   f"Hello {m.display_name},\n\nIn {box.name} you still owe:\n" + "\n".join(lines)
                   + f"\n\nPay the manager in cash or by bank transfer. Your seats and payments: {link}")
            sent += 1
    return sent
