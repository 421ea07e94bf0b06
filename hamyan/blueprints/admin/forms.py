from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from hamyan.blueprints.auth.forms import STRIP


class PlanForm(FlaskForm):
    """Text fields: hamyan.plans parses them (Persian digits too) and says what is wrong."""

    name = StringField("Name", filters=STRIP)
    max_boxes = StringField("Boxes a subscriber may create", filters=STRIP,
                            description="Blank: no limit.")
    max_members = StringField("Members per box", filters=STRIP, description="Blank: no limit.")
    trial_days = StringField("Trial days", filters=STRIP, default="0")
    price_rials = StringField("Price a month (rials)", filters=STRIP, default="0")
    is_default = BooleanField("Default plan (for anyone without a subscription)")


class SubscriptionForm(FlaskForm):
    plan_id = SelectField("Plan", choices=[])
    renews_on = StringField("Renews on (YYYY-MM-DD)", filters=STRIP,
                            description="Blank: a month from today (the trial's end for a first subscription).")
