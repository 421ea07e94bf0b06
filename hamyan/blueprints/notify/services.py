"""notify(): the one way the app sends a message. It writes an outbox row, then sends by SMTP
when HAMYAN_SMTP_HOST is set; a failed send stays in the outbox with its error for a retry."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from hamyan.core import clock
from hamyan.blueprints.notify.models import OutboxMessage
from hamyan.extensions import db


log = logging.getLogger(__name__)


def notify(recipient: str, subject: str, body: str, channel: str = "email") -> OutboxMessage:
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject[:255], body=body)
    db.session.add(message)
    db.session.flush()
    log.info("outbox %s to %s: %s", channel, recipient, subject)
    if channel == "email" and current_app.config["SMTP_HOST"]:
        send_email(message)
    return message


def send_email(message: OutboxMessage) -> bool:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    message.attempts += 1
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10) as smtp:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg["SMTP_USER"]:
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = str(exc)[:500]
        log.warning("email to %s failed: %s", message.recipient, exc)
        return False
    message.sent_at = clock.now()
    message.last_error = None
    return True
