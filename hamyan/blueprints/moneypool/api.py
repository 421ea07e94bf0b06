"""The moneypool JSON API under /api/v1/pools: every page action, over the same services.

Amounts going in are strings in the pool's major unit ("1250.50", parsed like the forms); amounts
coming out are integers of minor units. POSTs that move money or create a loan request accept an
Idempotency-Key header: a retry with the same key returns the first result and moves nothing."""

import marshmallow as ma
from flask_babel import gettext as _

from hamyan.blueprints.api import (
    IDEMPOTENCY_DOC,
    ListArgs,
    Range,
    SameNameOk,
    UtcDateTime,
    api_blueprint,
    current_api_user,
    limits,
    links,
    request_key,
)
from hamyan.blueprints.moneypool import lists, reports, services
from hamyan.blueprints.moneypool.models import LOAN_STATUSES, PERIODS, QUEUE_POLICIES
from hamyan.boxes.access import MANAGE
from hamyan.core import clock
from hamyan.core.parse import AMOUNT_PATTERN
from hamyan.core.errors import NotFound
from hamyan.lending.schedules import METHODS
from hamyan.statements import pdf_response
from hamyan.web import listing

bp = api_blueprint("api_moneypool", __name__, url_prefix="/api/v1/pools",
                   description="Money pools: savings by shares, loans with schedules, loan book and balance sheet.")

F = ma.fields
Length = ma.validate.Length
OneOf = ma.validate.OneOf
AMOUNT = {"description": "Major units as a string, e.g. \"1250.50\"", "pattern": AMOUNT_PATTERN}


# ------------------------------------------------------------------------------------ schemas
class PoolPolicySchema(ma.Schema):
    grace_days = F.Integer(strict=True, metadata=limits(0, 60))
    late_fee = F.String(validate=Length(max=40), metadata=AMOUNT)
    max_loan = F.String(validate=Length(max=40), metadata={"description": "0 for no absolute limit"})
    savings_multiple = F.String(allow_none=True, validate=Length(max=10),
                                metadata={"description": "Largest loan as a multiple of savings; null for none"})
    min_term = F.Integer(strict=True, metadata=limits(1, services.MAX_TERM))
    max_term = F.Integer(strict=True, metadata=limits(1, services.MAX_TERM))
    repayment_months = F.Integer(strict=True, validate=OneOf(PERIODS))
    interest_method = F.String(validate=OneOf(METHODS))
    annual_rate = F.String(validate=Length(max=10), metadata={"description": "Percent a year"})
    service_fee_percent = F.String(validate=Length(max=10))
    penalty_percent = F.String(validate=Length(max=10))
    min_membership_months = F.Integer(strict=True)
    require_no_arrears = F.Boolean()
    one_open_loan = F.Boolean()
    guarantors_required = F.Integer(strict=True)
    queue_policy = F.String(validate=OneOf(QUEUE_POLICIES))


class PoolIn(PoolPolicySchema):
    name = F.String(required=True, validate=Length(min=1, max=120))
    currency = F.String(required=True, validate=Length(equal=3))
    timezone = F.String(load_default="UTC")
    locale = F.String(load_default="en")
    calendar = F.String(load_default="gregorian")
    period_months = F.Integer(load_default=1, strict=True, validate=OneOf(PERIODS))
    first_due = F.Date(required=True)
    share_amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    my_shares = F.Integer(load_default=1, strict=True, metadata=limits(0, services.MAX_SHARES))


class PoolPolicyOut(ma.Schema):
    grace_days = F.Integer()
    late_fee = F.Integer()
    max_loan = F.Integer()
    savings_multiple = F.Decimal(as_string=True, allow_none=True)
    min_term = F.Integer()
    max_term = F.Integer()
    repayment_months = F.Integer()
    interest_method = F.String()
    annual_rate = F.Decimal(as_string=True)
    service_fee_percent = F.Decimal(as_string=True)
    penalty_percent = F.Decimal(as_string=True)
    min_membership_months = F.Integer()
    require_no_arrears = F.Boolean()
    one_open_loan = F.Boolean()
    guarantors_required = F.Integer()
    queue_policy = F.String()
    period_months = F.Integer()
    first_due = F.Date()


