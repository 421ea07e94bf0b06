from flask import current_app

from hamyan.notify.services import deliver, pending
from hamyan.scheduling import job


@job("notify.dispatch", every_minutes=5)
def dispatch_outbox() -> str:
    """Send emails that failed when their write committed (or were written with no SMTP host)."""
    if not current_app.config["SMTP_HOST"]:
        return "no SMTP host configured"
    sent, tried = deliver(pending())
    return f"sent {sent} of {tried}"
