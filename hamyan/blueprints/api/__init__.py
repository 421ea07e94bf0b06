"""The JSON API under /api/v1: bearer-token auth, the error format, and the OpenAPI document.

Product packages build their routes with api_blueprint() and name the blueprint in their
descriptor (hamyan.blueprints.PRODUCTS); everything on such a blueprint requires a token."""
import hashlib
import json
import uuid
from datetime import timezone

import flask_smorest
import marshmallow as ma
from flask import current_app, g, render_template, request
from flask_babel import gettext as _
from webargs import core as webargs_core
from werkzeug.exceptions import BadRequest
from webargs.flaskparser import FlaskParser, is_json_request

# first: marshmallow's messages in the caller's language, before any API schema is declared
from hamyan.blueprints.api.messages import Range
from hamyan.blueprints.auth import services as auth_services
from hamyan.core.errors import ValidationError
from hamyan.core.parse import AMOUNT_PATTERN
from hamyan import partners
from hamyan.extensions import api, csrf, error_body, limiter

BEARER = [{"bearerAuth": []}]


class PageArgs(ma.Schema):
    """?page= of a list with pages of a fixed size: from 1 to a million, as every list's."""
    page = ma.fields.Integer(load_default=1, validate=Range(min=1, max=10**6))


class ListArgs(PageArgs):
    """How every list of boxes is paged (`GET /cashboxes`, `GET /pools`): ?page=&per_page=, 25 by
    default and 100 at most; the answer is that page's items."""
    per_page = ma.fields.Integer(load_default=25, validate=Range(min=1, max=100))


def _require_token(partners_allowed: bool = True):
    if request.method == "OPTIONS":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    secret = secret.strip()
    bearer = scheme.lower() == "bearer" and secret
    if bearer and secret.startswith(partners.TOKEN_PREFIX):
        caller = partners.principal_for(secret)
        if caller is not None and (not partners_allowed or "box_id" not in (request.view_args or {})):
            # a partner acts on the boxes it was granted, through their routes: never as a user
            return error_body(403, "forbidden", _("A partner key may only call the routes of a box it was granted."))
    else:
        caller = auth_services.user_for_api_token(secret) if bearer else None
    if caller is None:
        return error_body(401, "unauthorized", _("A valid bearer token is required."),
                          {"Authorization": _("Send '%(header)s'.", header="Authorization: Bearer <token>")})
    g.api_user = caller
    return None


def _partner_rate_key() -> str:
    return partners.rate_key(request.headers.get("Authorization", "")) or ""


MAX_JSON_DEPTH = 32  # far deeper than any body the API takes


def load_json_body(raw: bytes):
    """A request's JSON body, refused as a client's mistake rather than failing on our side:
    nested too deep is 400 (json.JSONDecodeError, like a body that is not JSON), a string with a
    lone surrogate ("\\ud800", which no database can store) is 422 on the field it is in."""
    try:
        data = webargs_core.parse_json(raw)
    except RecursionError:
        raise json.JSONDecodeError(f"JSON nested more than {MAX_JSON_DEPTH} deep", "nested", 0) from None
    stack = [(data, 1, "json")]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise json.JSONDecodeError(f"JSON nested more than {MAX_JSON_DEPTH} deep", "nested", 0)
        if isinstance(value, dict):
            stack.extend((item, depth + 1, key if depth == 1 else field) for key, item in value.items())
            stack.extend((key, depth, field) for key in value)
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ma.ValidationError({field: [_("Text cannot contain a lone surrogate such as %(example)s.",
                                                       example="\\ud800")]}) from None
    return data


class _Parser(FlaskParser):
    def _raw_load_json(self, req):
        return load_json_body(req.get_data(cache=True)) if is_json_request(req) else webargs_core.missing

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        problem = getattr(error, "msg", None) or str(error)
        refusal = BadRequest(_("The body is not valid JSON: %(problem)s.", problem=problem))
        refusal.data = {"messages": {"json": [_("Invalid JSON body.")]}}
        raise refusal


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint reading JSON bodies with load_json_body."""

    ARGUMENTS_PARSER = _Parser()


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str = "",
                  partners_allowed: bool = True) -> Blueprint:
    """A smorest Blueprint whose every route needs a bearer token and is documented as such.
    Partner keys may call its box routes (rate-limited per key) unless partners_allowed is False."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix, description=description)
    bp.before_request(lambda: _require_token(partners_allowed))
    limiter.limit(lambda: current_app.config["PARTNER_RATE_LIMIT"], key_func=_partner_rate_key,
                  exempt_when=lambda: not _partner_rate_key())(bp)
    return bp


