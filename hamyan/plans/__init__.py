"""Operator plans and subscriptions. A plan caps the boxes a subscriber creates and the members of
each of their boxes; the limits are checked by the box rules themselves (boxes.services: create_box,
add_member, accept_invitation), so pages, the API and imports meet the same clear refusal
(LimitReached: 403, code plan_limit, on the form's field). Admins are never limited. Who has no
current subscription (none, cancelled, or past its renewal day) is on the default plan; with no
default plan there are no limits."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import func, select

from hamyan.boxes.access import Principal
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.plans.models import Plan, Subscription

MAX_LIMIT = 1_000_000
MONTH = timedelta(days=30)


class LimitReached(Forbidden):
    code = "plan_limit"


def today() -> date:
    """Plans are the operator's business: their days are UTC days, like the admin pages."""
    return clock.today_in("UTC")


STATUS_NAMES = {"cancelled": _l("cancelled"), "lapsed": _l("lapsed"), "trial": _l("trial"), "active": _l("active")}


def status(sub: Subscription, on: date | None = None) -> str:
    """cancelled, lapsed (past its renewal day), trial or active."""
    on = on or today()
    if sub.cancelled_at is not None:
        return "cancelled"
    if sub.renews_on is not None and on > sub.renews_on:
        return "lapsed"
    if sub.trial_ends_on is not None and on <= sub.trial_ends_on:
        return "trial"
    return "active"


def plan_of(user_id: int | None) -> Plan | None:
    """The plan that holds for this user today (None: no limits)."""
    if user_id is None:
        return None
    sub = db.session.scalar(select(Subscription).filter_by(user_id=user_id))
    if sub is not None and status(sub) in ("trial", "active"):
        return sub.plan
    return db.session.scalar(select(Plan).filter_by(is_default=True))


def _limited(user_id: int | None) -> Plan | None:
    from hamyan.blueprints.auth.models import User

    user = db.session.get(User, user_id) if user_id else None
    return None if user is None or user.is_admin else plan_of(user.id)


def _boxes(n: int) -> str:
    return ngettext("%(num)s box", "%(num)s boxes", n)


def _boxes_in_use(user_id: int) -> int:
    """The boxes a user created that are in use. An archived box is read-only and off the dashboard,
    so it gives its place back until restored; a deleted box is gone."""
    return db.session.scalar(select(func.count(Box.id)).where(Box.created_by_id == user_id,
                                                              Box.archived_at.is_(None)))


def check_new_box(actor) -> None:
    """Refuse a new box when its creator's plan holds no more boxes in use."""
    user_id = Principal.of(actor).user_id
    plan = _limited(user_id)
    if plan is None or plan.max_boxes is None:
        return
    count = _boxes_in_use(user_id)
    if count >= plan.max_boxes:
        raise LimitReached(_("Your plan “%(plan)s” allows %(allowed)s in use and you have %(held)s in use (archived "
                             "boxes do not count). Archive a box you no longer use, or ask the operator for a "
                             "larger plan, to create another.", plan=plan.name, allowed=_boxes(plan.max_boxes),
                             held=_boxes(count)), field="name")


def check_restore(box: Box) -> None:
    """Refuse to bring an archived box back into use when its creator's plan holds no more boxes in
    use (otherwise archive, create, restore would pass the cap)."""
    plan = _limited(box.created_by_id)
    if box.archived_at is None or plan is None or plan.max_boxes is None:
        return
    count = _boxes_in_use(box.created_by_id)
    if count >= plan.max_boxes:
        raise LimitReached(_("The plan “%(plan)s” of this box's creator allows %(allowed)s in use and they have "
                             "%(held)s in use (archived boxes do not count). Archive another box first, or ask "
                             "the operator for a larger plan, to restore this one.", plan=plan.name,
                             allowed=_boxes(plan.max_boxes), held=_boxes(count)), field="name")


def check_new_member(box: Box, field: str = "display_name") -> None:
    """Refuse one more member when the plan of the box's creator holds no more."""
    plan = _limited(box.created_by_id)
    if plan is None or plan.max_members is None:
        return
    count = db.session.scalar(select(func.count(Membership.id)).where(Membership.box_id == box.id,
                                                                      Membership.left_at.is_(None)))
    if count >= plan.max_members:
        raise LimitReached(ngettext("This box has %(num)s member, the most its owner's plan “%(plan)s” allows. "
                                    "The box's creator can ask the operator for a larger plan.",
                                    "This box has %(num)s members, the most its owner's plan “%(plan)s” allows. "
                                    "The box's creator can ask the operator for a larger plan.",
                                    count, plan=plan.name), field=field)


# ---------------------------------------------------------------- what admins do

def _admin(actor) -> None:
    if not Principal.of(actor).is_admin:
        raise NotFound()


def _limit(value, field: str, label: str) -> int | None:
    """A limit, or None (no limit) when left blank."""
    if value is None or (isinstance(value, str) and not parse.normalize(value)):
        return None
    return parse.whole(value, field, 1, MAX_LIMIT, label)


