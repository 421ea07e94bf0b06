"""Aptbox pages: parse the form, call the service, render the page or its htmx partial."""
import json

from flask import Blueprint, flash, request
from flask_login import current_user, login_required

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.forms import (
    AssessmentForm,
    ComponentForm,
    ImportForm,
    IssueForm,
    NewBuildingForm,
    PaymentForm,
    PersonForm,
    RuleForm,
    SettingsForm,
    UnitForm,
)
from hamyan.blueprints.aptbox.models import Unit
from hamyan.core import clock
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.web import apply_error, redirect_to, render
from hamyan.web.nav import box_nav

bp = Blueprint("aptbox", __name__, url_prefix="/buildings")

FORM_ERRORS = (ValidationError, Conflict)


def _page() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


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
            flash(f"{box.name} is ready. Add its units, then the charge plan.", "success")
            return redirect_to("aptbox.units", box_id=box.id)
    return render("aptbox/new.html", "form", form=form)


# ------------------------------------------------------------------------------------ overview
@bp.route("/<int:box_id>")
@login_required
def dashboard(box_id):
    acc = _access(box_id)
    mine = services.units_page(acc, 1)[0] if acc.unit_ids else []
    return render("aptbox/dashboard.html", **_common(acc), funds=services.fund_balances(acc.box),
                  totals=services.totals(acc.box) if acc.is_board else None,
                  mine=[(u, s) for u, s in mine if u.id in acc.unit_ids], runs=services.runs(acc.box.id, 6))


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
                flash(f"Unit {unit.number} added.", "success")
                return redirect_to("aptbox.units", box_id=box_id)
    page, q = _page(), request.args.get("q", "")[:50]
    rows, total = services.units_page(acc, page, q)
    return render("aptbox/units.html", "unit_form" if request.method == "POST" else None, partials=("list",),
                  **_common(acc), rows=rows, total=total, page=page, q=q,
                  pages=max((total + services.PAGE_SIZE - 1) // services.PAGE_SIZE, 1), form=form)


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
            flash(f"{len(made)} units imported.", "success")
            return redirect_to("aptbox.units", box_id=box_id)
    return render("aptbox/import.html", **_common(acc), form=form, problems=problems, columns=services.CSV_COLUMNS)


@bp.route("/<int:box_id>/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unit(box_id, unit_id):
    acc = _access(box_id)
    the_unit = services.unit_of(acc, unit_id)
    today = clock.today(acc.box)
    forms = {"payment": PaymentForm(formdata=None, paid_on=today.isoformat()), "person": PersonForm(formdata=None),
             "edit": UnitForm(formdata=None, obj=the_unit)}
    which = request.form.get("which")
    if request.method == "POST" and which in forms:
        form = forms[which] = {"payment": PaymentForm, "person": PersonForm, "edit": UnitForm}[which]()
        if form.validate_on_submit():
            try:
                if which == "payment":
                    services.record_payment(current_user, box_id, unit_id, form.amount.data, form.paid_on.data,
                                            form.reference.data, form.payer.data, form.key.data)
                    flash("Payment recorded.", "success")
                elif which == "person":
                    services.add_person(current_user, box_id, unit_id, form.name.data, form.email.data,
                                        form.relation.data, form.board.data)
                    flash(f"{form.name.data} added to the unit.", "success")
                else:
                    services.update_unit(current_user, box_id, unit_id, **form.values())
                    flash("Unit updated; the next charges use its new figures.", "success")
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                return redirect_to("aptbox.unit", box_id=box_id, unit_id=unit_id)
    return render("aptbox/unit.html", **_common(acc), **unit_context(acc, the_unit), forms=forms)


def unit_context(acc, the_unit: Unit) -> dict:
    """What a unit's page (and its API) shows: position, "why is my charge", ledger, people."""
    pos = services.position(acc.box, acc.building, the_unit.id)
    charge = services.latest_charge(the_unit.id, clock.today(acc.box))
    return {"unit": the_unit, "pos": pos, "explained": charge,
            "explanation": json.loads(charge.detail) if charge else [],
            "ledger": services.unit_ledger(acc.box, the_unit), "people": services.people_of([the_unit.id]).get(
                the_unit.id, [])}


# ------------------------------------------------------------------------------------ charges
@bp.route("/<int:box_id>/charges", methods=["GET", "POST"])
@login_required
def charges(box_id):
    acc = _access(box_id, manage=True)
    building = acc.building
    forms = {
        "settings": SettingsForm(formdata=None, obj=building, floor_factors=services.floor_factors_text(building),
                                 round_to=services.major(acc.box, building.round_to),
                                 late_fee_value=services.late_fee_text(acc.box, building),
                                 remainder_unit=services.remainder_number(building)),
        "component": ComponentForm(formdata=None), "rule": RuleForm(formdata=None),
        "issue": IssueForm(formdata=None, month=services.next_month(acc.box)),
        "assessment": AssessmentForm(formdata=None, first_month=services.next_month(acc.box)),
    }
    which = request.form.get("which")
    if request.method == "POST" and which in forms:
        form = forms[which] = type(forms[which])()
        if form.validate_on_submit() or (which == "rule" and not form.errors):
            try:
                _charges_action(acc, which, form, box_id)
            except FORM_ERRORS as error:
                apply_error(form, error)
            else:
                return redirect_to("aptbox.charges", box_id=box_id)
    active = services.components(acc.box.id)
    forms["rule"].component_id.choices = [(str(c.id), c.name) for c in active]
    preview, preview_error = [], None
    try:
        preview = services.preview(acc.box, building)
    except ValidationError as error:
        preview_error = error.message
    unit_numbers = {u.id: u.number for u in services.units_of(acc.box.id)}
    return render("aptbox/charges.html", **_common(acc), forms=forms, components=active,
                  rules=services.rules_of([c.id for c in active]), preview=preview, preview_error=preview_error,
                  unit_numbers=unit_numbers, runs=services.runs(acc.box.id))


def _charges_action(acc, which, form, box_id):
    if which == "settings":
        services.update_rules(current_user, box_id, **form.rules())
        flash("Charge rules saved.", "success")
    elif which == "component":
        services.add_component(current_user, box_id, **form.values())
        flash(f"{form.name.data} added to the plan.", "success")
    elif which == "rule":
        number = (form.unit.data or "").strip()
        unit = db.session.query(Unit).filter_by(box_id=acc.box.id, number=number).one_or_none()
        if unit is None:
            raise ValidationError(f"There is no unit {number or '(empty)'} in this building.", field="unit")
        services.set_rule(current_user, box_id, form.component_id.data, unit.id, form.kind.data, form.amount.data,
                          form.reason.data)
        flash(f"Rule for unit {number} saved.", "success")
    elif which == "issue":
        run = services.issue_month(current_user, box_id, form.month.data)
        flash(f"{run.title}: {services.money(acc.box, run.total)} charged.", "success")
    elif which == "assessment":
        made = services.create_assessment(current_user, box_id, form.title.data, form.total.data, form.basis.data,
                                          form.mix.data, form.installments.data, form.first_month.data)
        flash(f"{made.title} charged in {made.installments} installment(s).", "success")


@bp.route("/<int:box_id>/charges/components/<int:component_id>/remove", methods=["POST"])
@login_required
def remove_component(box_id, component_id):
    services.remove_component(current_user, box_id, component_id)
    flash("Removed from the plan; months already issued keep it.", "success")
    return redirect_to("aptbox.charges", box_id=box_id)


@bp.route("/<int:box_id>/charges/rules/<int:rule_id>/remove", methods=["POST"])
@login_required
def remove_rule(box_id, rule_id):
    services.clear_rule(current_user, box_id, rule_id)
    flash("Rule removed.", "success")
    return redirect_to("aptbox.charges", box_id=box_id)


@bp.route("/<int:box_id>/late-fees", methods=["POST"])
@login_required
def late_fees(box_id):
    count = services.assess_late_fees(current_user, box_id)
    flash(f"{count} late fee(s) charged.", "success")
    return redirect_to("aptbox.charges", box_id=box_id)