def current_api_user():
    """The caller: a User (personal token) or a partner key's Principal (hamyan.partners)."""
    return g.api_user


# For @bp.doc(**IDEMPOTENCY_DOC) on POSTs that move money.
IDEMPOTENCY_DOC = {"parameters": [{
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 100},
    "description": "Retrying with the same key returns the first result instead of moving money twice."}]}


def request_key() -> str:
    """The caller's Idempotency-Key (see idempotency_key), or a fresh key when none was sent (then
    nothing is retried): for services that always take a key."""
    return idempotency_key() or uuid.uuid4().hex


def idempotency_key() -> str | None:
    """The caller's Idempotency-Key header, or None when none was sent.

    Scoped to the caller, so two API users who happen to pick the same key never meet, and hashed
    to a fixed length that fits inside the ledger's idempotency keys."""
    raw = (request.headers.get("Idempotency-Key") or "").strip()
    if len(raw) > 100:
        raise ValidationError(_("The %(header)s header has at most %(count)s characters.", header="Idempotency-Key",
                                count=100), field="Idempotency-Key")
    if not raw:
        return None
    caller = current_api_user()
    who = f"partner{caller.key_id}" if getattr(caller, "kind", "user") == "partner" else caller.id
    return "api:" + hashlib.sha256(f"{who}:{raw}".encode()).hexdigest()[:40]


DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


class ReversalOut(ma.Schema):
    """What undoing money answers: the reversal entry and the entry it reverses."""
    entry_id = ma.fields.Integer(attribute="id", metadata={"description": "The reversal entry"})
    reverses_id = ma.fields.Integer(metadata={"description": "The entry it undoes"})


class SameNameOk(ma.Schema):
    """A name another active member of the box has is refused (409, code same_name, on display_name)
    unless same_name_ok says this is another person of that name, as the pages ask before adding."""
    same_name_ok = ma.fields.Boolean(load_default=False)


class NewMemberIn(SameNameOk):
    """Someone added to a box by name, who may not have an account yet."""
    display_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    email = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=254))


class Amount(ma.fields.Raw):
    """An amount in the box's major unit: a string such as "1250.50", or a whole JSON number. The
    service parses it with core.parse.amount like every form and API (a JSON float such as 1e9
    is refused, never rounded)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("type", "string")
        kwargs["metadata"].setdefault("pattern", AMOUNT_PATTERN)
        super().__init__(**kwargs)


class UtcDateTime(ma.fields.DateTime):
    """A moment, always with its UTC offset ("2026-12-07T03:40:00+00:00"): the database keeps UTC
    without a zone, and a time without an offset means nothing to a client."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def limits(low: int, high: int, **metadata) -> dict:
    """A number field's metadata declaring the range its service enforces (with the service's own
    constants), so a client knows the limits before it is refused."""
    return {"minimum": low, "maximum": high, **metadata}


def links(status: int, **targets: tuple[str, str, dict]) -> dict:
    """For @bp.doc(**links(201, name=(method, path, {parameter: "$response.body#/field"}))): where a
    response leads, so a client (or schemathesis' stateful tests) can follow it."""
    return {"responses": {status: {"links": {
        name: {"operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method.lower(),
               "parameters": parameters}
        for name, (method, path, parameters) in targets.items()}}}}


def _document_conventions(converter, field, ret):
    """What the document says of every field of a kind: a Decimal is a string of digits (never a
    JSON number, which clients read as a float), and a field's validators' ranges are declared."""
    if isinstance(field, ma.fields.Decimal):
        return {"pattern": DECIMAL_PATTERN}
    return {}


def register(app, blueprints) -> None:
    from hamyan.blueprints.api.boxes import boxes_bp
    from hamyan.blueprints.api.reports import reports_bp
    from hamyan.blueprints.api.routes import auth_bp, me_bp

    api.init_app(app, spec_kwargs={"security": BEARER})  # every operation needs a token unless it says not
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_field(ma.fields.Decimal, "string", None)
    api.ma_plugin.converter.add_attribute_function(_document_conventions)
    for bp in (auth_bp, me_bp, boxes_bp, reports_bp, *blueprints):
        api.register_blueprint(bp)
        csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them
    app.add_url_rule("/api/v1/docs", "api_docs", docs_page)


def docs_page():
    """Browsable API documentation (Swagger UI served from our own static files)."""
    return render_template("api_docs.html")
