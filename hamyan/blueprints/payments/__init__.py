"""Online payments: a member pays what they owe (or a chosen amount) through a gateway; Hamyan
settles it through the box's product (Product.apply_payment) as the system, once.

The product hook (hamyan/core/product.py): `apply_payment = "module:function"` with
    function(actor, box_id, intent) -> int
called inside payments' own box write (the box's lock held) with actor = boxes.access.SYSTEM; it
settles `intent.amount` minor units for the member `intent.membership_id` exactly as a payment the
manager records would (oldest dues first...), posting exactly one ledger entry whose idempotency key
is derived from `intent.public_id`, and returns that entry's id. A ServiceError (e.g. more than the
member owes) leaves the intent in "mismatch" for a manager to refund. `refund_payment =
"module:function"` with function(actor, box_id, entry_id, reason) -> int undoes it by a reversal
entry and returns the reversal's id. A product that must know what a payment is for names
`payment_targets = "module:function"` with function(box_id, membership_id) -> {target: label}: the
intent carries one of them (`intent.target`; the member's only one by default), e.g. a building's
"unit:<id>". Cashbox, Moneypool, Aptbox and ROSCA fill them; a product without them does not offer
online payment."""
from flask import Blueprint

bp = Blueprint("payments", __name__)

from hamyan.blueprints.payments import views  # noqa: E402,F401
