from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from hamyan.blueprints.auth.forms import STRIP
from hamyan.web.fields import NumberField


class PlanForm(FlaskForm):
    """Text fields: hamyan.plans parses them (Persian digits too) and says what is wrong."""

    name = StringField(_l("Name"), filters=STRIP)
    max_boxes = NumberField(_l("Boxes a subscriber may create"), filters=STRIP,
                            description=_l("Blank: no limit."))
    max_members = NumberField(_l("Members per box"), filters=STRIP, description=_l("Blank: no limit."))
    trial_days = NumberField(_l("Trial days"), filters=STRIP, default="0")
    price_rials = NumberField(_l("Price a month (rials)"), filters=STRIP, default="0")
    is_default = BooleanField(_l("Default plan (for anyone without a subscription)"))


class SubscriptionForm(FlaskForm):
    plan_id = SelectField(_l("Plan"), choices=[])
    renews_on = StringField(_l("Renews on (YYYY-MM-DD)"), filters=STRIP,
                            description=_l("Blank: a month from today (the trial's end for a first subscription)."))
