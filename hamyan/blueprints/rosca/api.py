"""The ROSCA JSON API under /api/v1/roscas: every page action, over the same services.

Amounts going in are strings in the box's major unit ("1250.50"), parsed like the forms; amounts
coming out are integers of minor units. Rates and fees are percentages as strings ("2.5"). POSTs
that move money (payments, deposits, payouts) accept an Idempotency-Key header: a retry with the
same key returns the first result; the same key with anything different is 409."""
import marshmallow as ma

from hamyan.blueprints.api import (IDEMPOTENCY_DOC, Amount, ListArgs, NewMemberIn, Range, ReversalOut,
                                  api_blueprint, current_api_user, idempotency_key)
from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import PERIOD_KINDS, PRICING_METHODS
from hamyan.core import clock
from hamyan.core.errors import ServiceError
from hamyan.statements import pdf_response, render_pdf

bp = api_blueprint("api_rosca", __name__, url_prefix="/api/v1/roscas",
                   description="ROSCAs: seat pricing, the seat sale, contributions, payouts, the seat market.")

F = ma.fields
OneOf = ma.validate.OneOf
Length = ma.validate.Length


class RoscaPricingIn(ma.Schema):
    pricing = F.String(load_default="fair", validate=OneOf(PRICING_METHODS))
    rate = F.String(load_default=None, allow_none=True, validate=Length(max=12),
                    metadata={"description": "Percent per period for fair pricing and swaps, e.g. \"2\""})
    fee = F.String(load_default=None, allow_none=True, validate=Length(max=12),
                   metadata={"description": "Operator fee, percent of everything collected"})
    lowest = Amount(load_default=None, allow_none=True, metadata={"description": "Seat 1's payout (linear)"})
    table = F.List(Amount(), load_default=None, allow_none=True, validate=Length(max=200),
                   metadata={"description": "Payouts seat 1 first (manual); they must add up exactly"})


class RoscaIn(RoscaPricingIn):
    name = F.String(required=True, validate=Length(min=1, max=120))
    currency = F.String(load_default="IRR", validate=Length(equal=3))
    timezone = F.String(load_default="Asia/Tehran", validate=Length(max=64))
    locale = F.String(load_default="fa_IR", validate=Length(max=20))
    calendar = F.String(load_default="persian", validate=OneOf(("gregorian", "persian")))
    seat_count = F.Integer(required=True, strict=True)
    contribution = Amount(required=True)
    period_kind = F.String(load_default="monthly", validate=OneOf(PERIOD_KINDS))
    period_days = F.Integer(load_default=7, strict=True)
    first_due = F.Date(required=True)
    deposit = Amount(load_default=None, allow_none=True)
    grace_days = F.Integer(load_default=0, strict=True)
    late_fee_kind = F.String(load_default="none", validate=OneOf(("none", "fixed", "percent")))
    late_fee_value = F.String(load_default=None, allow_none=True, validate=Length(max=40),
                              metadata={"description": "An amount (fixed) or a percent of the period's due"})


class RoscaHolderOut(ma.Schema):
    membership_id = F.Integer()
    name = F.String()
    fraction = F.String()


class RoscaSeatOut(ma.Schema):
    number = F.Integer()
    payout = F.Integer(metadata={"description": "Collected at period `number`, after the fee"})
    fee = F.Integer()
    versus_pot = F.Integer(metadata={"description": "payout − N·c: a discount (negative) or premium"})
    effective_rate = F.Float(metadata={"description": "Per period; display only"})
    reserved = F.Boolean()
    held = F.String()
    collected = F.Boolean()
    holders = F.List(F.Nested(RoscaHolderOut))


