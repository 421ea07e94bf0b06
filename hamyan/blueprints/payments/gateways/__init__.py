"""The gateway interface. A gateway starts a payment (answering the provider's id of it, the
"authority", and where to send the payer), verifies one (the provider's word on what was paid: the
only thing Hamyan settles on), checks a server-to-server callback's signature, and refunds.

Callbacks and the payer's return are only hints: whatever they say, Hamyan settles on `verify`,
so a forged or replayed notification can at most make Hamyan ask the provider again."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

PAID, FAILED, CANCELLED, WAITING = "paid", "failed", "cancelled", "waiting"


class GatewayError(Exception):
    """The provider could not be asked or answered an error: try again later; nothing changed."""


class Refused(Exception):
    """A notification that is not what the provider would send (bad signature, unknown intent)."""


@dataclass(frozen=True)
class Started:
    authority: str
    redirect_url: str


@dataclass(frozen=True)
class Verified:
    status: str  # PAID, FAILED, CANCELLED or WAITING (the payer has not finished)
    amount: int | None = None  # what the provider took, in minor units
    currency: str | None = None
    ref_id: str | None = None
    message: str = ""  # or a marked text (lazy), written in the language of whoever reads it


def fee(amount: int) -> int:
    """The gateway's fee on `amount`: PAYMENTS_FEE_PERCENT of it, rounded half up once, at most
    PAYMENTS_FEE_MAX minor units (0: no cap)."""
    percent = Decimal(str(current_app.config["PAYMENTS_FEE_PERCENT"]))
    value = int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    cap = current_app.config["PAYMENTS_FEE_MAX"]
    return min(value, cap) if cap else value


def gateway(name: str | None = None):
    """The gateway called `name` (the configured PAYMENTS_GATEWAY by default)."""
    from hamyan.blueprints.payments.gateways.sandbox import SandboxGateway
    from hamyan.blueprints.payments.gateways.zarinpal import ZarinpalGateway

    name = name or current_app.config["PAYMENTS_GATEWAY"]
    found = {"sandbox": SandboxGateway, "zarinpal": ZarinpalGateway}.get(name)
    if found is None:
        raise Refused(f"unknown gateway {name!r}")
    return found()