class PoolSheetOut(ma.Schema):
    as_of = F.Date()
    cash = F.Integer()
    loans = F.Integer()
    receivable = F.Integer()
    savings = F.Integer()
    pledged = F.Integer()
    interest = F.Integer()
    fees = F.Integer()
    penalties = F.Integer()
    written_off = F.Integer()
    assets = F.Integer()
    liabilities_and_surplus = F.Integer()
    balanced = F.Boolean()


class PoolPositionOut(ma.Schema):
    member_id = F.Integer(attribute="member.id")
    name = F.String(attribute="member.name")
    joined_on = F.Date(attribute="member.joined_on")
    left_on = F.Date(attribute="member.left_on", allow_none=True)
    shares = F.Integer()
    owed = F.Integer(metadata={"description": "Savings due to date"})
    paid = F.Integer()
    arrears = F.Integer()
    savings = F.Integer(metadata={"description": "Available savings"})
    pledged = F.Integer()
    total_savings = F.Integer()
    fees_owed = F.Integer()
    loan_outstanding = F.Integer()
    status = F.String(metadata={"description": "Of the oldest savings not settled (dues status vocabulary)"})
    next_due = F.Date(allow_none=True)
    next_amount = F.Integer()
    loan_next_due = F.Date(allow_none=True, metadata={"description": "Earliest unpaid installment"})
    loan_next_amount = F.Integer()
    late = F.Boolean()


class PoolOut(ma.Schema):
    id = F.Integer()
    name = F.String()
    currency = F.String()
    timezone = F.String()
    calendar = F.String()
    role = F.String(allow_none=True)
    share_amount = F.Integer()
    next_due = F.Date()
    policy = F.Nested(PoolPolicyOut)
    balance_sheet = F.Nested(PoolSheetOut)
    me = F.Nested(PoolPositionOut, allow_none=True)


class PoolShareAmountIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    effective_from = F.Date(required=True)


class PoolShareAmountOut(ma.Schema):
    effective_from = F.Date()
    amount = F.Integer()


class PoolMemberIn(SameNameOk):
    display_name = F.String(load_default="", validate=Length(max=120))
    email = F.String(load_default=None, allow_none=True, validate=Length(max=254))
    membership_id = F.Integer(load_default=None, allow_none=True, strict=True,
                              metadata={"description": "Someone already in the box, instead of name and email"})
    shares = F.Integer(required=True, strict=True, metadata=limits(1, services.MAX_SHARES))
    joined_on = F.Date(load_default=None)


class PoolSharesIn(ma.Schema):
    shares = F.Integer(required=True, strict=True, metadata=limits(0, services.MAX_SHARES))
    effective_from = F.Date(required=True)


class PoolDayIn(ma.Schema):
    on = F.Date(load_default=None)


class PoolLoanArgs(ListArgs):
    status = F.String(load_default=None, validate=OneOf(LOAN_STATUSES))


class PoolAsOfArgs(ma.Schema):
    as_of = F.Date(load_default=None)


class PoolBookArgs(ListArgs):
    as_of = F.Date(load_default=None)


class PoolPeriodArgs(ma.Schema):
    start = F.Date(required=True)
    end = F.Date(required=True)
    member_id = F.Integer(load_default=None, metadata={"description": "Managers: whose statement (default yours)"})


class PoolMemberPage(ma.Schema):
    total = F.Integer()
    page = F.Integer()
    items = F.List(F.Nested(PoolPositionOut))


class PoolContributionIn(ma.Schema):
    member_id = F.Integer(required=True, strict=True)
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    paid_on = F.Date(load_default=None)


