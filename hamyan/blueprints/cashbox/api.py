"""The cashbox JSON API under /api/v1/cashboxes: every page action, over the same services.

Amounts going in are strings in the box's major unit ("1250.50", parsed like the forms); amounts
coming out are integers of minor units plus a formatted copy. POSTs that move money (payments,
draws) accept an Idempotency-Key header: a retry with the same key returns the first result."""
import marshmallow as ma

from hamyan import money
from hamyan.core import clock
from hamyan.blueprints.api import (IDEMPOTENCY_DOC, Amount, ListArgs, NewMemberIn, Range, UtcDateTime,
                                  api_blueprint, current_api_user, idempotency_key, limits, links)
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import (
    DRAW_MODES,
    FINE_KINDS,
    PERIOD_KINDS,
    WINNER_POLICIES,
    Cashbox,
    FINE_KINDS,
    PERIOD_KINDS,
    WINNER_POLICIES,
    Cashbox,
)
from hamyan.boxes.access import VIEW, authorize
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.statements import pdf_response, render_pdf

bp = api_blueprint("api_cashbox", __name__, url_prefix="/api/v1/cashboxes",
                   description="Cashboxes: rounds, shares and sub-shares, payments, draws, payouts, statements.")

F = ma.fields
OneOf = ma.validate.OneOf
Length = ma.validate.Length


# ---------------------------------------------------------------- schemas

class CashboxRoundSettingsIn(ma.Schema):
    contribution = Amount(required=True, metadata={"description": "Per share per period, major units, e.g. \"100.50\""})
    share_count = F.Integer(required=True, strict=True, metadata=limits(1, cb.MAX_SHARES))
    period_kind = F.String(required=True, validate=OneOf(PERIOD_KINDS))
    period_days = F.Integer(load_default=7, strict=True, metadata=limits(
        1, cb.MAX_DAYS, description="Days per period when period_kind is \"days\""))
    first_due = F.Date(required=True)
    draw_mode = F.String(required=True, validate=OneOf(DRAW_MODES))


class CashboxRulesIn(ma.Schema):
    grace_days = F.Integer(load_default=0, strict=True, metadata=limits(0, cb.MAX_DAYS))
    fine_kind = F.String(load_default="none", validate=OneOf(FINE_KINDS))
    fine_value = Amount(load_default=None, allow_none=True, metadata={"description": "Fixed fine in major units, or a percent such as \"2.5\""})
    winner_policy = F.String(load_default="net", validate=OneOf(WINNER_POLICIES))


class CashboxIn(CashboxRoundSettingsIn, CashboxRulesIn):
    name = F.String(required=True, validate=Length(min=1, max=120))
    currency = F.String(required=True, validate=Length(equal=3))
    timezone = F.String(load_default="UTC", validate=Length(max=64))
    locale = F.String(load_default="en", validate=Length(max=20))
    calendar = F.String(load_default="gregorian", validate=OneOf(("gregorian", "persian")))


class CashboxHolderOut(ma.Schema):
    membership_id = F.Integer()
    name = F.String()
    fraction = F.String()
    round_total = F.Integer(metadata={"description": "Due over the round, and received when the share wins"})


class CashboxShareOut(ma.Schema):
    number = F.Integer()
    draw_position = F.Integer(allow_none=True)
    held = F.String()
    holders = F.List(F.Nested(CashboxHolderOut))


class CashboxPeriodOut(ma.Schema):
    number = F.Integer()
    due_date = F.Date()
    seed_hash = F.String(allow_none=True, metadata={"description": "SHA-256 of the seed, published when the round starts"})
    seed = F.String(allow_none=True, metadata={"description": "Revealed after the draw"})
    winner_share = F.Integer(allow_none=True)
    drawn_at = UtcDateTime(allow_none=True)
    override_reason = F.String(allow_none=True)
    payout_status = F.String(metadata={"description": "pending, held or paid (paid out, though part may still be owed)"})
    payout_owed = F.Integer(metadata={"description": "What of a paid out pot the box still owes the winners (minor "
                                                     "units): paid as contributions come in"})
    payout_entry_id = F.Integer(allow_none=True)


