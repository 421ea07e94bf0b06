"""notify(): the one way the app sends a message. It only enqueues: the outbox row is written in the
caller's unit of work, and the email is sent by SMTP (when HAMYAN_SMTP_HOST is set) after that
commits, so no SMTP call runs inside a money write holding the box's lock, and a write that rolls
back sends nothing. A failed send stays in the outbox with its error; the notify.dispatch job retries."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from hamyan.notify.models import OutboxMessage
from hamyan.core import clock, uow
from hamyan.extensions import db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def notify(recipient: str, subject: str, body: str, channel: str = "email") -> OutboxMessage:
    """Enqueue a message in the running write; it is sent once that write commits. Outside a unit
    of work nothing commits the row here: the notify.dispatch job sends it after the caller's commit."""
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject[:255], body=body)
    db.session.add(message)
    db.session.flush()
    log.info("outbox %s to %s: %s", channel, recipient, subject)
    if channel == "email" and current_app.config["SMTP_HOST"] and uow.active():
        message_id = message.id
        uow.after_commit(lambda: deliver([message_id]))
    return message


def pending(limit: int = 200) -> list[int]:
    """The oldest emails not sent yet that are worth another try."""
    return db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None), OutboxMessage.channel == "email",
                                       OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit)).all()


def deliver(message_ids: list[int]) -> tuple[int, int]:
    """Send these outbox emails if still unsent and record the outcome; returns (sent, tried).
    Rows another process is sending are skipped (MySQL/MariaDB: SKIP LOCKED), so a message goes
    out once. Locked by primary key only: a range lock here would make every write that enqueues
    a message wait for the mail server."""
    with uow.transaction():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(message_ids), OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id).with_for_update(skip_locked=True)).all()
        sent = sum(1 for message in messages if send_email(message))
    return sent, len(messages)


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
