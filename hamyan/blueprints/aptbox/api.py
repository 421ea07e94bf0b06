"""The aptbox JSON API under /api/v1/buildings: the board's month end and a resident's view, over
the same services as the pages.

Amounts going in are strings in the building's major unit ("1250000", parsed like the forms);
amounts coming out are integers of minor units. Recording a payment accepts an Idempotency-Key."""
import json
import uuid

import marshmallow as ma

from hamyan.blueprints.api import IDEMPOTENCY_DOC, api_blueprint, current_api_user, idempotency_key
from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import BASES, PAYERS
from hamyan.core import clock

bp = api_blueprint("api_aptbox", __name__, url_prefix="/api/v1/buildings",
                   description="Buildings: units, charges split by formula, payments, funds and reports.")

F = ma.fields
Length = ma.validate.Length
OneOf = ma.validate.OneOf
AMOUNT = {"description": "Major units as a string, e.g. \"1250000\""}


class RulesIn(ma.Schema):
    address = F.String(validate=Length(max=300))
    due_day = F.Integer(strict=True)
    grace_days = F.Integer(strict=True)
    late_fee_kind = F.String(validate=OneOf(("none", "fixed", "percent")))
    late_fee_value = F.String(validate=Length(max=40), metadata={"description": "An amount, or a percent"})
    vacancy_discount = F.String(validate=Length(max=10), metadata={"description": "Percent"})
    floor_factors = F.Dict(keys=F.String(), values=F.String(), metadata={"description": "{\"0\": \"0.5\"}"})
    round_to = F.String(validate=Length(max=40), metadata=AMOUNT)
    remainder_unit = F.String(validate=Length(max=20), metadata={"description": "Unit number"})
    require_approval = F.Boolean()


class BuildingIn(RulesIn):
    name = F.String(required=True, validate=Length(min=1, max=120))
    currency = F.String(load_default="IRR", validate=Length(equal=3))
    timezone = F.String(load_default="Asia/Tehran")
    locale = F.String(load_default="fa_IR")
    calendar = F.String(load_default="persian")


class BuildingOut(ma.Schema):
    id = F.Integer(attribute="box.id")
    name = F.String(attribute="box.name")
    currency = F.String(attribute="box.currency")
    calendar = F.String(attribute="box.calendar")
    timezone = F.String(attribute="box.timezone")
    address = F.String(attribute="building.address")
    due_day = F.Integer(attribute="building.due_day")
    grace_days = F.Integer(attribute="building.grace_days")
    late_fee_kind = F.String(attribute="building.late_fee_kind")
    late_fee_value = F.Integer(attribute="building.late_fee_value")
    round_to = F.Integer(attribute="building.round_to")
    is_board = F.Boolean()
    funds = F.Dict(keys=F.String(), values=F.Integer())


class UnitIn(ma.Schema):
    number = F.String(required=True, validate=Length(max=20))
    floor = F.Integer(strict=True, load_default=0)
    area = F.String(required=True, validate=Length(max=20), metadata={"description": "m², e.g. \"85.5\""})
    occupants = F.Integer(strict=True, load_default=0)
    parking = F.Integer(strict=True, load_default=0)
    occupied = F.Boolean(load_default=True)
    owner_name = F.String(load_default="", validate=Length(max=120))
    resident_name = F.String(load_default="", validate=Length(max=120))


class UnitOut(ma.Schema):
    id = F.Integer()
    number = F.String()
    floor = F.Integer()
    area = F.Decimal(as_string=True)
    occupants = F.Integer()
    parking = F.Integer()
    occupied = F.Boolean()
    owner_name = F.String()
    resident_name = F.String()


class SummaryOut(ma.Schema):
    balance = F.Integer(metadata={"description": "Owed now; below 0 is credit"})
    charged = F.Integer()
    paid = F.Integer()
    arrears = F.Integer()
    days_late = F.Integer()
    status = F.String()
    next_due = F.Date(allow_none=True)
    next_amount = F.Integer()


class UnitRow(ma.Schema):
    unit = F.Nested(UnitOut)
    summary = F.Nested(SummaryOut, allow_none=True)