class RoscaOut(ma.Schema):
    box_id = F.Integer()
    name = F.String()
    currency = F.String()
    calendar = F.String()
    role = F.String(allow_none=True)
    status = F.String()
    seat_count = F.Integer()
    contribution = F.Integer()
    pot = F.Integer()
    period_kind = F.String()
    first_due = F.Date()
    pricing = F.String()
    rate = F.String()
    fee_percent = F.String()
    fee = F.Integer()
    deposit = F.Integer()
    cash = F.Integer()
    available = F.Integer(metadata={"description": "Cash a payout may use (deposits are kept aside)"})
    late_fee_kind = F.String()
    late_fee_value = F.Integer(metadata={"description": "Minor units (fixed) or basis points of the due (percent)"})
    periods_paid_out = F.Integer()
    seats = F.List(F.Nested(RoscaSeatOut))


class RoscaTakeIn(ma.Schema):
    fraction = F.String(load_default="1", validate=Length(max=12))


class RoscaHolderIn(ma.Schema):
    membership_id = F.Integer(required=True, strict=True)
    fraction = F.String(load_default="1", validate=Length(max=12))


class RoscaHoldersIn(ma.Schema):
    holders = F.List(F.Nested(RoscaHolderIn), required=True, validate=Length(max=20))


class RoscaReserveIn(ma.Schema):
    reserved = F.Boolean(required=True)


class RoscaMemberOut(ma.Schema):
    membership_id = F.Integer()
    name = F.String()


class RoscaPaymentIn(ma.Schema):
    membership_id = F.Integer(required=True, strict=True)
    amount = Amount(required=True)
    method = F.String(load_default="cash", validate=OneOf(("cash", "bank")))
    reference = F.String(load_default="", validate=Length(max=120))
    paid_on = F.Date(load_default=None, allow_none=True)


class RoscaPaymentOut(ma.Schema):
    id = F.Integer()
    number = F.Integer(metadata={"description": "The payment's number in its box (#1 is the box's first)"})
    kind = F.String()
    membership_id = F.Integer()
    amount = F.Integer()
    paid_on = F.Date()
    entry_id = F.Integer()
    entry_number = F.Integer(attribute="entry.number", metadata={"description": "The entry's number in its box"})


class RoscaPayoutIn(ma.Schema):
    period = F.Integer(load_default=None, allow_none=True, strict=True)
    override_reason = F.String(load_default=None, allow_none=True, validate=Length(max=500))


class RoscaPeriodOut(ma.Schema):
    number = F.Integer()
    due_date = F.Date()
    seat = F.Integer()
    payout_entry_id = F.Integer(allow_none=True)
    paid_out_at = F.DateTime(allow_none=True)
    override_reason = F.String(allow_none=True)


class RoscaSwapIn(ma.Schema):
    earlier = F.Integer(required=True, strict=True)
    later = F.Integer(required=True, strict=True)


class RoscaSwapOut(ma.Schema):
    id = F.Integer()
    earlier = F.Integer()
    later = F.Integer()
    status = F.String()
    price = F.Integer(allow_none=True, metadata={"description": "Paid by the later seat's holders (moving "
                                                                "earlier) to the earlier's; negative the other way"})
    quote = F.Integer(allow_none=True, metadata={"description": "The price if approved now"})
    entry_id = F.Integer(allow_none=True)


class RoscaGridArgs(ma.Schema):
    page = F.Integer(load_default=1, validate=Range(min=1, max=10**6))
    per_page = F.Integer(load_default=25, validate=Range(min=1, max=100))
    periods_page = F.Integer(load_default=1, validate=Range(min=1, max=10**6))
    periods_per_page = F.Integer(load_default=12, validate=Range(min=1, max=200))


class RoscaCellOut(ma.Schema):
    period = F.Integer()
    due = F.Integer()
    paid = F.Integer()
    status = F.String()


class RoscaMemberRowOut(ma.Schema):
    membership_id = F.Integer()
    name = F.String()
    seats = F.String()
    round_total = F.Integer()
    paid = F.Integer()
    arrears = F.Integer()
    received = F.Integer()
    fee = F.Integer()
    swaps = F.Integer()
    deposit_held = F.Integer()
    status = F.String()
    defaulted = F.Boolean()
    at_risk = F.Integer()
    cells = F.List(F.Nested(RoscaCellOut))


