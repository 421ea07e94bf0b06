"""The dispatcher: drains the outbox. Several may run at once (the scheduler's notify.dispatch job
in every app process, `flask notify dispatch` processes) and none sends a message twice:

1. claim: in one short transaction, take up to `batch` due rows (queued and due, or "sending" whose
   claimer's lease ran out) and mark them "sending" with a lease. MySQL/MariaDB skip the rows
   another claimer has locked (`FOR UPDATE SKIP LOCKED`), so dispatchers never wait for each other;
   SQLite has one writer at a time (`BEGIN IMMEDIATE`), which makes the claim just as exclusive.
2. hold back what the member's choices, read again now, no longer allow: a text message in their
   quiet hours goes back to "queued" until they end (the attempt is given back); a message on a
   channel they turned off for the box since it was queued is "failed" without being sent.
3. send each claimed row outside any transaction (no lock is held while a mail server or SMS
   gateway answers), then record its outcome by id: sent; or back to "queued" after a backoff
   (1, 2, 4, 8, 16 minutes, or what a rate limit asked for); or "failed" after MAX_ATTEMPTS, or at
   once on a permanent error (a refused number, a bad key).

A dispatcher killed between sending and recording leaves its batch "sending"; after the lease another
takes it again: duplicates only for the messages of a batch whose dispatcher was cut off."""
import logging
import os
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, or_, select, update

from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.notify import sms
from hamyan.notify.models import (EMAIL, FAILED, INAPP, QUEUED, SENDING, SENT, SMS, ChannelPreference, NotifyProfile,
                                  OutboxMessage)
from hamyan.notify.services import after_quiet_hours

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BATCH = 50


class SendError(Exception):
    def __init__(self, message: str, transient: bool = True, retry_after: int | None = None):
        super().__init__(message)
        self.transient, self.retry_after = transient, retry_after


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its n-th failed attempt: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


@dataclass
class Drained:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0  # text messages waiting for the end of quiet hours

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return f"sent {self.sent} of {self.tried}" + (f", {self.retrying} to retry" if self.retrying else "") + (
            f", {self.failed} failed" if self.failed else "") + (f", {self.held} held for quiet hours" if self.held else "")


def claim(batch: int = BATCH, ids: list[int] | None = None) -> list[int]:
    """Mark up to `batch` due messages "sending" for this dispatcher; returns their ids."""
    now = clock.now()
    with uow.transaction():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        due = or_(and_(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now),
                  and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now))
        query = select(OutboxMessage.id).where(due)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        taken = db.session.scalars(query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch)
                                   .with_for_update(skip_locked=True)).all()
        if taken:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(taken))
                               .values(status=SENDING, claimed_until=now + LEASE,
                                       attempts=OutboxMessage.attempts + 1))
    return list(taken)


def drain(batch: int = BATCH, ids: list[int] | None = None, rounds: int | None = None) -> Drained:
    """Claim and send until nothing is due (or `rounds` batches); returns what happened."""
    drained = Drained()
    done = 0
    with Transports() as transports:
        while rounds is None or done < rounds:
            taken = claim(batch, ids)
            if not taken:
                break
            done += 1
            messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(taken))
                                          .order_by(OutboxMessage.id)).all()
            held = _held(messages, drained)
            db.session.rollback()  # the rows are ours by the claim; no transaction stays open while sending
            outcomes = [(message.id, held.get(message.id) or _send(message, transports, drained))
                        for message in messages]
            # One commit for the batch's outcomes: a dispatcher killed before it leaves the batch
            # "sending", taken again after the lease, the same as one killed mid-send.
            with uow.transaction():
                for message_id, values in outcomes:
                    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                                   OutboxMessage.status == SENDING).values(**values))
    return drained


