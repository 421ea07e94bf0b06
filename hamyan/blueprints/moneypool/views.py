"""Moneypool pages: parse the form, call the service, render the page or its htmx partial."""

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from hamyan import i18n
from hamyan.dues.calendar import parse_day
from hamyan.i18n import bdi, number as num
from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.blueprints.moneypool import reports, services
from hamyan.blueprints.moneypool.forms import (
    AddMemberForm,
    ContributionForm,
    DisburseForm,
    LeaveForm,
    LoanQuoteForm,
    LoanRequestForm,
    NewPoolForm,
    PeriodForm,
    PolicyForm,
    ReasonForm,
    RejoinForm,
    RepayForm,
    RescheduleForm,
    ShareAmountForm,
    SharesForm,
    WaiveForm,
    WriteOffForm,
)
from hamyan.blueprints.moneypool import lists
from hamyan.blueprints.moneypool.models import Contribution, PoolMember
from hamyan.blueprints.moneypool.services import loan_status
from hamyan.boxes.access import MANAGE
from hamyan.boxes.services import SameName
from hamyan.core import clock, parse
from hamyan.core.errors import Conflict, ValidationError
from hamyan.lending.schedules import METHOD_LABELS
from hamyan.statements import pdf_response
from hamyan.web import apply_error, bulk, confirm, listing, picker, redirect_to, register_macros, render, said
from hamyan.web.nav import box_nav

bp = Blueprint("moneypool", __name__, url_prefix="/pools")


@bp.record_once
def _macros_as_globals(state):
    register_macros(state.app, "moneypool/_macros.html", ("loan_badge", "stat"), prefix="mp_")  # mp_loan_badge, mp_stat
    state.app.jinja_env.globals["mp_loan_status"] = loan_status

DUES_SHOWN = 12  # latest due dates on a member's page; older ones are summed up
QUEUE_SHOWN = 10  # first places of the loan queue on the dashboard (and the viewer's own, and drawn ones)

# What a form shows next to its fields; 403 and 404 go to the error page instead.
FORM_ERRORS = (ValidationError, Conflict)