class CashboxRoundOut(ma.Schema):
    id = F.Integer()
    number = F.Integer()
    status = F.String()
    contribution = F.Integer()
    contribution_display = F.String()
    share_count = F.Integer()
    pot = F.Integer()
    period_kind = F.String()
    period_days = F.Integer()
    first_due = F.Date()
    draw_mode = F.String()
    previous_id = F.Integer(allow_none=True)
    shares = F.List(F.Nested(CashboxShareOut))
    periods = F.List(F.Nested(CashboxPeriodOut))


class CashboxOut(ma.Schema):
    box_id = F.Integer()
    name = F.String()
    currency = F.String()
    timezone = F.String()
    locale = F.String()
    calendar = F.String()
    role = F.String(allow_none=True)
    grace_days = F.Integer()
    fine_kind = F.String()
    fine_value = F.Integer(metadata={"description": "Minor units (fixed) or basis points (percent)"})
    winner_policy = F.String()
    cash = F.Integer()
    current_round = F.Nested(CashboxRoundOut, allow_none=True)


class CashboxHolderIn(ma.Schema):
    membership_id = F.Integer(required=True, strict=True)
    fraction = F.String(required=True, validate=Length(max=12), metadata={"description": "e.g. \"1\", \"1/2\", \"2/3\""})


class CashboxHoldersIn(ma.Schema):
    holders = F.List(F.Nested(CashboxHolderIn), required=True, validate=Length(max=50))


class CashboxOrderIn(ma.Schema):
    order = F.List(F.Integer(strict=True), required=True, validate=Length(max=500))


class CashboxMemberOut(ma.Schema):
    membership_id = F.Integer()
    name = F.String()
    role = F.String()


class CashboxPaymentIn(ma.Schema):
    membership_id = F.Integer(required=True, strict=True)
    amount = Amount(required=True, metadata={"description": "Major units, e.g. \"100.50\""})
    method = F.String(load_default="cash", validate=OneOf(("cash", "bank")))
    reference = F.String(load_default="", validate=Length(max=120))
    paid_on = F.Date(load_default=None, allow_none=True)
    round_id = F.Integer(load_default=None, allow_none=True, strict=True)


class CashboxPaymentOut(ma.Schema):
    id = F.Integer()
    round_id = F.Integer()
    membership_id = F.Integer()
    member_name = F.String()
    amount = F.Integer(metadata={"description": "To contributions, minor units"})
    fine_amount = F.Integer(metadata={"description": "To late fines, minor units"})
    method = F.String()
    reference = F.String()
    paid_on = F.Date()
    entry_id = F.Integer()
    entry_number = F.Integer(metadata={"description": "The entry's number in its box (#1 is the box's first)"})
    reversal_entry_id = F.Integer(allow_none=True, metadata={"description": "Set when the payment was undone"})


class CashboxPaymentPage(ma.Schema):
    items = F.List(F.Nested(CashboxPaymentOut))
    page = F.Integer()
    pages = F.Integer()
    total = F.Integer()


class CashboxPageArgs(ListArgs):
    round_id = F.Integer(load_default=None)
    membership_id = F.Integer(load_default=None)


class CashboxRoundArgs(ma.Schema):
    round_id = F.Integer(load_default=None)


class CashboxDrawsArgs(ListArgs):
    round_id = F.Integer(load_default=None)


class CashboxDrawIn(ma.Schema):
    period = F.Integer(load_default=None, allow_none=True, strict=True,
                       metadata={"description": "The period you mean to draw; refused if it was drawn already"})
    override_reason = F.String(load_default=None, allow_none=True, validate=Length(max=500),
                               metadata={"description": "Required to draw a period that is not fully paid"})


class CashboxCellOut(ma.Schema):
    period = F.Integer()
    due = F.Integer()
    paid = F.Integer()
    status = F.String(metadata={"description": "upcoming, due, partly paid, paid, paid late, late"})
    fine = F.Integer()