class PoolContributionOut(ma.Schema):
    id = F.Integer()
    reversed_at = UtcDateTime(allow_none=True)
    reversal_reason = F.String()
    member_id = F.Integer()
    amount = F.Integer()
    fees = F.Integer(metadata={"description": "Part that paid late fees"})
    paid_on = F.Date()
    entry_id = F.Integer()
    entry_number = F.Integer(attribute="entry.number", metadata={"description": "The entry's number in its pool"})


class PoolContributionPage(ma.Schema):
    total = F.Integer()
    page = F.Integer()
    items = F.List(F.Nested(PoolContributionOut))


class PoolInstallmentOut(ma.Schema):
    number = F.Integer()
    due_date = F.Date()
    principal = F.Integer()
    interest = F.Integer()
    penalty = F.Integer()
    paid_principal = F.Integer()
    paid_interest = F.Integer()
    paid_penalty = F.Integer()
    total = F.Integer()
    unpaid = F.Integer()
    prepayment = F.Boolean()


class PoolGuaranteeOut(ma.Schema):
    member_id = F.Integer()
    amount = F.Integer()
    held = F.Integer()


class PoolLoanOut(ma.Schema):
    id = F.Integer()
    number = F.Integer(metadata={"description": "The loan's number in its pool (#1 is the pool's first); id is for URLs"})
    member_id = F.Integer()
    member_name = F.String(attribute="member.name")
    status = F.String()
    amount = F.Integer()
    term = F.Integer()
    period_months = F.Integer()
    interest_method = F.String()
    annual_rate = F.Decimal(as_string=True)
    fee = F.Integer()
    purpose = F.String()
    reason = F.String()
    requested_at = UtcDateTime()
    approved_at = UtcDateTime(allow_none=True)
    disbursed_on = F.Date(allow_none=True)
    closed_on = F.Date(allow_none=True)


class PoolLoanDetail(PoolLoanOut):
    outstanding = F.Integer()
    due_now = F.Integer()
    payoff = F.Integer()
    days_overdue = F.Integer()
    queue_place = F.Integer(allow_none=True)
    cash_enough_by = F.Date(allow_none=True)
    installments = F.List(F.Nested(PoolInstallmentOut))
    guarantees = F.List(F.Nested(PoolGuaranteeOut))


class PoolLoanPage(ma.Schema):
    total = F.Integer()
    page = F.Integer()
    items = F.List(F.Nested(PoolLoanOut))


class PoolLoanIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    term = F.Integer(required=True, strict=True, metadata=limits(1, services.MAX_TERM))
    purpose = F.String(load_default="", validate=Length(max=300))
    guarantor_ids = F.List(F.Integer(strict=True), load_default=list)
    member_id = F.Integer(load_default=None, allow_none=True, strict=True,
                          metadata={"description": "Managers may file a request for a member"})


class PoolReasonIn(ma.Schema):
    reason = F.String(required=True, validate=Length(max=500))


class PoolLateFeeOut(ma.Schema):
    due = F.Date(metadata={"description": "The due date of the savings paid late"})
    amount = F.Integer()
    charged_on = F.Date()
    waived = F.Boolean()


class PoolDisburseIn(ma.Schema):
    on = F.Date(load_default=None)
    first_due = F.Date(load_default=None)


class PoolRepayIn(ma.Schema):
    amount = F.String(required=True, validate=Length(max=40), metadata=AMOUNT)
    paid_on = F.Date(load_default=None)
    mode = F.String(load_default="advance", validate=OneOf(services.PREPAY_MODES),
                    metadata={"description": "Money beyond what is due: advance (next installments), "
                                             "shorten or reduce (prepay principal)"})


class PoolRepaymentOut(ma.Schema):
    id = F.Integer()
    number = F.Integer(metadata={"description": "The repayment's number in its pool (#1 is the pool's first)"})
    reversed_at = UtcDateTime(allow_none=True)
    reversal_reason = F.String()
    loan_id = F.Integer()
    amount = F.Integer()
    principal = F.Integer()
    interest = F.Integer()
    penalty = F.Integer()
    mode = F.String()
    paid_on = F.Date()
    entry_id = F.Integer()
    entry_number = F.Integer(attribute="entry.number", metadata={"description": "The entry's number in its pool"})


