"""The outbox's jobs: dispatch (claims and sends what is due, with retries and backoff; several
processes drain at once without sending anything twice), SMS delivery polling, and reminders of
what members owe in every product that declares `reminders` in its descriptor."""
from sqlalchemy import select

from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.notify import campaigns
from hamyan.notify.dispatch import drain, poll_deliveries
from hamyan.notify.reminders import remind_box
from hamyan.scheduling import for_each_box, job

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


@job("notify.reminders", every_minutes=60)
def send_reminders() -> str:
    """Remind members of what they owe, before the due date, on the day and escalating when late;
    each stage once per member and obligation."""
    from hamyan.blueprints import PRODUCTS  # the products sit above notify; only this job needs them

    told = boxes = 0
    for product in PRODUCTS:
        if not product.reminders:
            continue
        owed_of = product.load("reminders")
        box_ids = db.session.scalars(select(Box.id).where(Box.kind == product.kind).order_by(Box.id)).all()
        boxes += len(box_ids)
        told += sum(for_each_box(box_ids, lambda box_id: remind_box(box_id, owed_of)))
    return f"{told} reminder(s) in {boxes} box(es)"


@job("notify.campaigns", every_minutes=1)
def resume_campaigns() -> str:
    """Write the messages of campaigns a restarted process left queued or half written."""
    return f"{campaigns.resume_orphaned()} campaign(s) resumed"
