"""Online payment rules: the only code that writes payments' tables (see the package docstring).

The flow: create_intent (one box write) -> start (the gateway is asked outside any lock; the
authority is saved) -> the payer at the gateway -> notifications (a signed callback, the payer's
return) each lead to `confirm`: ask the gateway (verify, outside the lock), then `settle` in one box
write that re-reads the intent after taking the box's lock, so duplicates, replays, out-of-order and
simultaneous notifications settle once; the ledger's unique idempotency key is the second guard."""
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hamyan import audit, ledger
from hamyan.blueprints import product
from hamyan.blueprints.payments import gateways
from hamyan.blueprints.payments.gateways import PAID, GatewayError, Refused
from hamyan.blueprints.payments.models import (
    BOX,
    CANCELLED,
    CREATED,
    EXPIRED,
    FAILED,
    FEE_BEARERS,
    MEMBER,
    MISMATCH,
    OPEN,
    REFUNDED,
    STATUS_NAMES,
    SUCCEEDED,
    GatewayEvent,
    PaymentIntent,
    PaymentSettings,
)
from hamyan.boxes.access import MANAGE, SYSTEM, VIEW, Principal, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.product import Incoming
from hamyan.core.errors import Conflict, NotFound, ServiceError, ValidationError
from hamyan.extensions import db
from hamyan.i18n import Amount, bdi, box_text, show_money
from hamyan.ledger.models import EXPENSE, Entry

PER_PAGE = 25


# --- settings ---------------------------------------------------------------------------------

def settings_of(box_id: int) -> PaymentSettings:
    return db.session.get(PaymentSettings, box_id) or PaymentSettings(box_id=box_id, online_enabled=False,
                                                                      fee_bearer=MEMBER)


def offers_online(box) -> bool:
    """Whether the box's members may pay online now: its product settles online payments and the
    box's managers switched them on."""
    descriptor = product(box.kind)
    return bool(descriptor and descriptor.apply_payment and settings_of(box.id).online_enabled)


@uow.box_write
def update_settings(actor, box_id, online_enabled: bool, fee_bearer: str) -> PaymentSettings:
    box = authorize(actor, box_id, MANAGE).box
    fee_bearer = parse.choice(fee_bearer, FEE_BEARERS, "fee_bearer", _("Who bears the fee"))
    if online_enabled and not product(box.kind).apply_payment:
        raise ValidationError(_("%(product)s boxes do not take online payments yet.", product=product(box.kind).name),
                              field="online_enabled")
    row = db.session.get(PaymentSettings, box.id)
    if row is None:
        row = PaymentSettings(box_id=box.id)
        db.session.add(row)
    row.online_enabled, row.fee_bearer = bool(online_enabled), fee_bearer
    return row


# --- intents -----------------------------------------------------------------------------------

def _request_hash(**carried) -> str:
    return hashlib.sha256(json.dumps(carried, sort_keys=True).encode()).hexdigest()


def targets_of(box, membership_id: int) -> dict[str, str] | None:
    """What the member may pay for in this box (target -> label), or None when the product does not ask."""
    found = targets_by_member(box, [membership_id])
    return None if found is None else found[membership_id]


def targets_by_member(box, membership_ids) -> dict[int, dict[str, str]] | None:
    """targets_of for several members at once (membership id -> target -> label)."""
    descriptor = product(box.kind)
    return descriptor.load("payment_targets")(box.id, list(membership_ids)) if descriptor.payment_targets else None