class PoolRescheduleIn(PoolReasonIn):
    term = F.Integer(required=True, strict=True, metadata=limits(1, services.MAX_TERM))
    first_due = F.Date(required=True)


class PoolBookRowOut(ma.Schema):
    loan_id = F.Integer()
    member_name = F.String()
    outstanding = F.Integer()
    overdue_amount = F.Integer()
    days_overdue = F.Integer()
    bucket = F.String()


class PoolBucketOut(ma.Schema):
    label = F.String()
    loans = F.Integer()
    outstanding = F.Integer()


class PoolBookOut(ma.Schema):
    as_of = F.Date()
    outstanding = F.Integer()
    par_30 = F.Float()
    par_90 = F.Float()
    buckets = F.List(F.Nested(PoolBucketOut))
    total = F.Integer(metadata={"description": "Active loans in the whole book"})
    page = F.Integer()
    loans = F.List(F.Nested(PoolBookRowOut), metadata={"description": "This page's loans"})


class PoolQueueOut(ma.Schema):
    loan_id = F.Integer()
    place = F.Integer()
    amount = F.Integer()
    cash_enough_by = F.Date(allow_none=True)


# ------------------------------------------------------------------------------------- routes
def _pool_out(acc):
    return _pools_out([acc])[0]


def _pools_out(accesses) -> list[dict]:
    """Each pool's rules, totals and the caller's own position: a fixed number of queries for the
    whole page of pools (summaries, share amounts and balances read for all of them at once)."""
    for acc in accesses:
        services.summary.fresh(acc.box)
    mine = services.summary.of_members([acc.member.id for acc in accesses if acc.member])
    amounts = services.share_amounts_of([acc.box.id for acc in accesses])
    sheets = reports.balance_sheets([acc.box for acc in accesses])
    out = []
    for acc in accesses:
        today = clock.today(acc.box)
        out.append({
            "id": acc.box.id, "name": acc.box.name, "currency": acc.box.currency, "timezone": acc.box.timezone,
            "calendar": acc.box.calendar, "role": acc.membership.role if acc.membership else None,
            "share_amount": services.share_amount_on(acc.box, today, amounts[acc.box.id]),
            "next_due": services.next_due(acc.box, acc.pool, today),
            "policy": {name: getattr(acc.pool, name) for name in PoolPolicyOut._declared_fields},
            "balance_sheet": _sheet(sheets[acc.box.id]), "me": mine.get(acc.member.id) if acc.member else None})
    return out


def _sheet(sheet):
    return {name: getattr(sheet, name) for name in PoolSheetOut._declared_fields}


def _detail(acc, loan):
    today = clock.today(acc.box)
    summary = services.loan_summary(loan, today)
    place = reports.place_of(acc.box, acc.pool, loan)
    fields = [name for name in PoolLoanOut._declared_fields if name != "member_name"]
    return {**{name: getattr(loan, name) for name in fields}, "member": loan.member, "outstanding": summary.outstanding, "due_now": summary.due_now,
            "payoff": summary.payoff, "days_overdue": summary.days_overdue,
            "queue_place": place.place if place else None, "cash_enough_by": place.estimate if place else None,
            "installments": sorted(loan.installments, key=lambda i: (i.due_date, i.number)),
            "guarantees": loan.guarantees}


@bp.route("", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, PoolOut(many=True))
def list_pools(args):
    """The pools you belong to, a page at a time (`page`, `per_page`) by name, with their totals
    and your own position."""
    return _pools_out(services.pools_of(current_api_user(), args["page"], args["per_page"]))


@bp.route("", methods=["POST"])
@bp.arguments(PoolIn)
@bp.response(201, PoolOut)
@bp.doc(**links(201, GetPool=("GET", "/api/v1/pools/{box_id}", {"box_id": "$response.body#/id"}),
                AddMember=("POST", "/api/v1/pools/{box_id}/members", {"box_id": "$response.body#/id"})))