def _fill(plan: Plan, name, max_boxes, max_members, trial_days, price_rials, is_default) -> None:
    errors = {}
    for attr, read in (
            ("name", lambda: parse.text(name, "name", label=_("A name"), limit=60)),
            ("max_boxes", lambda: _limit(max_boxes, "max_boxes", _("Boxes"))),
            ("max_members", lambda: _limit(max_members, "max_members", _("Members per box"))),
            ("trial_days", lambda: parse.whole(trial_days if str(trial_days or "").strip() else "0",
                                               "trial_days", 0, 365, _("Trial days"))),
            ("price_rials", lambda: parse.amount(price_rials if str(price_rials or "").strip() else "0", "IRR",
                                                 "price_rials", allow_zero=True))):
        try:
            setattr(plan, attr, read())
        except ValidationError as error:
            errors.update(error.fields)
    if errors:
        raise ValidationError(_("Check the fields marked."), fields=errors)
    same = db.session.scalar(select(Plan.id).where(Plan.name == plan.name, Plan.id != (plan.id or 0)))
    if same is not None:
        raise Conflict(_("Another plan has this name."), field="name")
    if is_default:  # one default plan at most
        for other in db.session.scalars(select(Plan).where(Plan.is_default, Plan.id != (plan.id or 0))):
            other.is_default = False
    plan.is_default = bool(is_default)


@uow.write
def create_plan(actor, name, max_boxes=None, max_members=None, trial_days=0, price_rials=0,
                is_default=False) -> Plan:
    _admin(actor)
    plan = Plan()
    _fill(plan, name, max_boxes, max_members, trial_days, price_rials, is_default)
    db.session.add(plan)
    db.session.flush()
    return plan


@uow.write
def update_plan(actor, plan_id, name, max_boxes=None, max_members=None, trial_days=0, price_rials=0,
                is_default=False) -> Plan:
    """New limits hold from the next box or member on; nothing already there is removed."""
    _admin(actor)
    plan = db.session.get(Plan, parse.record_id(plan_id) or 0)
    if plan is None:
        raise NotFound()
    _fill(plan, name, max_boxes, max_members, trial_days, price_rials, is_default)
    return plan


@uow.write
def subscribe(actor, user_id, plan_id, renews_on=None) -> Subscription:
    """Put a user on a plan. Their first subscription starts with the plan's trial (to be renewed by
    its end); otherwise it is renewed by `renews_on` (a date; blank: a month from today)."""
    from hamyan.blueprints.auth.models import User

    _admin(actor)
    user = db.session.get(User, parse.record_id(user_id) or 0)
    if user is None:
        raise NotFound()
    plan = db.session.get(Plan, parse.record_id(plan_id) or 0)
    if plan is None:
        raise ValidationError(_("Choose a plan."), field="plan_id")
    sub = db.session.scalar(select(Subscription).filter_by(user_id=user.id))
    start = today()
    if renews_on is not None and str(renews_on).strip():
        renews = parse.day(renews_on, "renews_on", _("Renews on"))
        if renews < start:
            raise ValidationError(_("Renews on: choose today or a later day."), field="renews_on")
    else:
        renews = None
    if sub is None:
        trial_end = start + timedelta(days=plan.trial_days) if plan.trial_days else None
        sub = Subscription(user_id=user.id, plan_id=plan.id, started_on=start, trial_ends_on=trial_end,
                           renews_on=renews or trial_end or start + MONTH)
        db.session.add(sub)
    else:
        sub.plan = plan
        sub.renews_on = renews or start + MONTH
        sub.cancelled_at = None
        if sub.trial_ends_on is not None and sub.trial_ends_on > sub.renews_on:
            sub.trial_ends_on = sub.renews_on
    db.session.flush()
    return sub


@uow.write
def cancel(actor, user_id) -> None:
    """End a user's subscription now: the default plan holds for them again."""
    _admin(actor)
    sub = db.session.scalar(select(Subscription).filter_by(user_id=parse.record_id(user_id) or 0))
    if sub is None:
        raise NotFound()
    if sub.cancelled_at is None:
        sub.cancelled_at = clock.now()


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    subscribers: int  # current subscriptions (trial or active)


def plans_overview() -> list[PlanRow]:
    on = today()
    counts = dict(db.session.execute(
        select(Subscription.plan_id, func.count()).where(
            Subscription.cancelled_at.is_(None),
            (Subscription.renews_on.is_(None)) | (Subscription.renews_on >= on))
        .group_by(Subscription.plan_id)).all())
    return [PlanRow(p, counts.get(p.id, 0)) for p in db.session.scalars(select(Plan).order_by(Plan.name))]


def subscription_of(user_id: int) -> Subscription | None:
    return db.session.scalar(select(Subscription).filter_by(user_id=user_id))