class CashboxMemberStateOut(ma.Schema):
    membership_id = F.Integer()
    name = F.String()
    shares = F.List(F.String(), metadata={"description": "\"3\" for a whole share, \"4:1/2\" for half of share 4"})
    round_total = F.Integer(metadata={"description": "Contributions due over the whole round"})
    paid = F.Integer()
    received = F.Integer()
    arrears = F.Integer()
    fines_unpaid = F.Integer()
    owes_now = F.Integer()
    cells = F.List(F.Nested(CashboxCellOut))


class CashboxGridArgs(ListArgs):
    round_id = F.Integer(load_default=None)
    periods_page = F.Integer(load_default=1, validate=Range(min=1, max=10**6))
    periods_per_page = F.Integer(load_default=50, validate=Range(min=1, max=500))


class CashboxGridOut(ma.Schema):
    page = F.Integer()
    pages = F.Integer()
    total = F.Integer()
    round_id = F.Integer()
    today = F.Date()
    next_due = F.Date(allow_none=True)
    drawn = F.Integer()
    members = F.List(F.Nested(CashboxMemberStateOut))


class CashboxWinOut(ma.Schema):
    share = F.Integer()
    period = F.Integer(allow_none=True)
    due_date = F.Date(allow_none=True)
    amount = F.Integer()


class CashboxNextPaymentOut(ma.Schema):
    due_date = F.Date()
    amount = F.Integer(metadata={"description": "Still to pay for that period, minor units"})


class CashboxMemberArgs(ma.Schema):
    periods_page = F.Integer(load_default=1, validate=Range(min=1, max=10**6))
    periods_per_page = F.Integer(load_default=50, validate=Range(min=1, max=500))


class CashboxMemberViewOut(CashboxMemberStateOut):
    periods_page = F.Integer(metadata={"description": "The page of periods `cells` holds"})
    periods_pages = F.Integer()
    position = F.Integer(metadata={"description": "Ledger net position in this box: paid − received"})
    next_payment = F.Nested(CashboxNextPaymentOut, allow_none=True,
                            metadata={"description": "The first period due today or later not fully paid"})
    won = F.List(F.Nested(CashboxWinOut))
    may_win = F.List(F.Nested(CashboxWinOut))


class CashboxFinesOut(ma.Schema):
    charged = F.Integer()


class CashboxStatementArgs(ma.Schema):
    start = F.Date(required=True)
    end = F.Date(required=True)
    membership_id = F.Integer(load_default=None)


# ---------------------------------------------------------------- shaping

def _round_out(r):
    if r is None:
        return None
    box = db.session.get(Box, r.box_id)
    draws = cb.draws_of(r)
    shares = sorted(draws.shares.values(), key=lambda s: s.number)
    numbers = {s.id: s.number for s in shares}
    return {
        "id": r.id, "number": r.number, "status": r.status, "contribution": r.contribution,
        "contribution_display": money.format_money(r.contribution, box.currency, box.locale),
        "share_count": r.share_count, "pot": r.pot, "period_kind": r.period_kind, "period_days": r.period_days,
        "first_due": r.first_due, "draw_mode": r.draw_mode, "previous_id": r.previous_id,
        "shares": [{"number": s.number, "draw_position": s.draw_position, "held": str(s.held),
                    "holders": [{"membership_id": h.membership_id, "name": h.membership.display_name,
                                 "fraction": str(h.fraction), "round_total": part}
                                for h, part in zip(s.holdings, cb.split(r.pot, s.holdings) if s.holdings else [])]}
                   for s in shares],
        "periods": [_period_out(p, numbers, draws.payout_owed) for p in draws.periods],
    }


def _period_out(p, numbers, payout_owed):
    """`payout_owed`: payout entry id -> what of it is still owed (services.payouts_still_owed)."""
    return {"number": p.number, "due_date": p.due_date, "seed_hash": p.seed_hash, "seed": p.revealed_seed,
            "winner_share": numbers.get(p.winner_share_id), "drawn_at": p.drawn_at,
            "override_reason": p.override_reason, "payout_status": p.payout_status,
            "payout_owed": payout_owed.get(p.payout_entry_id, 0), "payout_entry_id": p.payout_entry_id}