class RoscaGridOut(ma.Schema):
    page = F.Integer()
    pages = F.Integer()
    periods_page = F.Integer()
    periods_pages = F.Integer()
    members = F.List(F.Nested(RoscaMemberRowOut))


# ---------------------------------------------------------------- shaping

def _rosca_out(user, box_id):
    access, rosca = rs.viewing(user, box_id)
    rosca = rs.fresh(rosca)
    box = access.box
    seats = rs.seats_of(rosca)
    view = rs.pricing_view(rosca, seats)
    paid_out = sum(1 for p in rs.periods_of(rosca) if p.paid_out)
    return {"box_id": box.id, "name": box.name, "currency": box.currency, "calendar": box.calendar,
            "role": access.membership.role if access.membership else None, "status": rosca.status,
            "seat_count": rosca.seat_count, "contribution": rosca.contribution, "pot": rosca.pot,
            "period_kind": rosca.period_kind, "first_due": rosca.first_due, "pricing": rosca.pricing,
            "rate": str(view.rate * 100), "fee_percent": str(view.fee_percent), "fee": view.fee,
            "deposit": rosca.deposit, "cash": rs.box_cash(box.id), "available": rs.available(box.id),
            "periods_paid_out": paid_out, "late_fee_kind": rosca.late_fee_kind, "late_fee_value": rosca.late_fee_value,
            "seats": [{"number": s.number, "payout": s.payout, "fee": s.fee, "versus_pot": price.versus_pot,
                       "effective_rate": price.effective_rate, "reserved": s.reserved, "held": str(s.held),
                       "collected": s.number <= paid_out,
                       "holders": [{"membership_id": h.membership_id, "name": h.membership.display_name,
                                    "fraction": str(h.fraction)} for h in s.holdings]}
                      for s, price in zip(seats, view.seats)]}


def _swap_out(swap, quote=None):
    return {"id": swap.id, "earlier": swap.earlier, "later": swap.later, "status": swap.status, "price": swap.price,
            "quote": quote, "entry_id": swap.entry_id}


class RoscaListArgs(ma.Schema):
    page = F.Integer(load_default=1, validate=Range(min=1, max=10**6))
    per_page = F.Integer(load_default=25, validate=Range(min=1, max=100))


class RoscaSummaryOut(ma.Schema):
    box_id = F.Integer()
    name = F.String()
    currency = F.String()
    role = F.String()
    status = F.String()
    seat_count = F.Integer()
    contribution = F.Integer()


# ---------------------------------------------------------------- routes

@bp.route("", methods=["GET"])
@bp.arguments(RoscaListArgs, location="query")
@bp.response(200, RoscaSummaryOut(many=True))
def list_roscas(args):
    """The caller's ROSCAs by name, a page at a time (GET /roscas/{id} has the seats)."""
    return [{"box_id": box.id, "name": box.name, "currency": box.currency, "role": m.role, "status": r.status,
             "seat_count": r.seat_count, "contribution": r.contribution}
            for box, m, r in rs.roscas_of(current_api_user(), args["page"], args["per_page"])]


@bp.route("", methods=["POST"])
@bp.arguments(RoscaIn)
@bp.response(201, RoscaOut)
def create(body):
    """Create a ROSCA (you become its manager) with its seats priced; the seats then go on sale."""
    user = current_api_user()
    body["pricing_method"] = body.pop("pricing")
    box = rs.create_rosca(user, **body)
    return _rosca_out(user, box.id)


@bp.route("/<int:box_id>", methods=["GET"])
@bp.response(200, RoscaOut)
def get(box_id):
    """The round, its pricing and its seat board."""
    return _rosca_out(current_api_user(), box_id)


