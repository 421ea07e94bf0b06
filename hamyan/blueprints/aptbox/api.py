"""The aptbox JSON API under /api/v1/buildings: the board's month end and a resident's view, over
the same services as the pages.

Amounts going in are strings in the building's major unit ("1250000", parsed like the forms);
amounts coming out are integers of minor units. Recording a payment accepts an Idempotency-Key."""
import base64
import binascii
import json
import uuid
from datetime import timedelta

import marshmallow as ma

from hamyan.blueprints.api import IDEMPOTENCY_DOC, UtcDateTime, api_blueprint, current_api_user, idempotency_key
from hamyan.blueprints.aptbox import reports, services
from hamyan.blueprints.aptbox.models import BASES, CATEGORIES, FUNDS, PAYERS
from hamyan.core import clock
from hamyan.core.errors import ValidationError
from hamyan.statements import pdf_response

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


class ExpenseIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    category = F.String(required=True, validate=OneOf(CATEGORIES))
    spent_on = F.String(load_default=None, validate=Length(max=10))
    vendor = F.String(load_default="", validate=Length(max=120))
    note = F.String(load_default="", validate=Length(max=500))
    fund = F.String(load_default="operating", validate=OneOf(FUNDS))
    receipt = F.String(load_default=None, metadata={"description": "The receipt (JPEG, PNG or PDF), base64"})
    receipt_name = F.String(load_default="receipt", validate=Length(max=120))
    decision = F.String(load_default=None, validate=Length(max=500),
                        metadata={"description": "The board's decision, needed when the fund would go below zero"})


class ExpenseOut(ma.Schema):
    id = F.Integer()
    amount = F.Integer()
    category = F.String()
    fund = F.String()
    spent_on = F.Date()
    vendor = F.String()
    status = F.String()
    decision = F.String(allow_none=True)
    has_receipt = F.Function(lambda e: bool(e.receipt_path))


class DecisionIn(ma.Schema):
    decision = F.String(load_default=None, validate=Length(max=500))


class TransferIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    from_fund = F.String(required=True, validate=OneOf(FUNDS))
    to_fund = F.String(required=True, validate=OneOf(FUNDS))
    moved_on = F.String(load_default=None, validate=Length(max=10))
    note = F.String(load_default="", validate=Length(max=500))
    decision = F.String(load_default=None, validate=Length(max=500))


class TransferOut(ma.Schema):
    id = F.Integer()
    amount = F.Integer()
    from_fund = F.String()
    to_fund = F.String()
    moved_on = F.Date()


class AnnouncementIn(ma.Schema):
    title = F.String(required=True, validate=Length(max=160))
    body = F.String(required=True, validate=Length(max=5000))


class AnnouncementOut(ma.Schema):
    id = F.Integer()
    title = F.String()
    body = F.String()
    created_at = UtcDateTime()


class PollIn(ma.Schema):
    question = F.String(required=True, validate=Length(max=300))
    options = F.List(F.String(validate=Length(max=120)), required=True)
    weighting = F.String(load_default="unit", validate=OneOf(("unit", "area")))
    quorum_percent = F.Integer(strict=True, load_default=50)
    closes_on = F.String(required=True, validate=Length(max=10))


class VoteIn(ma.Schema):
    unit_id = F.Integer(required=True, strict=True)
    choice = F.Integer(required=True, strict=True, metadata={"description": "Index of the chosen option"})


class PollOut(ma.Schema):
    id = F.Integer(attribute="poll.id")
    question = F.String(attribute="poll.question")
    options = F.List(F.String())
    weighting = F.String(attribute="poll.weighting")
    quorum_percent = F.Integer(attribute="poll.quorum_percent")
    closes_on = F.Date(attribute="poll.closes_on")
    closed = F.Boolean()
    units_voted = F.Integer()
    totals = F.List(F.Decimal(as_string=True), metadata={"description": "Once closed"})
    quorum_met = F.Boolean()
    winners = F.List(F.String())
    voters = F.List(F.List(F.String()), metadata={"description": "[unit, name, choice], once closed"})


class ReportOut(ma.Schema):
    funds = F.Dict(keys=F.String(), values=F.Integer())
    months = F.List(F.Dict(), metadata={"description": "[{label, income, expenses}] for the last 12 months"})
    categories = F.List(F.List(F.Raw()), metadata={"description": "[category, amount] over the last 12 months"})
    arrears = F.List(F.Dict(), metadata={"description": "The board only: units late, most owed first"})


@bp.route("/<int:box_id>/expenses", methods=["GET"])
@bp.response(200, ExpenseOut(many=True))
def list_expenses(box_id):
    return services.expenses(services.access(current_api_user(), box_id).box.id, size=1000)[0]


