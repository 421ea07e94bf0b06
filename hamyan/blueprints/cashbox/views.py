"""Cashbox pages: parse the form, call the service, render the page or its htmx partial."""

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _, ngettext
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
from hamyan.dues import reminders
from hamyan.extensions import db
from hamyan.money import to_major
from hamyan.statements import pdf_response, render_pdf
from hamyan import i18n
from hamyan.i18n import bdi, number as num, show_money
from hamyan.web import apply_error, bulk, confirm, listing, picker, redirect_to, render, said
from hamyan.web.listing import requested_page
from hamyan.web.nav import box_nav

bp = Blueprint("cashbox", __name__, url_prefix="/cashbox")

MEMBERS_PAGE = 25  # rows of the member table and of the grid
GRID_PERIODS = 12  # periods the grid and the draws list show at once
MEMBER_PERIODS = 24  # periods of the member page's history
SHARES_PAGE = 50


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
            flash(said(_("%(name)s is created. Add members and give out the shares, then start the round."),
                       name=bdi(box.name)), "success")
            return redirect_to("cashbox.setup", box_id=box.id)
    elif request.method == "GET" and form.first_due.data is None:
        form.first_due.data = clock.today_in(form.timezone.data or "UTC")
    return render("cashbox/new.html", "form", form=form)


