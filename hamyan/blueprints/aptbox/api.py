"""The aptbox JSON API under /api/v1/buildings: the board's month end and a resident's view, over
the same services as the pages.

Amounts going in are strings in the building's major unit ("1250000", parsed like the forms);
amounts coming out are integers of minor units. Recording a payment accepts an Idempotency-Key."""
import json
from datetime import timedelta

import marshmallow as ma

from hamyan.blueprints.api import (IDEMPOTENCY_DOC, ListArgs, ReversalOut, UtcDateTime, api_blueprint, current_api_user,
                                  idempotency_key, request_key)
from hamyan.blueprints.aptbox import reports, services
from hamyan.blueprints.aptbox.models import BASES, CATEGORIES, FUNDS, PAYERS
from hamyan.blueprints.payments import reports as reported_payments
from hamyan.core import clock
from hamyan.core.uploads import from_base64
from hamyan.statements import pdf_response

bp = api_blueprint("api_aptbox", __name__, url_prefix="/api/v1/buildings",
                   description="Buildings: units, charges split by formula, payments, funds and reports.")

F = ma.fields
Length = ma.validate.Length
OneOf = ma.validate.OneOf
AMOUNT = {"description": "Major units as a string, e.g. \"1250000\""}


class AptRulesIn(ma.Schema):
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
    issue_monthly = F.Boolean(metadata={"description": "The daily job issues each month's charges"})


class AptBuildingIn(AptRulesIn):
    name = F.String(required=True, validate=Length(min=1, max=120))
    currency = F.String(load_default="IRR", validate=Length(equal=3))
    timezone = F.String(load_default="Asia/Tehran")
    locale = F.String(load_default="fa_IR")
    calendar = F.String(load_default="persian")


class AptBuildingRow(ma.Schema):
    id = F.Integer(attribute="box.id")
    name = F.String(attribute="box.name")
    currency = F.String(attribute="box.currency")
    calendar = F.String(attribute="box.calendar")
    timezone = F.String(attribute="box.timezone")
    address = F.String(attribute="building.address")
    is_board = F.Boolean()


class AptBuildingOut(AptBuildingRow):
    due_day = F.Integer(attribute="building.due_day")
    grace_days = F.Integer(attribute="building.grace_days")
    late_fee_kind = F.String(attribute="building.late_fee_kind")
    late_fee_value = F.Integer(attribute="building.late_fee_value")
    round_to = F.Integer(attribute="building.round_to")
    issue_monthly = F.Boolean(attribute="building.issue_monthly")
    funds = F.Dict(keys=F.String(), values=F.Integer())


class AptUnitIn(ma.Schema):
    number = F.String(required=True, validate=Length(max=20))
    floor = F.Integer(strict=True, load_default=0)
    area = F.String(required=True, validate=Length(max=20), metadata={"description": "m², e.g. \"85.5\""})
    occupants = F.Integer(strict=True, load_default=0)
    parking = F.Integer(strict=True, load_default=0)
    occupied = F.Boolean(load_default=True)
    owner_name = F.String(load_default="", validate=Length(max=120))
    resident_name = F.String(load_default="", validate=Length(max=120))


class AptUnitOut(ma.Schema):
    id = F.Integer()
    number = F.String()
    floor = F.Integer()
    area = F.Decimal(as_string=True)
    occupants = F.Integer()
    parking = F.Integer()
    occupied = F.Boolean()
    owner_name = F.String()
    resident_name = F.String()


class AptSummaryOut(ma.Schema):
    balance = F.Integer(metadata={"description": "Owed now; below 0 is credit"})
    charged = F.Integer()
    paid = F.Integer()
    arrears = F.Integer()
    days_late = F.Integer()
    status = F.String()
    next_due = F.Date(allow_none=True)
    next_amount = F.Integer()


class AptUnitRow(ma.Schema):
    unit = F.Nested(AptUnitOut)
    summary = F.Nested(AptSummaryOut, allow_none=True)


class AptImportIn(ma.Schema):
    csv = F.String(required=True, metadata={"description": "The CSV text, first line the column names"})