@bp.route("/<int:box_id>/expenses", methods=["POST"])
@bp.arguments(ExpenseIn)
@bp.response(201, ExpenseOut)
def add_expense(body, box_id):
    """Record an expense (board); with approval on, it waits for a second board member."""
    raw, name = body.pop("receipt"), body.pop("receipt_name")
    receipt = None
    if raw is not None:
        try:
            receipt = services.Receipt(base64.b64decode(raw, validate=True), name)
        except (binascii.Error, ValueError):
            raise ValidationError("Send the receipt as base64.", field="receipt") from None
    return services.add_expense(current_api_user(), box_id, receipt=receipt, **body)


@bp.route("/<int:box_id>/expenses/<int:expense_id>/approve", methods=["POST"])
@bp.arguments(DecisionIn)
@bp.response(200, ExpenseOut)
def approve_expense(body, box_id, expense_id):
    return services.approve_expense(current_api_user(), box_id, expense_id, body["decision"])


@bp.route("/<int:box_id>/transfers", methods=["POST"])
@bp.arguments(TransferIn)
@bp.response(201, TransferOut)
@bp.doc(**IDEMPOTENCY_DOC)
def transfer(body, box_id):
    return services.transfer(current_api_user(), box_id, key=idempotency_key() or uuid.uuid4().hex, **body)


@bp.route("/<int:box_id>/announcements", methods=["GET"])
@bp.response(200, AnnouncementOut(many=True))
def list_announcements(box_id):
    return services.announcements(services.access(current_api_user(), box_id).box.id, 50)


@bp.route("/<int:box_id>/announcements", methods=["POST"])
@bp.arguments(AnnouncementIn)
@bp.response(201, AnnouncementOut)
def announce(body, box_id):
    return services.announce(current_api_user(), box_id, body["title"], body["body"])


@bp.route("/<int:box_id>/polls", methods=["GET"])
@bp.response(200, PollOut(many=True))
def list_polls(box_id):
    acc = services.access(current_api_user(), box_id)
    return [services.result(acc, p) for p in services.polls(acc.box.id)]


@bp.route("/<int:box_id>/polls", methods=["POST"])
@bp.arguments(PollIn)
@bp.response(201, PollOut)
def create_poll(body, box_id):
    poll = services.create_poll(current_api_user(), box_id, **body)
    return services.result(services.access(current_api_user(), box_id), poll)


@bp.route("/<int:box_id>/polls/<int:poll_id>/votes", methods=["POST"])
@bp.arguments(VoteIn)
@bp.response(201, PollOut)
def vote(body, box_id, poll_id):
    """Your unit's one vote; a second vote for the unit answers 409."""
    vote_row = services.vote(current_api_user(), box_id, poll_id, body["unit_id"], body["choice"])
    acc = services.access(current_api_user(), box_id)
    return services.result(acc, services.notices.poll_of(acc.box.id, vote_row.poll_id))


@bp.route("/<int:box_id>/polls/<int:poll_id>/close", methods=["POST"])
@bp.response(200, PollOut)
def close_poll(box_id, poll_id):
    poll = services.close_poll(current_api_user(), box_id, poll_id)
    return services.result(services.access(current_api_user(), box_id), poll)


@bp.route("/<int:box_id>/report", methods=["GET"])
@bp.response(200, ReportOut)
def report(box_id):
    """The building's public report (funds, income and expenses per month, expenses by category);
    the board also gets the arrears. The board's PDF statement is a report job:
    POST /api/v1/boxes/<id>/reports/board."""
    acc = services.access(current_api_user(), box_id)
    box = acc.box
    services.fresh(box)
    end = reports.this_month(box)[1]
    start = reports.month_bounds(box, *services.month_of(box, clock.today(box) - timedelta(days=330)))[0]
    return {"funds": services.fund_balances(box),
            "months": [vars(m) for m in reports.months(box)],
            "categories": [list(row) for row in reports.by_category(box, start, end)],
            "arrears": [{"unit_id": u.id, "number": u.number, "arrears": s.arrears, "days_late": s.days_late,
                         "balance": s.balance} for u, s in services.arrears_list(box)] if acc.is_board else []}


@bp.route("/<int:box_id>/units/<int:unit_id>/statement", methods=["GET"])
@bp.response(200, content_type="application/pdf", description="The unit's statement PDF, its whole history")
def unit_statement(box_id, unit_id):
    acc = services.access(current_api_user(), box_id)
    unit = services.unit_of(acc, unit_id)
    statement = services.unit_statement(acc.box, unit)
    return pdf_response(reports.unit_statement_pdf(acc.box, unit, statement.start, clock.today(acc.box)),
                        f"unit-{unit.number}-statement.pdf")
