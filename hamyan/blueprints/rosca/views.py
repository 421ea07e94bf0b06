"""ROSCA pages: parse the form, call the service, render the page (or its htmx partial). Every
action posts and comes back to its page (an error is shown there), so every URL can be bookmarked
and works without JavaScript."""
import uuid

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.blueprints.rosca import lists, reports, services as rs
from hamyan.blueprints.rosca.forms import (
    AssignForm, DepositForm, MemberForm, NewRoscaForm, PaymentForm, PayoutForm, PricingForm, StatementForm,
    SwapForm, TakeSeatForm)
from hamyan.core import clock
from hamyan.boxes import services as boxes
from hamyan.boxes.services import SameName
from hamyan.core.errors import ServiceError
from hamyan.i18n import bdi, number as num, of_the_request, page_box, percent
from hamyan.statements import check_period, pdf_response
from hamyan.web import apply_error, confirm, listing, picker, redirect_to, render, said
from hamyan.web.listing import requested_page
from hamyan.web.nav import box_nav

bp = Blueprint("rosca", __name__, url_prefix="/rosca")

MEMBERS_PAGE = 25
GRID_PERIODS = 12
A_NAME = {"translate": "no"}  # an option that is a person's name, not words to translate


def _base(box_id):
    """What every ROSCA page shows: the box, the viewer, the round (summaries of today)."""
    access, rosca = rs.viewing(current_user, box_id)
    rosca = rs.fresh(rosca)
    box = access.box
    return dict(box=box, rosca=rosca, membership=access.membership, is_manager=access.can_manage,
                nav=box_nav(box, access.membership, access.can_manage), today=clock.today(box),
                empty_form=EmptyForm())


def _member_choices(box_id):
    return [("", _("Choose…"))] + [(value, label, A_NAME) for value, label in picker.choices(boxes.people(box_id))]


def _back(endpoint: str, box_id: int, action, *args, success: str | None = None, ask: tuple | None = None,
          **kwargs):
    """Run a service action from a button; come back to the page with its outcome. An irreversible
    one first asks (web.confirm): `ask` is (title, the consequences' action, its subject, button)."""
    if ask is not None and confirm.needed():
        title, what, subject_id, button = ask
        access, rosca = rs.viewing(current_user, box_id)
        back = url_for(endpoint, box_id=box_id)
        return confirm.ask(box_nav(access.box, access.membership, access.can_manage), title,
                           rs.consequences(rosca, what, subject_id), button, back=back,
                           blocked=confirm.refusal(action, current_user, box_id, *args, **kwargs))
    try:
        action(current_user, box_id, *args, **kwargs)
    except ServiceError as error:
        if error.status == 404:
            raise
        apply_error(None, error)
    else:
        if success:
            flash(success, "success")
    return redirect_to(endpoint, box_id=box_id)


# ---------------------------------------------------------------- create and price

