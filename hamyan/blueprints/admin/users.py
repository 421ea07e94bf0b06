"""Admin pages for accounts: find a user, see their boxes and devices, disable or enable them,
force a password reset, sign their devices out. Every action is a service rule (audited)."""
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from hamyan import plans
from hamyan.blueprints.admin import bp, queries
from hamyan.blueprints.admin.forms import SubscriptionForm
from hamyan.blueprints.auth import services as auth
from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.blueprints.auth.models import User
from hamyan.core.errors import ServiceError
from hamyan.extensions import db
from hamyan.plans.models import Plan
from hamyan.web import redirect_to, render
from hamyan.web.listing import requested_page


@bp.route("/users")
def users():
    q = queries.search_text(request.args.get("q"))
    pager, rows = queries.users_page(q, requested_page())
    return render("admin/users.html", partials=("users",), users_page=pager, rows=rows, q=q)


@bp.route("/users/<int:user_id>")
def user(user_id):
    person = db.session.get(User, user_id) or abort(404)
    subscription = plans.subscription_of(person.id)
    plan_form = SubscriptionForm(plan_id=str(subscription.plan_id) if subscription else None)
    plan_form.plan_id.choices = [(str(p.id), p.name) for p in db.session.scalars(select(Plan).order_by(Plan.name))]
    return render("admin/user.html", person=person, memberships=queries.memberships_of(person.id),
                  devices=auth.devices_of(current_user, person.id), form=EmptyForm(), subscription=subscription,
                  subscription_status=plans.status(subscription) if subscription else None,
                  plan_form=plan_form, plan=plans.plan_of(person.id), subscription_names=plans.STATUS_NAMES,
                  kind_name=queries.kind_name)


def _act(user_id, rule, done: str):
    if EmptyForm().validate_on_submit():
        try:
            rule()
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(done, "success")
    return redirect_to("admin.user", user_id=user_id)


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
def disable_user(user_id):
    return _act(user_id, lambda: auth.set_disabled(current_user, user_id, True),
                _("The account is disabled and signed out everywhere."))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
def enable_user(user_id):
    return _act(user_id, lambda: auth.set_disabled(current_user, user_id, False), _("The account is enabled."))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def force_reset(user_id):
    return _act(user_id, lambda: auth.force_password_reset(current_user, user_id),
                _("The password no longer works; a reset link was emailed to the owner."))


@bp.route("/users/<int:user_id>/devices/<int:session_id>/sign-out", methods=["POST"])
def sign_out_device(user_id, session_id):
    if EmptyForm().validate_on_submit():
        if auth.sign_out_device(current_user, user_id, session_id):
            logout_user()  # the admin signed their own browser out
            return redirect_to("auth.login")
        flash(_("That device is signed out."), "success")
    return redirect_to("admin.user", user_id=user_id)


@bp.route("/users/<int:user_id>/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere(user_id):
    person = db.session.get(User, user_id) or abort(404)
    return _act(user_id, lambda: auth.end_sessions(person, everywhere=True, actor=current_user),
                _("Every device of this account is signed out."))
