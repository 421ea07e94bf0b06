from sqlalchemy import select

from hamyan.blueprints.notify.models import OutboxMessage
from hamyan.blueprints.notify.services import send_email
from hamyan.extensions import db
from hamyan.scheduling import job

MAX_ATTEMPTS = 5


@job("notify.dispatch", every_minutes=5)
def dispatch_outbox() -> str:
    """Retry emails that could not be sent when they were written."""
    from flask import current_app

    if not current_app.config["SMTP_HOST"]:
        return "no SMTP host configured"
    pending = db.session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.channel == "email",
               OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(200)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    sent = sum(1 for message in pending if send_email(message))
    db.session.commit()
    return f"sent {sent} of {len(pending)}"
