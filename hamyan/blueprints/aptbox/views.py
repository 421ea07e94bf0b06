"""Aptbox pages: parse the form, call the service, render the page or its htmx partial."""
import json
from datetime import date
from datetime import timedelta
from functools import partial

from flask import Blueprint, Response, abort, current_app, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hamyan.blueprints.aptbox import lists, reports, services
from hamyan.blueprints.aptbox.forms import (
    AnnouncementForm,
    AssessmentForm,
    ComponentForm,
    ExpenseForm,
    ImportForm,
    IssueForm,
    NewBuildingForm,
    PaymentForm,
    PersonForm,
    PollForm,
    RuleForm,
    SettingsForm,
    TransferForm,
    UnitForm,
)
from hamyan.blueprints.aptbox.models import CATEGORY_NAMES, FUND_NAMES, Unit
from hamyan.blueprints.payments import reports as reported_payments
from hamyan.boxes.services import SameName
from hamyan.core import clock
from hamyan.core.errors import Conflict, ValidationError
from hamyan.dues import calendar
from hamyan.i18n import bdi, number as num, show_month
from hamyan.statements import jobs as report_jobs
from hamyan.statements import pdf_response
from hamyan.web import apply_error, bulk, confirm, listing, redirect_to, render, said
from hamyan.web.listing import Page
from hamyan.web.nav import box_nav

bp = Blueprint("aptbox", __name__, url_prefix="/buildings")


@bp.context_processor
def names() -> dict:
    """An expense category's and a fund's name in the page's language (the code for an unknown one)."""
    return {"category_name": lambda code: CATEGORY_NAMES.get(code, code), "fund_name": lambda code: FUND_NAMES.get(code, code)}

FORM_ERRORS = (ValidationError, Conflict)
NOTICES_PAGE = 20  # polls (each with its results) and announcements a page