def create_pool(body):
    """Create a pool; you become its manager (and a saver with my_shares)."""
    user = current_api_user()
    box = services.create_pool(user, body.pop("name"), body.pop("currency"), body.pop("share_amount"),
                               body.pop("first_due"), **body)
    return _pool_out(services.access(user, box.id))


@bp.route("/<int:box_id>", methods=["GET"])
@bp.response(200, PoolOut)
def get_pool(box_id):
    """The pool's rules, totals (cash, savings, loans out, income) and your own position."""
    return _pool_out(services.access(current_api_user(), box_id))


@bp.route("/<int:box_id>/policy", methods=["PATCH"])
@bp.arguments(PoolPolicySchema)
@bp.response(200, PoolOut)
def update_policy(body, box_id):
    """Change the loan and late-fee rules (managers). Loans already requested keep their terms."""
    user = current_api_user()
    services.update_policy(user, box_id, **body)
    return _pool_out(services.access(user, box_id))


@bp.route("/<int:box_id>/share-amounts", methods=["GET"])
@bp.response(200, PoolShareAmountOut(many=True))
def list_share_amounts(box_id):
    """The share amount's history."""
    return services.share_amounts(services.access(current_api_user(), box_id).box)


@bp.route("/<int:box_id>/share-amounts", methods=["POST"])
@bp.arguments(PoolShareAmountIn)
@bp.response(201, PoolShareAmountOut)
def set_share_amount(body, box_id):
    """Set the amount of one share from a date on (managers)."""
    return services.set_share_amount(current_api_user(), box_id, body["amount"], body["effective_from"])


@bp.route("/<int:box_id>/members", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, PoolMemberPage)
def list_members(args, box_id):
    """Savers with their shares, savings, arrears and loans (managers), a page at a time (`page`, `per_page`)."""
    acc = services.access(current_api_user(), box_id, MANAGE)
    services.summary.fresh(acc.box)
    rows, total = services.summary.page(acc.box, args["page"], per_page=args["per_page"])
    return {"total": total, "page": args["page"], "items": rows}


@bp.route("/<int:box_id>/members", methods=["POST"])
@bp.arguments(PoolMemberIn)
@bp.response(201, PoolPositionOut)
def add_member(body, box_id):
    """Add a saver (managers)."""
    user = current_api_user()
    member = services.add_member(user, box_id, body["display_name"], body["email"], body["shares"],
                                 body["joined_on"], membership_id=body["membership_id"],
                                 same_name_ok=body["same_name_ok"])
    acc = services.access(user, box_id)
    return services.positions(acc.box, acc.pool, [member])[0]


@bp.route("/<int:box_id>/members/<int:member_id>", methods=["GET"])
@bp.response(200, PoolPositionOut)
def get_member(box_id, member_id):
    """One saver's position (managers, or the saver)."""
    acc, member = services.member_for(current_api_user(), box_id, member_id)
    return services.positions(acc.box, acc.pool, [member])[0]


@bp.route("/<int:box_id>/members/<int:member_id>/late-fees", methods=["GET"])
@bp.response(200, PoolLateFeeOut(many=True))
def list_late_fees(box_id, member_id):
    """A saver's late fees, latest first, waived ones included (managers, or the saver)."""
    acc, member = services.member_for(current_api_user(), box_id, member_id)
    return services.late_fees(acc.box, member)


@bp.route("/<int:box_id>/members/<int:member_id>/late-fees/<due>/waive", methods=["POST"])
@bp.arguments(PoolReasonIn)
@bp.response(200, PoolLateFeeOut)
@bp.doc(**IDEMPOTENCY_DOC)
def waive_late_fee(body, box_id, member_id, due):
    """Waive a late fee charged by mistake, with a reason (managers). `due` is the due date
    (YYYY-MM-DD) it was charged for. 409 once a savings payment took it, or if already waived;
    the hourly assessment never charges it again."""
    return services.waive_late_fee(current_api_user(), box_id, member_id, due, body["reason"], request_key())


