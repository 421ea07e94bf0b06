"""Outgoing webhooks. Events are read from what a unit of work changed (the same record the audit
log keeps, hamyan.audit), so no product code calls anything: a payment intent that became
succeeded is "payment.succeeded", a draw is "draw.made", and so on (EVENTS). Each event becomes
one delivery row per subscription of a partner granted the box, in the same transaction; deliveries
are sent after the commit (and by the `webhooks.deliver` job), retried with backoff, and logged.

A delivery is a POST of the JSON payload {"id", "event", "box_id", "created_at", "data"} with
    X-Hamyan-Event: <event>
    X-Hamyan-Delivery: <delivery id>
    X-Hamyan-Timestamp: <unix seconds>
    X-Hamyan-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
A receiver recomputes the signature and refuses timestamps older than a few minutes (replays)."""
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.partners.models import PartnerKey, PartnerKeyBox, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 30  # then 60, 120, ... doubling

# (event, table, op, field, value): a row of `table` inserted (op "insert") or updated so that
# `field` became `value` (value None: any insert), or a ledger entry of a code.
RULES = (
    ("payment.succeeded", "pay_intent", "update", "status", "succeeded"),
    ("payment.failed", "pay_intent", "update", "status", "failed"),
    ("payment.refunded", "pay_intent", "update", "status", "refunded"),
    ("draw.made", "cashbox_period", "update", "drawn_at", None),
    ("payout.made", "ledger_entry", "insert", "code", "payout"),
    ("loan.approved", "mp_loan", "update", "status", "approved"),
    ("loan.disbursed", "ledger_entry", "insert", "code", "disbursement"),
    ("loan.overdue", "dues_late_charge", "insert", "subject_kind", "loan"),
    ("contribution.due", "dues_reminder", "insert", "kind", "due"),
    ("charges.issued", "apt_charge_run", "insert", None, None),
)
EVENTS = tuple(dict.fromkeys(rule[0] for rule in RULES))


def events_in(rows: list[dict]) -> list[tuple[str, dict]]:
    """The events a unit of work's changes amount to, each with the changed row as its data."""
    found = []
    for row in rows:
        for event, table, op, field, value in RULES:
            if row.get("table") != table or row.get("op") != op:
                continue
            fields = row.get("fields", {})
            if field is not None:
                now = fields.get(field)
                now = now[1] if op == "update" and isinstance(now, list) else now
                if now is None or (value is not None and now != value):
                    continue
            data = {"object": table, "id": row.get("id"),
                    **{k: (v[1] if isinstance(v, list) else v) for k, v in fields.items()}}
            found.append((event, data))
    return found


def enqueue(session, box_id: int | None, rows: list[dict]) -> list[int]:
    """Delivery rows for the events in `rows`, for every active subscription of a live key granted
    the box; their ids. Runs inside the unit of work, before its commit."""
    if not box_id:
        return []
    events = events_in(rows)
    if not events:
        return []
    subscriptions = list(session.scalars(
        select(WebhookSubscription).join(PartnerKey, PartnerKey.id == WebhookSubscription.key_id)
        .join(PartnerKeyBox, PartnerKeyBox.key_id == PartnerKey.id)
        .where(PartnerKeyBox.box_id == box_id, PartnerKey.revoked_at.is_(None), WebhookSubscription.active)))
    now = clock.now()
    deliveries = []
    for event, data in events:
        for sub in subscriptions:
            wanted = {e.strip() for e in sub.events.split(",")}
            if "*" not in wanted and event not in wanted:
                continue
            delivery = WebhookDelivery(subscription_id=sub.id, event=event, box_id=box_id, payload="",
                                       next_attempt_at=now, created_at=now)
            session.add(delivery)
            session.flush()
            delivery.payload = json.dumps({"id": delivery.id, "event": event, "box_id": box_id,
                                           "created_at": now.isoformat(), "data": data}, sort_keys=True)
            deliveries.append(delivery.id)
    return deliveries


@uow.on_changes
def _queue(session, box_id: int | None, user_id: int | None, rows: list[dict]):
    deliveries = enqueue(session, box_id, rows)
    return (lambda: deliver_soon(deliveries)) if deliveries else None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery.payload.encode()
    timestamp = int(clock.now().timestamp())
    try:
        signature = sign(delivery.subscription.secret, timestamp, body)
    except ValueError:
        return None, "the signing secret cannot be read (SECRET_KEY changed?): add a new subscription"
    request = urllib.request.Request(delivery.subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Hamyan-Webhooks/1",
        "X-Hamyan-Event": delivery.event, "X-Hamyan-Delivery": str(delivery.id),
        "X-Hamyan-Timestamp": str(timestamp), "X-Hamyan-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(error)[:300]


def deliver(ids: list[int] | None = None) -> str:
    """Send the given deliveries, or every pending one that is due; a 2xx is delivered, anything
    else is retried after BACKOFF_SECONDS * 2**(attempt-1), failed after MAX_ATTEMPTS."""

    query = select(WebhookDelivery.id).where(WebhookDelivery.status == "pending")
    query = query.where(WebhookDelivery.id.in_(ids)) if ids is not None else query.where(
        WebhookDelivery.next_attempt_at <= clock.now())
    sent = 0
    todo = list(db.session.scalars(query.order_by(WebhookDelivery.id).limit(200)))
    for delivery_id in todo:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        status, error = _send(delivery)  # outside any transaction: a receiver may be slow
        with uow.transaction():
            delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
            if delivery.status != "pending":
                continue
            delivery.attempts += 1
            delivery.last_status, delivery.last_error = status, error
            if status is not None and 200 <= status < 300:
                delivery.status, delivery.delivered_at = "delivered", clock.now()
                sent += 1
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
            else:
                delivery.next_attempt_at = clock.now() + timedelta(
                    seconds=BACKOFF_SECONDS * 2 ** (delivery.attempts - 1))
    return f"delivered {sent} of {len(todo)}"


def deliver_soon(ids: list[int]) -> None:
    """After the commit: send these now in a thread, so the request does not wait for receivers
    (the `webhooks.deliver` job catches whatever this misses)."""
    if not ids or not current_app.config["WEBHOOKS_SEND_AFTER_COMMIT"]:
        return
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                deliver(ids)
            except Exception:
                log.exception("webhook delivery failed")

    threading.Thread(target=run, name="webhooks", daemon=True).start()


def replay(actor, delivery_id) -> WebhookDelivery:
    """Send an event again (an admin's button): a new delivery of the same payload."""
    from hamyan.boxes.access import Principal
    from hamyan.core import parse
    from hamyan.core.errors import NotFound

    if not Principal.of(actor).is_admin:
        raise NotFound()
    with uow.transaction():
        original = db.session.get(WebhookDelivery, parse.record_id(delivery_id) or 0)
        if original is None:
            raise NotFound()
        copy = WebhookDelivery(subscription_id=original.subscription_id, event=original.event,
                               box_id=original.box_id, payload=original.payload, next_attempt_at=clock.now())
        db.session.add(copy)
        db.session.flush()
        copy_id = copy.id
    deliver([copy_id])
    return db.session.get(WebhookDelivery, copy_id)


def wait_for(predicate, seconds: float = 5.0) -> bool:
    """For tests and the CLI: poll until predicate() or the time is up."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