def _cashbox_out(user, box_id):
    access = authorize(user, box_id, VIEW, cb.KIND)
    box, membership, cashbox = access.box, access.membership, db.session.get(Cashbox, box_id)
    return {"box_id": box.id, "name": box.name, "currency": box.currency, "timezone": box.timezone,
            "locale": box.locale, "calendar": box.calendar, "role": membership.role if membership else None,
            "grace_days": cashbox.grace_days, "fine_kind": cashbox.fine_kind, "fine_value": cashbox.fine_value,
            "winner_policy": cashbox.winner_policy, "cash": cb.box_cash(box),
            "current_round": _round_out(cb.current_round(box.id))}


def _member_state_out(summary, cells):
    """A member's summary row and their cells in a window of periods."""
    return {"membership_id": summary.membership_id, "name": summary.membership.display_name,
            "shares": summary.shares.split(", ") if summary.shares else [],
            "round_total": summary.round_total, "paid": summary.paid, "received": summary.received,
            "arrears": summary.arrears, "fines_unpaid": summary.fines_unpaid, "owes_now": summary.owes_now,
            "cells": [{"period": c.period, "due": c.due, "paid": c.paid, "status": c.status, "fine": c.fine}
                      for c in cells]}


def _payment_out(p):
    return {"id": p.id, "round_id": p.round_id, "membership_id": p.membership_id,
            "member_name": p.membership.display_name, "amount": p.amount, "fine_amount": p.fine_amount,
            "method": p.method, "reference": p.reference, "paid_on": p.paid_on, "entry_id": p.entry_id,
            "entry_number": p.entry.number,
            "reversal_entry_id": p.reversal.id if p.reversal else None}


def _round_for(box_id, round_id):
    return cb.round_in_box(box_id, round_id) if round_id else cb.current_round(box_id)


# ---------------------------------------------------------------- routes

class CashboxRoundSummaryOut(ma.Schema):
    id = F.Integer()
    number = F.Integer()
    status = F.String()
    pot = F.Integer()
    members = F.Integer()
    owed_now = F.Integer(metadata={"description": "Contributions past due and unpaid fines, all members"})
    late = F.Integer(metadata={"description": "Members with a late period"})


class CashboxSummaryOut(ma.Schema):
    box_id = F.Integer()
    name = F.String()
    currency = F.String()
    role = F.String(allow_none=True)
    cash = F.Integer()
    current_round = F.Nested(CashboxRoundSummaryOut, allow_none=True)


@bp.route("", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, CashboxSummaryOut(many=True))
def list_cashboxes(args):
    """The caller's cashboxes, a page at a time (`page`, `per_page`), each with its current round's
    totals (from the member summaries; GET /cashboxes/{id} has the whole round)."""
    user = current_api_user()
    listing = cb.cashboxes_of(user, args["page"], args["per_page"])
    totals = cb.round_totals([r.id for _, _, r, _ in listing if r is not None])
    out = []
    for box, membership, r, cash in listing:
        summary = None
        if r is not None:
            t = totals.get(r.id, cb.Totals(0, 0, 0, 0))
            summary = {"id": r.id, "number": r.number, "status": r.status, "pot": r.pot, "members": t.members,
                       "owed_now": t.owed_now, "late": t.late}
        out.append({"box_id": box.id, "name": box.name, "currency": box.currency,
                    "role": membership.role if membership else None, "cash": cash, "current_round": summary})
    return out


@bp.route("", methods=["POST"])
@bp.arguments(CashboxIn)
@bp.response(201, CashboxOut)
@bp.doc(**links(201, GetCashbox=("GET", "/api/v1/cashboxes/{box_id}", {"box_id": "$response.body#/box_id"}),
                ChangeRules=("PUT", "/api/v1/cashboxes/{box_id}/rules", {"box_id": "$response.body#/box_id"}),
                AddMember=("POST", "/api/v1/cashboxes/{box_id}/members", {"box_id": "$response.body#/box_id"})))
def create_cashbox(body):
    """Create a cashbox (you become its manager) with its first round as a draft."""
    user = current_api_user()
    box = cb.create_cashbox(user, **body)
    return _cashbox_out(user, box.id)


