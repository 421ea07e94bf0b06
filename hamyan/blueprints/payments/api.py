"""The payments JSON API: payment intents of a box (/api/v1/boxes/<box_id>/payment-intents), and the
payments its members report (/api/v1/boxes/<box_id>/payment-reports, "I have paid", payments.reports).
A member creates one for themself; a manager or a partner key granted the box names the member.
The answer carries `pay_url`, where to send the payer; the intent's status says what became of it."""
import marshmallow as ma
from flask import url_for

from hamyan.blueprints.api import (IDEMPOTENCY_DOC, ListArgs, Range, UtcDateTime, api_blueprint, current_api_user,
                                  idempotency_key)
from hamyan.blueprints.payments import reports, services
from hamyan.blueprints.payments.models import METHODS, REPORT_STATUS_NAMES, STATUSES
from hamyan.core.uploads import from_base64

bp = api_blueprint("api_payments", __name__, url_prefix="/api/v1/boxes/<int:box_id>/payment-intents",
                   description="Online payments: payment intents and their status.")
F = ma.fields


class IntentIn(ma.Schema):
    amount = F.String(required=True, validate=ma.validate.Length(min=1, max=40),
                      metadata={"description": "Major units as a string, e.g. \"1250.50\""})
    membership_id = F.Integer(strict=True, load_default=None, allow_none=True,
                              metadata={"description": "Whose payment; the caller's own membership if left out"})
    target = F.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=40),
                      metadata={"description": "What it pays for, where the box's product asks: a building's "
                                               "\"unit:<id>\" (the member's only unit if left out)"})


class IntentOut(ma.Schema):
    id = F.String(attribute="public_id")
    box_id = F.Integer()
    membership_id = F.Integer()
    amount = F.Integer(metadata={"description": "Minor units settled against what the member owes"})
    fee = F.Integer()
    fee_bearer = F.String()
    charged = F.Integer(metadata={"description": "Minor units the gateway takes from the payer"})
    currency = F.String()
    gateway = F.String()
    status = F.String(metadata={"enum": list(STATUSES)})
    ref_id = F.String(allow_none=True)
    entry_id = F.Integer(allow_none=True)
    created_at = F.DateTime()
    expires_at = F.DateTime()
    pay_url = F.String(allow_none=True)
    target = F.String(allow_none=True)


class IntentPage(ma.Schema):
    items = F.List(F.Nested(IntentOut))
    page = F.Integer()
    pages = F.Integer()
    total = F.Integer()


class PageArgs(ma.Schema):
    page = F.Integer(load_default=1, validate=Range(min=1, max=10**6))


def _out(intent) -> dict:
    """The intent's values for IntentOut (which the response decorator dumps)."""
    data = {name: getattr(intent, name) for name in ("public_id", "box_id", "membership_id", "amount", "fee",
                                                     "fee_bearer", "charged", "currency", "gateway", "status",
                                                     "ref_id", "entry_id", "created_at", "expires_at",
                                                     "target")}
    data["pay_url"] = url_for("payments.pay_intent", public_id=intent.public_id, _external=True) \
        if intent.status == "created" else None
    return data


@bp.route("", methods=["POST"])
@bp.arguments(IntentIn)
@bp.response(201, IntentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def create(body, box_id):
    """Start a payment: the same Idempotency-Key with the same body answers the first intent, with
    another body 409."""
    intent = services.create_intent(current_api_user(), box_id, body["amount"], body["membership_id"],
                                    idempotency_key(), body["target"])
    return _out(intent)


@bp.route("", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, IntentPage)
def listing(args, box_id):
    """The box's intents, newest first (managers and partner keys granted the box)."""
    _, page, rows = services.reconciliation(current_api_user(), box_id, args["page"])
    return {"items": [_out(r.intent) for r in rows], "page": page.page, "pages": page.pages, "total": page.total}


@bp.route("/<public_id>", methods=["GET"])
@bp.response(200, IntentOut)
def one(box_id, public_id):
    """One intent: its payer, the box's managers or a partner key granted the box."""
    intent = services.intent_in_sight(current_api_user(), public_id)
    if intent.box_id != box_id:
        from hamyan.core.errors import NotFound

        raise NotFound()
    return _out(intent)


# ---------------------------------------------------------------- "I have paid": reported payments
reports_bp = api_blueprint("api_payment_reports", __name__, url_prefix="/api/v1/boxes/<int:box_id>/payment-reports",
                           description="Payments members report (card to card, bank transfer), for the box's "
                                       "managers to confirm (recorded as a payment) or reject, in every kind of box.")


class ReportIn(ma.Schema):
    amount = F.String(required=True, validate=ma.validate.Length(min=1, max=40),
                      metadata={"description": "Major units as a string, e.g. \"1250.50\""})
    paid_on = F.String(load_default=None, validate=ma.validate.Length(max=10),
                       metadata={"description": "YYYY-MM-DD in the box's calendar; today if left out"})
    method = F.String(required=True, validate=ma.validate.OneOf(list(METHODS)))
    reference = F.String(required=True, validate=ma.validate.Length(max=80),
                         metadata={"description": "The bank's tracking number"})
    target = F.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=40),
                      metadata={"description": "What it pays for, where the box's product asks (GET .../targets)"})
    receipt = F.String(load_default=None, allow_none=True,
                       metadata={"description": "The bank receipt (JPEG, PNG or PDF), base64"})
    receipt_name = F.String(load_default="receipt", validate=ma.validate.Length(max=120))


