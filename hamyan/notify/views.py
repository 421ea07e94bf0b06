"""Campaign pages: a box's managers at /boxes/<id>/messages, admins (every user) at /admin/messages.
Sending answers at once with the campaign's page, whose progress block htmx polls until every
message is sent or failed (without JS the page reloads itself)."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from hamyan.boxes.access import authorize
from hamyan.core.errors import ServiceError
from hamyan.notify import campaigns
from hamyan.web import apply_error, redirect_to, render
from hamyan.web.nav import box_nav

bp = Blueprint("campaigns", __name__)


class CampaignForm(FlaskForm):
    subject = StringField("Subject")
    body = TextAreaField("Message", render_kw={"rows": 6})


def _context(box_id):
    if box_id is None:
        if not current_user.is_admin:
            abort(404)
        return {"box": None, "nav": None, "audience": "every user of Hamyan"}
    access = authorize(current_user, box_id)
    return {"box": access.box, "nav": box_nav(access.box, access.membership, access.can_manage),
            "audience": f"every member of {access.box.name}"}


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
    return render("notify/campaign.html", partials=("progress",), progress=progress,
                  url=lambda e, **v: _url(e, box_id, **v), **context)


@bp.route("/boxes/<int:box_id>/messages", methods=["GET", "POST"])
@login_required
def index(box_id):
    return _index(box_id)


@bp.route("/boxes/<int:box_id>/messages/<int:campaign_id>")
@login_required
def show(box_id, campaign_id):
    return _show(box_id, campaign_id)


@bp.route("/admin/messages", methods=["GET", "POST"])
@login_required
def admin_index():
    return _index(None)


@bp.route("/admin/messages/<int:campaign_id>")
@login_required
def admin_show(campaign_id):
    return _show(None, campaign_id)


class ProfileForm(FlaskForm):
    phone = StringField("Mobile number", render_kw={"placeholder": "0912 123 4567", "inputmode": "tel"})
    quiet_start = StringField("Quiet from (hour, 0-23)", render_kw={"inputmode": "numeric"})
    quiet_end = StringField("Quiet until (hour, 0-23)", render_kw={"inputmode": "numeric"})


def _hour(value, field):
    from hamyan.core.errors import ValidationError

    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 23:
        raise ValidationError("An hour from 0 to 23.", field=field)
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
        raise ValidationError("Check the fields marked.", fields=errors)
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
    prefs = {box.id: services.preference(current_user.id, box.id) for box in boxes}
    return render("notify/settings.html", "form", form=form, boxes=boxes, prefs=prefs)