@bp.route("/<int:box_id>/pricing", methods=["PUT"])
@bp.arguments(RoscaPricingIn)
@bp.response(200, RoscaOut)
def put_pricing(body, box_id):
    """Price the seats again while they are on sale (managers)."""
    user = current_api_user()
    rs.reprice(user, box_id, body.pop("pricing"), **body)
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/members", methods=["POST"])
@bp.arguments(NewMemberIn)
@bp.response(201, RoscaMemberOut)
def add_member(body, box_id):
    """Add a member (who may not have an account yet) so they can hold seats (managers)."""
    m = rs.add_member(current_api_user(), box_id, body["display_name"], body["email"], body["same_name_ok"])
    return {"membership_id": m.id, "name": m.display_name}


@bp.route("/<int:box_id>/seats/<int:number>/take", methods=["POST"])
@bp.arguments(RoscaTakeIn)
@bp.response(200, RoscaOut)
def take(body, box_id, number):
    """Take a free seat, or a free part of one (members)."""
    user = current_api_user()
    rs.take_seat(user, box_id, number, body["fraction"])
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/seats/<int:number>/leave", methods=["POST"])
@bp.response(200, RoscaOut)
def leave(box_id, number):
    """Give back your seat, or your part of one, while seats are on sale (members)."""
    user = current_api_user()
    rs.leave_seat(user, box_id, number)
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/seats/<int:number>/holders", methods=["PUT"])
@bp.arguments(RoscaHoldersIn)
@bp.response(200, RoscaOut)
def put_holders(body, box_id, number):
    """Set who holds a seat (managers); an empty list frees it."""
    user = current_api_user()
    rs.assign_seat(user, box_id, number, [(h["membership_id"], h["fraction"]) for h in body["holders"]])
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/seats/<int:number>/reserved", methods=["PUT"])
@bp.arguments(RoscaReserveIn)
@bp.response(200, RoscaOut)
def put_reserved(body, box_id, number):
    """Keep a seat back for the manager to give, or put it on sale (managers)."""
    user = current_api_user()
    rs.reserve_seat(user, box_id, number, body["reserved"])
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/start", methods=["POST"])
@bp.response(200, RoscaOut)
def start(box_id):
    """Start the round: every seat taken, every deposit paid (managers)."""
    user = current_api_user()
    rs.start(user, box_id)
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/payments", methods=["POST"])
@bp.arguments(RoscaPaymentIn)
@bp.response(201, RoscaPaymentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def payment(body, box_id):
    """Record a member's contribution (managers); it settles their oldest dues first."""
    p = rs.record_payment(current_api_user(), box_id, body["membership_id"], body["amount"], body["method"],
                          body["reference"], body["paid_on"], request_key=idempotency_key())
    return p


@bp.route("/<int:box_id>/deposits", methods=["POST"])
@bp.arguments(RoscaPaymentIn)
@bp.response(201, RoscaPaymentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def deposit(body, box_id):
    """Record a deposit held as a guarantee until the end (managers)."""
    p = rs.record_deposit(current_api_user(), box_id, body["membership_id"], body["amount"], body["method"],
                          body["reference"], request_key=idempotency_key())
    return p


@bp.route("/<int:box_id>/payouts", methods=["POST"])
@bp.arguments(RoscaPayoutIn)
@bp.response(201, RoscaPeriodOut)
@bp.doc(**IDEMPOTENCY_DOC)
def payout(body, box_id):
    """Pay the next seat its payout (managers): once the period is collected, or with a reason;
    never more than the box holds."""
    period = rs.pay_out(current_api_user(), box_id, body["period"], body["override_reason"],
                        request_key=idempotency_key())
    return {"number": period.number, "due_date": period.due_date, "seat": period.number,
            "payout_entry_id": period.payout_entry_id, "paid_out_at": period.paid_out_at,
            "override_reason": period.override_reason}


@bp.route("/<int:box_id>/members/<int:membership_id>/cover", methods=["POST"])
@bp.response(201, RoscaPaymentOut)
def cover(box_id, membership_id):
    """Use a defaulter's deposit to pay what they owe (managers)."""
    return rs.cover_default(current_api_user(), box_id, membership_id)


class RoscaLateFeeIn(ma.Schema):
    late_fee_kind = F.String(required=True, validate=OneOf(("none", "fixed", "percent")))
    late_fee_value = F.String(load_default=None, allow_none=True, validate=Length(max=40),
                              metadata={"description": "An amount (fixed) or a percent of the period's due"})


class RoscaLateFeeOut(ma.Schema):
    period = F.Function(lambda row: int(row.reference.split(":")[1]))
    amount = F.Integer()
    due_date = F.Date()
    waived = F.Boolean()
    waived_reason = F.String(allow_none=True)


class RoscaLateFeesOut(ma.Schema):
    owed = F.Integer(metadata={"description": "Late fees not paid yet; the next contributions pay them first"})
    fees = F.List(F.Nested(RoscaLateFeeOut))


class RoscaCountOut(ma.Schema):
    count = F.Integer()


class RoscaReasonIn(ma.Schema):
    reason = F.String(required=True, validate=Length(min=1, max=300))


@bp.route("/<int:box_id>/late-fee", methods=["PUT"])
@bp.arguments(RoscaLateFeeIn)
@bp.response(200, RoscaOut)
def set_late_fee(body, box_id):
    """Change the late fee (managers); fees already charged stay."""
    user = current_api_user()
    rs.set_late_fee(user, box_id, body["late_fee_kind"], body["late_fee_value"])
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/late-fees", methods=["POST"])
@bp.response(200, RoscaCountOut)
def assess_late_fees(box_id):
    """Charge the late fees due now (managers; the hourly job does too): once per member and period."""
    return {"count": rs.assess_late_fees(current_api_user(), box_id)}


@bp.route("/<int:box_id>/members/<int:membership_id>/late-fees", methods=["GET"])
@bp.response(200, RoscaLateFeesOut)
def late_fees(box_id, membership_id):
    """A member's late fees: their own, or anyone's for managers; others 404."""
    _, member = rs.member_in_sight(current_api_user(), box_id, membership_id)
    owed, rows = rs.late_fees_of(rs.viewing(current_api_user(), box_id)[1], member.id)
    return {"owed": owed, "fees": rows}


@bp.route("/<int:box_id>/members/<int:membership_id>/late-fees/<int:period>/waive", methods=["POST"])
@bp.arguments(RoscaReasonIn)
@bp.response(200, RoscaLateFeeOut)
def waive_late_fee(body, box_id, membership_id, period):
    """Take back an unpaid late fee (managers): a reversal entry; the period is not charged again."""
    return rs.waive_late_fee(current_api_user(), box_id, membership_id, period, body["reason"])


@bp.route("/<int:box_id>/payments/<int:payment_id>/reverse", methods=["POST"])
@bp.arguments(RoscaReasonIn)
@bp.response(200, ReversalOut)
def reverse_payment(body, box_id, payment_id):
    """Undo a contribution entered by mistake (managers): a reversal entry, refused once the money
    was paid out. The same again answers the first reversal."""
    return rs.reverse_payment(current_api_user(), box_id, payment_id, body["reason"])


@bp.route("/<int:box_id>/deposits/release", methods=["POST"])
@bp.response(200, RoscaOut)
def release(box_id):
    """Hand the deposits back once every seat has collected (managers)."""
    user = current_api_user()
    rs.release_deposits(user, box_id)
    return _rosca_out(user, box_id)


@bp.route("/<int:box_id>/swaps", methods=["POST"])
@bp.arguments(RoscaSwapIn)
@bp.response(201, RoscaSwapOut)
def request_swap(body, box_id):
    """Ask to trade two seats that have not collected (a holder of one, or the manager)."""
    user = current_api_user()
    swap = rs.request_swap(user, box_id, body["earlier"], body["later"])
    _, rosca = rs.viewing(user, box_id)
    return _swap_out(swap, rs.quote(rosca, swap.earlier, swap.later))


@bp.route("/<int:box_id>/swaps", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, RoscaSwapOut(many=True))
def list_swaps(args, box_id):
    """The trades, newest first, each with its price if approved now (while requested), a page at a time
    (`page`, `per_page`)."""
    _, rosca = rs.viewing(current_api_user(), box_id)
    return [_swap_out(s, _quote_or_none(rosca, s) if s.status == "requested" else None)
            for s in rs.swaps_of(rosca.box_id, args["per_page"], args["page"])]


def _quote_or_none(rosca, swap):
    """A waiting trade's price now; None once one of its seats has collected (approval is refused)."""
    try:
        return rs.quote(rosca, swap.earlier, swap.later)
    except ServiceError:
        return None


@bp.route("/<int:box_id>/swaps/<int:swap_id>/approve", methods=["POST"])
@bp.response(200, RoscaSwapOut)
def approve_swap(box_id, swap_id):
    """Approve a trade (managers): the price moves between the holders as one ledger entry."""
    return _swap_out(rs.approve_swap(current_api_user(), box_id, swap_id))


@bp.route("/<int:box_id>/swaps/<int:swap_id>/refuse", methods=["POST"])
@bp.response(200, RoscaSwapOut)
def refuse_swap(box_id, swap_id):
    return _swap_out(rs.refuse_swap(current_api_user(), box_id, swap_id))


@bp.route("/<int:box_id>/grid", methods=["GET"])
@bp.arguments(RoscaGridArgs, location="query")
@bp.response(200, RoscaGridOut)
def grid(args, box_id):
    """A page of members with a page of their periods, from the member summaries. Members see the
    whole grid's standing (the box's summary), as on the page."""
    access, rosca = rs.viewing(current_api_user(), box_id)
    rosca = rs.fresh(rosca)
    listing = rs.summaries_page(rosca, "", args["page"], args["per_page"])
    count = rosca.seat_count if rosca.status != "draft" else 0
    numbers, periods_page, periods_pages = rs.window(count, args["periods_page"], args["periods_per_page"])
    periods = rs.periods_of(rosca, numbers) if count else []
    cells = rs.grid_cells(rosca, listing.items, periods, clock.today(access.box))
    return {"page": listing.page, "pages": listing.pages or 1, "periods_page": periods_page,
            "periods_pages": periods_pages,
            "members": [{"membership_id": s.membership_id, "name": s.membership.display_name, "seats": s.seats,
                         "round_total": s.round_total, "paid": s.paid, "arrears": s.arrears, "received": s.received,
                         "fee": s.fee, "swaps": s.swaps, "deposit_held": s.deposit_held, "status": s.status,
                         "defaulted": s.defaulted, "at_risk": s.at_risk,
                         "cells": [{"period": n, "due": d, "paid": p, "status": st}
                                   for n, d, p, st in cells.get(s.membership_id, [])]}
                        for s in listing.items]}


class RoscaStatementArgs(ma.Schema):
    start = F.Date(required=True)
    end = F.Date(required=True)
    membership_id = F.Integer(load_default=None)


@bp.route("/<int:box_id>/statement", methods=["GET"])
@bp.arguments(RoscaStatementArgs, location="query")
@bp.response(200, content_type="application/pdf", description="PDF member statement")
def statement(args, box_id):
    """A member's PDF statement for [start, end]: yours, or anyone's for managers (membership_id)."""
    box, member = rs.member_in_sight(current_api_user(), box_id, args["membership_id"])
    st = rs.member_statement(box, member, args["start"], args["end"])
    return pdf_response(render_pdf("statements/rosca_member.html", box=box, statement=st, member=member),
                        f"rosca-{box.id}-{member.id}.pdf")
