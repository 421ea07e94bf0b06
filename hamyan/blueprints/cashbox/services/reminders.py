"""Reminders: members with an account are emailed what they still owe for a period once before it
is due and once when it is late; a (period, member, stage) is told at most once."""
from datetime import date

from flask import current_app
from sqlalchemy import select

from hamyan import money
from hamyan.dues.calendar import format_day
from hamyan.blueprints.cashbox.models import Round
from hamyan.blueprints.cashbox.services.fines import SUBJECT, periods_late_at_start, reference
from hamyan.blueprints.cashbox.services.state import round_state
from hamyan.core import uow
from hamyan.dues import reminders
from hamyan.extensions import db


@uow.box_write
def send_reminders(box_id, days_before: int, today: date | None = None) -> int:
    """Email each member with an account what they still owe for a period: once when its due date
    is `days_before` days away or less, and once when it is late (past the grace days). One email
    per member and run lists every such period; a (period, member, kind) is told at most once, so
    hourly runs and re-runs after a crash send nothing twice. Returns the number of emails."""
    from hamyan.notify.services import notify

    r = db.session.scalar(select(Round).filter_by(box_id=box_id, status="active"))
    if r is None:
        return 0
    state = round_state(r, today)
    box, today = state.box, state.today
    told = reminders.told(box.id, SUBJECT, [reference(p) for p in state.periods])
    by_number = {p.number: p for p in state.periods}
    history = periods_late_at_start(r, state)
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/cashbox/{box.id}/me"
    sent = 0
    for member in state.members:
        m = member.membership
        if m.user_id is None:  # added without an account: the manager reminds them
            continue
        lines, late = [], False
        for cell in member.cells:
            period = by_number[cell.period]
            kind = reminders.stage(period.due_date, state.cashbox.grace_days, today, days_before, cell.due - cell.paid)
            if kind is None or (kind == reminders.LATE and cell.period in history) \
                    or (m.id, reference(period), kind) in told:
                continue
            reminders.record(box.id, (SUBJECT, m.id), reference(period), kind)
            late = late or kind == reminders.LATE
            lines.append(f"- Period {period.number}, due {format_day(period.due_date, box.calendar, box.locale)}: "
                         f"{money.format_money(cell.due - cell.paid, box.currency, box.locale)}"
                         + (" (late)" if kind == reminders.LATE else ""))
        if not lines:
            continue
        subject = f"{box.name}: " + ("a payment is late" if late else "a payment is due soon")
        notify(m.user.email, subject,
               f"Hello {m.display_name},\n\nIn {box.name}, round {r.number}, you still owe:\n" + "\n".join(lines)
               + (f"\n\nOverdue now, fines included: {money.format_money(member.owes_now, box.currency, box.locale)}."
                  if member.owes_now else "")
               + f"\n\nPay the manager in cash or by bank transfer. Your shares and payments: {link}")
        sent += 1
    return sent
