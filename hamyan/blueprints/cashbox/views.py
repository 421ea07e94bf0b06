"""Cashbox pages: parse the form, call the service, render the page or its htmx partial."""

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from hamyan.core import clock, parse
from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.rotation import draws as draws_module
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.forms import (
    AddMemberForm,
    DrawForm,
    HoldersForm,
    NewBoxForm,
    OrderForm,
    PaymentForm,
    ReverseForm,
    RoundForm,
    RulesForm,
    StatementForm,
)
from hamyan.blueprints.cashbox import lists
from hamyan.blueprints.cashbox.models import Cashbox, Payment, Round
from hamyan.boxes.access import MANAGE, VIEW, authorize
from hamyan.boxes.services import SameName
from hamyan.core.errors import ServiceError, ValidationError
from hamyan.extensions import db
from hamyan.money import to_major
from hamyan.statements import pdf_response, render_pdf
from hamyan import money
from hamyan.dues.calendar import format_day
from hamyan.web import apply_error, bulk, confirm, listing, picker, redirect_to, render
from hamyan.web.nav import box_nav

bp = Blueprint("cashbox", __name__, url_prefix="/cashbox")

MEMBERS_PAGE = 25  # rows of the member table and of the grid
GRID_PERIODS = 12  # periods the grid and the draws list show at once
MEMBER_PERIODS = 24  # periods of the member page's history
SHARES_PAGE = 50


def _page() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def _members_url(box_id: int) -> str | None:
    """The shared members page, once it exists."""
    if "members.index" in current_app.view_functions:
        return url_for("members.index", box_id=box_id)
    return None