@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_box():
    form = NewRoscaForm()
    if form.validate_on_submit():
        try:
            box = rs.create_rosca(
                current_user, form.name.data, form.currency.data, form.seat_count.data, form.contribution.data,
                form.period_kind.data, form.first_due.data, form.pricing.data, rate=form.rate.data, fee=form.fee.data,
                lowest=form.lowest.data, table=(form.table.data or "").splitlines(), deposit=form.deposit.data,
                grace_days=form.grace_days.data, period_days=form.period_days.data,
                timezone=form.timezone.data.strip(), locale=form.locale.data.strip(), calendar=form.calendar.data,
                late_fee_kind=form.late_fee_kind.data, late_fee_value=form.late_fee_value.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(said(_("%(name)s is created. Check the prices, then sell the seats."), name=bdi(box.name)), "success")
            return redirect_to("rosca.pricing", box_id=box.id)
    elif request.method == "GET" and form.first_due.data is None:
        form.first_due.data = clock.today_in(form.timezone.data or "Asia/Tehran")
    return render("rosca/new.html", "form", form=form)


@bp.route("/<int:box_id>/pricing", methods=["GET", "POST"])
@login_required
def pricing(box_id):
    context = _base(box_id)
    rosca = context["rosca"]
    form = PricingForm(formdata=request.form if request.method == "POST" else None, pricing=rosca.pricing,
                       rate=str(rs.rate(rosca) * 100).rstrip("0").rstrip(".") or "0",
                       fee=str(rosca.fee_bp / 100).rstrip("0").rstrip("."))
    if request.method == "POST" and form.validate():
        try:
            rs.reprice(current_user, box_id, form.pricing.data, rate=form.rate.data, fee=form.fee.data,
                       lowest=form.lowest.data, table=(form.table.data or "").splitlines())
        except ServiceError as error:
            if error.status == 404:
                raise
            apply_error(form, error)
        else:
            flash(_("The seats are priced again."), "success")
            return redirect_to("rosca.pricing", box_id=box_id)
    seats = rs.seats_of(rosca)
    view = rs.pricing_view(rosca, seats)
    return render("rosca/pricing.html", "form", form=form, view=view, chart=view.chart(), **context)


# ---------------------------------------------------------------- seat board and sale

@bp.route("/<int:box_id>")
@login_required
def dashboard(box_id, statement_form=None):
    context = _base(box_id)
    rosca, box = context["rosca"], context["box"]
    periods = {p.number: p for p in rs.periods_of(rosca)}
    next_period = next((p for p in periods.values() if not p.paid_out), None)
    payment_form = PaymentForm(formdata=None, paid_on=context["today"], request_key=uuid.uuid4().hex)
    payment_form.membership_id.choices = _member_choices(box.id)
    deposit_form = DepositForm(formdata=None)
    deposit_form.membership_id.choices = payment_form.membership_id.choices
    statement_form = statement_form or StatementForm(formdata=None, start=rosca.first_due, end=context["today"])
    statement_form.membership_id.choices = _member_choices(box.id)[1:]
    return render("rosca/dashboard.html", seats=rs.seats_of(rosca), periods=periods, next_period=next_period,
                  totals=rs.totals(rosca), cash=rs.box_cash(box.id), available=rs.available(box.id),
                  attention=rs.summaries_page(rosca, page=1, per_page=10, late_only=True).items,
                  payment_form=payment_form, deposit_form=deposit_form, statement_form=statement_form,
                  payout_form=PayoutForm(formdata=None, request_key=uuid.uuid4().hex), **context)


@bp.route("/<int:box_id>/seats")
@login_required
def seats(box_id):
    context = _base(box_id)
    rosca, box = context["rosca"], context["box"]
    members = rs.active_members(box.id)
    records = rs.records(members, context["today"])
    assign = AssignForm(formdata=None)
    for f in (assign.member_1, assign.member_2, assign.member_3):  # the record beside each name, to choose by
        f.choices = [("", "—")] + [(str(m.id), m.display_name if records[m.id].rate is None else
                                   _("%(name)s (%(rate)s on time)", name=m.display_name,
                                     rate=format(records[m.id].rate, ".0%")))
                                   for m in members]
    return render("rosca/seats.html", seats=rs.seats_of(rosca), members=members,
                  records=records, deposits_due=rs.deposit_due(rosca),
                  deposits=rs.deposits_by_member(box.id), take_form=TakeSeatForm(formdata=None), assign_form=assign,
                  member_form=MemberForm(formdata=None), **context)


@bp.post("/<int:box_id>/seats/<int:number>/take")
@login_required
def take(box_id, number):
    form = TakeSeatForm()
    return _back("rosca.seats", box_id, rs.take_seat, number, form.fraction.data or "1",
                 success=_("You hold seat %(number)s.", number=num(number)))


@bp.post("/<int:box_id>/seats/<int:number>/leave")
@login_required
def leave(box_id, number):
    return _back("rosca.seats", box_id, rs.leave_seat, number, success=_("You gave back seat %(number)s.", number=num(number)),
                 ask=(_("Give back seat %(number)s?", number=num(number)), "leave", number, _("Yes, give it back")))


@bp.post("/<int:box_id>/seats/<int:number>/assign")
@login_required
def assign(box_id, number):
    form = AssignForm()
    return _back("rosca.seats", box_id, rs.assign_seat, number, form.holders(), success=_("Seat %(number)s is given out.", number=num(number)))


@bp.post("/<int:box_id>/seats/<int:number>/reserve")
@login_required
def reserve(box_id, number):
    keep = request.form.get("reserved") == "1"
    return _back("rosca.seats", box_id, rs.reserve_seat, number, keep,
                 success=_("Seat %(number)s is kept back for the manager to give.", number=num(number)) if keep
                 else _("Seat %(number)s is on sale.", number=num(number)))


@bp.post("/<int:box_id>/members")
@login_required
def add_member(box_id):
    form = MemberForm()
    try:
        member = rs.add_member(current_user, box_id, form.display_name.data, form.email.data or None,
                               same_name_ok=not confirm.needed())
    except SameName as error:  # a warning: adding them needs a yes
        access = rs.viewing(current_user, box_id)[0]
        return confirm.same_name(box_nav(access.box, access.membership, access.can_manage), error,
                                 _("Yes, add them: it is another person"), back=url_for("rosca.seats", box_id=box_id))
    except ServiceError as error:
        if error.status == 404:
            raise
        apply_error(None, error)
    else:
        flash(said(_("%(name)s is a member now."), name=bdi(member.display_name)), "success")
    return redirect_to("rosca.seats", box_id=box_id)


@bp.post("/<int:box_id>/start")
@login_required
def start(box_id):
    return _back("rosca.dashboard", box_id, rs.start, success=_("The round has started."),
                 ask=(_("Start the round?"), "start", None, _("Yes, start the round")))


def _flash_errors(form) -> None:
    """Each field's first error, led by its label unless it already says it (a date's does)."""
    for name, messages in form.errors.items():
        label = str(getattr(form, name).label.text)
        flash(messages[0] if messages[0].startswith(f"{label}:") else f"{label}: {messages[0]}", "danger")


# ---------------------------------------------------------------- the round

@bp.post("/<int:box_id>/payments")
@login_required
def payment(box_id):
    rs.viewing(current_user, box_id)  # another box answers 404 before its form is read
    form = PaymentForm()
    if not form.validate():
        _flash_errors(form)
        return redirect_to("rosca.dashboard", box_id=box_id)
    return _back("rosca.dashboard", box_id, rs.record_payment, form.membership_id.data, form.amount.data,
                 form.method.data, form.reference.data or "", form.paid_on.data, request_key=form.request_key.data or None,
                 success=_("The payment is recorded."))


@bp.post("/<int:box_id>/deposits")
@login_required
def deposit(box_id):
    rs.viewing(current_user, box_id)  # another box answers 404 before its form is read
    form = DepositForm()
    if not form.validate():
        _flash_errors(form)
        return redirect_to("rosca.seats", box_id=box_id)
    return _back("rosca.seats", box_id, rs.record_deposit, form.membership_id.data, form.amount.data,
                 form.method.data, success=_("The deposit is recorded."))


@bp.post("/<int:box_id>/payout")
@login_required
def payout(box_id):
    form = PayoutForm()
    return _back("rosca.dashboard", box_id, rs.pay_out, form.period.data or None, form.override_reason.data or None,
                 request_key=form.request_key.data or None, success=_("The payout is made."),
                 ask=(_("Make the payout?"), "payout", None, _("Yes, pay it out")))


@bp.post("/<int:box_id>/members/<int:membership_id>/cover")
@login_required
def cover(box_id, membership_id):
    return _back("rosca.dashboard", box_id, rs.cover_default, membership_id,
                 success=_("The deposit covers what the member owed."),
                 ask=(_("Cover from the deposit?"), "cover", membership_id, _("Yes, use the deposit")))


@bp.post("/<int:box_id>/release")
@login_required
def release(box_id):
    return _back("rosca.dashboard", box_id, rs.release_deposits, success=_("The deposits are handed back."),
                 ask=(_("Release the deposits?"), "release", None, _("Yes, hand them back")))


@bp.route("/<int:box_id>/periods")
@login_required
def grid(box_id):
    context = _base(box_id)
    rosca = context["rosca"]
    search = (request.args.get("q") or "").strip()[:120]
    listing = rs.summaries_page(rosca, search, requested_page(), MEMBERS_PAGE)
    count = rosca.seat_count if rosca.status != "draft" else 0
    numbers, period_page, period_pages = rs.window(count, requested_page("periods"), GRID_PERIODS)
    periods = rs.periods_of(rosca, numbers) if count else []
    cells = rs.grid_cells(rosca, listing.items, periods, context["today"])
    return render("rosca/grid.html", partials=("grid",), listing=listing, search=search, periods=periods,
                  cells=cells, period_page=period_page, period_pages=period_pages, **context)


# ---------------------------------------------------------------- the seat market

@bp.route("/<int:box_id>/market")
@login_required
def market(box_id):
    context = _base(box_id)
    rosca = context["rosca"]
    quote = None
    earlier, later = request.args.get("earlier"), request.args.get("later")
    if earlier and later:
        try:
            price = rs.quote(rosca, earlier, later)  # first: it refuses what is not a seat number
            quote = (int(earlier), int(later), price)
        except ServiceError as error:
            if error.status == 404:
                raise
            apply_error(None, error)
    collected = sum(1 for p in rs.periods_of(rosca) if p.paid_out)
    tradable = [s for s in rs.seats_of(rosca) if s.number > collected and s.holdings]
    return render("rosca/market.html", tradable=tradable, swaps=rs.swaps_of(rosca.box_id),
                  swap_form=SwapForm(formdata=None, earlier=earlier, later=later), quote=quote, **context)


@bp.post("/<int:box_id>/market")
@login_required
def request_swap(box_id):
    form = SwapForm()
    return _back("rosca.market", box_id, rs.request_swap, form.earlier.data, form.later.data,
                 success=_("The trade is asked for; the manager approves it."))


@bp.post("/<int:box_id>/market/<int:swap_id>/<any(approve, refuse):decision>")
@login_required
def decide_swap(box_id, swap_id, decision):
    action = rs.approve_swap if decision == "approve" else rs.refuse_swap
    return _back("rosca.market", box_id, action, swap_id,
                 success=_("The seats are traded.") if decision == "approve" else _("The trade is refused."),
                 ask=(_("Approve this trade?"), "swap", swap_id, _("Yes, trade the seats"))
                 if decision == "approve" else None)


# ---------------------------------------------------------------- a member's seats and statement

@bp.route("/<int:box_id>/mine")
@login_required
def mine(box_id, statement_form=None):
    context = _base(box_id)
    rosca, membership = context["rosca"], context["membership"]
    summary = rs.summary_of(rosca, membership) if membership else None
    late_owed, late_fees = rs.late_fees_of(rosca, membership.id) if membership else (0, [])
    my_seats = [s for s in rs.seats_of(rosca) if membership and any(h.membership_id == membership.id for h in s.holdings)]
    periods = {p.number: p for p in rs.periods_of(rosca)}
    return render("rosca/mine.html", summary=summary, my_seats=my_seats, periods=periods, late_owed=late_owed,
                  late_fees=late_fees,
                  statement_form=statement_form or StatementForm(formdata=None, start=rosca.first_due,
                                                                 end=context["today"]), **context)


@bp.route("/<int:box_id>/payments")
@login_required
def payments(box_id):
    return _list(lists.PAYMENTS, box_id, _("Payments"))


@bp.route("/<int:box_id>/fines")
@login_required
def fines(box_id):
    return _list(lists.FINES, box_id, _("Fines"))


def _list(spec, box_id, title: str):
    """A list of the box (hamyan.web.listing): managers see every member's rows, members their own."""
    base = _base(box_id)
    where = [] if base["is_manager"] else [spec.member == base["membership"].id]
    return listing.show(spec, base.pop("box"), *where, title=title, member_filter=base["is_manager"], lookup=None,
                        **base)


@bp.route("/<int:box_id>/statement.pdf")
@login_required
def statement(box_id):
    """A member's statement: members get their own, managers anyone's (membership_id). The days are
    read as the box's people type them (Jalali in a Persian box); a wrong one comes back on the form
    it was typed in: the dashboard's (which names the member) or My seats'."""
    box, member = rs.member_in_sight(current_user, box_id, request.args.get("membership_id", type=int))
    form = StatementForm(request.args)
    if form.validate():
        try:
            start, end = check_period(form.start.data, form.end.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            pdf = reports.member_statement_pdf(box, member, start, end)
            return pdf_response(pdf, f"rosca-{box.id}-{member.id}-{start}-{end}.pdf")
    return (dashboard if "membership_id" in request.args else mine)(box_id, statement_form=form)


@bp.app_template_filter("rate")
@of_the_request
def rate_filter(value) -> str:
    """A rate a period to a hundredth of a percent, in the page's digits (۲٫۳۷٪ on Persian pages)."""
    return percent(float(value), page_box(), places=2)

