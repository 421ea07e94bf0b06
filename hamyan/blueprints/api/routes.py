import marshmallow as ma
from flask import request

from hamyan.blueprints.api import Blueprint, api_blueprint, current_api_user, load_json_body
from hamyan.blueprints.auth import services as auth_services, sign_in_limit
from hamyan.boxes import services as boxes
from hamyan.core.errors import ServiceError
from hamyan.extensions import error_body

auth_bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Get a personal API token.")
me_bp = api_blueprint("api_me", __name__, url_prefix="/api/v1/me", description="The signed-in user.",
                      partners_allowed=False)


class TokenRequest(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=128))
    name = ma.fields.String(load_default="API token", validate=ma.validate.Length(min=1, max=100))


class TokenResponse(ma.Schema):
    token = ma.fields.String(required=True)
    name = ma.fields.String()


class MembershipSchema(ma.Schema):
    box_id = ma.fields.Integer()
    box_name = ma.fields.String()
    kind = ma.fields.String()
    currency = ma.fields.String()
    role = ma.fields.String()


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    is_admin = ma.fields.Boolean()
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema))


def _email_in_body():
    try:
        body = load_json_body(request.get_data(cache=True))
    except (ValueError, ma.ValidationError):  # the endpoint answers those with their own error
        return ""
    return body.get("email") if isinstance(body, dict) else ""


@auth_bp.route("/token", methods=["POST"])
@auth_bp.arguments(TokenRequest)
@auth_bp.response(201, TokenResponse)
@auth_bp.doc(security=[])
@sign_in_limit(_email_in_body, success=(201,))
def create_token(body):
    """Exchange an email and password for a personal token (shown once; revoke it on your profile)."""
    try:
        user = auth_services.authenticate(body["email"], body["password"])
    except ServiceError as error:
        return error_body(401, "invalid_credentials", error.message, {"password": error.message})
    token, secret = auth_services.create_api_token(user, body["name"])
    return {"token": secret, "name": token.name}


@me_bp.route("", methods=["GET"])
@me_bp.response(200, MeSchema)
def me():
    """The caller and the boxes they belong to."""
    user = current_api_user()
    return {
        "id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin,
        "memberships": [
            {"box_id": box.id, "box_name": box.name, "kind": box.kind, "currency": box.currency, "role": m.role}
            for box, m in boxes.boxes_of(user)
        ],
    }