class ImportIn(ma.Schema):
    csv = F.String(required=True, metadata={"description": "The CSV text, first line the column names"})


class ComponentIn(ma.Schema):
    name = F.String(required=True, validate=Length(max=120))
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    basis = F.String(required=True, validate=OneOf(BASES))
    mix = F.Dict(keys=F.String(), values=F.Integer(), load_default=None,
                 metadata={"description": "For basis mix: {\"area\": 60, \"occupants\": 40}"})
    payer = F.String(load_default="resident", validate=OneOf(PAYERS))
    use_floor_factor = F.Boolean(load_default=False)


class ComponentOut(ma.Schema):
    id = F.Integer()
    name = F.String()
    amount = F.Integer()
    basis = F.String()
    mix = F.Function(lambda c: json.loads(c.mix))
    payer = F.String()
    use_floor_factor = F.Boolean()


class RuleIn(ma.Schema):
    component_id = F.Integer(required=True, strict=True)
    unit_id = F.Integer(required=True, strict=True)
    kind = F.String(required=True, validate=OneOf(("exempt", "override")))
    amount = F.String(load_default=None, validate=Length(max=40), metadata=AMOUNT)
    reason = F.String(required=True, validate=Length(max=300))


class MonthIn(ma.Schema):
    month = F.String(required=True, validate=Length(max=10), metadata={"description": "YYYY-MM in the building's calendar"})


class RunOut(ma.Schema):
    id = F.Integer()
    reference = F.String()
    title = F.String()
    due_date = F.Date()
    total = F.Integer()


class AssessmentIn(ma.Schema):
    title = F.String(required=True, validate=Length(max=120))
    total = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    basis = F.String(required=True, validate=OneOf([b for b in BASES if b != "fixed"]))
    mix = F.Dict(keys=F.String(), values=F.Integer(), load_default=None)
    installments = F.Integer(strict=True, load_default=1)
    first_month = F.String(load_default=None, validate=Length(max=10))


class AssessmentOut(ma.Schema):
    id = F.Integer()
    title = F.String()
    total = F.Integer()
    basis = F.String()
    installments = F.Integer()
    first_due = F.Date()


class PaymentIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    paid_on = F.String(load_default=None, validate=Length(max=10), metadata={"description": "YYYY-MM-DD; today if left out"})
    reference = F.String(required=True, validate=Length(max=80))
    payer = F.String(load_default="", validate=Length(max=120))


class PaymentOut(ma.Schema):
    id = F.Integer()
    unit_id = F.Integer()
    amount = F.Integer()
    paid_on = F.Date()
    reference = F.String()
    payer = F.String()


class ExplanationLine(ma.Schema):
    name = F.String()
    basis = F.String()
    payer = F.String()
    amount = F.Integer()
    why = F.String()


class LedgerLineOut(ma.Schema):
    day = F.Date()
    memo = F.String()
    charged = F.Integer()
    paid = F.Integer()
    balance = F.Integer()


class UnitDetail(ma.Schema):
    unit = F.Nested(UnitOut)
    summary = F.Dict()
    charge = F.Integer(allow_none=True, metadata={"description": "The charge explained"})
    why = F.List(F.Nested(ExplanationLine), metadata={"description": "Why the charge is what it is"})
    ledger = F.List(F.Nested(LedgerLineOut))


# ------------------------------------------------------------------------------------ routes
def _building(acc):
    return {"box": acc.box, "building": acc.building, "is_board": acc.is_board,
            "funds": services.fund_balances(acc.box)}


@bp.route("", methods=["POST"])
@bp.arguments(BuildingIn)
@bp.response(201, BuildingOut)
def create_building(body):
    """Create a building; you are on its board."""
    user = current_api_user()
    names = ("name", "currency", "timezone", "locale", "calendar")
    box = services.create_building(user, *(body.pop(n) for n in names), **body)
    return _building(services.access(user, box.id))


@bp.route("/<int:box_id>", methods=["GET"])
@bp.response(200, BuildingOut)
def get_building(box_id):
    return _building(services.access(current_api_user(), box_id))


