from flask import flash, url_for
from flask_login import current_user, login_required
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from hamyan.blueprints import product
from hamyan.blueprints.auth.forms import STRIP, EmptyForm
from hamyan.blueprints.box import bp
from hamyan.blueprints.payments import reports
from hamyan.blueprints.payments.forms import PayeeForm
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, authorize
from hamyan.core.errors import ServiceError
from hamyan.dues import reminders
from hamyan.i18n import bdi, listed, number
from hamyan.web import apply_error, confirm, redirect_to, render, said
from hamyan.web.fields import NumberField
from hamyan.web.nav import box_nav


class BoxForm(FlaskForm):
    """Checked whole by the service (boxes.services.update_box), so every error shows at once."""
    name = StringField(_l("Name"), filters=STRIP)
    locale = StringField(_l("Number format (locale, e.g. fa_IR or en)"), filters=STRIP)
    latin_digits = BooleanField(_l("Latin digits (1234) on Persian pages, instead of Persian ones (۱۲۳۴)"))
    show_toman = BooleanField(_l("Show rial amounts in tomans (1 toman = 10 rials)"))
    reminder_days_before = NumberField(_l("Reminder days before a due date"), filters=STRIP,
                                       render_kw={"inputmode": "numeric", "dir": "ltr"})
    reminder_late_days = NumberField(_l("Reminder days after a due date, while unpaid"), filters=STRIP)

    def show_timing(self, box) -> "BoxForm":
        """The reminder days the box uses now (the platform's until it chooses)."""
        before, late = reminders.timing(box)
        self.reminder_days_before.data = str(before)
        self.reminder_late_days.data = listed(late)
        return self


def _typed(field):
    """What the field says, empty (the platform's) when the form left it out."""
    return "" if field.data is None else field.data


def _access(box_id):
    access = authorize(current_user, box_id, MANAGE)
    return access, box_nav(access.box, access.membership, access.can_manage)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings(box_id):
    access, nav = _access(box_id)
    box = access.box
    form = BoxForm(obj=box)
    if form.validate_on_submit():
        try:
            boxes.update_box(current_user, box.id, form.name.data, form.locale.data,
                             latin_digits=form.latin_digits.data, show_toman=form.show_toman.data,
                             reminder_days_before=_typed(form.reminder_days_before),
                             reminder_late_days=_typed(form.reminder_late_days))
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("The box's settings are saved."), "success")
            return redirect_to("box.settings", box_id=box.id)
    return _settings_page(box, nav, form if form.is_submitted() else form.show_timing(box))


def _settings_page(box, nav, form=None, payee_form=None, block="settings_form"):
    if payee_form is None:
        payee = reports.payee_of(box.id)
        payee_form = PayeeForm(formdata=None, payee_account=payee.shown if payee else "",
                               payee_name=payee.name if payee else "")
    return render("box/settings.html", block, form=form or BoxForm(obj=box, formdata=None).show_timing(box), box=box,
                  nav=nav, action_form=EmptyForm(), payee_form=payee_form, why_not_delete=boxes.why_not_delete(box.id),
                  platform_timing=reminders.timing(), most_late_days=reminders.MOST_LATE_DAYS,
                  max_days_before=reminders.MAX_DAYS_BEFORE, max_days_late=reminders.MAX_DAYS_LATE)


@bp.post("/payee")
@login_required
def payee(box_id):
    """The card or account the box's members pay to (payments.reports): shown on the box's page and
    on the "I have paid" form."""
    access, nav = _access(box_id)
    form = PayeeForm()
    if form.validate_on_submit():
        try:
            saved = reports.set_payee(current_user, access.box.id, form.payee_account.data, form.payee_name.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Members now see where to pay.") if saved else _("The card or account is removed."), "success")
            return redirect_to("box.settings", box_id=box_id)
    return _settings_page(access.box, nav, payee_form=form, block="payee_form")


@bp.post("/<any(archive, restore):action>")
@login_required
def archive(box_id, action):
    access, nav = _access(box_id)
    box = access.box
    if EmptyForm().validate_on_submit():
        getattr(boxes, action)(current_user, box.id)
        flash(said(_("%(box)s is archived: read-only and off your dashboard. Restore it here any time.")
                   if action == "archive" else _("%(box)s is restored."), box=bdi(box.name)), "success")
    return redirect_to("box.settings", box_id=box_id)


@bp.post("/delete")
@login_required
def delete(box_id):
    access, nav = _access(box_id)
    box = access.box
    if not EmptyForm().validate_on_submit():
        return redirect_to("box.settings", box_id=box.id)
    if confirm.needed():
        descriptor = product(box.kind)
        return confirm.ask(nav, said(_("Delete %(box)s?"), box=bdi(box.name)), [
            said(_("The %(kind)s %(box)s, its members (%(count)s), invitations and set-up are deleted for good."),
                 kind=str(descriptor.name).lower(), box=bdi(box.name),
                 count=number(box.memberships.filter_by(left_at=None).count(), box)),
            _("No money was ever recorded in it, so no books are lost; its activity log stays for the admins.")],
            _("Yes, delete the box"), back=url_for("box.settings", box_id=box.id),
            blocked=boxes.why_not_delete(box.id))
    name = boxes.delete_box(current_user, box.id)
    flash(_("%(box)s is deleted.", box=name), "success")
    return redirect_to("home.dashboard")