@bp.route("/<int:box_id>/members/<int:member_id>/shares", methods=["POST"])
@bp.arguments(PoolSharesIn)
@bp.response(200, PoolPositionOut)
def set_shares(body, box_id, member_id):
    """Change a saver's number of shares from a date on (managers)."""
    user = current_api_user()
    services.set_shares(user, box_id, member_id, body["shares"], body["effective_from"])
    acc, member = services.member_for(user, box_id, member_id)
    return services.positions(acc.box, acc.pool, [member])[0]


@bp.route("/<int:box_id>/members/<int:member_id>/leave", methods=["POST"])
@bp.arguments(PoolDayIn)
@bp.response(200, PoolPositionOut)
def leave(body, box_id, member_id):
    """Settle a leaving saver: savings repay what they owe, the rest is paid out (managers). Repeating it
    changes nothing."""
    user = current_api_user()
    services.leave(user, box_id, member_id, body["on"])
    acc, member = services.member_for(user, box_id, member_id)
    return services.positions(acc.box, acc.pool, [member])[0]


@bp.route("/<int:box_id>/contributions", methods=["POST"])
@bp.arguments(PoolContributionIn)
@bp.response(201, PoolContributionOut)
@bp.doc(**IDEMPOTENCY_DOC)
def record_contribution(body, box_id):
    """Record a savings payment, in part or in full (managers). Late fees owed are paid first."""
    return services.record_contribution(current_api_user(), box_id, body["member_id"], body["amount"],
                                        body["paid_on"], request_key())


@bp.route("/<int:box_id>/contributions/<int:contribution_id>/reverse", methods=["POST"])
@bp.arguments(PoolReasonIn)
@bp.response(200, PoolContributionOut)
def reverse_contribution(body, box_id, contribution_id):
    """Undo a payment recorded by mistake, with a reason (managers). Repeating it changes nothing."""
    return services.reverse_contribution(current_api_user(), box_id, contribution_id, body["reason"])


@bp.route("/<int:box_id>/members/<int:member_id>/contributions", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, PoolContributionPage)
def list_contributions(args, box_id, member_id):
    """A saver's payments, newest first, a page at a time (`page`, `per_page`) (managers, or the saver)."""
    acc, member = services.member_for(current_api_user(), box_id, member_id)
    rows, total = services.contributions(acc.box, member.id, args["page"], args["per_page"])
    return {"total": total, "page": args["page"], "items": rows}


@bp.route("/<int:box_id>/statement", methods=["GET"])
@bp.arguments(PoolPeriodArgs, location="query")
@bp.response(200, content_type="application/pdf", description="PDF member statement")
def statement(args, box_id):
    """A saver's PDF statement (savings and loans) for [start, end]: yours, or any saver's for managers."""
    user = current_api_user()
    acc = services.access(user, box_id)
    member_id = args["member_id"] or (acc.member.id if acc.member else None)
    if member_id is None:
        raise NotFound(_("You do not save in this pool."))
    acc, member = services.member_for(user, box_id, member_id)
    return pdf_response(reports.member_statement_pdf(acc.box, member, args["start"], args["end"]),
                        f"pool-{box_id}-member-{member.id}.pdf")


@bp.route("/<int:box_id>/loans", methods=["GET"])
@bp.arguments(PoolLoanArgs, location="query")
@bp.response(200, PoolLoanPage)
def list_loans(args, box_id):
    """Loans you may see (members: their own), newest first, a page at a time (`page`, `per_page`)."""
    acc = services.access(current_api_user(), box_id)
    rows, total = services.loans_page(acc, args["status"], args["page"], args["per_page"])
    return {"total": total, "page": args["page"], "items": rows}