@bp.route("/<int:box_id>/rules", methods=["PATCH"])
@bp.arguments(RulesIn)
@bp.response(200, BuildingOut)
def update_rules(body, box_id):
    """Change the charge rules (board)."""
    services.update_rules(current_api_user(), box_id, **body)
    return _building(services.access(current_api_user(), box_id))


@bp.route("/<int:box_id>/units", methods=["GET"])
@bp.response(200, UnitRow(many=True))
def list_units(box_id):
    """The units you may see (the board: every unit; a resident: their own), with their balances."""
    acc = services.access(current_api_user(), box_id)
    services.fresh(acc.box)
    rows, _ = services.units_page(acc, 1, size=5000)
    return [{"unit": u, "summary": s} for u, s in rows]


@bp.route("/<int:box_id>/units", methods=["POST"])
@bp.arguments(UnitIn)
@bp.response(201, UnitOut)
def add_unit(body, box_id):
    return services.add_unit(current_api_user(), box_id, **body)


@bp.route("/<int:box_id>/units/import", methods=["POST"])
@bp.arguments(ImportIn)
@bp.response(201, UnitOut(many=True))
def import_units(body, box_id):
    """All rows or none: a bad row answers 422 with fields {"line N": message} for each."""
    try:
        return services.import_units(current_api_user(), box_id, body["csv"])
    except services.ImportError_ as error:
        error.fields = {f"line {line}": message for line, message in error.rows}
        raise


@bp.route("/<int:box_id>/units/<int:unit_id>", methods=["GET"])
@bp.response(200, UnitDetail)
def get_unit(box_id, unit_id):
    """A unit's balance, why its latest charge is what it is, and its ledger."""
    acc = services.access(current_api_user(), box_id)
    unit = services.unit_of(acc, unit_id)
    pos = services.position(acc.box, acc.building, unit.id)
    charge = services.latest_charge(unit.id, clock.today(acc.box))
    return {"unit": unit, "summary": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                      for k, v in pos.values.items()},
            "charge": charge.amount if charge else None, "why": json.loads(charge.detail) if charge else [],
            "ledger": services.unit_ledger(acc.box, unit)}


@bp.route("/<int:box_id>/components", methods=["GET"])
@bp.response(200, ComponentOut(many=True))
def list_components(box_id):
    services.manage(current_api_user(), box_id)
    return services.components(int(box_id))


@bp.route("/<int:box_id>/components", methods=["POST"])
@bp.arguments(ComponentIn)
@bp.response(201, ComponentOut)
def add_component(body, box_id):
    """Add a line to the monthly plan (board)."""
    return services.add_component(current_api_user(), box_id, **body)


@bp.route("/<int:box_id>/rules/units", methods=["POST"])
@bp.arguments(RuleIn)
@bp.response(200, ma.Schema)
def set_rule(body, box_id):
    """Exempt a unit from a component, or fix what it pays of it (board)."""
    services.set_rule(current_api_user(), box_id, **body)
    return {}


@bp.route("/<int:box_id>/charges", methods=["POST"])
@bp.arguments(MonthIn)
@bp.response(201, RunOut)
def issue_month(body, box_id):
    """Issue a month's charges (board). The same month again answers 409 and charges nothing."""
    return services.issue_month(current_api_user(), box_id, body["month"])


@bp.route("/<int:box_id>/charges", methods=["GET"])
@bp.response(200, RunOut(many=True))
def list_runs(box_id):
    services.manage(current_api_user(), box_id)
    return services.runs(int(box_id), 120)


@bp.route("/<int:box_id>/assessments", methods=["POST"])
@bp.arguments(AssessmentIn)
@bp.response(201, AssessmentOut)
def create_assessment(body, box_id):
    return services.create_assessment(current_api_user(), box_id, **body)


@bp.route("/<int:box_id>/units/<int:unit_id>/payments", methods=["POST"])
@bp.arguments(PaymentIn)
@bp.response(201, PaymentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def record_payment(body, box_id, unit_id):
    """Record a unit's payment (board): it settles the oldest charges first; more is credit."""
    return services.record_payment(current_api_user(), box_id, unit_id, key=idempotency_key() or uuid.uuid4().hex,
                                   **body)
