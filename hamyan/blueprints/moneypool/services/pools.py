"""Pool set-up: creating a pool, its policy and the share amount over time."""
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import PERIODS, QUEUE_POLICIES, Pool, ShareAmount
from hamyan.boxes.access import MANAGE
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.lending import schedules

from . import summary
from .common import KIND, MAX_SHARES, MAX_TERM, _account, _amount, _by, _plan_day, access
from .members import _join


# ------------------------------------------------------------------------------- pool set-up
def _policy(values: dict, currency: str) -> dict:
    """Validate the loan and contribution policy fields that are present in values."""
    out = {}
    if "period_months" in values:
        out["period_months"] = parse.whole(values["period_months"], "period_months", 1, 12, _("The period"))
        if out["period_months"] not in PERIODS:
            raise ValidationError(_("Choose 1, 2, 3, 6 or 12 months."), field="period_months")
    if "repayment_months" in values:
        out["repayment_months"] = parse.whole(values["repayment_months"], "repayment_months", 1, 12, _("The frequency"))
        if out["repayment_months"] not in PERIODS:
            raise ValidationError(_("Choose 1, 2, 3, 6 or 12 months."), field="repayment_months")
    for name, label in (("grace_days", _("Grace days")), ("min_membership_months", _("Months of membership")),
                        ("guarantors_required", _("Guarantors"))):
        if name in values:
            out[name] = parse.whole(values[name], name, 0, 60 if name == "grace_days" else 120, label)
    if out.get("guarantors_required", 0) > 5:
        raise ValidationError(_("Ask for at most 5 guarantors."), field="guarantors_required")
    for name in ("min_term", "max_term"):
        if name in values:
            out[name] = parse.whole(values[name], name, 1, MAX_TERM, _("The number of installments"))
    for name in ("late_fee", "max_loan"):
        if name in values:
            raw = values[name]
            out[name] = 0 if raw in (None, "") else parse.amount(raw, currency, field=name, allow_zero=True)
    if "savings_multiple" in values:
        raw = values["savings_multiple"]
        out["savings_multiple"] = None if raw in (None, "") else parse.percent(raw, "savings_multiple", maximum=100)
        if out["savings_multiple"] is not None and out["savings_multiple"] <= 0:
            raise ValidationError(_("Use a multiple above zero, or leave it empty for no limit."), field="savings_multiple")
    if "interest_method" in values:
        if values["interest_method"] not in schedules.METHODS:
            raise ValidationError(_("Choose an interest method."), field="interest_method")
        out["interest_method"] = values["interest_method"]
    if "annual_rate" in values:
        out["annual_rate"] = parse.percent(values["annual_rate"], "annual_rate", maximum=200, places=3)
    for name in ("service_fee_percent", "penalty_percent"):
        if name in values:
            out[name] = parse.percent(values[name], name, maximum=50)
    for name in ("require_no_arrears", "one_open_loan"):
        if name in values:
            out[name] = bool(values[name])
    if "queue_policy" in values:
        if values["queue_policy"] not in QUEUE_POLICIES:
            raise ValidationError(_("Choose first come or lottery."), field="queue_policy")
        out["queue_policy"] = values["queue_policy"]
    return out


POLICY_FIELDS = ("period_months", "grace_days", "late_fee", "max_loan", "savings_multiple", "min_term", "max_term",
                 "repayment_months", "interest_method", "annual_rate", "service_fee_percent", "penalty_percent",
                 "min_membership_months", "require_no_arrears", "one_open_loan", "guarantors_required",
                 "queue_policy")


def _settled_policy(current: dict, values: dict, currency: str) -> dict:
    """The whole policy after applying values, checked as a whole before anything is written."""
    policy = {**current, **_policy(values, currency)}
    if policy["min_term"] > policy["max_term"]:
        raise ValidationError(_("The longest term must not be below the shortest."), field="max_term")
    if policy["interest_method"] == "none":
        policy["annual_rate"] = Decimal(0)
    elif not policy["annual_rate"]:
        raise ValidationError(_("Give the yearly interest rate, or choose interest-free."), field="annual_rate")
    return policy


@uow.box_write
def create_pool(actor, name: str, currency: str, share_amount, first_due: date, timezone: str = "UTC",
                locale: str = "en", calendar: str = "gregorian", my_shares: int = 1, **policy) -> Box:
    """A new pool with the actor as its manager (and a saver with my_shares, 0 for none).
    Everything is checked before the first row is written."""
    currency = boxes.validate_box_settings(currency, timezone, locale, calendar)
    today = clock.today_in(timezone)
    if not isinstance(first_due, date):
        raise ValidationError(_("Choose the first due date."), field="first_due")
    if abs((first_due - today).days) > 366 * 20:
        raise ValidationError(_("Choose a first due date within twenty years of today."), field="first_due")
    share = _amount(share_amount, currency, "share_amount")
    defaults = {column.name: column.default.arg for column in Pool.__table__.columns
                if column.name in POLICY_FIELDS and column.default is not None}
    settings = _settled_policy({**defaults, "savings_multiple": None}, policy, currency)
    shares = parse.whole(my_shares, "my_shares", 0, MAX_SHARES, _("Your shares"))
    if db.session.execute(select(Box.id).join(Membership, Membership.box_id == Box.id).where(
            Box.kind == KIND, Box.name == (name or "").strip(), Membership.user_id == actor.id,
            Membership.left_at.is_(None))).first():
        # Also makes a double submit of the new-pool form create one pool.
        raise Conflict(_("You already have a pool with this name; choose another."), field="name")
    box = boxes.create_box(actor, KIND, name, currency, timezone, locale, calendar)
    db.session.add(Pool(box_id=box.id, first_due=first_due, **settings))
    db.session.add(ShareAmount(box_id=box.id, effective_from=first_due, amount=share, created_by_id=_by(actor)))
    # Pool-wide accounts up front: concurrent first uses would race to create them.
    for code in ("mp:cash", "mp:income:interest", "mp:income:fees", "mp:income:penalties", "mp:expense:writeoff"):
        _account(box, code)
    if shares:
        _join(box, boxes.membership_of(actor, box.id), shares, min(first_due, today))
    summary.refresh(box)
    return box


@uow.box_write
def update_policy(actor, box_id: int, **values) -> Pool:
    acc = access(actor, box_id, MANAGE)
    values.pop("period_months", None)  # the contribution period is fixed once members have saved
    current = {name: getattr(acc.pool, name) for name in POLICY_FIELDS}
    for name, value in _settled_policy(current, values, acc.box.currency).items():
        setattr(acc.pool, name, value)
    summary.refresh(acc.box)  # grace days decide every saver's status
    return acc.pool


@uow.box_write
def set_share_amount(actor, box_id: int, amount, effective_from: date) -> ShareAmount:
    """The value of a share from a date on; setting the same date again corrects it."""
    acc = access(actor, box_id, MANAGE)
    value = _amount(amount, acc.box.currency, "amount")
    effective_from = _plan_day(acc.box, effective_from, "effective_from", "Choose the date it applies from.")
    row = db.session.execute(select(ShareAmount).filter_by(box_id=acc.box.id, effective_from=effective_from)
                             ).scalar_one_or_none()
    if row is None:
        row = ShareAmount(box_id=acc.box.id, effective_from=effective_from, amount=value, created_by_id=_by(actor))
        db.session.add(row)
    row.amount = value
    summary.refresh(acc.box)  # every saver's dues change
    return row