@uow.box_write
def create_intent(actor, box_id, amount, membership_id=None, request_key: str | None = None,
                  target: str | None = None) -> PaymentIntent:
    """An intent for a member to pay `amount` (major units, as typed) to the box. A member pays for
    themself; a manager or a partner key names the member. A product that must know what is paid
    for (payment_targets) gets one of the member's targets (their only one by default).
    `request_key` (an API Idempotency-Key, already scoped to its caller) returns the first intent
    for the same request, 409 for another."""
    access = authorize(actor, box_id, VIEW)
    box = access.box
    if membership_id in (None, "") and access.membership is not None:
        membership_id = access.membership.id
    number = parse.record_id(membership_id)
    member = db.session.get(Membership, number) if number else None
    if member is None or member.box_id != box.id or member.left_at is not None:
        raise ValidationError(_("Choose a member of this box."), field="membership_id")
    if not access.can_manage and (access.membership is None or member.id != access.membership.id):
        raise NotFound()
    value = parse.amount(amount, box.currency, field="amount", locale=box.locale)
    target = str(target or "")[:40] or None
    if request_key:
        carried = _request_hash(box_id=box.id, membership_id=member.id, amount=value,
                                **({"target": target} if target else {}))
        existing = db.session.scalar(select(PaymentIntent).filter_by(request_key=request_key))
        if existing is not None:
            if existing.request_hash != carried:
                raise Conflict(_("This Idempotency-Key was already used for a different payment."),
                               field="Idempotency-Key")
            return existing
    if not offers_online(box):
        raise ValidationError(_("This box does not take online payments."), field="amount")
    targets = targets_of(box, member.id)
    if targets is not None:
        if target is None and len(targets) == 1:
            target = next(iter(targets))
        if target not in targets:
            raise ValidationError(_("Choose what you are paying for.") if targets else
                                  _("%(name)s has nothing to pay for here.", name=member.display_name), field="target")
    settings = settings_of(box.id)
    fee = gateways.fee(value)
    charged = value + fee if settings.fee_bearer == MEMBER else value
    if settings.fee_bearer == BOX and fee >= value:
        raise ValidationError(_("The amount is smaller than the gateway's fee."), field="amount")
    now = clock.now()
    intent = PaymentIntent(
        public_id=secrets.token_hex(16), box_id=box.id, membership_id=member.id, amount=value, fee=fee,
        fee_bearer=settings.fee_bearer, charged=charged, currency=box.currency, target=target,
        gateway=current_app.config["PAYMENTS_GATEWAY"], status=CREATED, created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["PAYMENTS_INTENT_MINUTES"]),
        created_by_id=Principal.of(actor).user_id, request_key=request_key,
        request_hash=carried if request_key else None)
    db.session.add(intent)
    db.session.flush()
    return intent


def start(intent: PaymentIntent, return_url: str) -> str:
    """Ask the gateway to start the payment (outside any lock: a provider may be slow) and save its
    authority; the URL to send the payer to. A gateway that cannot be asked fails the intent."""
    if intent.authority:
        return _redirect_url(intent)
    try:
        started = gateways.gateway(intent.gateway).start(intent, return_url)
    except GatewayError as error:
        _finish(intent.box_id, intent.id, FAILED, _said(intent, _l("the gateway did not answer: %(error)s"), error=error))
        raise ValidationError(_("The payment gateway did not answer; nothing was charged. Try again later. "
                                "(%(error)s)", error=error), field="amount") from None
    _started(intent.box_id, intent.id, started.authority)
    return started.redirect_url


@uow.box_write
def _started(box_id, intent_id: int, authority: str) -> None:
    intent = db.session.get(PaymentIntent, intent_id, populate_existing=True)
    intent.authority = intent.authority or authority


def _redirect_url(intent: PaymentIntent) -> str:
    from flask import url_for

    if intent.gateway == "sandbox":
        return url_for("payments.sandbox_page", authority=intent.authority)
    return current_app.config["ZARINPAL_BASE_URL"].rstrip("/") + f"/pg/StartPay/{intent.authority}"


def _said(intent: PaymentIntent, message, /, **values) -> str:
    """What became of an intent (its failure, a notification's outcome), as its box's managers read
    it: in the box's language (i18n.box_text); what a gateway said stays as it said it."""
    return box_text(db.session.get(Box, intent.box_id), message, **values)


def _already(intent: PaymentIntent) -> str:
    return _said(intent, _l("a repeat: the payment is already %(status)s"), status=STATUS_NAMES[intent.status])


@uow.box_write
def _finish(box_id, intent_id: int, status: str, failure: str = "") -> None:
    intent = db.session.get(PaymentIntent, intent_id)
    if intent.status == CREATED:
        intent.status, intent.failure = status, failure[:200]


def intent_in_sight(actor, public_id: str) -> PaymentIntent:
    """An intent its payer, the box's managers or an admin may see; NotFound for anyone else."""
    intent = db.session.scalar(select(PaymentIntent).filter_by(public_id=str(public_id)[:32]))
    if intent is None:
        raise NotFound()
    access = authorize(actor, intent.box_id, VIEW)
    if not access.can_manage and (access.membership is None or access.membership.id != intent.membership_id):
        raise NotFound()
    return intent


# --- notifications -----------------------------------------------------------------------------

def _log(gateway: str, kind: str, outcome: str, reason: str, payload, intent_id: int | None = None) -> None:
    """Keep a notification and what became of it, in its own transaction: kept even when refused."""
    where = audit.origin()
    where.pop("device", None)
    with uow.transaction():
        db.session.add(GatewayEvent(intent_id=intent_id, gateway=gateway[:20], kind=kind, outcome=outcome,
                                    reason=reason[:300], payload=str(payload)[:4000], **where))