def _page() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def _pages(total: int) -> int:
    return max((total + services.PAGE_SIZE - 1) // services.PAGE_SIZE, 1)


def _common(acc) -> dict:
    return {"acc": acc, "box": acc.box, "pool": acc.pool, "is_manager": acc.is_manager,
            "nav": box_nav(acc.box, acc.membership, acc.is_manager), "methods": METHOD_LABELS,
            "today": clock.today(acc.box)}


# ------------------------------------------------------------------------------------ creation
@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_box():
    form = NewPoolForm()
    if form.validate_on_submit():
        try:
            box = services.create_pool(
                current_user, form.name.data, form.currency.data, form.share_amount.data, form.first_due.data,
                timezone=form.timezone.data.strip(), locale=form.locale.data.strip(), calendar=form.calendar.data,
                my_shares=form.my_shares.data, period_months=form.period_months.data, **form.policy())
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash(said(_("%(name)s is ready. Add the savers, then record their payments."), name=bdi(box.name)), "success")
            return redirect_to("moneypool.dashboard", box_id=box.id)
    elif request.method == "GET" and form.first_due.data is None:
        form.first_due.data = clock.today_in(form.timezone.data or "UTC")
    return render("moneypool/new.html", "form", form=form)


# ----------------------------------------------------------------------------------- overview
@bp.route("/<int:box_id>")
@login_required
def dashboard(box_id):
    acc = services.access(current_user, box_id)
    return render("moneypool/dashboard.html", partials=("members",), **_dashboard_context(acc))


def _dashboard_context(acc, contribution_form=None) -> dict:
    page = _page()
    name = request.args.get("q", "")[:100]
    services.summary.fresh(acc.box)
    rows, total = services.summary.page(acc.box, page, name) if acc.is_manager else ([], 0)
    mine = services.summary.of(acc.member) if acc.member else None
    my_loans = services.loans_of(acc.member) if acc.member else []
    today = clock.today(acc.box)
    amounts = services.share_amounts(acc.box)  # the forecast's and the share shown
    queue = reports.queue(acc.box, acc.pool, today, per_page=QUEUE_SHOWN, amounts=amounts)
    shown = {p.loan.id: p for p in queue.places}
    if acc.member:  # the viewer's own waiting loans, wherever they wait
        shown.update({p.loan.id: p for p in reports.queue(acc.box, acc.pool, today, member_id=acc.member.id,
                                                          amounts=amounts).places})
    if acc.is_manager:
        contribution_form = contribution_form or ContributionForm(formdata=None, paid_on=today)
    next_due = services.next_due(acc.box, acc.pool, today)
    return {
        **_common(acc), "sheet": reports.balance_sheet(acc.box), "rows": rows, "page": page, "pages": _pages(total), "q": name,
        "total_members": total, "mine": mine, "queue": queue,
        "queue_shown": sorted(shown.values(), key=lambda p: p.place),
        "attention": services.summary.attention(acc.box) if acc.is_manager else None,
        "requests": services.requests_waiting(acc.box) if acc.is_manager else [],
        "guaranteed": services.guaranteed_by(acc.member) if acc.member else [],
        "my_loans": my_loans, "summaries": {loan.id: services.loan_summary(loan, today) for loan in my_loans
                                            if loan.status == "active"},
        # what a share saves at the next due date: before the first one nothing is in force yet
        "share_amount": services.share_amount_on(acc.box, next_due, amounts),
        "next_due": next_due, "contribution_form": contribution_form,
        "draw_form": EmptyForm(formdata=None),
    }


@bp.route("/<int:box_id>/rules")
@login_required
def rules(box_id):
    acc = services.access(current_user, box_id)
    return render("moneypool/rules.html", **_common(acc), share_amount=services.share_amount_on(
        acc.box, services.next_due(acc.box, acc.pool)))


@bp.route("/<int:box_id>/settings", methods=["GET", "POST"])
@login_required
def settings(box_id):
    acc = services.access(current_user, box_id, MANAGE)
    policy_form = PolicyForm(formdata=None, obj=acc.pool)
    share_form = ShareAmountForm(formdata=None)
    which = request.form.get("which")
    if request.method == "POST" and which == "policy":
        policy_form = PolicyForm()
        if policy_form.validate_on_submit():
            try:
                services.update_policy(current_user, box_id, **policy_form.policy())
            except FORM_ERRORS as error:
                apply_error(policy_form, error)
            else:
                flash(_("The loan policy is saved. Loans already requested keep the terms they were asked under."),
                      "success")
                return redirect_to("moneypool.settings", box_id=box_id)
    elif request.method == "POST" and which == "share":
        share_form = ShareAmountForm()
        if share_form.validate_on_submit():
            try:
                services.set_share_amount(current_user, box_id, share_form.amount.data, share_form.effective_from.data)
            except FORM_ERRORS as error:
                apply_error(share_form, error)
            else:
                flash(_("The share amount is saved."), "success")
                return redirect_to("moneypool.settings", box_id=box_id)
    if request.method == "GET":
        for name in ("late_fee", "max_loan"):
            value = getattr(acc.pool, name)
            getattr(policy_form, name).data = services.major(acc.box, value) if value else "0"
        for name in ("repayment_months",):
            getattr(policy_form, name).data = str(getattr(acc.pool, name))
    block = {"policy": "policy_form", "share": "share_form"}.get(which)
    return render("moneypool/settings.html", block, **_common(acc), policy_form=policy_form, share_form=share_form,
                  share_amounts=services.share_amounts(acc.box))


# ------------------------------------------------------------------------------------ members
@bp.route("/<int:box_id>/members/new", methods=["GET", "POST"])
@login_required
def add_member(box_id):
    acc = services.access(current_user, box_id, MANAGE)
    form = AddMemberForm()
    people = services.not_saving(acc.box)
    if form.validate_on_submit():
        try:
            membership_id = picker.named(people, form.person.data, "person", "person") \
                if (form.person.data or "").strip() else None
            member = services.add_member(current_user, box_id, form.display_name.data, form.email.data,
                                         form.shares.data, form.joined_on.data, membership_id=membership_id,
                                         same_name_ok=not confirm.needed())
        except SameName as error:
            return confirm.same_name(_common(acc)["nav"], error, _("Yes, add them: it is another person"),
                                     back=url_for("moneypool.add_member", box_id=box_id))
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash(said(_("%(name)s now saves in the pool."), name=bdi(member.name)), "success")
            return redirect_to("moneypool.member", box_id=box_id, member_id=member.id)
    elif request.method == "GET":
        form.joined_on.data = clock.today(acc.box)
    return render("moneypool/add_member.html", "form", **_common(acc), form=form,
                  anyone=bool(picker.names(people, "", limit=1)))


@bp.route("/<int:box_id>/members/new/people")
@login_required
def people_not_saving(box_id):
    """The lookup of the add-a-saver form's name picker: people of the box who do not save yet."""
    acc = services.access(current_user, box_id, MANAGE)
    return picker.lookup_page(services.not_saving(acc.box), "person", url_for("moneypool.add_member", box_id=box_id),
                              **_common(acc))


@bp.route("/<int:box_id>/members/<int:member_id>", methods=["GET", "POST"])
@login_required
def member(box_id, member_id):
    acc, member = services.member_for(current_user, box_id, member_id)
    today = clock.today(acc.box)
    shares_form = SharesForm(formdata=None, effective_from=today)
    leave_form = LeaveForm(formdata=None, on=today)
    rejoin_form = RejoinForm(formdata=None, on=today, shares="1")
    waive_form = WaiveForm(formdata=None)
    which = request.form.get("which")
    if request.method == "POST":
        if not acc.is_manager:
            abort(403)
        try:
            if which == "shares":
                shares_form = SharesForm()
                if shares_form.validate_on_submit():
                    services.set_shares(current_user, box_id, member.id, shares_form.shares.data,
                                        shares_form.effective_from.data)
                    flash(_("Shares saved."), "success")
                    return redirect_to("moneypool.member", box_id=box_id, member_id=member.id)
            elif which == "leave":
                leave_form = LeaveForm()
                if leave_form.validate_on_submit() and confirm.needed():
                    return _confirm_leave(acc, member, leave_form.on.data)
                if leave_form.validate_on_submit():
                    services.leave(current_user, box_id, member.id, leave_form.on.data)
                    flash(said(_("%(name)s has left; their savings are settled."), name=bdi(member.name)), "success")
                    return redirect_to("moneypool.member", box_id=box_id, member_id=member.id)
            elif which == "rejoin":
                rejoin_form = RejoinForm()
                if rejoin_form.validate_on_submit():
                    services.rejoin(current_user, box_id, member.id, rejoin_form.shares.data, rejoin_form.on.data)
                    flash(said(_("%(name)s saves in the pool again."), name=bdi(member.name)), "success")
                    return redirect_to("moneypool.member", box_id=box_id, member_id=member.id)
            elif which == "waive":
                waive_form = WaiveForm()
                if waive_form.validate_on_submit():
                    try:
                        due = parse.day(waive_form.charge.data, "charge")
                    except ValidationError:
                        raise ValidationError(_("Choose the late fee to waive."), field="charge") from None
                    services.waive_late_fee(current_user, box_id, member.id, due, waive_form.reason.data,
                                            waive_form.key.data)
                    flash(_("The late fee is waived."), "success")
                    return redirect_to("moneypool.member", box_id=box_id, member_id=member.id)
        except FORM_ERRORS as error:
            apply_error({"shares": shares_form, "leave": leave_form, "waive": waive_form, "rejoin": rejoin_form}
                        .get(which, leave_form), error)
    page = _page()
    contributions, total = services.contributions(acc.box, member.id, page)
    position = services.positions(acc.box, acc.pool, [member])[0]
    contribution_form = ContributionForm(formdata=None, paid_on=today, member_id=member.id)
    block = {"shares": "shares_form", "leave": "leave_form", "waive": "waive_form", "rejoin": "rejoin_form"}.get(which)
    dues = services.member_dues(acc.box, acc.pool, member)
    late_fees = services.late_fees(acc.box, member)
    box = acc.box
    waive_form.charge.choices = [
        (f.due.isoformat(), _("Due %(day)s: %(amount)s", day=i18n.show_day(f.due, box), amount=i18n.show_money(f.amount, box)))
        for f in late_fees if f.waivable]
    return render("moneypool/member.html", block, partials=("payments",), **_common(acc), member=member, position=position,
                  dues=dues[:DUES_SHOWN], earlier_dues=dues[DUES_SHOWN:], contributions=contributions, page=page,
                  settlement=services.settlement(acc.box, member, today) if acc.is_manager else None,
                  cash=services.cash(acc.box) if acc.is_manager else None,
                  pages=_pages(total), shares_form=shares_form, leave_form=leave_form, late_fees=late_fees,
                  waive_form=waive_form, rejoin_form=rejoin_form,
                  contribution_form=contribution_form, loans=services.loans_of(member), undo_form=ReasonForm(formdata=None),
                  statement_form=PeriodForm(formdata=None, start=today.replace(month=1, day=1), end=today))


def _confirm_leave(acc, member, on):
    box = acc.box
    saved, owed = services.settlement(box, member, on)
    money = lambda minor: i18n.show_money(minor, box)  # noqa: E731
    lines = [said(_("%(name)s leaves the pool on %(day)s."), name=bdi(member.name), day=i18n.show_day(on, box)),
             _("Their savings of %(saved)s first pay the %(owed)s they owe (loans, penalties and late fees due).",
               saved=money(saved), owed=money(owed)),
             _("%(amount)s is paid out to them from the pool's cash.", amount=money(max(saved - owed, 0)))]
    return confirm.ask(_common(acc)["nav"], said(_("Settle %(name)s's leaving?"), name=bdi(member.name)), lines,
                       _("Yes, settle and remove"),
                       back=url_for("moneypool.member", box_id=box.id, member_id=member.id),
                       blocked=confirm.refusal(services.leave, current_user, box.id, member.id, on),
                       note=_("It cannot be undone; they can rejoin the pool later as a new saver."))


@bp.route("/<int:box_id>/savers")
@login_required
def savers(box_id):
    """The lookup of the pool's name pickers (payments, borrower, guarantors): savers by name."""
    acc = services.access(current_user, box_id)
    # A loan's guarantors are looked up without its borrower (?borrower=<name>).
    return picker.lookup_page(services.savers(acc.box, but=request.args.get("borrower")), "saver", url_for("moneypool.dashboard", box_id=box_id),
                              **_common(acc))


@bp.route("/<int:box_id>/contributions", methods=["POST"])
@login_required
def contribute(box_id):
    acc = services.access(current_user, box_id, MANAGE)
    form = ContributionForm()
    back = request.form.get("next") or ""
    back = back if back.startswith(f"/pools/{box_id}/") else None  # the member page's form comes back there
    if form.validate_on_submit():
        try:
            member_id = form.member_id.data or picker.named(services.savers(acc.box), form.member.data, "member",
                                                            "saver")
            row = services.record_contribution(current_user, box_id, member_id, form.amount.data,
                                               form.paid_on.data, form.key.data)
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            values = {"amount": i18n.show_money(row.amount, acc.box), "name": bdi(row.member.name)}
            flash(said(_("Recorded %(amount)s from %(name)s (%(fees)s of it paid late fees)."),
                       fees=i18n.show_money(row.fees, acc.box), **values) if row.fees
                  else said(_("Recorded %(amount)s from %(name)s."), **values), "success")
            return redirect_to(back or url_for("moneypool.dashboard", box_id=box_id))
    if back:
        for message in [*form.form_errors, *(m for errors in form.errors.values() for m in errors)]:
            flash(_("Payment not recorded: %(why)s", why=message), "danger")
        return redirect_to(back)
    return render("moneypool/dashboard.html", "contribution_form", **_dashboard_context(acc, form))


@bp.route("/<int:box_id>/collect", methods=["GET", "POST"])
@login_required
def collect(box_id):
    """The bulk period entry: every saver with what they owe by the next due date, recorded at once."""
    acc = services.access(current_user, box_id, MANAGE)
    services.summary.fresh(acc.box)
    sheet, done = bulk.handle(current_user, acc.box, services.summary.period_lines(acc.box),
                              lambda member_id, amount, sheet, paid_on: services.record_contribution(
                                  current_user, box_id, member_id, amount, paid_on, bulk.row_key(sheet, member_id)))
    if done is not None:
        flash(bulk.recorded(done) + ".", "success")
        return redirect_to("moneypool.contributions", box_id=box_id)
    due = services.next_due(acc.box, acc.pool)
    return render("box/bulk.html", **_common(acc), title=_("Record a period's savings"), sheet=sheet, pay_methods=(),
                  period=due, periods=[(due, _("What each saver owes by %(day)s, the next due date.", day=i18n.show_day(due, acc.box)))])


@bp.route("/<int:box_id>/contributions/<int:contribution_id>/undo", methods=["POST"])
@login_required
def undo_contribution(box_id, contribution_id):
    form = ReasonForm()
    if form.validate_on_submit() and confirm.needed():
        return _confirm_undo_contribution(services.access(current_user, box_id, MANAGE), contribution_id,
                                          form.reason.data)
    if form.validate_on_submit():
        try:
            row = services.reverse_contribution(current_user, box_id, contribution_id, form.reason.data)
        except FORM_ERRORS as error:
            flash(error.message, "danger")
        else:
            flash(_("The payment of %(amount)s is undone.", amount=i18n.show_money(row.amount, row.member.membership.box)),
                  "success")
            return redirect_to("moneypool.member", box_id=box_id, member_id=row.member_id)
    else:
        flash(_("Give a reason for undoing the payment."), "danger")
    return redirect_to("moneypool.dashboard", box_id=box_id)


# -------------------------------------------------------------------------------------- loans
@bp.route("/<int:box_id>/loans")
@login_required
def loans(box_id):
    acc = services.access(current_user, box_id)
    where = _own(acc, PoolMember.id)
    f = listing.read_filters(lists.LOANS, acc.box)
    if listing.wants_csv():
        return listing.csv_response(lists.LOANS, acc.box, f, *where)
    page = listing.page_of(lists.LOANS, acc.box, f, *where)
    today = clock.today(acc.box)
    summaries = {loan.id: services.loan_summary(loan, today) for loan in page.items if loan.status == "active"}
    return render("moneypool/loans.html", partials=("list",), **_common(acc), spec=lists.LOANS, filters=f, listing=page,
                  summaries=summaries, lookup=_lookup(acc))


def _own(acc, member_column) -> list:
    """What a member (not a manager) may list: their own rows."""
    return [] if acc.is_manager else [member_column == (acc.member.id if acc.member else -1)]


def _lookup(acc):
    return url_for("moneypool.savers", box_id=acc.box.id) if acc.is_manager else None


@bp.route("/<int:box_id>/contributions")
@login_required
def contributions(box_id):
    acc = services.access(current_user, box_id)
    return listing.show(lists.CONTRIBUTIONS, acc.box, *_own(acc, Contribution.member_id), title=_("Contributions"),
                        lookup=_lookup(acc), member_filter=acc.is_manager, **_common(acc))


@bp.route("/<int:box_id>/repayments")
@login_required
def repayments(box_id):
    acc = services.access(current_user, box_id)
    return listing.show(lists.REPAYMENTS, acc.box, *_own(acc, PoolMember.id), title=_("Loan repayments"),
                        lookup=_lookup(acc), member_filter=acc.is_manager, **_common(acc))


@bp.route("/<int:box_id>/fines")
@login_required
def fines(box_id):
    acc = services.access(current_user, box_id)
    where = [] if acc.is_manager else [lists.FINES.member == acc.membership.id]
    return listing.show(lists.FINES, acc.box, *where, title=_("Late fees and penalties"), lookup=_lookup(acc),
                        member_filter=acc.is_manager, **_common(acc))


@bp.route("/<int:box_id>/loans/new", methods=["GET", "POST"])
@login_required
def request_loan(box_id):
    acc = services.access(current_user, box_id)
    blocked = None
    if not acc.is_manager and acc.member is not None:
        blocked = services.eligibility(acc.box, acc.pool, acc.member)[0]
    if blocked and request.method == "GET":  # what stands in the way, with no form to fill in only to be refused
        return _cannot_borrow(acc, blocked)
    # "See the limit" asks again by GET with what was typed: a manager's limit shown is the borrower's;
    # the loan calculator's "Ask for this loan" fills in its amount and term the same way.
    prefilled = request.method == "GET" and any(request.args.get(name) for name in ("member", "amount", "term"))
    form = LoanRequestForm(**({"formdata": request.args} if prefilled else {}))
    while len(form.guarantors) < max(acc.pool.guarantors_required, 1):
        form.guarantors.append_entry()
    if request.method == "GET" and acc.member and not form.member.data:
        form.member.data = acc.member.name
    people = services.savers(acc.box)
    if request.form.get("more") and len(form.guarantors) < services.MAX_GUARANTORS:
        form.guarantors.append_entry()  # another guarantor's name: the form comes back, nothing is written
    elif form.validate_on_submit():
        member_id = picker.resolve(people, form.member, "saver") if acc.is_manager else None
        guarantor_ids = picker.all_named(people, form.guarantors, "saver")  # every unknown name shown at once
        if not form.member.errors and guarantor_ids is not None:
            try:
                loan = services.request_loan(current_user, box_id, form.amount.data, form.term.data, form.key.data,
                                             form.purpose.data, guarantor_ids, member_id=member_id)
            except FORM_ERRORS as error:
                if blocked:  # a retried request under its key went through above; any other is refused
                    return redirect_to("moneypool.request_loan", box_id=box_id)  # the page says why
                apply_error(form, error, {"guarantor_ids": "guarantors", "member_id": "member"})
            else:
                flash(said(_("Request recorded for %(name)s: approve or reject it here."), name=bdi(loan.member.name))
                      if acc.is_manager else _("Your request is with the manager. You will see the decision here."),
                      "success")
                return redirect_to("moneypool.loan", box_id=box_id, loan_id=loan.id)
    borrower = _borrower(acc, people, form.member.data)
    eligibility = services.eligibility(acc.box, acc.pool, borrower) if borrower is not None else None
    return render("moneypool/request.html", "form", **_common(acc), form=form, eligibility=eligibility,
                  borrower=borrower, more=len(form.guarantors) < services.MAX_GUARANTORS)


def _borrower(acc, people, name: str | None):
    """Whose limit a loan form shows: a manager's, the saver the form names (None for no such
    saver); anyone else's, their own saver record (None when they do not save)."""
    if not acc.is_manager:
        return acc.member
    try:
        return services.member_for(current_user, acc.box.id, picker.named(people, name, "member", "saver"))[1]
    except ValidationError:
        return None


@bp.route("/<int:box_id>/loans/calculator")
@login_required
def loan_calculator(box_id):
    """A loan's full schedule before it is asked for, with the limit that applies to the borrower.
    A GET form: it works without script, and htmx swaps the answer in as the figures are typed."""
    acc = services.access(current_user, box_id)
    form = LoanQuoteForm(request.args)
    if not (form.member.data or "").strip() and acc.member is not None:
        form.member.data = acc.member.name
    borrower = _borrower(acc, services.savers(acc.box), form.member.data)
    quote = None
    if "amount" in request.args or "term" in request.args:  # asked, even with nothing typed
        form.validate()
        try:
            quote = services.quote(acc.box, acc.pool, form.amount.data, form.term.data)
        except ValidationError as error:  # said once: a field the form already found wrong keeps its own message
            apply_error(form, ValidationError(error.message, fields={
                name: message for name, message in error.fields.items() if not getattr(form, name).errors}))
    if acc.is_manager and borrower is None and (form.member.data or "").strip():
        form.member.errors = [_("No saver here is called “%(name)s”; choose one from the list.", name=form.member.data.strip())]
    eligibility = services.eligibility(acc.box, acc.pool, borrower) if borrower is not None else None
    return render("moneypool/calculator.html", "calculator", **_common(acc), form=form, quote=quote,
                  borrower=borrower, eligibility=eligibility)


def _cannot_borrow(acc, problems):
    return render("moneypool/request.html", **_common(acc), blocked=problems, pending=services.open_loan(acc.member))


def _loan_context(acc, loan, forms=None) -> dict:
    today = clock.today(acc.box)
    forms = forms or {}
    repay_form = forms.get("repay") or RepayForm(formdata=None, paid_on=today)
    return {**_common(acc), "loan": loan, "events": services.loan_events(loan), "repayments": services.repayments(loan),
            "summary": services.loan_summary(loan, today),
            "statuses": services.installment_statuses(loan, acc.pool.grace_days, today),
            "place": reports.place_of(acc.box, acc.pool, loan),
            "approve_form": forms.get("approve") or EmptyForm(formdata=None),
            "cancel_form": forms.get("cancel") or EmptyForm(formdata=None),
            "reject_form": forms.get("reject") or ReasonForm(formdata=None),
            "disburse_form": forms.get("disburse") or DisburseForm(formdata=None, on=today),
            "repay_form": repay_form,
            "reschedule_form": forms.get("reschedule") or RescheduleForm(formdata=None),
            "write_off_form": forms.get("write-off") or WriteOffForm(formdata=None),
            "waive_form": _waive_choices(acc, loan, forms.get("waive") or WaiveForm(formdata=None)),
            "undo_form": ReasonForm(formdata=None)}


def _waive_choices(acc, loan, form):
    form.charge.choices = [(str(i.number), _("Installment %(number)s: %(amount)s", number=num(i.number, acc.box),
                                             amount=i18n.show_money(i.penalty, acc.box)))
                           for i in loan.installments if i.penalty and not i.paid_penalty]
    return form


@bp.route("/<int:box_id>/loans/<int:loan_id>")
@login_required
def loan(box_id, loan_id):
    acc, loan = services.loan_for(current_user, box_id, loan_id)
    return render("moneypool/loan.html", **_loan_context(acc, loan))


ACTIONS = {"approve": EmptyForm, "cancel": EmptyForm, "reject": ReasonForm, "disburse": DisburseForm,
           "repay": RepayForm, "reschedule": RescheduleForm, "write-off": WriteOffForm, "waive": WaiveForm}
# The flash after each action; the loan's page then says whether the cash is there for an approved loan.
DONE = {"approve": _l("Approved."), "cancel": _l("The request is withdrawn."),
        "reject": _l("Rejected; the member sees your reason."), "disburse": _l("Paid out. The schedule is below."),
        "repay": _l("Repayment recorded."), "reschedule": _l("The loan has a new schedule."),
        "write-off": _l("The loan is written off."), "waive": _l("The penalty is waived.")}


@bp.route("/<int:box_id>/loans/<int:loan_id>/<action>", methods=["POST"])
@login_required
def loan_action(box_id, loan_id, action):
    if action not in ACTIONS:
        abort(404)
    acc, loan = services.loan_for(current_user, box_id, loan_id)
    form = ACTIONS[action]()
    if form.validate_on_submit():
        if action in ("disburse", "write-off") and confirm.needed():
            return _confirm_loan(acc, loan, action, form)
        try:
            _run(action, form, box_id, loan_id)
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash(str(DONE[action]), "success")
            return redirect_to("moneypool.loan", box_id=box_id, loan_id=loan_id)
    elif not form.errors and not getattr(form, "form_errors", None):
        form.form_errors.append(_("The form expired; reload the page and try again."))
    loan = services.loan_for(current_user, box_id, loan_id)[1]
    return render("moneypool/loan.html", f"{action.replace('-', '_')}_form", **_loan_context(acc, loan, {action: form}))


def _confirm_loan(acc, loan, action, form):
    box, name, number = acc.box, bdi(loan.member.name), num(loan.number, acc.box)
    amount = lambda minor: i18n.show_money(minor, box)  # noqa: E731
    guarantors = Markup(_(", ")).join(bdi(g.member.name) for g in loan.guarantees)
    if action == "disburse":
        title, button = _("Pay out loan #%(number)s?", number=number), _("Yes, pay it out")
        refused = confirm.refusal(services.disburse, current_user, box.id, loan.id, form.on.data, form.first_due.data)
        lines = [said(_("%(amount)s leaves the pool's cash for %(name)s (%(fee)s fee kept from the %(loan)s loan)."),
                      amount=amount(loan.amount - loan.fee), name=name, fee=amount(loan.fee), loan=amount(loan.amount))
                 if loan.fee else said(_("%(amount)s leaves the pool's cash for %(name)s."), amount=amount(loan.amount), name=name),
                 said(_("Its repayment schedule starts; the pledges of %(guarantors)s are held."), guarantors=guarantors)
                 if guarantors else _("Its repayment schedule starts.")]
    else:
        title, button = _("Write off loan #%(number)s?", number=number), _("Yes, write it off")
        refused = confirm.refusal(services.write_off, current_user, box.id, loan.id, form.reason.data)
        lines = [said(_("%(name)s owes %(amount)s on it today; it stops being collected."), name=name,
                      amount=amount(services.payoff(loan, clock.today(box)))),
                 said(_("The pledges of %(guarantors)s cover what they can; the rest is a loss for the pool."),
                      guarantors=guarantors) if guarantors else _("The rest is a loss for the pool."),
                 said(_("Your reason, shown to members: “%(reason)s”."), reason=bdi(form.reason.data))]
    return confirm.ask(_common(acc)["nav"], title, lines, button,
                       back=url_for("moneypool.loan", box_id=box.id, loan_id=loan.id), blocked=refused)


def _run(action, form, box_id, loan_id):
    user = current_user
    if action == "approve":
        services.approve(user, box_id, loan_id)
    elif action == "cancel":
        services.cancel(user, box_id, loan_id)
    elif action == "reject":
        services.reject(user, box_id, loan_id, form.reason.data)
    elif action == "disburse":
        services.disburse(user, box_id, loan_id, form.on.data, form.first_due.data)
    elif action == "repay":
        services.repay(user, box_id, loan_id, form.amount.data, form.paid_on.data, form.key.data, form.mode.data)
    elif action == "waive":
        number = form.charge.data
        if not number.isdigit():
            raise ValidationError(_("Choose the penalty to waive."), field="charge")
        services.waive_penalty(user, box_id, loan_id, int(number), form.reason.data, form.key.data)
    elif action == "reschedule":
        services.reschedule(user, box_id, loan_id, form.term.data, form.first_due.data, form.reason.data)
    else:
        services.write_off(user, box_id, loan_id, form.reason.data)


@bp.route("/<int:box_id>/loans/<int:loan_id>/repayments/<int:repayment_id>/undo", methods=["POST"])
@login_required
def undo_repayment(box_id, loan_id, repayment_id):
    form = ReasonForm()
    if form.validate_on_submit() and confirm.needed():
        return _confirm_undo_repayment(services.access(current_user, box_id, MANAGE), loan_id, repayment_id,
                                       form.reason.data)
    if form.validate_on_submit():
        try:
            services.undo_repayment(current_user, box_id, loan_id, repayment_id, form.reason.data)
        except FORM_ERRORS as error:
            flash(error.message, "danger")
        else:
            flash(_("The repayment is undone; the loan is recomputed without it."), "success")
    else:
        flash(_("Give a reason for undoing the repayment."), "danger")
    return redirect_to("moneypool.loan", box_id=box_id, loan_id=loan_id)


def _confirm_undo_contribution(acc, contribution_id, reason):
    box = acc.box
    row = services.contribution_of(box, contribution_id)
    values = dict(name=i18n.bdi(row.member.name), amount=i18n.show_money(row.amount, box),
                  savings=i18n.show_money(row.amount - row.fees, box), fees=i18n.show_money(row.fees, box))
    lines = [_undone(_("The payment of %(amount)s from %(name)s on %(day)s (entry #%(entry)s) is undone by a reversal "
                       "entry; it stays listed, struck through."), box, row, **values),
             _undone(_("%(name)s's savings go down by %(savings)s and the %(fees)s of late fees it paid are owed again; "
                       "the pool's cash goes down by %(amount)s.") if row.fees else
                     _("%(name)s's savings go down by %(amount)s; the pool's cash goes down by %(amount)s."), box, row,
                     **values),
             _undone(_("The reason recorded: “%(reason)s”."), box, row, reason=i18n.bdi(reason))]
    return confirm.ask(_common(acc)["nav"], said(_("Undo %(name)s's payment?"), name=bdi(row.member.name)), lines,
                       _("Yes, undo the payment"), back=url_for("moneypool.member", box_id=box.id, member_id=row.member_id),
                       blocked=confirm.refusal(services.reverse_contribution, current_user, box.id, contribution_id, reason),
                       note=_("The undo is itself recorded: record the payment again if it was right after all."))


def _confirm_undo_repayment(acc, loan_id, repayment_id, reason):
    box = acc.box
    loan, row = services.repayment_of(box, loan_id, repayment_id)
    money = {name: i18n.show_money(getattr(row, name), box) for name in ("amount", "principal", "interest", "penalty")}
    lines = [_undone(_("The repayment of %(amount)s on %(day)s (entry #%(entry)s) of loan #%(loan)s is undone by a "
                       "reversal entry; it stays listed, struck through."), box, row, loan=i18n.number(loan.number, box),
                     amount=money["amount"]),
             _undone(_("It paid %(principal)s of principal, %(interest)s of interest and %(penalty)s of penalties: "
                       "%(name)s owes them again, and the loan is recomputed without it (later repayments pay what it "
                       "had paid); the pool's cash goes down by %(amount)s."), box, row,
                     name=i18n.bdi(loan.member.name), **money),
             _undone(_("The reason recorded: “%(reason)s”."), box, row, reason=i18n.bdi(reason))]
    return confirm.ask(_common(acc)["nav"], _("Undo this repayment of loan #%(loan)s?", loan=i18n.number(loan.number, box)),
                       lines, _("Yes, undo the repayment"), back=url_for("moneypool.loan", box_id=box.id, loan_id=loan.id),
                       blocked=confirm.refusal(services.undo_repayment, current_user, box.id, loan.id, repayment_id, reason),
                       note=_("The undo is itself recorded: record the repayment again if it was right after all."))


def _undone(message, box, row, **values) -> Markup:
    """A line of an undo's confirm step: the message with the payment's day and entry number, its
    values escaped and the names set apart (i18n.bdi) kept."""
    values.setdefault("day", i18n.show_day(row.paid_on, box))
    values.setdefault("entry", i18n.number(row.entry.number, box))
    return said(message, **values)


@bp.route("/<int:box_id>/draw", methods=["POST"])
@login_required
def draw(box_id):
    if EmptyForm().validate_on_submit():
        if confirm.needed():
            acc = services.access(current_user, box_id, MANAGE)
            queue = services.waiting(acc.box, acc.pool)
            return confirm.ask(_common(acc)["nav"], _("Run the draw?"), [
                _("One of the %(count)s approved loans waiting (%(amount)s in all) is picked at random among those the "
                  "pool's cash can pay; it is paid out next.", count=num(len(queue), acc.box),
                  amount=i18n.show_money(sum(loan.amount for loan in queue), acc.box))],
                _("Yes, run the draw"), danger=False, back=url_for("moneypool.dashboard", box_id=box_id),
                blocked=confirm.refusal(services.draw, current_user, box_id))
        try:
            loan = services.draw(current_user, box_id)
        except FORM_ERRORS as error:
            flash(error.message, "danger")
        else:
            flash(said(_("The draw picked loan #%(number)s for %(name)s. Pay it out next."),
                       number=num(loan.number, loan.member.membership.box), name=bdi(loan.member.name)), "success")
    return redirect_to("moneypool.dashboard", box_id=box_id)


# ------------------------------------------------------------------------------------ reports
def _as_of(box):
    """The day a report is asked for (?as_of=), today when none; and what is wrong with a day that is
    not one (said on its field, over today's figures)."""
    today = clock.today(box)
    try:
        return parse_day(request.args.get("as_of") or today, box.calendar, "as_of"), None
    except ValidationError as error:
        return today, error.message


@bp.route("/<int:box_id>/balance-sheet")
@login_required
def balance_sheet(box_id):
    """The pool's balance sheet, read-only, for every member: the figures the manager's reports show."""
    acc = services.access(current_user, box_id)
    as_of, as_of_error = _as_of(acc.box)
    return render("moneypool/balance_sheet.html", **_common(acc), sheet=reports.balance_sheet(acc.box, as_of),
                  as_of=as_of, as_of_error=as_of_error)


@bp.route("/<int:box_id>/reports")
@login_required
def report(box_id):
    acc = services.access(current_user, box_id, MANAGE)
    today = clock.today(acc.box)
    as_of, as_of_error = _as_of(acc.box)
    spec = lists.book_spec(as_of)
    f = listing.read_filters(spec, acc.box)
    if listing.wants_csv():
        return listing.csv_response(spec, acc.box, f)
    # the day asked for, carried by the list's filters, pages and CSV
    keep = {"as_of": request.args["as_of"]} if request.args.get("as_of") else {}
    return render("moneypool/reports.html", partials=("list",), **_common(acc),
                  sheet=reports.balance_sheet(acc.box, as_of), book=reports.loan_book(acc.box, as_of), as_of=as_of,
                  as_of_error=as_of_error,
                  spec=spec, filters=f, listing=listing.page_of(spec, acc.box, f), keep=keep, lookup=_lookup(acc),
                  period_form=PeriodForm(formdata=None, start=today.replace(month=1, day=1), end=today))


@bp.route("/<int:box_id>/statement.pdf")
@login_required
def statement_pdf(box_id):
    acc = services.access(current_user, box_id)
    form = PeriodForm(request.args)
    member_id = request.args.get("member_id", type=int) or (acc.member.id if acc.member else None)
    if member_id is None:
        abort(404)
    acc, member = services.member_for(current_user, box_id, member_id)
    if not form.validate():  # and what is wrong with each day typed
        said_of_days = dict.fromkeys(error for errors in form.errors.values() for error in errors)
        abort(400, " ".join([_("Choose the first and last day of the statement."), *said_of_days]))
    pdf = reports.member_statement_pdf(acc.box, member, form.start.data, form.end.data)
    return pdf_response(pdf, f"pool-{box_id}-member-{member.id}-{form.start.data}-{form.end.data}.pdf")