class AptComponentIn(ma.Schema):
    name = F.String(required=True, validate=Length(max=120))
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    basis = F.String(required=True, validate=OneOf(BASES))
    mix = F.Dict(keys=F.String(), values=F.Integer(), load_default=None,
                 metadata={"description": "For basis mix: {\"area\": 60, \"occupants\": 40}"})
    payer = F.String(load_default="resident", validate=OneOf(PAYERS))
    use_floor_factor = F.Boolean(load_default=False)


class AptComponentOut(ma.Schema):
    id = F.Integer()
    name = F.String()
    amount = F.Integer()
    basis = F.String()
    mix = F.Function(lambda c: json.loads(c.mix))
    payer = F.String()
    use_floor_factor = F.Boolean()


class AptRuleIn(ma.Schema):
    component_id = F.Integer(required=True, strict=True)
    unit_id = F.Integer(required=True, strict=True)
    kind = F.String(required=True, validate=OneOf(("exempt", "override")))
    amount = F.String(load_default=None, validate=Length(max=40), metadata=AMOUNT)
    reason = F.String(required=True, validate=Length(max=300))


class AptMonthIn(ma.Schema):
    month = F.String(required=True, validate=Length(max=10), metadata={"description": "YYYY-MM in the building's calendar"})


class AptRunOut(ma.Schema):
    id = F.Integer()
    reference = F.String()
    title = F.String()
    due_date = F.Date()
    total = F.Integer()


class AptCountOut(ma.Schema):
    count = F.Integer()


class AptAssessmentIn(ma.Schema):
    title = F.String(required=True, validate=Length(max=120))
    total = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    basis = F.String(required=True, validate=OneOf([b for b in BASES if b != "fixed"]))
    mix = F.Dict(keys=F.String(), values=F.Integer(), load_default=None)
    installments = F.Integer(strict=True, load_default=1)
    first_month = F.String(load_default=None, validate=Length(max=10))


class AptAssessmentOut(ma.Schema):
    id = F.Integer()
    title = F.String()
    total = F.Integer()
    basis = F.String()
    installments = F.Integer()
    first_due = F.Date()


class AptPaymentIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    paid_on = F.String(load_default=None, validate=Length(max=10), metadata={"description": "YYYY-MM-DD; today if left out"})
    reference = F.String(required=True, validate=Length(max=80))
    payer = F.String(load_default="", validate=Length(max=120))


class AptPaymentOut(ma.Schema):
    id = F.Integer()
    number = F.Integer(metadata={"description": "The payment's number in its building (#1 is the first)"})
    unit_id = F.Integer()
    amount = F.Integer()
    paid_on = F.Date()
    reference = F.String()
    payer = F.String()
    entry_number = F.Integer(attribute="entry.number", metadata={"description": "The entry's number in its box"})


class AptExplanationLine(ma.Schema):
    name = F.String()
    basis = F.String()
    payer = F.String()
    amount = F.Integer()
    why = F.String()


class AptLedgerLineOut(ma.Schema):
    day = F.Date()
    memo = F.String()
    charged = F.Integer()
    paid = F.Integer()
    balance = F.Integer()


class AptUnitDetail(ma.Schema):
    unit = F.Nested(AptUnitOut)
    summary = F.Dict()
    owed_by = F.Dict(keys=F.String(), values=F.Integer(),
                     metadata={"description": "What is owed now, split {\"owner\": ..., \"resident\": ...}"})
    charge = F.Integer(allow_none=True, metadata={"description": "The charge explained"})
    why = F.List(F.Nested(AptExplanationLine), metadata={"description": "Why the charge is what it is"})
    ledger = F.List(F.Nested(AptLedgerLineOut))


# ------------------------------------------------------------------------------------ routes
def _building(acc):
    return {"box": acc.box, "building": acc.building, "is_board": acc.is_board,
            "funds": services.fund_balances(acc.box)}