def receive_callback(gateway_name: str, body: bytes, headers) -> str:
    """A gateway's server-to-server callback: checked (signature, intent, authority, amount,
    currency), then confirmed with the gateway. Returns the outcome; Refused for a forged one."""
    payload_text = body.decode("utf-8", "replace")
    try:
        gateway = gateways.gateway(gateway_name)
        payload = gateway.check_callback(body, headers)
        intent = db.session.scalar(select(PaymentIntent).filter_by(gateway=gateway.name,
                                                                   authority=payload["authority"]))
        if intent is None or payload.get("intent") != intent.public_id:
            raise Refused("no such intent for this authority")
        if payload.get("currency") != intent.currency:
            raise Refused(f"currency {payload.get('currency')!r} is not the intent's {intent.currency}")
        if payload.get("status") == "paid" and payload.get("amount") != intent.charged:
            # still asked below: the gateway's verify decides, and a wrong amount is a mismatch
            given = payload.get("amount")
            _log(gateway_name, "callback", "flagged", _said(
                intent, _l("the callback's amount %(given)s is not %(charged)s"), charged=Amount(intent.charged),
                given=Amount(given) if type(given) is int else repr(given)), payload_text, intent.id)
    except Refused as refused:
        _log(gateway_name, "callback", "refused", str(refused), payload_text)
        current_app.logger.warning("payments: refused a %s callback: %s", gateway_name, refused)
        raise
    return confirm(intent, "callback", payload_text)


def receive_return(gateway_name: str, authority: str) -> PaymentIntent:
    """The payer is back from the gateway: confirm the payment with it. The intent, for its page."""
    intent = db.session.scalar(select(PaymentIntent).filter_by(gateway=gateway_name, authority=str(authority)[:64]))
    if intent is None:
        _log(gateway_name, "return", "refused", "no such authority", authority)
        raise NotFound()
    confirm(intent, "return", authority)
    return intent


def confirm(intent: PaymentIntent, kind: str, payload: str) -> str:
    """Ask the gateway what was paid, then settle. The outcome word, also logged."""
    if intent.status not in OPEN:
        _log(intent.gateway, kind, "duplicate", _already(intent), payload, intent.id)
        return "duplicate"
    try:
        verified = gateways.gateway(intent.gateway).verify(intent)
    except GatewayError as error:
        _log(intent.gateway, kind, "error", _said(intent, _l("the gateway could not be asked: %(error)s"), error=error),
             payload, intent.id)
        return "error"
    outcome, reason = settle(intent.box_id, intent.id, verified)
    _log(intent.gateway, kind, outcome, reason, payload, intent.id)
    return outcome


@uow.box_write
def settle(box_id, intent_id: int, verified) -> tuple[str, str]:
    """Settle what the gateway verified, once: the intent is read again under the box's lock."""
    intent = db.session.get(PaymentIntent, intent_id, populate_existing=True)
    if intent.status not in OPEN:
        return "duplicate", _already(intent)
    if verified.status == gateways.WAITING:
        return "waiting", _said(intent, _l("the payer has not finished at the gateway"))
    if verified.status != PAID:
        said = _said(intent, _l("the gateway said: %(message)s"), message=verified.message) if verified.message else ""
        if intent.status == CREATED:
            intent.status = CANCELLED if verified.status == gateways.CANCELLED else FAILED
            intent.failure = said[:200]
        return intent.status, said
    intent.ref_id = (verified.ref_id or "")[:64]
    if verified.amount != intent.charged or verified.currency != intent.currency:
        intent.status = MISMATCH
        taken = Amount(verified.amount) if verified.currency == intent.currency and type(verified.amount) is int \
            else f"{verified.amount} {verified.currency}"
        intent.failure = _said(intent, _l("the gateway took %(taken)s, not %(charged)s"), taken=taken,
                               charged=Amount(intent.charged))[:200]
        return MISMATCH, intent.failure
    apply = product(authorize(SYSTEM, box_id).box.kind).load("apply_payment")
    try:
        with db.session.begin_nested():
            intent.entry_id = apply(SYSTEM, box_id, Incoming(
                intent.membership, intent.amount, intent.currency, "online",
                _said(intent, _l("online %(gateway)s %(reference)s"), gateway=intent.gateway, reference=intent.ref_id),
                f"online:{intent.public_id}", target=intent.target))
            if intent.fee_bearer == BOX and intent.fee:
                _post_fee(intent)
    except ServiceError as error:
        intent.entry_id = None
        intent.status = MISMATCH
        intent.failure = _said(intent, _l("could not settle: %(error)s"), error=error.message)[:200]
        return MISMATCH, intent.failure
    intent.status, intent.settled_at = SUCCEEDED, clock.now()
    return "settled", _said(intent, _l("entry %(number)s"), number=intent.entry_id)