@bp.route("/<int:box_id>")
@login_required
def dashboard(box_id):
    return render("cashbox/dashboard.html", partials=("grid", "draws"), **_dashboard_context(box_id))


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
    listing = cb.member_summaries(r, search, requested_page(), MEMBERS_PAGE, members=totals.members)
    count = 0 if r.status == "draft" else r.share_count
    numbers, period_page, period_pages = cb.window(count, requested_page("periods"), GRID_PERIODS)
    # The draws list shows a page of periods too: by default the one with the next draw.
    default_page = ((next_period.number if next_period else count) - 1) // GRID_PERIODS + 1
    draw_numbers, draw_page, draw_pages = cb.window(
        count, requested_page("draws") if "draws" in request.args else default_page, GRID_PERIODS)
    periods, draw_periods = cb.periods_in_windows(r, numbers, draw_numbers)
    cells = cb.cells_in(r, periods, [s.membership_id for s in listing.items], today)
    draws = cb.draws_of(r, draw_numbers, draw_periods) if r.status != "draft" else cb.draws_of(r)
    payment_form = payment_form or PaymentForm(formdata=None, paid_on=today)
    statement_form = statement_form or StatementForm(formdata=None, start=r.first_due.replace(day=1), end=today)
    return dict(box=box, cashbox=cashbox, r=r, rounds=rounds, today=today, draws=draws, progress=progress,
                remind_before=reminders.timing(box)[0],
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
    pages = max((len(r.shares) + SHARES_PAGE - 1) // SHARES_PAGE, 1)
    page = min(requested_page(), pages)
    # The share saved by htmx is rendered whatever page it is on.
    shown = cb.with_holders([s for s in r.shares if (page - 1) * SHARES_PAGE < s.number <= page * SHARES_PAGE
                             or s.number == forms.get("holders_share")])
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
    order_form = forms.get("order") or OrderForm(formdata=None, order=i18n.listed(s.number for s in order))
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
                    flash(_("Round settings saved."), "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "rules":
                form = forms["rules"] = RulesForm()
                if form.validate_on_submit():
                    cb.update_rules(current_user, box.id, grace_days=form.grace_days.data,
                                    fine_kind=form.fine_kind.data, fine_value=form.fine_value.data,
                                    winner_policy=form.winner_policy.data)
                    flash(_("Rules saved."), "success")
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
                                                 _("Yes, add them: it is another person"),
                                                 back=url_for("cashbox.setup", box_id=box.id, round_id=r.id))
                    flash(said(_("%(name)s is added."), name=bdi(m.display_name)), "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "one_share_each":
                if EmptyForm().validate_on_submit():
                    r = cb.one_share_each(current_user, box.id, r.id)
                    flash(_("Each of the %(count)s members holds one share.", count=num(r.share_count, box)), "success")
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
                        flash(_("Share %(number)s saved.", number=num(number, box)), "success")
                        return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
                    forms = {"holders_share": number}
            elif what == "order":
                form = forms["order"] = OrderForm()
                if form.validate_on_submit():
                    cb.set_order(current_user, box.id, r.id, [n for n in form.order.data.replace(",", " ").replace("،", " ").split()])
                    flash(_("Winning order saved."), "success")
                    return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
            elif what == "start":
                if EmptyForm().validate_on_submit() and confirm.needed():
                    access = authorize(current_user, box_id, MANAGE, cb.KIND)
                    return confirm.ask(
                        box_nav(box, access.membership, access.can_manage),
                        _("Start round %(number)s?", number=num(r.number, box)),
                        [_("%(shares)s shares pay %(amount)s each period, the first due %(day)s; each period's pot "
                           "of %(pot)s goes to one share.", shares=num(r.share_count, box),
                           amount=show_money(r.contribution, box), day=_day(box, r.first_due),
                           pot=show_money(r.pot, box)),
                         _("Who holds each share, the amounts and the schedule are fixed from then on.")],
                        _("Yes, start round %(number)s", number=num(r.number, box)), danger=False,
                        back=url_for("cashbox.setup", box_id=box.id, round_id=r.id),
                        blocked=confirm.refusal(cb.start_round, current_user, box.id, r.id))
                if EmptyForm().validate_on_submit():
                    cb.start_round(current_user, box.id, r.id)
                    flash(_("Round %(number)s has started.", number=num(r.number, box)), "success")
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
        flash(_("Payments are recorded once a round has started."), "warning")
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
        flash(_("%(recorded)s for period %(number)s.", recorded=bulk.recorded(done), number=num(number, box)), "success")
        return redirect_to("cashbox.payments", box_id=box.id)
    return render("box/bulk.html", box=box, nav=box_nav(box, access.membership, True),
                  title=_("Record a period's payments"),
                  sheet=sheet, period=number, pay_methods=(("cash", _("Cash")), ("bank", _("Bank transfer"))),
                  reference=_("Reference (bank transfers)"),
                  periods=[(p.number, _("Period %(number)s · due %(day)s", number=num(p.number, box),
                                        day=_day(box, p.due_date))) for p in periods])


@bp.route("/<int:box_id>/fines")
@login_required
def fines(box_id):
    box, membership, cashbox, is_manager = _context(box_id)
    where = [] if is_manager else [lists.FINES.member == membership.id]
    return listing.show(lists.FINES, box, *where, title=_("Fines"), nav=box_nav(box, membership, is_manager),
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
            flash(said(_("Payment from %(name)s recorded."), name=bdi(payment.membership.display_name)),
                  "success")
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
        if error.status == 404:  # another box's fine or payment: 404, as every other box's object
            raise
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
                    _("Say why the payment is undone."))
    if payment is not None:
        flash(said(_("The payment from %(name)s is undone."), name=bdi(payment.membership.display_name)), "success")
    return redirect_to("cashbox.payments", box_id=box_id)


def _confirm_undo(access, payment_id, reason):
    box = access.box
    payment = cb.payment_of(box.id, payment_id)
    name, total = bdi(payment.membership.display_name), show_money(payment.amount + payment.fine_amount, box)
    owed = dict(name=name, amount=show_money(payment.amount, box), fines=show_money(payment.fine_amount, box),
                total=total)
    lines = [said(_("The payment of %(amount)s from %(name)s on %(day)s (entry #%(entry)s) is undone by a reversal entry; "
               "it stays listed, struck through."), amount=total, name=name, day=_day(box, payment.paid_on),
               entry=num(payment.entry.number, box)),
             said(_("%(name)s owes its %(amount)s of contributions again and the %(fines)s of fines it paid; the box's "
               "cash goes down by %(total)s."), **owed) if payment.fine_amount else
             said(_("%(name)s owes its %(amount)s of contributions again; the box's cash goes down by %(total)s."), **owed),
             said(_("The reason recorded: “%(reason)s”."), reason=bdi(reason))]
    return confirm.ask(box_nav(box, access.membership, access.can_manage), said(_("Undo %(name)s's payment?"), name=bdi(payment.membership.display_name)),
                       lines, _("Yes, undo the payment"), back=url_for("cashbox.payments", box_id=box.id),
                       blocked=confirm.refusal(cb.reverse_payment, current_user, box.id, payment_id, reason),
                       note=_("The undo is itself recorded: record the payment again if it was right after all."))


@bp.route("/<int:box_id>/fines/<int:fine_id>/waive", methods=["POST"])
@login_required
def waive_fine(box_id, fine_id):
    fine = _undo(box_id, lambda box, reason: cb.waive_fine(current_user, box.id, fine_id, reason),
                 _("Say why the fine is waived."))
    if fine is None:
        return redirect_to("cashbox.dashboard", box_id=box_id)
    flash(_("The fine of period %(number)s is waived.", number=num(cb.period_of(fine).number)), "success")
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
            told = dict(number=num(period.number, box), share=num(period.winner.number, box))
            flash(_("Period %(number)s: share %(share)s wins (payout held until the winner is clear).", **told)
                  if period.payout_status == "held" else _("Period %(number)s: share %(share)s wins.", **told), "success")
    else:
        for messages in form.errors.values():  # every error at once
            flash(messages[0], "danger")
    return redirect_to("cashbox.dashboard", box_id=box.id)


def _confirm_draw(access, form):
    box = access.box
    nav, back = box_nav(box, access.membership, access.can_manage), url_for("cashbox.dashboard", box_id=box.id)
    refused = confirm.refusal(cb.draw, current_user, box.id, form.period.data or None, form.override_reason.data)
    if refused:
        return confirm.ask(nav, _("Draw"), [], "", back=back, blocked=refused)
    r = cb.current_round(box.id)
    cashbox = db.session.get(Cashbox, box.id)
    period = cb.progress(r, clock.today(box)).next_period
    totals = cb.totals(r, period.number)
    left = r.share_count - period.number + 1
    number, pot = num(period.number, box), show_money(r.pot, box)
    told = dict(number=num(number, box), day=_day(box, period.due_date), left=num(left, box))
    lines = [_("Period %(number)s (due %(day)s) is drawn: the next share in the predefined order wins.", **told)
             if r.draw_mode == "predefined" else
             _("Period %(number)s (due %(day)s) is drawn: one of the %(left)s shares that have not won yet wins, by "
               "the published commitment.", **told),
             _("The pot of %(pot)s is paid out to the winning share's holders; a holder who owes has it taken from "
               "their part first.", pot=pot) if cashbox.winner_policy == "net" else
             _("The pot of %(pot)s is paid out to the winning share's holders; if a holder owes, the payout is held "
               "until they are clear.", pot=pot)]
    if totals.behind:
        lines.append(said(_("%(behind)s of %(members)s members have not paid period %(number)s in full; drawing anyway is "
                       "recorded with your reason: “%(reason)s”."), behind=num(totals.behind, box),
                       members=num(totals.members, box), number=number, reason=bdi(form.override_reason.data or "")))
    return confirm.ask(nav, _("Draw period %(number)s?", number=number), lines,
                       _("Yes, draw period %(number)s", number=number), back=back, danger=False)


def _day(box, day):
    return i18n.show_day(day, box)


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
                         lambda n: ngettext("%(count)s late fine charged.", "%(count)s late fines charged.", n, count=num(n))
                         if n else _("No new late fines."), _confirm_fines)


def _confirm_fines(access):
    box = access.box
    fines = cb.fines_to_charge(current_user, box.id)
    shown = [said(_("%(name)s: %(amount)s for period %(number)s"), name=bdi(m.display_name), amount=show_money(value, box),
               number=num(period.number, box)) for m, period, value in fines[:20]]
    if len(fines) > 20:
        shown.append(_("and %(count)s more, %(amount)s in all", count=num(len(fines) - 20, box),
                       amount=show_money(sum(f[2] for f in fines[20:]), box)))
    back = url_for("cashbox.dashboard", box_id=box.id)
    return confirm.ask(box_nav(box, access.membership, access.can_manage), _("Charge late fines now?"),
                       [ngettext("%(count)s fine, %(amount)s in all, is charged:",
                                 "%(count)s fines, %(amount)s in all, are charged:", len(fines), count=num(len(fines), box),
                                 amount=show_money(sum(f[2] for f in fines), box)), *shown],
                       _("Yes, charge them"), back=back,
                       note=_("A fine charged by mistake can be waived while it is unpaid."),
                       blocked=None if fines else _("No period is late without its fine: there is nothing to charge."))


@bp.route("/<int:box_id>/periods/<int:number>/release", methods=["POST"])
@login_required
def release(box_id, number):
    def preview(access):
        box = access.box
        return confirm.ask(box_nav(box, access.membership, access.can_manage),
                           _("Release the payout of period %(number)s?", number=num(number, box)),
                           [_("The held pot of period %(number)s is paid out to its winners now, less what they "
                              "still owe, from the box's cash.", number=num(number, box))], _("Yes, pay it out"),
                           back=url_for("cashbox.dashboard", box_id=box.id),
                           blocked=confirm.refusal(cb.release_payout, current_user, box.id, number))

    return _manager_post(box_id, lambda box: cb.release_payout(current_user, box.id, number),
                         lambda p: _("Payout of period %(number)s released.", number=num(p.number)), preview)


@bp.route("/<int:box_id>/rounds/<int:round_id>/next", methods=["POST"])
@login_required
def next_round(box_id, round_id):
    box = authorize(current_user, box_id, MANAGE, cb.KIND).box
    if EmptyForm().validate_on_submit():
        try:
            r = cb.start_next_round(current_user, box.id, round_id)
        except ServiceError as error:
            if error.status == 404:  # another box's round
                raise
            flash(error.message, "danger")
        else:
            flash(_("Round %(number)s is prepared from round %(previous)s. Change what you need, then start it.",
                    number=num(r.number, box), previous=num(r.number - 1, box)), "success")
            return redirect_to("cashbox.setup", box_id=box.id, round_id=r.id)
    return redirect_to("cashbox.dashboard", box_id=box.id)


@bp.route("/<int:box_id>/me")
@bp.route("/<int:box_id>/members/<int:membership_id>")
@login_required
def member(box_id, membership_id=None):
    access = authorize(current_user, box_id, VIEW, cb.KIND)
    box, membership, is_manager = access.box, access.membership, access.can_manage
    target = cb.member_of(access, membership_id)
    rounds, r = cb.chosen_round(box.id, request.args.get("round", type=int))
    view = cb.member_view(box, r, target, requested_page(), MEMBER_PERIODS)
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
    if form.validate():  # every field's errors go on the form, shown at once
        try:
            if form.member.data and membership_id is None:
                access = authorize(current_user, box_id, MANAGE, cb.KIND)
                membership_id = picker.named(cb.people(access.box.id), form.member.data, "member", "member")
            box, target = cb.member_in_sight(current_user, box_id, membership_id)
            start, end = form.start.data, form.end.data
            st = cb.member_statement(box, target, start, end)
        except ValidationError as error:  # a name no member has, days the wrong way round
            apply_error(form, error)
        else:
            return pdf_response(render_pdf("statements/cashbox_member.html", box=box, statement=st, member=target),
                                f"statement-{box.id}-{target.id}-{start}-{end}.pdf")
    return render("cashbox/dashboard.html", **_dashboard_context(box_id, statement_form=form))