@bp.route("", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptBuildingRow(many=True))
def list_buildings(args):
    """The buildings you belong to, a page at a time (`page`, `per_page`) by name;
    GET /buildings/{id} has a building's rules and fund balances."""
    return [{"box": box, "building": building, "is_board": membership.role == "board"}
            for box, building, membership in services.buildings_of(current_api_user(), args["page"],
                                                                   args["per_page"])]


@bp.route("", methods=["POST"])
@bp.arguments(AptBuildingIn)
@bp.response(201, AptBuildingOut)
def create_building(body):
    """Create a building; you are on its board."""
    user = current_api_user()
    names = ("name", "currency", "timezone", "locale", "calendar")
    box = services.create_building(user, *(body.pop(n) for n in names), **body)
    return _building(services.access(user, box.id))


@bp.route("/<int:box_id>", methods=["GET"])
@bp.response(200, AptBuildingOut)
def get_building(box_id):
    return _building(services.access(current_api_user(), box_id))


@bp.route("/<int:box_id>/rules", methods=["PATCH"])
@bp.arguments(AptRulesIn)
@bp.response(200, AptBuildingOut)
def update_rules(body, box_id):
    """Change the charge rules (board)."""
    services.update_rules(current_api_user(), box_id, **body)
    return _building(services.access(current_api_user(), box_id))


@bp.route("/<int:box_id>/units", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptUnitRow(many=True))
def list_units(args, box_id):
    """The units you may see (the board: every unit; a resident: their own), with their balances, a
    page at a time (`page`, `per_page`) by number."""
    acc = services.access(current_api_user(), box_id)
    services.fresh(acc.box)
    rows, _ = services.units_page(acc, args["page"], size=args["per_page"])
    return [{"unit": u, "summary": s} for u, s in rows]


@bp.route("/<int:box_id>/units", methods=["POST"])
@bp.arguments(AptUnitIn)
@bp.response(201, AptUnitOut)
def add_unit(body, box_id):
    return services.add_unit(current_api_user(), box_id, **body)


@bp.route("/<int:box_id>/units/import", methods=["POST"])
@bp.arguments(AptImportIn)
@bp.response(201, AptUnitOut(many=True))
def import_units(body, box_id):
    """All rows or none: a bad row answers 422 with fields {"line N": message} for each."""
    try:
        return services.import_units(current_api_user(), box_id, body["csv"])
    except services.ImportError_ as error:
        error.fields = {f"line {line}": message for line, message in error.rows}  # keys for programs: English
        raise


@bp.route("/<int:box_id>/units/<int:unit_id>", methods=["GET"])
@bp.response(200, AptUnitDetail)
def get_unit(box_id, unit_id):
    """A unit's balance, why its latest charge is what it is, and its ledger."""
    acc = services.access(current_api_user(), box_id)
    unit = services.unit_of(acc, unit_id)
    pos = services.position(acc.box, acc.building, unit.id)
    charge = services.latest_charge(unit.id, clock.today(acc.box))
    return {"unit": unit, "summary": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                      for k, v in pos.values.items()},
            "owed_by": services.owed_by(pos, clock.today(acc.box)),
            "charge": charge.amount if charge else None, "why": json.loads(charge.detail) if charge else [],
            "ledger": services.unit_ledger(acc.box, unit)}


@bp.route("/<int:box_id>/components", methods=["GET"])
@bp.response(200, AptComponentOut(many=True))
def list_components(box_id):
    services.manage(current_api_user(), box_id)
    return services.components(int(box_id))


@bp.route("/<int:box_id>/components", methods=["POST"])
@bp.arguments(AptComponentIn)
@bp.response(201, AptComponentOut)
def add_component(body, box_id):
    """Add a line to the monthly plan (board)."""
    return services.add_component(current_api_user(), box_id, **body)


class AptRuleOut(ma.Schema):
    id = F.Integer()
    component_id = F.Integer()
    unit_id = F.Integer()
    kind = F.String()
    amount = F.Integer(allow_none=True)
    reason = F.String()


@bp.route("/<int:box_id>/rules/units", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptRuleOut(many=True))
def list_rules(args, box_id):
    """The units' exemptions and overrides of the components (board), a page at a time (`page`,
    `per_page`) by component and unit."""
    acc = services.manage(current_api_user(), box_id)
    return services.unit_rules(acc.box.id, args["per_page"], args["page"])