def _listed(lister, name: str = "page", size: int = services.PAGE_SIZE) -> Page:
    """The page of a building's list (`lister(page, size) -> (rows, total)`) that ?<name>= asks for: past
    its last page (a bookmark outlives the rows it showed) is the last page."""
    page = listing.requested_page(name)
    rows, total = lister(page, size)
    pages = max((total + size - 1) // size, 1)
    if page > pages:
        page, rows = pages, lister(pages, size)[0]
    return Page(rows, page, pages, total)


def _common(acc) -> dict:
    return {"acc": acc, "box": acc.box, "building": acc.building, "is_board": acc.is_board,
            "nav": box_nav(acc.box, acc.membership, acc.is_board), "today": clock.today(acc.box)}


def _access(box_id, manage=False):
    acc = services.manage(current_user, box_id) if manage else services.access(current_user, box_id)
    services.fresh(acc.box)
    return acc


# ------------------------------------------------------------------------------------ creation
@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_box():
    form = NewBuildingForm()
    if form.validate_on_submit():
        try:
            box = services.create_building(
                current_user, form.name.data, form.currency.data.strip(), form.timezone.data.strip(),
                form.locale.data.strip(), form.calendar.data, form.address.data, **form.rules())
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash(said(_("%(name)s is ready. Add its units, then the charge plan."), name=bdi(box.name)), "success")
            return redirect_to("aptbox.units", box_id=box.id)
    return render("aptbox/new.html", "form", form=form)


# ------------------------------------------------------------------------------------ overview
@bp.route("/<int:box_id>")
@login_required
def dashboard(box_id):
    acc = _access(box_id)
    mine = services.units_page(acc, 1, mine=True)[0] if acc.unit_ids else []
    return render("aptbox/dashboard.html", **_common(acc), funds=services.fund_balances(acc.box),
                  totals=services.totals(acc.box) if acc.is_board else None,
                  mine=mine, runs=services.runs(acc.box.id, 1, 6)[0],
                  announcements=services.announcements(acc.box.id, 1, 3)[0],
                  open_polls=services.results(acc, services.open_polls(acc.box, 5)),
                  pending=services.pending_expenses(acc.box.id) if acc.is_board else 0,
                  reported=reported_payments.pending_count(acc.box.id) if acc.is_board else 0)


# ------------------------------------------------------------------------------------ units
@bp.route("/<int:box_id>/units", methods=["GET", "POST"])
@login_required
def units(box_id):
    acc = _access(box_id)
    form = UnitForm(formdata=None)
    if request.method == "POST":
        form = UnitForm()
        if form.validate_on_submit():
            try:
                unit = services.add_unit(current_user, box_id, **form.values())
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                flash(said(_("Unit %(number)s added."), number=bdi(unit.number)), "success")
                return redirect_to("aptbox.units", box_id=box_id)
    q = request.args.get("q", "")[:50]
    return render("aptbox/units.html", "unit_form" if request.method == "POST" else None, partials=("list",),
                  **_common(acc), units=_listed(lambda page, size: services.units_page(acc, page, q, size)), q=q,
                  form=form)


@bp.route("/<int:box_id>/units/import", methods=["GET", "POST"])
@login_required
def import_units(box_id):
    acc = _access(box_id, manage=True)
    form, problems = ImportForm(), []
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            made = services.import_units(current_user, box_id, upload.read() if upload else b"")
        except services.ImportError_ as error:
            problems = error.rows
            form.file.errors = [error.message]
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash(_("%(count)s units imported.", count=num(len(made), acc.box)), "success")
            return redirect_to("aptbox.units", box_id=box_id)
    return render("aptbox/import.html", **_common(acc), form=form, problems=problems, columns=services.CSV_COLUMNS)


@bp.route("/<int:box_id>/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unit(box_id, unit_id):
    acc = _access(box_id)
    the_unit = services.unit_of(acc, unit_id)
    today = clock.today(acc.box)
    forms = {"payment": PaymentForm(formdata=None, paid_on=today), "person": PersonForm(formdata=None),
             "edit": UnitForm(formdata=None, obj=the_unit)}
    which = request.form.get("which")
    if request.method == "POST" and which in forms:
        form = forms[which] = type(forms[which])()
        if form.validate_on_submit():
            try:
                if which == "payment":
                    services.record_payment(current_user, box_id, unit_id, form.amount.data, form.paid_on.data,
                                            form.reference.data, form.payer.data, form.key.data)
                    flash(_("Payment recorded."), "success")
                elif which == "person":
                    services.add_person(current_user, box_id, unit_id, form.name.data, form.email.data,
                                        form.relation.data, form.board.data, same_name_ok=not confirm.needed())
                    flash(said(_("%(name)s added to the unit."), name=bdi(form.name.data)), "success")
                else:
                    services.update_unit(current_user, box_id, unit_id, **form.values())
                    flash(_("Unit updated; the next charges use its new figures."), "success")
            except SameName as error:
                return confirm.same_name(_common(acc)["nav"], error, _("Yes, add them: it is another person"),
                                         back=url_for("aptbox.unit", box_id=box_id, unit_id=unit_id))
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                return redirect_to("aptbox.unit", box_id=box_id, unit_id=unit_id)
    return render("aptbox/unit.html", **_common(acc), **unit_context(acc, the_unit), forms=forms)


def unit_context(acc, the_unit: Unit) -> dict:
    """What a unit's page (and its API) shows: position, "why is my charge", ledger, people."""
    pos = services.position(acc.box, acc.building, the_unit.id)
    charge = services.latest_charge(the_unit.id, clock.today(acc.box))
    owed_by = services.owed_by(pos, clock.today(acc.box))
    mine = None  # what the viewer tied to the unit has left to pay of the charges issued: their part, or all
    if acc.membership is not None and the_unit.id in acc.unit_ids:
        part = services.part_for(the_unit.id, acc.membership.id)
        issued = services.owed_by(pos, date.max)
        mine = {"part": part, "amount": issued[part] if part else issued["owner"] + issued["resident"]}
    return {"unit": the_unit, "pos": pos, "explained": charge, "owed_by": owed_by, "mine": mine,
            "explanation": json.loads(charge.detail) if charge else [],
            "ledger": services.unit_ledger(acc.box, the_unit), "people": services.people_of([the_unit.id]).get(
                the_unit.id, [])}


def _receipt(upload):
    return services.Receipt(upload.read(), upload.filename) if upload is not None and upload.filename else None


@bp.route("/<int:box_id>/units/<int:unit_id>/late-fees/waive", methods=["POST"])
@login_required
def waive_late_fee(box_id, unit_id):
    try:
        services.waive_late_fee(current_user, box_id, unit_id, request.form.get("reference"),
                                request.form.get("reason"))
        flash(_("Late fee waived."), "success")
    except FORM_ERRORS as error:
        flash(error.message, "danger")
    return redirect_to("aptbox.unit", box_id=box_id, unit_id=unit_id)


# ------------------------------------------------------------------------------------ charges
@bp.route("/<int:box_id>/charges", methods=["GET", "POST"])
@login_required
def charges(box_id):
    acc = _access(box_id, manage=True)
    building = acc.building
    forms = {
        # The rules as the board types them; `obj=` would show the stored forms (basis points, JSON) instead.
        "settings": SettingsForm(formdata=None, data={
            **{name: getattr(building, name) for name in ("address", "due_day", "grace_days", "late_fee_kind",
                                                          "vacancy_discount", "require_approval", "issue_monthly")},
            "floor_factors": services.floor_factors_text(building), "round_to": services.major(acc.box, building.round_to),
            "late_fee_value": services.late_fee_text(acc.box, building),
            "remainder_unit": services.remainder_number(building)}),
        "component": ComponentForm(formdata=None), "rule": RuleForm(formdata=None),
        "issue": IssueForm(formdata=None, month=services.next_month(acc.box)),
        "assessment": AssessmentForm(formdata=None, first_month=services.next_month(acc.box)),
    }
    which = request.form.get("which")
    posted = request.method == "POST" and which in forms
    if posted:
        forms[which] = type(forms[which])()
    active = services.components(acc.box.id)
    forms["rule"].component_id.choices = [(str(c.id), c.name) for c in active]  # before the form is validated
    if posted:
        form = forms[which]
        if which == "issue" and form.validate_on_submit() and confirm.needed():
            if not _unread_month(acc.box, form):
                return _confirm_issue(acc, form)
        elif form.validate_on_submit():
            try:
                _charges_action(acc, which, form, box_id)
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                return redirect_to("aptbox.charges", box_id=box_id)
    preview, preview_error = [], None
    try:
        preview = services.preview(acc.box, building)
    except ValidationError as error:
        preview_error = error.message
    unit_numbers = {u.id: u.number for u in services.units_of(acc.box.id)}
    return render("aptbox/charges.html", partials=("issued",), **_common(acc), forms=forms, components=active,
                  described={c.id: services.describe(c, acc.box) for c in active},
                  rules=services.rules_of([c.id for c in active]), preview=preview, preview_error=preview_error,
                  unit_numbers=unit_numbers, runs=_listed(partial(services.runs, acc.box.id), "runs"))


def _unread_month(box, form) -> bool:
    """A month the rule cannot read is the form's error, not a question to confirm."""
    try:
        services.parse_month(box, form.month.data)
    except ValidationError as error:
        apply_error(form, error)
        return True
    return False


def _confirm_issue(acc, form):
    box = acc.box
    charges = services.preview(box, acc.building)
    amount = lambda minor: services.money(box, minor)  # noqa: E731
    month = show_month(*services.parse_month(box, form.month.data), box.calendar, box)
    return confirm.ask(_common(acc)["nav"], _("Issue the charges of %(month)s?", month=month), [
        _("%(count)s units are charged %(total)s in all, as in the preview (from %(low)s to %(high)s a unit).",
          count=num(len(charges), box), total=amount(sum(c.amount for c in charges)),
          low=amount(min((c.amount for c in charges), default=0)),
          high=amount(max((c.amount for c in charges), default=0))),
        _("Each unit's people see the charge and what it is made of; they fall late after the due day.")],
        _("Yes, issue the charges"), back=url_for("aptbox.charges", box_id=box.id),
        blocked=confirm.refusal(services.issue_month, current_user, box.id, form.month.data))


def _charges_action(acc, which, form, box_id):
    if which == "settings":
        services.update_rules(current_user, box_id, **form.rules())
        flash(_("Charge rules saved."), "success")
    elif which == "component":
        services.add_component(current_user, box_id, **form.values())
        flash(said(_("%(name)s added to the plan."), name=bdi(form.name.data)), "success")
    elif which == "rule":
        unit = services.unit_numbered(acc.box.id, form.unit.data, "unit")
        services.set_rule(current_user, box_id, form.component_id.data, unit.id, form.kind.data, form.amount.data,
                          form.reason.data)
        flash(said(_("Rule for unit %(number)s saved."), number=bdi(unit.number)), "success")
    elif which == "issue":
        run = services.issue_month(current_user, box_id, form.month.data)
        flash(said(_("%(title)s: %(amount)s charged."), title=bdi(run.title), amount=services.money(acc.box, run.total)),
              "success")
    elif which == "assessment":
        made = services.create_assessment(current_user, box_id, form.title.data, form.total.data, form.basis.data,
                                          form.mix.data, form.installments.data, form.first_month.data)
        flash(said(_("%(title)s charged in %(count)s installment(s)."), title=bdi(made.title),
                   count=num(made.installments, acc.box)),
              "success")


@bp.route("/<int:box_id>/charges/components/<int:component_id>/remove", methods=["POST"])
@login_required
def remove_component(box_id, component_id):
    services.remove_component(current_user, box_id, component_id)
    flash(_("Removed from the plan; months already issued keep it."), "success")
    return redirect_to("aptbox.charges", box_id=box_id)


@bp.route("/<int:box_id>/charges/rules/<int:rule_id>/remove", methods=["POST"])
@login_required
def remove_rule(box_id, rule_id):
    services.clear_rule(current_user, box_id, rule_id)
    flash(_("Rule removed."), "success")
    return redirect_to("aptbox.charges", box_id=box_id)


@bp.route("/<int:box_id>/late-fees", methods=["POST"])
@login_required
def late_fees(box_id):
    acc = _access(box_id, manage=True)
    if confirm.needed():
        building = acc.building
        count, refused = confirm.trial(services.assess_late_fees, current_user, box_id)
        rule = services.late_fee_text(acc.box, building)
        rule = _("%(percent)s%% of each overdue charge", percent=rule) if building.late_fee_kind == "percent" else \
            _("%(amount)s for each overdue charge", amount=services.money(acc.box, building.late_fee_value))
        return confirm.ask(_common(acc)["nav"], _("Charge late fees now?"),
                           [_("%(count)s late fee(s) are charged, %(rule)s, to the units that owe them.",
                              count=num(count, acc.box), rule=rule)],
                           _("Yes, charge them"), back=url_for("aptbox.charges", box_id=box_id),
                           blocked=refused or (None if count else _("No charge is overdue without its late fee: "
                                                                    "there is nothing to charge.")),
                           note=_("A late fee charged by mistake can be waived on the unit's page."))
    count = services.assess_late_fees(current_user, box_id)
    flash(_("%(count)s late fee(s) charged.", count=num(count, acc.box)), "success")
    return redirect_to("aptbox.charges", box_id=box_id)


# ------------------------------------------------------------------------------------ expenses
@bp.route("/<int:box_id>/expenses", methods=["GET", "POST"])
@login_required
def expenses(box_id):
    acc = _access(box_id)
    today = clock.today(acc.box)
    forms = {"expense": ExpenseForm(formdata=None, spent_on=today),
             "transfer": TransferForm(formdata=None, moved_on=today)}
    which = request.form.get("which")
    if request.method == "POST" and which in forms:
        form = forms[which] = type(forms[which])()
        if form.validate_on_submit():
            try:
                if which == "expense":
                    upload = request.files.get("receipt")
                    receipt = _receipt(upload)
                    made = services.add_expense(current_user, box_id, form.amount.data, form.category.data,
                                                form.spent_on.data, form.vendor.data, form.note.data, form.fund.data,
                                                receipt, form.decision.data)
                    flash(_("Expense recorded.") if made.status == "approved"
                          else _("Expense recorded; another board member approves it."), "success")
                else:
                    services.transfer(current_user, box_id, form.amount.data, form.from_fund.data, form.to_fund.data,
                                      form.moved_on.data, form.note.data, form.decision.data, form.key.data)
                    flash(_("Money moved."), "success")
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                return redirect_to("aptbox.expenses", box_id=box_id)
    return render("aptbox/expenses.html", partials=("list", "moves"), **_common(acc), forms=forms,
                  expenses=_listed(partial(services.expenses, acc.box.id)),
                  transfers=_listed(partial(services.transfers, acc.box.id), "transfers"),
                  funds=services.fund_balances(acc.box),
                  receipt_mb=current_app.config["RECEIPT_MAX_BYTES"] // (1024 * 1024))


@bp.route("/<int:box_id>/expenses/<int:expense_id>/decide", methods=["POST"])
@login_required
def decide_expense(box_id, expense_id):
    if request.form.get("action") == "approve" and confirm.needed():
        return _confirm_expense(box_id, expense_id)
    try:
        if request.form.get("action") == "approve":
            services.approve_expense(current_user, box_id, expense_id, request.form.get("decision"))
            flash(_("Expense approved."), "success")
        else:
            services.reject_expense(current_user, box_id, expense_id)
            flash(_("Expense rejected."), "success")
    except FORM_ERRORS as error:
        flash(error.message, "danger")
    return redirect_to("aptbox.expenses", box_id=box_id)


def _confirm_expense(box_id, expense_id):
    acc = _access(box_id, manage=True)
    box, expense = acc.box, services.expense_of(acc.box.id, expense_id)
    held = services.fund_balances(box)[expense.fund]
    amount, fund, category = services.money(box, expense.amount), FUND_NAMES[expense.fund], \
        CATEGORY_NAMES.get(expense.category, expense.category)
    lines = [said(_("%(amount)s leaves the %(fund)s, paid to %(vendor)s (%(category)s)."), amount=amount, fund=fund,
                   vendor=bdi(expense.vendor), category=category) if expense.vendor else
             _("%(amount)s leaves the %(fund)s (%(category)s).", amount=amount, fund=fund, category=category),
             _("The fund holds %(held)s; it will hold %(after)s.", held=services.money(box, held),
               after=services.money(box, held - expense.amount))]
    if request.form.get("decision"):
        lines.append(said(_("The board's decision to overdraw is recorded: “%(decision)s”."),
                           decision=bdi(request.form["decision"])))
    return confirm.ask(_common(acc)["nav"], _("Approve this expense?"), lines, _("Yes, approve and pay it"),
                       back=url_for("aptbox.expenses", box_id=box_id),
                       blocked=confirm.refusal(services.approve_expense, current_user, box_id, expense_id,
                                               request.form.get("decision")))


@bp.route("/<int:box_id>/expenses/<int:expense_id>/receipt")
@login_required
def receipt(box_id, expense_id):
    """Served only to the building's members (and admins); anyone else gets 404."""
    path, mimetype, name = services.receipt_file(current_user, box_id, expense_id)
    return send_file(path, mimetype=mimetype, download_name=name, as_attachment=mimetype == "application/pdf")


# ------------------------------------------------------------------------------------ reports
@bp.route("/<int:box_id>/reports")
@login_required
def reports_page(box_id):
    """The public report every member sees (funds, charts); the board also sees arrears and PDFs."""
    acc = _access(box_id)
    box = acc.box
    bars = reports.months(box)
    start, end = reports.month_bounds(box, *services.month_of(box, clock.today(box)))
    year_start = reports.month_bounds(box, *services.month_of(box, clock.today(box) - timedelta(days=330)))[0]
    categories = reports.by_category(box, year_start, end)
    return render("aptbox/reports.html", partials=("late",), **_common(acc), funds=services.fund_balances(box),
                  months_svg=reports.bars_svg(box, bars), categories=categories,
                  categories_svg=reports.category_svg(box, categories), period=(start, end),
                  arrears=_listed(partial(services.arrears_list, box)) if acc.is_board else None)


@bp.route("/<int:box_id>/reports/<any(board, units):kind>", methods=["POST"])
@login_required
def statement_job(box_id, kind):
    """The board's monthly statement, or every unit's statement in one PDF: report jobs."""
    acc = services.manage(current_user, box_id)
    try:
        start = calendar.parse_day(request.form.get("start"), acc.box.calendar, "start")
        end = calendar.parse_day(request.form.get("end"), acc.box.calendar, "end")
        job = report_jobs.request_report(current_user, box_id, kind, report_jobs.period_params(start, end))
    except FORM_ERRORS as error:
        flash(error.message, "danger")
        return redirect_to("aptbox.reports_page", box_id=box_id)
    return redirect_to("reports.show", box_id=box_id, job_id=job.id)


@bp.route("/<int:box_id>/units/<int:unit_id>/statement")
@login_required
def unit_statement(box_id, unit_id):
    """A unit's statement PDF (instant: one unit's history is small), the whole history by default."""
    acc = services.access(current_user, box_id)
    the_unit = services.unit_of(acc, unit_id)
    statement = services.unit_statement(acc.box, the_unit)
    start = calendar.parse_day(request.args["start"], acc.box.calendar, "start") if request.args.get("start") else statement.start
    end = calendar.parse_day(request.args["end"], acc.box.calendar, "end") if request.args.get("end") else clock.today(acc.box)
    return pdf_response(reports.unit_statement_pdf(acc.box, the_unit, start, end),
                        f"unit-{the_unit.number}-statement.pdf")


@bp.route("/<int:box_id>/export/<what>.csv")
@login_required
def export(box_id, what):
    """CSV of the charges or expenses (the board), or a unit's ledger (?unit=<id>, its people too)."""
    if what == "ledger":
        acc = services.access(current_user, box_id)
        the_unit = services.unit_of(acc, request.args.get("unit"))
        body, name = reports.ledger_csv(acc.box, the_unit), f"unit-{the_unit.number}-ledger.csv"
    elif what in ("charges", "expenses"):
        acc = services.manage(current_user, box_id)
        body = reports.charges_csv(acc.box) if what == "charges" else reports.expenses_csv(acc.box)
        name = f"{what}.csv"
    else:
        abort(404)
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:box_id>/collect", methods=["GET", "POST"])
@login_required
def collect(box_id):
    """The bulk entry: every unit with what it owes by its next charge, payments recorded at once."""
    acc = _access(box_id, manage=True)
    sheet, done = bulk.handle(current_user, acc.box, services.period_lines(acc.box),
                              lambda unit_id, amount, sheet, paid_on: services.record_payment(
                                  current_user, box_id, unit_id, amount, paid_on, sheet.reference,
                                  key=bulk.row_key(sheet, unit_id)))
    if done is not None:
        flash(bulk.recorded(done) + ".", "success")
        return redirect_to("aptbox.payments", box_id=box_id)
    return render("box/bulk.html", **_common(acc), title=_("Record the month's payments"), sheet=sheet, pay_methods=(),
                  reference=_("Bank reference (one for all)"), period=None,
                  periods=[(None, _("What each unit owes by its next charge's due date."))])


# ------------------------------------------------------------------------------------ lists
def _list(spec, box_id, title: str):
    """A building's list (hamyan.web.listing): the board sees every unit's rows, others their units'."""
    acc = _access(box_id)
    where = [] if acc.is_board else lists.own_units(spec, acc.unit_ids)
    return listing.show(spec, acc.box, *where, title=title, member_filter=acc.is_board, lookup=None, **_common(acc))


@bp.route("/<int:box_id>/payments")
@login_required
def payments(box_id):
    return _list(lists.PAYMENTS, box_id, _("Payments"))


@bp.route("/<int:box_id>/charges/all")
@login_required
def charges_list(box_id):
    return _list(lists.CHARGES, box_id, _("Charges issued"))


@bp.route("/<int:box_id>/late-fees")
@login_required
def fines(box_id):
    return _list(lists.FINES, box_id, _("Late fees"))


# ------------------------------------------------------------------------------------ notices
@bp.route("/<int:box_id>/notices", methods=["GET", "POST"])
@login_required
def notices(box_id):
    acc = _access(box_id)
    forms = {"announcement": AnnouncementForm(formdata=None),
             "poll": PollForm(formdata=None, closes_on=clock.today(acc.box) + timedelta(days=7))}
    which = request.form.get("which")
    if request.method == "POST" and which in forms:
        form = forms[which] = type(forms[which])()
        if form.validate_on_submit():
            try:
                if which == "announcement":
                    services.announce(current_user, box_id, form.title.data, form.body.data)
                    flash(_("Announced and emailed to the members."), "success")
                else:
                    services.create_poll(current_user, box_id, form.question.data, form.options.data,
                                         form.weighting.data, form.quorum_percent.data, form.closes_on.data)
                    flash(_("Poll opened."), "success")
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                return redirect_to("aptbox.notices", box_id=box_id)
    polls = _listed(partial(services.polls, acc.box.id), "polls", NOTICES_PAGE)
    return render("aptbox/notices.html", partials=("polls", "news"), **_common(acc), forms=forms,
                  announcements=_listed(partial(services.announcements, acc.box.id), "news", NOTICES_PAGE),
                  polls=polls, results=services.results(acc, polls.items))


@bp.route("/<int:box_id>/polls/<int:poll_id>/vote", methods=["POST"])
@login_required
def vote(box_id, poll_id):
    try:
        services.vote(current_user, box_id, poll_id, request.form.get("unit_id"), request.form.get("choice"))
        flash(_("Your unit's vote is counted."), "success")
    except FORM_ERRORS as error:
        flash(error.message, "danger")
    return redirect_to("aptbox.notices", box_id=box_id)


@bp.route("/<int:box_id>/polls/<int:poll_id>/close", methods=["POST"])
@login_required
def close_poll(box_id, poll_id):
    services.close_poll(current_user, box_id, poll_id)
    flash(_("Poll closed: the result and who voted are shown to every member."), "success")
    return redirect_to("aptbox.notices", box_id=box_id)
