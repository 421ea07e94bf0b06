"""Admin pages for operator plans and subscriptions: the plans with their limits and subscribers,
new and changed plans, every subscription (paginated, by user name or email), and a user's plan on
their page. The rules and the limits live in hamyan.plans."""
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from hamyan import plans
from hamyan.blueprints.admin import bp, queries
from hamyan.blueprints.admin.forms import PlanForm, SubscriptionForm
from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.blueprints.auth.models import User
from hamyan.core.errors import ServiceError
from hamyan.extensions import db
from hamyan.plans.models import Plan, Subscription
from hamyan.web import apply_error, redirect_to, render
from hamyan.web.listing import paged, requested_page


def _plan_fields(form) -> dict:
    return {name: getattr(form, name).data for name in
            ("name", "max_boxes", "max_members", "trial_days", "price_rials", "is_default")}


@bp.route("/plans", methods=["GET", "POST"])
def plan_list():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = plans.create_plan(current_user, **_plan_fields(form))
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Plan “%(plan)s” created.", plan=plan.name), "success")
            return redirect_to("admin.plan_list")
    return render("admin/plans.html", "form", rows=plans.plans_overview(), form=form)


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def plan_edit(plan_id):
    plan = db.session.get(Plan, plan_id) or abort(404)
    form = PlanForm(obj=plan)
    if form.validate_on_submit():
        try:
            plans.update_plan(current_user, plan.id, **_plan_fields(form))
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Plan saved. Its limits hold from the next box or member on."), "success")
            return redirect_to("admin.plan_list")
    return render("admin/plan.html", "form", plan=plan, form=form)


@bp.route("/subscriptions")
def subscriptions():
    q = queries.search_text(request.args.get("q"))
    query = select(Subscription).join(User, User.id == Subscription.user_id).order_by(Subscription.id.desc())
    if q:
        query = query.where(or_(func.lower(User.name).contains(q.lower(), autoescape=True),
                                User.email.contains(q.lower(), autoescape=True)))
    pager = paged(query.options(db.joinedload(Subscription.user)), requested_page(), queries.PER_PAGE)
    return render("admin/subscriptions.html", partials=("subscriptions",), subs_page=pager, q=q,
                  status=plans.status, status_names=plans.STATUS_NAMES)


@bp.route("/users/<int:user_id>/subscription", methods=["POST"])
def set_subscription(user_id):
    form = SubscriptionForm()
    form.plan_id.choices = [(str(p.id), p.name) for p in db.session.scalars(select(Plan).order_by(Plan.name))]
    if form.validate_on_submit():
        try:
            sub = plans.subscribe(current_user, user_id, form.plan_id.data, form.renews_on.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_("On plan “%(plan)s”, to renew by %(day)s.", plan=sub.plan.name, day=sub.renews_on), "success")
    else:
        flash(_("Choose a plan."), "danger")
    return redirect_to("admin.user", user_id=user_id)


@bp.route("/users/<int:user_id>/subscription/cancel", methods=["POST"])
def cancel_subscription(user_id):
    if EmptyForm().validate_on_submit():
        try:
            plans.cancel(current_user, user_id)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_("Subscription cancelled: the default plan holds."), "success")
    return redirect_to("admin.user", user_id=user_id)
