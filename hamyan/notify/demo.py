"""A month of the demo's messages: `flask demo seed` replays the last 30 days of the reminders and
monthly statements jobs on the demo boxes, day by day on a frozen clock, and sends what they queued
through the configured transports (the log and the outbox, unless SMTP or an SMS gateway is set), so
the outbox holds a month of sent messages. Idempotent like the jobs (dedupe keys)."""
from datetime import datetime, time, timedelta

from hamyan.core import clock
from hamyan.notify.dispatch import drain
from hamyan.notify.jobs import send_reminders
from hamyan.statements.monthly import send_all


def seed_outbox(days: int = 30) -> int:
    """Replay the jobs over the last `days` days, each at 09:00 UTC, and last at the present moment:
    a box east of UTC may already be in tomorrow (Tehran from 20:30 UTC), and its today is replayed
    too. Returns the messages sent."""
    now = clock.now()
    moments = [datetime.combine(now.date() - timedelta(days=back), time(9)) for back in range(days, -1, -1)]
    sent = 0
    for moment in [m for m in moments if m < now] + [now]:
        with clock.frozen(moment):
            send_reminders()
            send_all()
            sent += drain().sent
    return sent
