from flask import Blueprint, current_app

from hamyan.extensions import limiter

bp = Blueprint("auth", __name__)


def sign_in_limit(email_of_request, success: tuple[int, ...]):
    """Failed sign-ins counted per account (case and Unicode variants of an address are one account),
    in one count shared by the sign-in page and the API's token endpoint, so neither gives fresh
    guesses. Responses with a `success` status cost nothing."""
    from hamyan.blueprints.auth.services import account_key

    return limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in",
                                key_func=lambda: "sign-in:" + account_key(email_of_request()), methods=["POST"],
                                deduct_when=lambda response: response.status_code not in success)


from hamyan.blueprints.auth import views  # noqa: E402,F401
