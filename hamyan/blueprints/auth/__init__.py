from flask import Blueprint, current_app

from hamyan.extensions import limiter

bp = Blueprint("auth", __name__)


DEVICE_COOKIE = "hamyan_device"  # a random id a browser keeps from its first sign-in (views._device)


def sign_in_limit(email_of_request, success: tuple[int, ...]):
    """Failed sign-ins are counted per account (case and Unicode variants of an address are one
    account) and IP address, in counts shared by the sign-in page and the API's token endpoint, so
    neither gives fresh guesses. Per address, so a stranger who guesses wrong locks only their own
    address out, never the owner elsewhere; a looser count per account over all addresses together
    stops guessing spread over many addresses. A browser that signed in to the account before is
    counted on its own instead (by its device cookie) and is left out of the per-account count: its
    owner is locked out neither by strangers behind the same address (a carrier's shared address)
    nor by guessing from everywhere. Responses with a `success` status cost nothing."""
    from flask import g, request
    from flask_limiter.util import get_remote_address

    from hamyan.blueprints.auth.services import account_key, known_device

    def failed(response):
        return response.status_code not in success

    def account():
        return "sign-in:" + account_key(email_of_request())

    def device() -> str:
        """The hash of this browser's device cookie when it signed in to the account before, else ""."""
        if "sign_in_device" not in g:
            g.sign_in_device = known_device(email_of_request(), request.cookies.get(DEVICE_COOKIE, ""))
        return g.sign_in_device

    per_address = limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in", methods=["POST"], deduct_when=failed,
        key_func=lambda: f"{account()}:" + (f"device:{device()}" if device() else f"ip:{get_remote_address()}"))
    per_account = limiter.shared_limit(
        lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], scope="sign-in-account", methods=["POST"],
        deduct_when=failed, key_func=account, exempt_when=lambda: bool(device()))
    return lambda view: per_account(per_address(view))

from hamyan.blueprints.auth import views  # noqa: E402,F401