@bp.route("/<int:box_id>", methods=["GET"])
@bp.response(200, CashboxOut)
def get_cashbox(box_id):
    """The box, its rules and its current round."""
    return _cashbox_out(current_api_user(), box_id)


class CashboxRulesChange(ma.Schema):
    """The rules to change; those not named stay as they are."""

    grace_days = F.Integer(strict=True, metadata=limits(0, cb.MAX_DAYS))
    fine_kind = F.String(validate=OneOf(FINE_KINDS))
    fine_value = Amount(allow_none=True, metadata={"description": "Fixed fine in major units, or a percent such as \"2.5\""})
    winner_policy = F.String(validate=OneOf(WINNER_POLICIES))


@bp.route("/<int:box_id>/rules", methods=["PUT"])
@bp.arguments(CashboxRulesChange)
@bp.response(200, CashboxOut)
def put_rules(body, box_id):
    """Change grace days, the late fine and the winner-who-owes policy (managers). Only the rules
    the body names change; an empty body is refused (422)."""
    user = current_api_user()
    cb.update_rules(user, box_id, **body)
    return _cashbox_out(user, box_id)


@bp.route("/<int:box_id>/members", methods=["POST"])
@bp.arguments(NewMemberIn)
@bp.response(201, CashboxMemberOut)
def add_member(body, box_id):
    """Add a member (who may not have an account yet) so they can hold shares (managers)."""
    m = cb.add_member(current_api_user(), box_id, body["display_name"], body["email"], body["same_name_ok"])
    return {"membership_id": m.id, "name": m.display_name, "role": m.role}


@bp.route("/<int:box_id>/rounds", methods=["GET"])
@bp.response(200, CashboxRoundOut(many=True))
def list_rounds(box_id):
    """Every round of the box, newest first (history)."""
    box = authorize(current_api_user(), box_id, VIEW, cb.KIND).box
    return [_round_out(r) for r in cb.rounds_of(box.id)]


@bp.route("/<int:box_id>/rounds/<int:round_id>", methods=["GET"])
@bp.response(200, CashboxRoundOut)
def get_round(box_id, round_id):
    box = authorize(current_api_user(), box_id, VIEW, cb.KIND).box
    return _round_out(cb.round_in_box(box.id, round_id))


@bp.route("/<int:box_id>/rounds/<int:round_id>", methods=["PUT"])
@bp.arguments(CashboxRoundSettingsIn)
@bp.response(200, CashboxRoundOut)
def put_round(body, box_id, round_id):
    """Change a draft round's amounts, number of shares and schedule (managers)."""
    return _round_out(cb.update_round(current_api_user(), box_id, round_id, **body))


@bp.route("/<int:box_id>/rounds/<int:round_id>/shares/<int:number>", methods=["PUT"])
@bp.arguments(CashboxHoldersIn)
@bp.response(200, CashboxShareOut)
def put_holders(body, box_id, round_id, number):
    """Who holds a share of a draft round, with fractions (at most one share in total)."""
    share = cb.set_holders(current_api_user(), box_id, round_id, number,
                           [(h["membership_id"], h["fraction"]) for h in body["holders"]])
    return next(s for s in _round_out(share.round)["shares"] if s["number"] == number)


@bp.route("/<int:box_id>/rounds/<int:round_id>/order", methods=["PUT"])
@bp.arguments(CashboxOrderIn)
@bp.response(200, CashboxRoundOut)
def put_order(body, box_id, round_id):
    """Predefined draws: share numbers in winning order, period 1 first (managers)."""
    return _round_out(cb.set_order(current_api_user(), box_id, round_id, body["order"]))


@bp.route("/<int:box_id>/rounds/<int:round_id>/start", methods=["POST"])
@bp.response(200, CashboxRoundOut)
def start_round(box_id, round_id):
    """Start a draft round: every share must be fully held. Random draws publish their commitments now."""
    return _round_out(cb.start_round(current_api_user(), box_id, round_id))


@bp.route("/<int:box_id>/rounds/<int:round_id>/next", methods=["POST"])
@bp.response(201, CashboxRoundOut)
def next_round(box_id, round_id):
    """Prepare the next round from a finished one (a draft to change, then start)."""
    return _round_out(cb.start_next_round(current_api_user(), box_id, round_id))


