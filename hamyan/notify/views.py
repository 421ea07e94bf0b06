"""Campaign pages: a box's managers at /boxes/<id>/messages, admins (every user) at /admin/messages.
Sending answers at once with the campaign's page, whose progress block htmx polls until every
message is sent or failed (without JS the page reloads itself)."""
import re

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import StringField, TextAreaField

from hamyan.boxes.access import MANAGE, authorize
from hamyan.core.errors import ServiceError
from hamyan.i18n import bdi
from hamyan.notify import campaigns
from hamyan.notify.models import EMAIL, INAPP, SMS
from hamyan.web import apply_error, redirect_to, render
from hamyan.web.fields import NumberField
from hamyan.web.nav import box_nav

bp = Blueprint("campaigns", __name__)
CHANNEL_NAMES = {EMAIL: _l("Email"), SMS: _l("Text message"), INAPP: _l("In the app")}
# The settings page's columns: the channels, then whether the monthly statement comes.
SETTINGS_COLUMNS = {**CHANNEL_NAMES, "statements": _l("Monthly statement")}


class CampaignForm(FlaskForm):
    subject = StringField(_l("Subject"), render_kw={"dir": "auto"})
    body = TextAreaField(_l("Message"), render_kw={"rows": 6, "dir": "auto"})


def _context(box_id):
    if box_id is None:
        if not current_user.is_admin:
            abort(404)
        return {"box": None, "nav": None, "audience": _("every user of Hamyan")}
    access = authorize(current_user, box_id)
    return {"box": access.box, "nav": box_nav(access.box, access.membership, access.can_manage),
            "audience": Markup(escape(_("every member of %(box)s"))) % {"box": bdi(access.box.name)}}


def _url(endpoint, box_id, **values):
    return url_for(f"campaigns.{'admin_' if box_id is None else ''}{endpoint}",
                   **({} if box_id is None else {"box_id": box_id}), **values)


def _index(box_id):
    context = _context(box_id)
    form = CampaignForm()
    shown = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                shown = campaigns.preview(current_user, box_id, form.subject.data, form.body.data)
            else:
                campaign = campaigns.start(current_user, box_id, form.subject.data, form.body.data)
                return redirect_to(_url("show", box_id, campaign_id=campaign.id))
        except ServiceError as error:
            if error.status == 404:
                raise
            apply_error(form, error)
    return render("notify/campaigns.html", "form", form=form, preview=shown,
                  campaigns=campaigns.recent(current_user, box_id), url=lambda e, **v: _url(e, box_id, **v), **context)


def _show(box_id, campaign_id):
    context = _context(box_id)
    progress = campaigns.progress(current_user, box_id, campaign_id)
    return render("notify/campaign.html", partials=("progress",), progress=progress, channel_names=CHANNEL_NAMES,
                  url=lambda e, **v: _url(e, box_id, **v), **context)


@bp.route("/boxes/<int:box_id>/messages", methods=["GET", "POST"])
@login_required
def index(box_id):
    return _index(box_id)


@bp.route("/boxes/<int:box_id>/messages/<int:campaign_id>")
@login_required
def show(box_id, campaign_id):
    return _show(box_id, campaign_id)


URL = re.compile(r"https?://\S+")


@bp.app_template_filter("links")
def links(text: str) -> Markup:
    """A message's text with its links clickable and set apart left to right (a URL in Persian text)."""
    parts, at = [], 0
    for found in URL.finditer(text):
        parts += [escape(text[at:found.start()]),
                  Markup('<bdi dir="ltr"><a href="%s">%s</a></bdi>') % (found.group(), found.group())]
        at = found.end()
    return Markup("").join([*parts, escape(text[at:])])


@bp.route("/boxes/<int:box_id>/messages/templates")
@login_required
def templates(box_id):
    """The messages the box sends by itself (reminders at each stage, the monthly statement's email),
    as a member would read them: the manager's preview, from the composers the jobs use."""
    from hamyan.core import clock
    from hamyan.notify import reminders
    from hamyan.statements import monthly

    context = _context(box_id)
    box = context["box"]
    authorize(current_user, box_id, MANAGE)
    shown = reminders.previews(box, current_user.name)  # in the page's language, the manager's
    statement = monthly.email(box, current_user.name, monthly.last_month(clock.today(box), box.calendar))
    return render("notify/templates.html", reminders=shown, statement=statement,
                  url=lambda e, **v: _url(e, box_id, **v), **context)


@bp.route("/admin/messages", methods=["GET", "POST"])
@login_required
def admin_index():
    return _index(None)


@bp.route("/admin/messages/<int:campaign_id>")
@login_required
def admin_show(campaign_id):
    return _show(None, campaign_id)


class ProfileForm(FlaskForm):
    phone = StringField(_l("Mobile number"), render_kw={"placeholder": "0912 123 4567", "inputmode": "tel", "dir": "ltr"})
    quiet_start = NumberField(_l("Quiet from (hour, 0-23)"), render_kw={"inputmode": "numeric", "dir": "ltr"})
    quiet_end = NumberField(_l("Quiet until (hour, 0-23)"), render_kw={"inputmode": "numeric", "dir": "ltr"})


def _hour(value, field):
    from hamyan.core.errors import ValidationError

    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 23:
        raise ValidationError(_("An hour from 0 to 23."), field=field)
    return int(text)


def _checked(form) -> tuple[int | None, int | None]:
    """The quiet hours, with every field's error at once (the number included)."""
    from hamyan.core import parse
    from hamyan.core.errors import ValidationError

    errors, hours = {}, []
    for name in ("quiet_start", "quiet_end"):
        try:
            hours.append(_hour(getattr(form, name).data, name))
        except ValidationError as error:
            errors.update(error.fields)
    if (form.phone.data or "").strip():
        try:
            parse.mobile(form.phone.data)
        except ValidationError as error:
            errors.update(error.fields)
    if errors:
        raise ValidationError(_("Check the fields marked."), fields=errors)
    return hours[0], hours[1]


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """Your mobile number, quiet hours (no text messages then) and, per box, the channels you want
    and whether you get monthly statements."""
    from sqlalchemy import select

    from hamyan.boxes.models import Box, Membership
    from hamyan.extensions import db
    from hamyan.notify import services

    person = services.profile(current_user.id)
    form = ProfileForm(data={"phone": person.phone or "", "quiet_start": "" if person.quiet_start is None else
                             person.quiet_start, "quiet_end": "" if person.quiet_end is None else person.quiet_end})
    boxes = db.session.scalars(select(Box).join(Membership, Membership.box_id == Box.id).where(
        Membership.user_id == current_user.id, Membership.left_at.is_(None)).order_by(Box.name)).all()
    if request.method == "POST" and form.validate_on_submit():
        try:
            start, end = _checked(form)
            services.set_profile(current_user, form.phone.data, start, end, person.timezone or "Asia/Tehran")
            for box in boxes:
                services.set_preference(current_user, box.id, **{
                    name: request.form.get(f"{name}-{box.id}") == "on" for name in ("email", "sms", "inapp", "statements")})
            return redirect_to("campaigns.settings")
        except ServiceError as error:
            apply_error(form, error)
    prefs = services.preferences(current_user.id, [box.id for box in boxes])
    return render("notify/settings.html", "form", form=form, boxes=boxes, prefs=prefs, channel_names=SETTINGS_COLUMNS)