@bp.route("/<int:box_id>/rules/units", methods=["POST"])
@bp.arguments(AptRuleIn)
@bp.response(200, AptRuleOut)
def set_rule(body, box_id):
    """Exempt a unit from a component, or fix what it pays of it (board)."""
    return services.set_rule(current_api_user(), box_id, **body)


@bp.route("/<int:box_id>/rules/units/<int:rule_id>", methods=["DELETE"])
@bp.response(204)
def clear_rule(box_id, rule_id):
    """The unit pays the component by the plan again (board); months already issued keep theirs."""
    services.clear_rule(current_api_user(), box_id, rule_id)


@bp.route("/<int:box_id>/late-fees", methods=["POST"])
@bp.response(200, AptCountOut)
def assess_late_fees(box_id):
    """Charge the late fee on every charge unpaid past its grace days now (board); the daily job
    does the same. A charge is fined once, so a repeat charges nothing."""
    return {"count": services.assess_late_fees(current_api_user(), box_id)}


@bp.route("/<int:box_id>/charges", methods=["POST"])
@bp.arguments(AptMonthIn)
@bp.response(201, AptRunOut)
def issue_month(body, box_id):
    """Issue a month's charges (board). The same month again answers 409 and charges nothing."""
    return services.issue_month(current_api_user(), box_id, body["month"])


@bp.route("/<int:box_id>/charges", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptRunOut(many=True))
def list_runs(args, box_id):
    """The charges issued, the latest due first, a page at a time (`page`, `per_page`)."""
    return services.runs(services.manage(current_api_user(), box_id).box.id, args["page"], args["per_page"])[0]