@bp.route("/<int:box_id>/grid", methods=["GET"])
@bp.arguments(CashboxGridArgs, location="query")
@bp.response(200, CashboxGridOut)
def grid(args, box_id):
    """Each member's status in each period of a round (the current one by default), a page of
    members (`page`, `per_page`) and of periods (`periods_page`, `periods_per_page`) at a time."""
    box = authorize(current_api_user(), box_id, VIEW, cb.KIND).box
    r = cb.fresh(_round_for(box.id, args["round_id"]))
    today = clock.today(box)
    listing = cb.member_summaries(r, "", args["page"], args["per_page"])
    numbers, _, _ = cb.window(0 if r.status == "draft" else r.share_count, args["periods_page"],
                              args["periods_per_page"])
    periods = cb.periods_in(r, numbers)
    cells = cb.cells_in(r, periods, [s.membership_id for s in listing.items], today)
    progress = cb.progress(r, today)
    return {"round_id": r.id, "today": today, "next_due": progress.next_due, "drawn": progress.drawn,
            "page": listing.page, "pages": listing.pages, "total": listing.total,
            "members": [_member_state_out(s, cells[s.membership_id]) for s in listing.items]}


@bp.route("/<int:box_id>/payments", methods=["GET"])
@bp.arguments(CashboxPageArgs, location="query")
@bp.response(200, CashboxPaymentPage)
def list_payments(args, box_id):
    """Payments, newest first. Members see their own."""
    listing = cb.payments_in_sight(current_api_user(), box_id, args["round_id"], args["membership_id"], args["page"],
                                   args["per_page"])
    return {"items": [_payment_out(p) for p in listing.items], "page": listing.page, "pages": listing.pages,
            "total": listing.total}


@bp.route("/<int:box_id>/payments", methods=["POST"])
@bp.arguments(CashboxPaymentIn)
@bp.response(201, CashboxPaymentOut)
@bp.doc(**IDEMPOTENCY_DOC)
def record_payment(body, box_id):
    """Record a member's payment, in part or in full (managers). Goes first to contributions due,
    then unpaid fines, then later periods."""
    payment = cb.record_payment(current_api_user(), box_id, body["membership_id"], body["amount"], body["method"],
                                body["reference"], body["paid_on"], request_key=idempotency_key(),
                                round_id=body["round_id"])
    return _payment_out(payment)


class CashboxReverseIn(ma.Schema):
    reason = F.String(required=True, validate=Length(min=1, max=300))


@bp.route("/<int:box_id>/payments/<int:payment_id>/reverse", methods=["POST"])
@bp.arguments(CashboxReverseIn)
@bp.response(200, CashboxPaymentOut)
def reverse_payment(body, box_id, payment_id):
    """Undo a payment recorded by mistake (managers): a reversal entry; retrying is refused with 409."""
    return _payment_out(cb.reverse_payment(current_api_user(), box_id, payment_id, body["reason"]))


@bp.route("/<int:box_id>/draws", methods=["GET"])
@bp.arguments(CashboxDrawsArgs, location="query")
@bp.response(200, CashboxPeriodOut(many=True))
def list_draws(args, box_id):
    """The periods of a round with their draws and the data to verify them, a page at a time
    (`page`, `per_page`) from period 1."""
    box = authorize(current_api_user(), box_id, VIEW, cb.KIND).box
    r = _round_for(box.id, args["round_id"])
    numbers, _, _ = cb.window(0 if r.status == "draft" else r.share_count, args["page"], args["per_page"])
    draws = cb.draws_of(r, numbers)
    numbers = {s.id: s.number for s in draws.shares.values()}
    return [_period_out(p, numbers, draws.payout_owed) for p in draws.periods]


@bp.route("/<int:box_id>/draws", methods=["POST"])
@bp.arguments(CashboxDrawIn)
@bp.response(201, CashboxPeriodOut)
@bp.doc(**IDEMPOTENCY_DOC)
def draw(body, box_id):
    """Draw the next period's winner and pay out the pot (managers). Once per period."""
    period = cb.draw(current_api_user(), box_id, body["period"], body["override_reason"],
                     request_key=idempotency_key())
    return _period_out(period, {period.winner_share_id: period.winner.number}, cb.payouts_still_owed(box_id))


