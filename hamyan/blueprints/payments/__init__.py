"""Payments made outside the box: online through a gateway (services.py: a member pays what they owe
or a chosen amount, settled as the system, once), and by card-to-card or bank transfer that the
member reports ("I have paid", reports.py: a manager confirms or rejects it).

The product hook (hamyan/core/product.py): `apply_payment = "module:function"` with
    function(actor, box_id, incoming: Incoming) -> int
called inside the caller's box write (the box's lock held), with actor = boxes.access.SYSTEM for an
online payment and the confirming manager for a reported one; it settles `incoming.amount` minor
units for the member `incoming.membership_id` exactly as a payment the manager records would (oldest
dues first...), posting exactly one ledger entry whose idempotency key is derived from
`incoming.key`, and returns that entry's id. A ServiceError (e.g. more than the member owes) leaves
an online intent in "mismatch" for a manager to refund, and a report pending with the message.
`refund_payment = "module:function"` with function(actor, box_id, entry_id, reason) -> int undoes it
by a reversal entry and returns the reversal's id. A product that must know what a payment is for
names `payment_targets = "module:function"` with function(box_id, membership_ids) ->
{membership_id: {target: label}} (every id asked for, answered in a fixed number of queries):
the payment carries one of them (`incoming.target`; the member's only one by default), e.g. a
building's "unit:<id>". Cashbox, Moneypool, Aptbox and ROSCA fill them; a product without them takes
neither kind of payment."""
from flask import Blueprint

bp = Blueprint("payments", __name__)

from hamyan.blueprints.payments import views  # noqa: E402,F401