@bp.route("/<int:box_id>/loans", methods=["POST"])
@bp.arguments(PoolLoanIn)
@bp.response(201, PoolLoanDetail)
@bp.doc(**IDEMPOTENCY_DOC)
@bp.doc(**links(201, GetLoan=("GET", "/api/v1/pools/{box_id}/loans/{loan_id}",
                              {"box_id": "$request.path.box_id", "loan_id": "$response.body#/id"})))
def request_loan(body, box_id):
    """Ask for a loan (a manager may ask for a member)."""
    user = current_api_user()
    loan = services.request_loan(user, box_id, body["amount"], body["term"], request_key(), body["purpose"],
                                 body["guarantor_ids"], member_id=body["member_id"])
    return _detail(services.access(user, box_id), loan)


@bp.route("/<int:box_id>/loans/<int:loan_id>", methods=["GET"])
@bp.response(200, PoolLoanDetail)
def get_loan(box_id, loan_id):
    """A loan with its schedule, what is due, the payoff amount and, while waiting, its queue place."""
    acc, loan = services.loan_for(current_api_user(), box_id, loan_id)
    return _detail(acc, loan)


def _loan_action(box_id, loan_id, action, *args):
    user = current_api_user()
    action(user, box_id, loan_id, *args)
    acc, loan = services.loan_for(user, box_id, loan_id)
    return _detail(acc, loan)


@bp.route("/<int:box_id>/loans/<int:loan_id>/approve", methods=["POST"])
@bp.response(200, PoolLoanDetail)
def approve(box_id, loan_id):
    """Approve a request (managers); it then waits for cash in the queue."""
    return _loan_action(box_id, loan_id, services.approve)


@bp.route("/<int:box_id>/loans/<int:loan_id>/reject", methods=["POST"])
@bp.arguments(PoolReasonIn)
@bp.response(200, PoolLoanDetail)
def reject(body, box_id, loan_id):
    """Reject a request with a reason the member sees (managers)."""
    return _loan_action(box_id, loan_id, services.reject, body["reason"])


@bp.route("/<int:box_id>/loans/<int:loan_id>/cancel", methods=["POST"])
@bp.response(200, PoolLoanDetail)
def cancel(box_id, loan_id):
    """Withdraw a request not yet paid out (the borrower or a manager)."""
    return _loan_action(box_id, loan_id, services.cancel)


@bp.route("/<int:box_id>/loans/<int:loan_id>/disburse", methods=["POST"])
@bp.arguments(PoolDisburseIn)
@bp.response(200, PoolLoanDetail)
@bp.doc(**IDEMPOTENCY_DOC)
def disburse(body, box_id, loan_id):
    """Pay an approved loan out of the pool's cash and make its schedule (managers). Repeating it does
    nothing more."""
    return _loan_action(box_id, loan_id, services.disburse, body["on"], body["first_due"])