def _held(messages: list[OutboxMessage], drained: Drained) -> dict[int, dict]:
    """The outcome of each claimed message its member's choices hold back now (see the module doc):
    the member may have changed them since the message was queued, or a retry may fall in quiet hours."""
    users = {m.user_id for m in messages if m.user_id is not None}
    if not users:
        return {}
    now = clock.now()
    profiles = {p.user_id: p for p in db.session.scalars(select(NotifyProfile).where(NotifyProfile.user_id.in_(users)))}
    choices = {(p.user_id, p.box_id): p for p in db.session.scalars(select(ChannelPreference).where(
        ChannelPreference.user_id.in_(users), ChannelPreference.box_id.in_({m.box_id for m in messages if m.box_id is not None})))}
    held = {}
    for message in messages:
        chosen = choices.get((message.user_id, message.box_id))
        if chosen is not None and not getattr(chosen, message.channel):
            held[message.id] = {"status": FAILED, "claimed_until": None,
                                "last_error": "not sent: the member turned this channel off for the box"}
            drained.failed += 1
        elif message.channel == SMS and message.user_id in profiles:
            until = after_quiet_hours(profiles[message.user_id], now)
            if until > now:
                held[message.id] = {"status": QUEUED, "claimed_until": None, "next_attempt_at": until,
                                    "attempts": message.attempts - 1}
                drained.held += 1
    return held


def _send(message: OutboxMessage, transports: "Transports", drained: Drained) -> dict:
    """Send one claimed message; returns the values recording its outcome."""
    now = clock.now()
    values = {"claimed_until": None}
    try:
        provider_id = transports.send(message)
    except SendError as error:
        values["last_error"] = str(error)[:500]
        if error.transient and message.attempts < MAX_ATTEMPTS:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else backoff(message.attempts)
            values.update(status=QUEUED, next_attempt_at=now + wait)
            drained.retrying += 1
        else:
            values["status"] = FAILED
            drained.failed += 1
        log.warning("%s to %s failed (attempt %s): %s", message.channel, message.recipient, message.attempts, error)
    else:
        values.update(status=SENT, sent_at=now, last_error=None, provider_id=provider_id)
        if message.channel == SMS:
            values["delivery"] = sms.PENDING  # until notify.deliveries polls the provider
        drained.sent += 1
    return values


class Transports:
    """One SMTP connection and one SMS provider for a whole drain."""

    def __enter__(self):
        self.smtp = None
        self.sms = sms.provider()
        return self

    def __exit__(self, *exc):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass

    def send(self, message: OutboxMessage) -> str | None:
        if message.channel == EMAIL:
            return self._email(message)
        if message.channel == SMS:
            try:
                return self.sms.send(message.recipient, message.body)
            except sms.SmsError as error:
                raise SendError(str(error), error.transient, error.retry_after) from None
        if message.channel == INAPP:
            return None  # the row is the message: shown on the member's notifications page
        raise SendError(f"unknown channel {message.channel}", transient=False)

    def _connect(self):
        cfg = current_app.config
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10)
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        return smtp

    def _email(self, message: OutboxMessage) -> str | None:
        cfg = current_app.config
        if not cfg["SMTP_HOST"]:  # no mail server configured: the outbox row and the log are the email
            log.info("email to %s (no SMTP host): %s", message.recipient, message.subject)
            return "log"
        email = EmailMessage()
        email["From"] = cfg["MAIL_FROM"]
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email.set_content(message.body)
        if message.attachment_path:
            with open(os.path.join(current_app.instance_path, message.attachment_path), "rb") as attached:
                email.add_attachment(attached.read(), maintype="application", subtype="pdf",
                                     filename=message.attachment_name or "attachment.pdf")
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise SendError(f"refused: {error}", transient=False) from None
        except (OSError, smtplib.SMTPException) as error:
            self.smtp = None  # reconnect for the next message
            raise SendError(str(error) or type(error).__name__) from None
        return None


def poll_deliveries(limit: int = 500) -> int:
    """Ask the SMS provider what became of sent messages still pending; returns how many changed."""
    pending = db.session.execute(select(OutboxMessage.id, OutboxMessage.provider_id).where(
        OutboxMessage.channel == SMS, OutboxMessage.status == SENT, OutboxMessage.delivery == sms.PENDING)
        .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.rollback()
    if not pending:
        return 0
    try:
        found = sms.provider().statuses([provider_id for _, provider_id in pending])
    except sms.SmsError as error:
        log.warning("delivery poll failed: %s", error)
        return 0
    changed = 0
    with uow.transaction():
        for message_id, provider_id in pending:
            state = found.get(provider_id)
            if state and state != sms.PENDING:
                db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                                   .values(delivery=state, delivered_at=clock.now()))
                changed += 1
    return changed