class ReportOut(ma.Schema):
    id = F.Integer()
    box_id = F.Integer()
    membership_id = F.Integer()
    amount = F.Integer(metadata={"description": "Minor units"})
    method = F.String(metadata={"enum": list(METHODS)})
    paid_on = F.Date()
    reference = F.String()
    target = F.String(allow_none=True)
    has_receipt = F.Function(lambda r: r.receipt_path is not None)
    status = F.String(metadata={"enum": list(REPORT_STATUS_NAMES)})
    reason = F.String(allow_none=True, metadata={"description": "Why it was rejected"})
    entry_id = F.Integer(allow_none=True, metadata={"description": "The ledger entry of the payment once confirmed"})
    created_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)


class ReportRejectIn(ma.Schema):
    reason = F.String(required=True, validate=ma.validate.Length(max=300))


class TargetOut(ma.Schema):
    target = F.String()
    label = F.String()


@reports_bp.route("", methods=["POST"])
@reports_bp.arguments(ReportIn)
@reports_bp.response(201, ReportOut)
@reports_bp.doc(**IDEMPOTENCY_DOC)
def report(body, box_id):
    """A member reports a payment they made to the box's card or account (their own membership); the
    managers are told. The same Idempotency-Key with the same report answers the first, with another 409."""
    return reports.report(current_api_user(), box_id, body["amount"], body["paid_on"], body["method"],
                          body["reference"], from_base64(body["receipt"], body["receipt_name"]), body["target"],
                          idempotency_key())


@reports_bp.route("", methods=["GET"])
@reports_bp.arguments(ListArgs, location="query")
@reports_bp.response(200, ReportOut(many=True))
def report_list(args, box_id):
    """Managers: the box's reports, newest first (status says which wait); a member: their own; a page at
    a time (`page`, `per_page`)."""
    return reports.in_sight(current_api_user(), box_id, args["per_page"], args["page"])


@reports_bp.route("/targets", methods=["GET"])
@reports_bp.response(200, TargetOut(many=True))
def report_targets(box_id):
    """What the caller may say a report pays for (empty where the box's product does not ask)."""
    return [{"target": target, "label": str(label)}
            for target, label in (reports.targets(current_api_user(), box_id) or {}).items()]


@reports_bp.route("/<int:report_id>", methods=["GET"])
@reports_bp.response(200, ReportOut)
def report_one(box_id, report_id):
    """One report: the box's managers, or the member who made it."""
    return reports.report_of(current_api_user(), box_id, report_id)


@reports_bp.route("/<int:report_id>/confirm", methods=["POST"])
@reports_bp.response(200, ReportOut)
def report_confirm(box_id, report_id):
    """The money is in (managers): recorded as a payment, one ledger entry; confirming again answers the first."""
    return reports.confirm(current_api_user(), box_id, report_id)


@reports_bp.route("/<int:report_id>/reject", methods=["POST"])
@reports_bp.arguments(ReportRejectIn)
@reports_bp.response(200, ReportOut)
def report_reject(body, box_id, report_id):
    """The money is not there (managers): the member is told the reason; nothing is recorded."""
    return reports.reject(current_api_user(), box_id, report_id, body["reason"])