@bp.route("/<int:box_id>/assessments", methods=["POST"])
@bp.arguments(AptAssessmentIn)
@bp.response(201, AptAssessmentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def create_assessment(body, box_id):
    return services.create_assessment(current_api_user(), box_id, key=idempotency_key(), **body)


@bp.route("/<int:box_id>/units/<int:unit_id>/payments", methods=["POST"])
@bp.arguments(AptPaymentIn)
@bp.response(201, AptPaymentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def record_payment(body, box_id, unit_id):
    """Record a unit's payment (board): it settles the oldest charges first; more is credit."""
    return services.record_payment(current_api_user(), box_id, unit_id, key=request_key(),
                                   **body)


class AptExpenseIn(ma.Schema):
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


class AptExpenseOut(ma.Schema):
    id = F.Integer()
    amount = F.Integer()
    category = F.String()
    fund = F.String()
    spent_on = F.Date()
    vendor = F.String()
    status = F.String()
    decision = F.String(allow_none=True)
    has_receipt = F.Function(lambda e: bool(e.receipt_path))


class AptDecisionIn(ma.Schema):
    decision = F.String(load_default=None, validate=Length(max=500))


class AptTransferIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    from_fund = F.String(required=True, validate=OneOf(FUNDS))
    to_fund = F.String(required=True, validate=OneOf(FUNDS))
    moved_on = F.String(load_default=None, validate=Length(max=10))
    note = F.String(load_default="", validate=Length(max=500))
    decision = F.String(load_default=None, validate=Length(max=500))


class AptTransferOut(ma.Schema):
    id = F.Integer()
    amount = F.Integer()
    from_fund = F.String()
    to_fund = F.String()
    moved_on = F.Date()


class AptAnnouncementIn(ma.Schema):
    title = F.String(required=True, validate=Length(max=160))
    body = F.String(required=True, validate=Length(max=5000))


class AptAnnouncementOut(ma.Schema):
    id = F.Integer()
    title = F.String()
    body = F.String()
    created_at = UtcDateTime()


class AptPollIn(ma.Schema):
    question = F.String(required=True, validate=Length(max=300))
    options = F.List(F.String(validate=Length(max=120)), required=True)
    weighting = F.String(load_default="unit", validate=OneOf(("unit", "area")))
    quorum_percent = F.Integer(strict=True, load_default=50)
    closes_on = F.String(required=True, validate=Length(max=10))


class AptVoteIn(ma.Schema):
    unit_id = F.Integer(required=True, strict=True)
    choice = F.Integer(required=True, strict=True, metadata={"description": "Index of the chosen option"})


class AptPollOut(ma.Schema):
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


class AptBuildingReportOut(ma.Schema):
    funds = F.Dict(keys=F.String(), values=F.Integer())
    months = F.List(F.Dict(), metadata={"description": "[{label, income, expenses}] for the last 12 months"})
    categories = F.List(F.List(F.Raw()), metadata={"description": "[category, amount] over the last 12 months"})
    arrears = F.List(F.Dict(), metadata={"description": "The board only: units late, most owed first"})


@bp.route("/<int:box_id>/expenses", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptExpenseOut(many=True))
def list_expenses(args, box_id):
    """The building's expenses, newest first, a page at a time (`page`, `per_page`)."""
    return services.expenses(services.access(current_api_user(), box_id).box.id, args["page"], args["per_page"])[0]


@bp.route("/<int:box_id>/expenses", methods=["POST"])
@bp.arguments(AptExpenseIn)
@bp.response(201, AptExpenseOut)
@bp.doc(**IDEMPOTENCY_DOC)
def add_expense(body, box_id):
    """Record an expense (board); with approval on, it waits for a second board member."""
    receipt = from_base64(body.pop("receipt"), body.pop("receipt_name"))
    return services.add_expense(current_api_user(), box_id, receipt=receipt, key=idempotency_key(), **body)


@bp.route("/<int:box_id>/expenses/<int:expense_id>/approve", methods=["POST"])
@bp.arguments(AptDecisionIn)
@bp.response(200, AptExpenseOut)
def approve_expense(body, box_id, expense_id):
    return services.approve_expense(current_api_user(), box_id, expense_id, body["decision"])


@bp.route("/<int:box_id>/transfers", methods=["POST"])
@bp.arguments(AptTransferIn)
@bp.response(201, AptTransferOut)
@bp.doc(**IDEMPOTENCY_DOC)
def transfer(body, box_id):
    return services.transfer(current_api_user(), box_id, key=request_key(), **body)


@bp.route("/<int:box_id>/transfers", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptTransferOut(many=True))
def list_transfers(args, box_id):
    """The moves between the operating and reserve funds, newest first, a page at a time (`page`, `per_page`)."""
    return services.transfers(services.access(current_api_user(), box_id).box.id, args["page"], args["per_page"])[0]


@bp.route("/<int:box_id>/announcements", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptAnnouncementOut(many=True))
def list_announcements(args, box_id):
    """The building's announcements, newest first, a page at a time (`page`, `per_page`)."""
    return services.announcements(services.access(current_api_user(), box_id).box.id, args["page"], args["per_page"])[0]


@bp.route("/<int:box_id>/announcements", methods=["POST"])
@bp.arguments(AptAnnouncementIn)
@bp.response(201, AptAnnouncementOut)
def announce(body, box_id):
    return services.announce(current_api_user(), box_id, body["title"], body["body"])


@bp.route("/<int:box_id>/polls", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptPollOut(many=True))
def list_polls(args, box_id):
    """The building's polls with their results, newest first, a page at a time (`page`, `per_page`)."""
    acc = services.access(current_api_user(), box_id)
    return services.results(acc, services.polls(acc.box.id, args["page"], args["per_page"])[0])


@bp.route("/<int:box_id>/polls", methods=["POST"])
@bp.arguments(AptPollIn)
@bp.response(201, AptPollOut)
def create_poll(body, box_id):
    poll = services.create_poll(current_api_user(), box_id, **body)
    return services.result(services.access(current_api_user(), box_id), poll)


@bp.route("/<int:box_id>/polls/<int:poll_id>/votes", methods=["POST"])
@bp.arguments(AptVoteIn)
@bp.response(201, AptPollOut)
def vote(body, box_id, poll_id):
    """Your unit's one vote; a second vote for the unit answers 409."""
    vote_row = services.vote(current_api_user(), box_id, poll_id, body["unit_id"], body["choice"])
    acc = services.access(current_api_user(), box_id)
    return services.result(acc, services.notices.poll_of(acc.box.id, vote_row.poll_id))


@bp.route("/<int:box_id>/polls/<int:poll_id>/close", methods=["POST"])
@bp.response(200, AptPollOut)
def close_poll(box_id, poll_id):
    poll = services.close_poll(current_api_user(), box_id, poll_id)
    return services.result(services.access(current_api_user(), box_id), poll)


@bp.route("/<int:box_id>/report", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptBuildingReportOut)
def report(args, box_id):
    """The building's public report (funds, income and expenses per month, expenses by category);
    the board also gets the arrears, a page of units at a time (`page`, `per_page`), most owed first.
    The board's PDF statement is a report job: POST /api/v1/boxes/<id>/reports/board."""
    acc = services.access(current_api_user(), box_id)
    box = acc.box
    services.fresh(box)
    end = reports.this_month(box)[1]
    start = reports.month_bounds(box, *services.month_of(box, clock.today(box) - timedelta(days=330)))[0]
    return {"funds": services.fund_balances(box),
            "months": [vars(m) for m in reports.months(box)],
            "categories": [list(row) for row in reports.by_category(box, start, end)],
            "arrears": [{"unit_id": u.id, "number": u.number, "arrears": s.arrears, "days_late": s.days_late,
                         "balance": s.balance} for u, s in services.arrears_list(box, args["page"], args["per_page"])[0]]
            if acc.is_board else []}


@bp.route("/<int:box_id>/units/<int:unit_id>/statement", methods=["GET"])
@bp.response(200, content_type="application/pdf", description="The unit's statement PDF, its whole history")
def unit_statement(box_id, unit_id):
    acc = services.access(current_api_user(), box_id)
    unit = services.unit_of(acc, unit_id)
    statement = services.unit_statement(acc.box, unit)
    return pdf_response(reports.unit_statement_pdf(acc.box, unit, statement.start, clock.today(acc.box)),
                        f"unit-{unit.number}-statement.pdf")


class AptPersonIn(ma.Schema):
    name = F.String(required=True, validate=Length(max=120))
    email = F.String(load_default=None, validate=Length(max=254))
    relation = F.String(required=True, validate=OneOf(PAYERS))
    board = F.Boolean(load_default=False)
    same_name_ok = F.Boolean(load_default=False, metadata={"description": "Add them although another member has this name"})


class AptPersonOut(ma.Schema):
    id = F.Integer()
    unit_id = F.Integer()
    membership_id = F.Integer()
    name = F.String(attribute="membership.display_name")
    relation = F.String()
    role = F.String(attribute="membership.role")


class AptReasonIn(ma.Schema):
    reason = F.String(required=True, validate=Length(max=300))


class AptWaiveIn(AptReasonIn):
    reference = F.String(required=True, validate=Length(max=60),
                         metadata={"description": "The late fee's charge, \"charge:<id>\""})


class AptReportIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    paid_on = F.String(load_default=None, validate=Length(max=10))
    reference = F.String(required=True, validate=Length(max=80))
    receipt = F.String(load_default=None, metadata={"description": "The bank receipt (JPEG, PNG or PDF), base64"})
    receipt_name = F.String(load_default="receipt", validate=Length(max=120))


class AptPaymentReportOut(ma.Schema):
    """A resident's reported payment (the shared "I have paid", payments.reports) for one unit."""
    id = F.Integer()
    unit_id = F.Function(lambda r: int(r.target.split(":", 1)[1]) if r.target else None)
    amount = F.Integer()
    paid_on = F.Date()
    reference = F.String()
    status = F.String()
    reason = F.String(allow_none=True)
    entry_id = F.Integer(allow_none=True, metadata={"description": "The ledger entry of the payment once confirmed"})


@bp.route("/<int:box_id>/units/<int:unit_id>", methods=["PUT"])
@bp.arguments(AptUnitIn)
@bp.response(200, AptUnitOut)
def update_unit(body, box_id, unit_id):
    """Change a unit's figures (board); charges already issued keep theirs."""
    return services.update_unit(current_api_user(), box_id, unit_id, **body)


@bp.route("/<int:box_id>/units/<int:unit_id>/people", methods=["POST"])
@bp.arguments(AptPersonIn)
@bp.response(201, AptPersonOut)
def add_person(body, box_id, unit_id):
    """Add an owner (several for a co-owned unit) or the resident; with an email they are invited."""
    return services.add_person(current_api_user(), box_id, unit_id, body["name"], body["email"], body["relation"],
                               body["board"], same_name_ok=body["same_name_ok"])


@bp.route("/<int:box_id>/units/<int:unit_id>/late-fees/waive", methods=["POST"])
@bp.arguments(AptWaiveIn)
@bp.response(200, ma.Schema)
def waive_late_fee(body, box_id, unit_id):
    services.waive_late_fee(current_api_user(), box_id, unit_id, body["reference"], body["reason"])
    return {}


@bp.route("/<int:box_id>/units/<int:unit_id>/payment-reports", methods=["POST"])
@bp.arguments(AptReportIn)
@bp.response(201, AptPaymentReportOut)
def report_payment(body, box_id, unit_id):
    """A resident reports a bank transfer to their unit with the receipt; the board confirms it."""
    actor = current_api_user()
    services.unit_of(services.access(actor, box_id), unit_id)  # 404 for a unit not theirs
    return reported_payments.report(actor, box_id, body["amount"], body["paid_on"], "transfer", body["reference"],
                                    from_base64(body["receipt"], body["receipt_name"]), target=f"unit:{unit_id}")


@bp.route("/<int:box_id>/payment-reports", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, AptPaymentReportOut(many=True))
def list_payment_reports(args, box_id):
    """The board: every report waiting, and its own; a resident: their own reports; newest first, a page
    at a time (`page`, `per_page`)."""
    return reported_payments.in_sight(current_api_user(), box_id, args["per_page"], args["page"], waiting=True)


@bp.route("/<int:box_id>/payment-reports/<int:report_id>/confirm", methods=["POST"])
@bp.response(200, AptPaymentReportOut)
def confirm_report(box_id, report_id):
    return reported_payments.confirm(current_api_user(), box_id, report_id)


@bp.route("/<int:box_id>/payment-reports/<int:report_id>/reject", methods=["POST"])
@bp.arguments(AptReasonIn)
@bp.response(200, AptPaymentReportOut)
def reject_report(body, box_id, report_id):
    return reported_payments.reject(current_api_user(), box_id, report_id, body["reason"])


@bp.route("/<int:box_id>/expenses/<int:expense_id>/reject", methods=["POST"])
@bp.response(200, AptExpenseOut)
def reject_expense(box_id, expense_id):
    return services.reject_expense(current_api_user(), box_id, expense_id)


@bp.route("/<int:box_id>/components/<int:component_id>", methods=["PUT"])
@bp.arguments(AptComponentIn)
@bp.response(200, AptComponentOut)
def update_component(body, box_id, component_id):
    """Change a line of the plan (board); months already issued keep what they charged."""
    return services.update_component(current_api_user(), box_id, component_id, **body)


@bp.route("/<int:box_id>/components/<int:component_id>", methods=["DELETE"])
@bp.response(204)
def remove_component(box_id, component_id):
    """Take a component out of the plan; months already issued keep it."""
    services.remove_component(current_api_user(), box_id, component_id)


@bp.route("/<int:box_id>/units/<int:unit_id>/payments/<int:payment_id>/reverse", methods=["POST"])
@bp.arguments(AptReasonIn)
@bp.response(200, ReversalOut)
def reverse_payment(body, box_id, unit_id, payment_id):
    """Undo a unit's payment entered by mistake (board): a reversal entry; it settles nothing
    after. The same again answers the first reversal."""
    return services.reverse_payment(current_api_user(), box_id, payment_id, body["reason"], unit_id=unit_id)
