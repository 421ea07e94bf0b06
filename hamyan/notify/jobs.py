"""The outbox's jobs: dispatch (claims and sends what is due, with retries and backoff; several
processes drain at once without sending anything twice) and SMS delivery polling."""
from hamyan.notify.dispatch import drain, poll_deliveries
from hamyan.scheduling import job

# A tick drains at most this many batches, so one run ends and records itself; the next tick goes on.
ROUNDS_PER_TICK = 40


@job("notify.dispatch", every_minutes=1)
def dispatch_outbox() -> str:
    """Send the outbox messages that are due (new ones, and failed ones whose backoff is over)."""
    return str(drain(rounds=ROUNDS_PER_TICK))


@job("notify.deliveries", every_minutes=10)
def poll_sms_deliveries() -> str:
    """Ask the SMS provider whether sent text messages were delivered."""
    return f"{poll_deliveries()} delivery report(s)"