@bp.route("/<int:box_id>/loans/<int:loan_id>/repayments", methods=["POST"])
@bp.arguments(PoolRepayIn)
@bp.response(201, PoolRepaymentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def repay(body, box_id, loan_id):
    """Record a repayment, partial or early (managers)."""
    return services.repay(current_api_user(), box_id, loan_id, body["amount"], body["paid_on"], request_key(),
                          body["mode"])


@bp.route("/<int:box_id>/loans/<int:loan_id>/repayments/<int:repayment_id>/reverse", methods=["POST"])
@bp.arguments(PoolReasonIn)
@bp.response(200, PoolRepaymentOut)
def reverse_repayment(body, box_id, loan_id, repayment_id):
    """Undo any repayment recorded by mistake, with a reason (managers): a reversal entry, and the loan
    replayed without it. 409 if it is already undone."""
    return services.undo_repayment(current_api_user(), box_id, loan_id, repayment_id, body["reason"])


@bp.route("/<int:box_id>/loans/<int:loan_id>/installments/<int:number>/waive-penalty", methods=["POST"])
@bp.arguments(PoolReasonIn)
@bp.response(200, PoolLoanDetail)
@bp.doc(**IDEMPOTENCY_DOC)
def waive_penalty(body, box_id, loan_id, number):
    """Waive the late penalty on one installment, charged by mistake, with a reason (managers).
    409 once a repayment paid any of it, or if already waived; the hourly assessment never
    charges that installment again."""
    return _loan_action(box_id, loan_id, services.waive_penalty, number, body["reason"], request_key())


@bp.route("/<int:box_id>/loans/<int:loan_id>/reschedule", methods=["POST"])
@bp.arguments(PoolRescheduleIn)
@bp.response(200, PoolLoanDetail)
def reschedule(body, box_id, loan_id):
    """Spread what is still owed over new installments, with a reason (managers)."""
    return _loan_action(box_id, loan_id, services.reschedule, body["term"], body["first_due"], body["reason"])


@bp.route("/<int:box_id>/loans/<int:loan_id>/write-off", methods=["POST"])
@bp.arguments(PoolReasonIn)
@bp.response(200, PoolLoanDetail)
@bp.doc(**IDEMPOTENCY_DOC)
def write_off(body, box_id, loan_id):
    """Write a loan off with a reason; guarantors' pledges cover what they can (managers)."""
    return _loan_action(box_id, loan_id, services.write_off, body["reason"])


@bp.route("/<int:box_id>/draw", methods=["POST"])
@bp.response(200, PoolLoanDetail)
def draw(box_id):
    """Lottery queues: draw the next loan to pay among those the cash can pay (managers)."""
    user = current_api_user()
    loan = services.draw(user, box_id)
    return _detail(services.access(user, box_id), loan)


@bp.route("/<int:box_id>/queue", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, PoolQueueOut(many=True))
def queue(args, box_id):
    """Approved loans waiting for cash, with places and estimates, a page at a time (`page`,
    `per_page`) in queue order (members see only their own loans)."""
    acc = services.access(current_api_user(), box_id)
    if not acc.is_manager and not acc.member:
        return []
    found = reports.queue(acc.box, acc.pool, page=args["page"], per_page=args["per_page"],
                          member_id=None if acc.is_manager else acc.member.id)
    return [{"loan_id": p.loan.id, "place": p.place, "amount": p.loan.amount, "cash_enough_by": p.estimate}
            for p in found.places]


@bp.route("/<int:box_id>/balance-sheet", methods=["GET"])
@bp.arguments(PoolAsOfArgs, location="query")
@bp.response(200, PoolSheetOut)
def balance_sheet(args, box_id):
    """Cash, loans, savings and income from the ledger; assets always equal savings plus surplus."""
    acc = services.access(current_api_user(), box_id)
    return _sheet(reports.balance_sheet(acc.box, args["as_of"]))


@bp.route("/<int:box_id>/loan-book", methods=["GET"])
@bp.arguments(PoolBookArgs, location="query")
@bp.response(200, PoolBookOut)
def loan_book(args, box_id):
    """The whole book's overdue buckets (1–30, 31–60, 61–90, 90+ days), outstanding and portfolio
    at risk, and its active loans a page at a time (`page`, `per_page`), newest first (managers)."""
    acc = services.access(current_api_user(), box_id, MANAGE)
    book = reports.loan_book(acc.box, args["as_of"])
    found = listing.page_of(lists.book_spec(book.as_of), acc.box, listing.Filters(page=args["page"]),
                            per_page=args["per_page"])
    return {"as_of": book.as_of, "outstanding": book.outstanding, "par_30": book.par(30), "par_90": book.par(90),
            "buckets": [{"label": label, "loans": n, "outstanding": total} for label, n, total in book.buckets],
            "total": book.count, "page": found.page,
            "loans": [_book_row(row, book.as_of) for row in found.items]}


def _book_row(row, as_of) -> dict:
    days = reports.days_overdue(as_of, row.oldest)
    return {"loan_id": row.loan_id, "member_name": row.name, "outstanding": int(row.outstanding),
            "overdue_amount": int(row.overdue), "days_overdue": days, "bucket": reports.bucket(days)}