def _post_fee(intent: PaymentIntent) -> None:
    """The box bears the fee: the gateway paid out amount - fee, so the fee leaves the cash the
    payment put in (the entry's box-wide asset leg) for the box's gateway fee expense."""
    entry = db.session.get(Entry, intent.entry_id)
    cash = next(p.account for p in entry.postings
                if p.amount > 0 and p.account.type == "asset" and p.account.subject_kind == "box")
    expense = ledger.open_account(intent.box_id, "payments:gateway_fee", "Gateway fees", intent.currency,
                                  type=EXPENSE, subject=("box", intent.box_id), purpose="gateway_fee")
    ledger.post("gateway_fee", [(expense, intent.fee), (cash, -intent.fee)],
                idempotency_key=f"online:{intent.public_id}:fee", box_id=intent.box_id,
                memo=_said(intent, _l("Gateway fee of online payment %(payment)s"), payment=intent.public_id))


def expire_stale() -> str:
    """Intents past their expiry: asked once more (a payer may have paid at the last minute), else
    expired. An expired intent the gateway later verifies as paid still settles (the money was taken)."""
    stale = list(db.session.scalars(select(PaymentIntent).where(PaymentIntent.status == CREATED,
                                                                  PaymentIntent.expires_at < clock.now())
                                    .order_by(PaymentIntent.id).limit(500)))
    expired = 0
    for intent in stale:
        if intent.authority and confirm(intent, "expire", "") in ("settled", "duplicate", MISMATCH):
            continue
        _finish_expired(intent.box_id, intent.id)
        expired += 1
    return f"{expired} of {len(stale)} stale intents expired"


@uow.box_write
def _finish_expired(box_id, intent_id: int) -> None:
    intent = db.session.get(PaymentIntent, intent_id, populate_existing=True)
    if intent.status == CREATED:
        intent.status = EXPIRED


# --- refunds -----------------------------------------------------------------------------------

def refund(actor, box_id, public_id: str, reason: str) -> PaymentIntent:
    """Give a settled payment back: the gateway refunds the payer, then the product's reversal
    entry undoes the settlement (and the box's fee entry, when it bore one)."""
    access = authorize(actor, box_id, MANAGE)
    reason = parse.reason(reason)
    intent = db.session.scalar(select(PaymentIntent).filter_by(public_id=str(public_id)[:32], box_id=access.box.id))
    if intent is None:
        raise NotFound()
    return _refund(actor, access.box.id, intent.id, reason)


@uow.box_write
def _refund(actor, box_id, intent_id: int, reason: str) -> PaymentIntent:
    box = authorize(actor, box_id, MANAGE).box
    intent = db.session.get(PaymentIntent, intent_id, populate_existing=True)
    if intent.status != SUCCEEDED:
        raise Conflict(_("Only a settled payment can be refunded; this one is %(status)s.",
                         status=STATUS_NAMES[intent.status]), field="reason")
    undo = product(box.kind).load("refund_payment")
    fee_entry = db.session.scalar(select(Entry).filter_by(idempotency_key=f"online:{intent.public_id}:fee"))
    if fee_entry is not None:
        ledger.reverse(fee_entry, memo=_said(intent, _l("Refund of online payment %(payment)s: %(reason)s"),
                                             payment=intent.public_id, reason=reason),
                       created_by_id=Principal.of(actor).user_id)
    intent.refund_entry_id = undo(actor, box_id, intent.entry_id,
                                  _said(intent, _l("Online payment refunded: %(reason)s"), reason=reason))
    try:  # last, so a reversal the product refuses (the money was paid out) refunds nothing
        gateways.gateway(intent.gateway).refund(intent)
    except GatewayError as error:
        raise ValidationError(_("The gateway did not refund it: %(error)s", error=error), field="reason") from None
    intent.status = REFUNDED
    return intent


# --- reconciliation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    intent: PaymentIntent
    entry_amount: int | None  # what the settlement entry put into the box (its debit legs)
    refunded: bool  # the settlement entry has a reversal
    problems: tuple[str, ...]