def _context(box_id: int):
    access = authorize(current_user, box_id, VIEW, cb.KIND)
    return access.box, access.membership, db.session.get(Cashbox, box_id), access.can_manage


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_box():
    form = NewBoxForm()
    if form.validate_on_submit():
        try:
            box = cb.create_cashbox(
                current_user, form.name.data, form.currency.data, form.contribution.data, form.share_count.data,
                form.period_kind.data, form.first_due.data, form.draw_mode.data, period_days=form.period_days.data,
                timezone=form.timezone.data.strip(), locale=form.locale.data.strip(), calendar=form.calendar.data,
                grace_days=form.grace_days.data, fine_kind=form.fine_kind.data, fine_value=form.fine_value.data,
                winner_policy=form.winner_policy.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(f"{box.name} is created. Add members and give out the shares, then start the round.", "success")
            return redirect_to("cashbox.setup", box_id=box.id)
    elif request.method == "GET" and form.first_due.data is None:
        form.first_due.data = clock.today_in(form.timezone.data or "UTC")
    return render("cashbox/new.html", "form", form=form)


@bp.route("/<int:box_id>")
@login_required
def dashboard(box_id):
    return render("cashbox/dashboard.html", "grid", **_dashboard_context(box_id))  # htmx: the table's pagers


def _dashboard_context(box_id, payment_form=None, statement_form=None):
    """Totals, the attention list, one page of the member table (searchable) and of the grid (by
    members and by periods), and the draws: read from the member summaries, so the number of
    queries does not grow with the round."""
    box, membership, cashbox, is_manager = _context(box_id)
    rounds, r = cb.chosen_round(box.id, request.args.get("round", type=int))
    r = cb.fresh(r)
    today = clock.today(box)
    progress = cb.progress(r, today)
    next_period = progress.next_period
    totals = cb.totals(r, next_period.number if next_period else 0)
    search = (request.args.get("q") or "").strip()[:120]
    listing = cb.member_summaries(r, search, _page(), MEMBERS_PAGE)
    count = 0 if r.status == "draft" else r.share_count
    numbers, period_page, period_pages = cb.window(count, request.args.get("periods", 1, type=int), GRID_PERIODS)
    periods = cb.periods_in(r, numbers)
    cells = cb.cells_in(r, periods, [s.membership_id for s in listing.items], today)
    # The draws list shows a page of periods too: by default the one with the next draw.
    default_page = ((next_period.number if next_period else count) - 1) // GRID_PERIODS + 1
    draw_numbers, draw_page, draw_pages = cb.window(count, request.args.get("draws", default_page, type=int),
                                                    GRID_PERIODS)
    draws = cb.draws_of(r, draw_numbers if r.status != "draft" else None)
    payment_form = payment_form or PaymentForm(formdata=None, paid_on=today)
    statement_form = statement_form or StatementForm(formdata=None, start=r.first_due.replace(day=1), end=today)
    return dict(box=box, cashbox=cashbox, r=r, rounds=rounds, today=today, draws=draws, progress=progress,
                next_period=next_period, totals=totals, attention=cb.attention(r), listing=listing, search=search,
                periods=periods, cells=cells, period_page=period_page, period_pages=period_pages,
                draw_page=draw_page, draw_pages=draw_pages,
                owed_payouts=cb.payouts_owed(box.id), is_manager=is_manager, membership=membership,
                nav=box_nav(box, membership, is_manager),
                payment_form=payment_form, draw_form=DrawForm(), empty_form=EmptyForm(),
                statement_form=statement_form, cash=cb.box_cash(box),
                verify_snippet=draws_module.VERIFY_SNIPPET)


def _setup_context(box_id, round_id=None, **forms):
    access = authorize(current_user, box_id, MANAGE, cb.KIND)
    box = access.box
    cashbox = db.session.get(Cashbox, box.id)
    r = cb.round_in_box(box.id, round_id) if round_id else cb.current_round(box.id)
    holder_forms = {}
    page = _page()
    pages = max((len(r.shares) + SHARES_PAGE - 1) // SHARES_PAGE, 1)
    # The share saved by htmx is rendered whatever page it is on.
    shown = [s for s in r.shares if (page - 1) * SHARES_PAGE < s.number <= page * SHARES_PAGE
             or s.number == forms.get("holders_share")]
    for share in shown:
        form = forms.get("holders") if forms.get("holders_share") == share.number else None
        if form is None:
            form = HoldersForm(formdata=None, prefix=f"s{share.number}", share=share.number)
            for (member_field, fraction_field), holding in zip(form.rows(), share.holdings):
                member_field.data = holding.membership.display_name
                fraction_field.data = str(holding.fraction)
        holder_forms[share.number] = form
    # Explicit values, not obj=: obj's attributes would win over these (amounts are minor units there).
    round_form = forms.get("round") or RoundForm(
        formdata=None, contribution=_major(r.contribution, box), share_count=str(r.share_count),
        period_kind=r.period_kind, period_days=str(r.period_days), first_due=r.first_due, draw_mode=r.draw_mode)
    rules_form = forms.get("rules") or RulesForm(formdata=None, **cb.rules_text(cashbox, box.currency))
    order = sorted(r.shares, key=lambda s: (s.draw_position or 0, s.number))
    order_form = forms.get("order") or OrderForm(formdata=None, order=", ".join(str(s.number) for s in order))
    return dict(box=box, cashbox=cashbox, r=r, member_count=cb.member_count(box.id), holder_forms=holder_forms,
                shown=shown,
                page=page, pages=pages, round_form=round_form,
                rules_form=rules_form, order_form=order_form, member_form=forms.get("member") or AddMemberForm(formdata=None),
                empty_form=EmptyForm(), members_url=_members_url(box.id),
                nav=box_nav(box, access.membership, True), due_dates=cb.due_dates(r, box.calendar))


def _major(amount: int, box) -> str:
    return str(to_major(amount, box.currency))


@bp.route("/<int:box_id>/setup", methods=["GET", "POST"])
@bp.route("/<int:box_id>/rounds/<int:round_id>/setup", methods=["GET", "POST"])
@login_required
def setup(box_id, round_id=None):
    """The draft round: amounts and schedule, members, who holds each share, the winning order."""
    what = request.form.get("what")
    forms, block = {}, None
    if request.method == "POST":
        box = authorize(current_user, box_id, MANAGE, cb.KIND).box
        r = cb.round_in_box(box.id, round_id) if round_id else cb.current_round(box.id)
        try:
            if what == "round":
                form = forms["round"] = RoundForm()
                if form.validate_on_submit():
                    cb.update_round(current_user, box.id, r.id, form.contribution.data, form.share_count.data,
                                    form.period_kind.data, form.period_days.data, form.first_due.data,
                                    form.draw_mode.data)
                    flash("Round settings saved.", "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "rules":
                form = forms["rules"] = RulesForm()
                if form.validate_on_submit():
                    cb.update_rules(current_user, box.id, grace_days=form.grace_days.data,
                                    fine_kind=form.fine_kind.data, fine_value=form.fine_value.data,
                                    winner_policy=form.winner_policy.data)
                    flash("Rules saved.", "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "member":
                form = forms["member"] = AddMemberForm()
                if form.validate_on_submit():
                    try:
                        m = cb.add_member(current_user, box.id, form.display_name.data, form.email.data,
                                          same_name_ok=not confirm.needed())
                    except SameName as error:
                        access = authorize(current_user, box_id, MANAGE, cb.KIND)
                        return confirm.same_name(box_nav(box, access.membership, True), error,
                                                 "Yes, add them: it is another person",
                                                 back=url_for("cashbox.setup", box_id=box.id, round_id=r.id))
                    flash(f"{m.display_name} is added.", "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "one_share_each":
                if EmptyForm().validate_on_submit():
                    r = cb.one_share_each(current_user, box.id, r.id)
                    flash(f"Each of the {r.share_count} members holds one share.", "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "holders":
                number = request.form.get("share", type=int)
                form = HoldersForm(prefix=f"s{number}")
                forms["holders"], forms["holders_share"], block = form, number, "share"
                # Each typed name names one member (hamyan.web.picker); nothing is saved if one does not.
                pairs = [(picker.resolve(cb.people(box.id), m, "member"), fraction)
                         for m, fraction in form.named()] if form.validate_on_submit() else None
                if pairs is not None and all(member for member, _ in pairs):
                    cb.set_holders(current_user, box.id, r.id, number, [(str(m), f) for m, f in pairs])
                    if not request.headers.get("HX-Request"):
                        flash(f"Share {number} saved.", "success")
                        return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
                    forms = {"holders_share": number}
            elif what == "order":
                form = forms["order"] = OrderForm()
                if form.validate_on_submit():
                    cb.set_order(current_user, box.id, r.id, [n for n in form.order.data.replace(",", " ").split()])
                    flash("Winning order saved.", "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "start":
                if EmptyForm().validate_on_submit() and confirm.needed():
                    access = authorize(current_user, box_id, MANAGE, cb.KIND)
                    amount = lambda minor: money.format_money(minor, box.currency, box.locale)  # noqa: E731
                    return confirm.ask(
                        box_nav(box, access.membership, access.can_manage), f"Start round {r.number}?",
                        [f"{r.share_count} shares pay {amount(r.contribution)} each period, the first due "
                         f"{_day(box, r.first_due)}; each period's pot of {amount(r.pot)} goes to one share.",
                         "Who holds each share, the amounts and the schedule are fixed from then on."],
                        f"Yes, start round {r.number}", danger=False,
                        back=url_for("cashbox.setup", box_id=box.id, round_id=r.id),
                        blocked=confirm.refusal(cb.start_round, current_user, box.id, r.id))
                if EmptyForm().validate_on_submit():
                    cb.start_round(current_user, box.id, r.id)
                    flash(f"Round {r.number} has started.", "success")
                    return redirect_to("cashbox.dashboard", box_id=box.id)
        except ServiceError as error:
            target = forms.get("holders") if what == "holders" else forms.get(what)
            if target is None:
                flash(error.message, "danger")
            else:
                apply_error(target, error)
    ctx = _setup_context(box_id, round_id, **forms)
    if block == "share":
        ctx["share"] = next((s for s in ctx["r"].shares if s.number == forms.get("holders_share")), None)
        if ctx["share"] is None:
            abort(404)
    return render("cashbox/setup.html", block, **ctx)


@bp.route("/<int:box_id>/payments", methods=["GET", "POST"])
@login_required
def payments(box_id):
    if request.method == "POST":
        return _record_payment(box_id)
    box, membership, cashbox, is_manager = _context(box_id)
    where = [] if is_manager else [Payment.membership_id == membership.id]  # a member sees their own
    if request.args.get("round"):
        where.append(Payment.round_id == cb.round_in_box(box.id, request.args["round"]).id)
    return listing.show(lists.PAYMENTS, box, *where, template="cashbox/payments.html", is_manager=is_manager,
                        nav=box_nav(box, membership, is_manager), reverse_form=ReverseForm(),
                        lookup=url_for("cashbox.names", box_id=box.id) if is_manager else None)


@bp.route("/<int:box_id>/collect", methods=["GET", "POST"])
@login_required
def collect(box_id):
    """The bulk period entry: every holder with what they owe for a period, recorded at once."""
    access = authorize(current_user, box_id, MANAGE, cb.KIND)
    box = access.box
    r = db.session.scalar(db.select(Round).filter_by(box_id=box.id, status="active"))
    if r is None:
        flash("Payments are recorded once a round has started.", "warning")
        return redirect_to("cashbox.dashboard", box_id=box.id)
    r = cb.fresh(r)
    periods = r.periods
    today = clock.today(box)
    asked = parse.record_id(request.args.get("period"))
    number = asked if asked and asked <= len(periods) else max(
        [p.number for p in periods if p.due_date <= today] or [1])
    sheet, done = bulk.handle(current_user, box, cb.period_lines(box, r, number), lambda m, amount, sheet, paid_on:
                              cb.record_payment(current_user, box.id, m, amount, sheet.method, sheet.reference, paid_on,
                                                request_key=bulk.row_key(sheet, m), round_id=r.id))
    if done is not None:
        flash(f"{bulk.recorded(done)} for period {number}.", "success")
        return redirect_to("cashbox.payments", box_id=box.id)
    return render("box/bulk.html", box=box, nav=box_nav(box, access.membership, True),
                  title="Record a period's payments",
                  sheet=sheet, period=number, pay_methods=(("cash", "Cash"), ("bank", "Bank transfer")),
                  reference="Reference (bank transfers)",
                  periods=[(p.number, f"Period {p.number} · due {format_day(p.due_date, box.calendar, box.locale)}")
                           for p in periods])


@bp.route("/<int:box_id>/fines")
@login_required
def fines(box_id):
    box, membership, cashbox, is_manager = _context(box_id)
    where = [] if is_manager else [lists.FINES.member == membership.id]
    return listing.show(lists.FINES, box, *where, title="Fines", nav=box_nav(box, membership, is_manager),
                        member_filter=is_manager,
                        lookup=url_for("cashbox.names", box_id=box.id) if is_manager else None)


def _record_payment(box_id):
    box = authorize(current_user, box_id, MANAGE, cb.KIND).box
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            membership_id = form.membership_id.data or picker.named(cb.people(box.id), form.member.data, "member",
                                                                    "member")
            payment = cb.record_payment(current_user, box.id, membership_id, form.amount.data,
                                        form.method.data, form.reference.data, form.paid_on.data,
                                        request_key=f"form:{form.request_id.data}")
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(f"Payment from {payment.membership.display_name} recorded.", "success")
            return redirect_to("cashbox.dashboard", box_id=box.id)
    # 200, like every form page here: htmx swaps only successful responses.
    return render("cashbox/dashboard.html", "payment_form", **_dashboard_context(box.id, form))


def _undo(box_id, undo, say_why: str):
    """A reversal form (undo a payment, waive a fine): what undo(box, reason) returned, or None
    with the reason it was refused flashed."""
    box = authorize(current_user, box_id, MANAGE, cb.KIND).box
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(say_why, "danger")
        return None
    try:
        return undo(box, form.reason.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return None


@bp.route("/<int:box_id>/payments/<int:payment_id>/reverse", methods=["POST"])
@login_required
def reverse_payment(box_id, payment_id):
    access = authorize(current_user, box_id, MANAGE, cb.KIND)
    form = ReverseForm()
    if form.validate_on_submit() and confirm.needed():
        return _confirm_undo(access, payment_id, form.reason.data)
    payment = _undo(box_id, lambda box, reason: cb.reverse_payment(current_user, box.id, payment_id, reason),
                    "Say why the payment is undone.")
    if payment is not None:
        flash(f"The payment from {payment.membership.display_name} is undone.", "success")
    return redirect_to("cashbox.payments", box_id=box_id)


def _confirm_undo(access, payment_id, reason):
    box = access.box
    payment = cb.payment_of(box.id, payment_id)
    name, amount = payment.membership.display_name, lambda minor: money.format_money(minor, box.currency, box.locale)
    lines = [f"The payment of {amount(payment.amount + payment.fine_amount)} from {name} on "
             f"{_day(box, payment.paid_on)} (entry #{payment.entry.number}) is undone by a reversal entry; it stays "
             "listed, struck through.",
             f"{name} owes its {amount(payment.amount)} of contributions again"
             + (f" and the {amount(payment.fine_amount)} of fines it paid" if payment.fine_amount else "")
             + f"; the box's cash goes down by {amount(payment.amount + payment.fine_amount)}.",
             f"The reason recorded: “{reason}”."]
    return confirm.ask(box_nav(box, access.membership, access.can_manage), f"Undo {name}'s payment?", lines,
                       "Yes, undo the payment", back=url_for("cashbox.payments", box_id=box.id),
                       blocked=confirm.refusal(cb.reverse_payment, current_user, box.id, payment_id, reason),
                       note="The undo is itself recorded: record the payment again if it was right after all.")


@bp.route("/<int:box_id>/fines/<int:fine_id>/waive", methods=["POST"])
@login_required
def waive_fine(box_id, fine_id):
    fine = _undo(box_id, lambda box, reason: cb.waive_fine(current_user, box.id, fine_id, reason),
                 "Say why the fine is waived.")
    if fine is None:
        return redirect_to("cashbox.dashboard", box_id=box_id)
    flash(f"The fine of period {cb.period_of(fine).number} is waived.", "success")
    return redirect_to("cashbox.member", box_id=box_id, membership_id=fine.subject_id)


@bp.route("/<int:box_id>/draw", methods=["POST"])
@login_required
def draw(box_id):
    access = authorize(current_user, box_id, MANAGE, cb.KIND)
    box = access.box
    form = DrawForm()
    if form.validate_on_submit():
        if confirm.needed():
            return _confirm_draw(access, form)
        try:
            period = cb.draw(current_user, box.id, form.period.data or None, form.override_reason.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"Period {period.number}: share {period.winner.number} wins"
                  + (" (payout held until the winner is clear)." if period.payout_status == "held" else "."), "success")
    else:
        for messages in form.errors.values():  # every error at once
            flash(messages[0], "danger")
    return redirect_to("cashbox.dashboard", box_id=box.id)


def _confirm_draw(access, form):
    box = access.box
    nav, back = box_nav(box, access.membership, access.can_manage), url_for("cashbox.dashboard", box_id=box.id)
    refused = confirm.refusal(cb.draw, current_user, box.id, form.period.data or None, form.override_reason.data)
    if refused:
        return confirm.ask(nav, "Draw", [], "", back=back, blocked=refused)
    r = cb.current_round(box.id)
    cashbox = db.session.get(Cashbox, box.id)
    period = cb.progress(r, clock.today(box)).next_period
    totals = cb.totals(r, period.number)
    left = r.share_count - period.number + 1
    lines = [f"Period {period.number} (due {_day(box, period.due_date)}) is drawn: "
             + ("the next share in the predefined order wins." if r.draw_mode == "predefined" else
                f"one of the {left} shares that have not won yet wins, by the published commitment."),
             f"The pot of {money.format_money(r.pot, box.currency, box.locale)} is paid out to the winning share's "
             "holders" + ("; a holder who owes has it taken from their part first." if cashbox.winner_policy == "net"
                          else "; if a holder owes, the payout is held until they are clear.")]
    if totals.behind:
        lines.append(f"{totals.behind} of {totals.members} members have not paid period {period.number} in full; "
                     f"drawing anyway is recorded with your reason: “{form.override_reason.data or ''}”.")
    return confirm.ask(nav, f"Draw period {period.number}?", lines, f"Yes, draw period {period.number}", back=back,
                       danger=False)


def _day(box, day):
    return format_day(day, box.calendar, box.locale)


def _manager_post(box_id, action, message, preview=None):
    """A manager's button; `preview(access)` is its confirm step (web.confirm), or None for none."""
    access = authorize(current_user, box_id, MANAGE, cb.KIND)
    box = access.box
    if EmptyForm().validate_on_submit():
        if preview is not None and confirm.needed():
            return preview(access)
        try:
            result = action(box)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(message(result), "success")
    return redirect_to("cashbox.dashboard", box_id=box.id)


@bp.route("/<int:box_id>/fines", methods=["POST"])
@login_required
def assess_fines(box_id):
    return _manager_post(box_id, lambda box: cb.assess_fines(box.id, actor=current_user, history=True),
                         lambda n: f"{n} late fine(s) charged." if n else "No new late fines.", _confirm_fines)


def _confirm_fines(access):
    box = access.box
    fines = cb.fines_to_charge(current_user, box.id)
    amount = lambda minor: money.format_money(minor, box.currency, box.locale)  # noqa: E731
    shown = [f"{m.display_name}: {amount(value)} for period {period.number}" for m, period, value in fines[:20]]
    if len(fines) > 20:
        shown.append(f"and {len(fines) - 20} more, {amount(sum(f[2] for f in fines[20:]))} in all")
    back = url_for("cashbox.dashboard", box_id=box.id)
    return confirm.ask(box_nav(box, access.membership, access.can_manage), "Charge late fines now?",
                       [f"{len(fines)} fine(s), {amount(sum(f[2] for f in fines))} in all, are charged:", *shown],
                       "Yes, charge them", back=back,
                       note="A fine charged by mistake can be waived while it is unpaid.",
                       blocked=None if fines else "No period is late without its fine: there is nothing to charge.")


@bp.route("/<int:box_id>/periods/<int:number>/release", methods=["POST"])
@login_required
def release(box_id, number):
    def preview(access):
        box = access.box
        return confirm.ask(box_nav(box, access.membership, access.can_manage),
                           f"Release the payout of period {number}?",
                           [f"The held pot of period {number} is paid out to its winners now, less what they still "
                            "owe, from the box's cash."], "Yes, pay it out",
                           back=url_for("cashbox.dashboard", box_id=box.id),
                           blocked=confirm.refusal(cb.release_payout, current_user, box.id, number))

    return _manager_post(box_id, lambda box: cb.release_payout(current_user, box.id, number),
                         lambda p: f"Payout of period {p.number} released.", preview)


@bp.route("/<int:box_id>/rounds/<int:round_id>/next", methods=["POST"])
@login_required
def next_round(box_id, round_id):
    box = authorize(current_user, box_id, MANAGE, cb.KIND).box
    if EmptyForm().validate_on_submit():
        try:
            r = cb.start_next_round(current_user, box.id, round_id)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"Round {r.number} is prepared from round {r.number - 1}. Change what you need, then start it.",
                  "success")
            return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
    return redirect_to("cashbox.dashboard", box_id=box.id)


@bp.route("/<int:box_id>/me")
@bp.route("/<int:box_id>/members/<int:membership_id>")
@login_required
def member(box_id, membership_id=None):
    box, target = cb.member_in_sight(current_user, box_id, membership_id)
    box, membership, cashbox, is_manager = _context(box_id)
    rounds, r = cb.chosen_round(box.id, request.args.get("round", type=int))
    view = cb.member_view(box, r, target, _page(), MEMBER_PERIODS)
    fines = cb.fines_of(r, target.id) if is_manager else []
    statement_form = StatementForm(formdata=None, start=r.first_due.replace(day=1), end=clock.today_in(box.timezone))
    return render("cashbox/member.html", partials=("periods",), box=box, r=r, rounds=rounds, view=view,
                  target=target, is_manager=is_manager, statement_form=statement_form, fines=fines,
                  reverse_form=ReverseForm(), nav=box_nav(box, membership, is_manager))


@bp.route("/<int:box_id>/rounds/<int:round_id>/periods/<int:number>/draw")
@login_required
def draw_page(box_id, round_id, number):
    """A period's draw, checked step by step: computed here (so it reads without script), and again
    in the browser from the revealed seed by static/js/verify-draw.js (WebCrypto)."""
    box, membership, _cashbox, is_manager = _context(box_id)
    check = cb.draw_check(box.id, round_id, number)
    return render("cashbox/draw.html", box=box, r=check.period.round, check=check, v=check.verification,
                  is_manager=is_manager, nav=box_nav(box, membership, is_manager))


@bp.route("/<int:box_id>/names")
@login_required
def names(box_id):
    """The lookup of the name pickers (payment, statement, share holders): members by name."""
    access = authorize(current_user, box_id, MANAGE, cb.KIND)
    return picker.lookup_page(cb.people(box_id), "member", url_for("cashbox.dashboard", box_id=box_id),
                              nav=box_nav(access.box, access.membership, access.can_manage))


@bp.route("/<int:box_id>/statement.pdf")
@login_required
def statement(box_id):
    """A member's statement: members get their own, managers anyone's (by name from the dashboard,
    by membership_id from a member's page). A wrong name or period comes back on the dashboard's form."""
    form = StatementForm(request.args)
    membership_id = request.args.get("membership_id", type=int)
    valid = form.validate()  # every field's errors go on the form, shown at once
    if valid and form.member.data and membership_id is None:
        access = authorize(current_user, box_id, MANAGE, cb.KIND)
        try:
            membership_id = picker.named(cb.people(access.box.id), form.member.data, "member", "member")
        except ValidationError as error:
            apply_error(form, error)
            valid = False
    if not valid:
        return render("cashbox/dashboard.html", **_dashboard_context(box_id, statement_form=form))
    box, target = cb.member_in_sight(current_user, box_id, membership_id)
    start, end = form.start.data, form.end.data
    st = cb.member_statement(box, target, start, end)
    return pdf_response(render_pdf("statements/cashbox_member.html", box=box, statement=st, member=target),
                f"statement-{box.id}-{target.id}-{start}-{end}.pdf")