@bp.route("/<int:box_id>/periods/<int:number>/release", methods=["POST"])
@bp.response(200, CashboxPeriodOut)
def release(box_id, number):
    """Release a held payout once every holder of the winning share is clear (managers)."""
    period = cb.release_payout(current_api_user(), box_id, number)
    return _period_out(period, {period.winner_share_id: period.winner.number}, cb.payouts_still_owed(box_id))


@bp.route("/<int:box_id>/fines", methods=["POST"])
@bp.response(200, CashboxFinesOut)
def assess_fines(box_id):
    """Charge late fines now, also for periods already late when the round started (the hourly
    job leaves those to you). Each member and period is fined at most once."""
    return {"charged": cb.assess_fines(box_id, actor=current_api_user(), history=True)}


class CashboxFineOut(ma.Schema):
    id = F.Integer()
    period = F.Integer()
    membership_id = F.Integer()
    amount = F.Integer()
    entry_id = F.Integer()
    waived_entry_id = F.Integer(allow_none=True, metadata={"description": "Set when the manager waived the fine"})


@bp.route("/<int:box_id>/fines/<int:fine_id>/waive", methods=["POST"])
@bp.arguments(CashboxReverseIn)
@bp.response(200, CashboxFineOut)
def waive_fine(body, box_id, fine_id):
    """Waive a fine charged by mistake while it is unpaid (managers): a reversal entry; retrying is refused with 409."""
    f = cb.waive_fine(current_api_user(), box_id, fine_id, body["reason"])
    return {"id": f.id, "period": cb.period_of(f).number, "membership_id": f.subject_id, "amount": f.amount,
            "entry_id": f.entry_id, "waived_entry_id": f.waiver_entry_id}


def _member_view_out(box, membership, args):
    view = cb.member_view(box, cb.current_round(box.id), membership, args["periods_page"], args["periods_per_page"])
    out = _member_state_out(view.summary, view.cells)
    out["periods_page"], out["periods_pages"] = view.page, view.pages
    out["position"] = view.position
    nxt = view.next_payment
    out["next_payment"] = {"due_date": nxt[0], "amount": nxt[1]} if nxt else None
    out["won"] = [{"share": n, "period": p.number, "due_date": p.due_date, "amount": part} for p, part, n in view.won]
    out["may_win"] = [{"share": n, "period": pos, "due_date": due, "amount": part} for n, pos, due, part in view.may_win]
    return out


@bp.route("/<int:box_id>/me", methods=["GET"])
@bp.arguments(CashboxMemberArgs, location="query")
@bp.response(200, CashboxMemberViewOut)
def me(args, box_id):
    """My shares, what I owe, when I won or may win, in the current round; `cells` is a page of
    periods (`periods_page`, `periods_per_page`)."""
    return _member_view_out(*cb.member_in_sight(current_api_user(), box_id), args)


@bp.route("/<int:box_id>/members/<int:membership_id>", methods=["GET"])
@bp.arguments(CashboxMemberArgs, location="query")
@bp.response(200, CashboxMemberViewOut)
def member(args, box_id, membership_id):
    """One member's view (managers, or the member themself), `cells` a page of periods."""
    return _member_view_out(*cb.member_in_sight(current_api_user(), box_id, membership_id), args)


@bp.route("/<int:box_id>/statement", methods=["GET"])
@bp.arguments(CashboxStatementArgs, location="query")
@bp.response(200, content_type="application/pdf", description="PDF member statement")
def statement(args, box_id):
    """A member's PDF statement for [start, end]: yours, or anyone's for managers (membership_id)."""
    box, target = cb.member_in_sight(current_api_user(), box_id, args["membership_id"])
    st = cb.member_statement(box, target, args["start"], args["end"])
    return pdf_response(render_pdf("statements/cashbox_member.html", box=box, statement=st, member=target),
                f"statement-{box.id}-{target.id}.pdf")