def reconciliation(actor, box_id, page: int, only_problems: bool = False):
    """Intents, newest first, against the ledger: each settled intent has its entry for its amount,
    each refunded one its reversal, no other intent an entry. (The page, the rows, the totals.)"""
    box = authorize(actor, box_id, MANAGE).box
    query = select(PaymentIntent).filter_by(box_id=box.id).order_by(PaymentIntent.id.desc())
    if only_problems:
        query = query.where(PaymentIntent.status.in_((MISMATCH, SUCCEEDED, REFUNDED)))
    listing = db.paginate(query, page=min(max(page, 1), parse.MAX_ID // PER_PAGE), per_page=PER_PAGE,
                          error_out=False)
    entry_ids = [i.entry_id for i in listing.items if i.entry_id]
    amounts, reversed_ids = {}, set()
    if entry_ids:
        from hamyan.ledger.models import Posting

        amounts = dict(db.session.execute(
            select(Posting.entry_id, func.sum(Posting.amount)).where(Posting.entry_id.in_(entry_ids),
                                                                     Posting.amount > 0)
            .group_by(Posting.entry_id)).all())
        reversed_ids = set(db.session.scalars(select(Entry.reverses_id).where(Entry.reverses_id.in_(entry_ids))))
    rows = []
    for intent in listing.items:
        amount = amounts.get(intent.entry_id)
        problems = []
        if intent.status in (SUCCEEDED, REFUNDED) and intent.entry_id is None:
            problems.append(_("settled without a ledger entry"))
        if intent.entry_id and intent.status not in (SUCCEEDED, REFUNDED):
            problems.append(_("a ledger entry but the intent is %(status)s", status=STATUS_NAMES[intent.status]))
        if amount is not None and int(amount) != intent.amount:
            problems.append(_("the entry moved %(moved)s, the intent was for %(amount)s",
                              moved=show_money(int(amount), box), amount=show_money(intent.amount, box)))
        if intent.status == REFUNDED and intent.entry_id not in reversed_ids:
            problems.append(_("refunded but the entry is not reversed"))
        if intent.status == SUCCEEDED and intent.entry_id in reversed_ids:
            problems.append(_("the entry was reversed but the intent is not refunded"))
        if intent.status == MISMATCH:
            problems.append(bdi(intent.failure) if intent.failure else _("the gateway's amount differs"))
        rows.append(Row(intent, None if amount is None else int(amount), intent.entry_id in reversed_ids,
                        tuple(problems)))
    if only_problems:
        rows = [r for r in rows if r.problems]
    return box, listing, rows


def check() -> list[str]:
    """Every box's settled intents against the ledger, for `flask ledger check`: what the
    reconciliation page flags, in set-based queries (no per-intent reads)."""
    from sqlalchemy.orm import aliased

    from hamyan.ledger.models import Posting

    reversal = aliased(Entry)
    moved = (select(Posting.entry_id, func.sum(Posting.amount).label("total")).where(Posting.amount > 0)
             .group_by(Posting.entry_id).subquery())
    rows = db.session.execute(
        select(PaymentIntent.public_id, PaymentIntent.box_id, PaymentIntent.status, PaymentIntent.amount,
               PaymentIntent.entry_id, moved.c.total, reversal.id)
        .outerjoin(moved, moved.c.entry_id == PaymentIntent.entry_id)
        .outerjoin(reversal, reversal.reverses_id == PaymentIntent.entry_id)
        .where((PaymentIntent.entry_id.isnot(None)) | PaymentIntent.status.in_((SUCCEEDED, REFUNDED))))
    problems = []
    for public_id, box_id, status, amount, entry_id, total, reversal_id in rows:
        where = f"box {box_id} intent {public_id}"
        if entry_id is None:
            problems.append(f"{where} is {status} without a ledger entry")
        elif status not in (SUCCEEDED, REFUNDED):
            problems.append(f"{where} is {status} but has entry {entry_id}")
        elif int(total or 0) != amount:
            problems.append(f"{where}: entry {entry_id} moved {total}, the intent was for {amount}")
        elif (status == REFUNDED) != (reversal_id is not None):
            problems.append(f"{where} is {status} but entry {entry_id} is "
                            f"{'reversed' if reversal_id else 'not reversed'}")
    return problems


def recent_events(box_id: int, limit: int = 20) -> list[GatewayEvent]:
    return list(db.session.scalars(
        select(GatewayEvent).join(PaymentIntent, PaymentIntent.id == GatewayEvent.intent_id)
        .where(PaymentIntent.box_id == box_id).order_by(GatewayEvent.id.desc()).limit(limit)))
