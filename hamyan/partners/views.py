"""Admin pages for partner keys and their webhooks (/admin/partners): create a key (its token shown
once), grant boxes and read or manage, revoke; add webhook subscriptions (secret shown once); read
the delivery log and replay a delivery. Admins only: anyone else gets 404."""
from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from hamyan import partners
from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.core.errors import ServiceError
from hamyan.extensions import db
from hamyan.partners import webhooks
from hamyan.partners.models import PartnerKey, WebhookDelivery, WebhookSubscription
from hamyan.web import redirect_to, render
from hamyan.web.listing import paged, requested_page

bp = Blueprint("partners", __name__, url_prefix="/admin/partners")
DELIVERIES_PAGE = 50
DELIVERY_NAMES = {"pending": _l("pending"), "delivered": _l("delivered"), "failed": _l("failed")}


@bp.before_request
@login_required
def admins_only():
    if not current_user.is_admin:
        abort(404)


def _boxes(raw: str) -> list:
    return [part for part in raw.replace(",", " ").replace("،", " ").split() if part]  # Persian commas too


@bp.route("", methods=["GET", "POST"])
def index():
    shown = None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            key, token = partners.create_key(current_user, request.form.get("name", ""),
                                             _boxes(request.form.get("box_ids", "")),
                                             request.form.get("can_manage") == "y")
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            shown = (key, token)
    return render("partners/index.html", keys=partners.keys(), shown=shown, form=EmptyForm())


@bp.route("/<int:key_id>/revoke", methods=["POST"])
def revoke(key_id):
    if EmptyForm().validate_on_submit():
        key = partners.revoke(current_user, key_id)
        flash(_("Key %(name)s is revoked: its calls fail from now on.", name=key.name), "success")
    return redirect_to("partners.index")


@bp.route("/<int:key_id>", methods=["GET", "POST"])
def key(key_id):
    key = db.session.get(PartnerKey, key_id) or abort(404)
    shown = None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            sub, secret = partners.subscribe(current_user, key.id, request.form.get("url", ""),
                                             request.form.getlist("events"))
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            shown = (sub, secret)
    subscriptions = list(db.session.scalars(select(WebhookSubscription).filter_by(key_id=key.id)))
    deliveries = paged(select(WebhookDelivery).join(WebhookSubscription)
                       .where(WebhookSubscription.key_id == key.id).order_by(WebhookDelivery.id.desc()),
                       requested_page(), DELIVERIES_PAGE)
    return render("partners/key.html", key=key, subscriptions=subscriptions, deliveries=deliveries, shown=shown,
                  events=webhooks.EVENTS, form=EmptyForm(), delivery_names=DELIVERY_NAMES)


@bp.route("/deliveries/<int:delivery_id>/replay", methods=["POST"])
def replay(delivery_id):
    original = db.session.get(WebhookDelivery, delivery_id) or abort(404)
    key_id = original.subscription.key_id
    if EmptyForm().validate_on_submit():
        copy = webhooks.replay(current_user, delivery_id)
        flash(_("Sent again as delivery %(id)s: %(status)s.", id=copy.id, status=DELIVERY_NAMES.get(copy.status, copy.status)),
              "success" if copy.status == "delivered" else "warning")
    return redirect_to("partners.key", key_id=key_id)
