"""Cashbox forms. Fields stay strings where the service parses them (amounts in the box's
currency, fractions), so every rule and its message lives in one place: services.py."""
import uuid

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hamyan.blueprints.cashbox.models import (
    DRAW_MODES,
    FINE_KINDS,
    PERIOD_KINDS,
    WINNER_POLICIES,
)
from hamyan.web.fields import AmountField, DayField

PERIOD_LABELS = {"weekly": "Weekly", "monthly": "Monthly (follows the box's calendar)", "days": "Every N days"}
DRAW_LABELS = {"predefined": "Predefined order set by the manager", "random": "Random, verifiable (commit–reveal)"}
FINE_LABELS = {"none": "No late fine", "fixed": "Fixed amount per late period", "percent": "Percent of the period's due"}
POLICY_LABELS = {"net": "Pay out net of what the winner owes", "hold": "Hold the payout until the winner is clear"}


def _choices(keys, labels):
    return [(k, labels[k]) for k in keys]


class RoundFields:
    contribution = StringField("Contribution per share per period", validators=[DataRequired(), Length(max=40)])
    share_count = StringField("Number of shares", validators=[DataRequired(), Length(max=10)])
    period_kind = SelectField("Period", choices=_choices(PERIOD_KINDS, PERIOD_LABELS))
    period_days = StringField("Days per period (for “every N days”)", default="14", validators=[Optional(), Length(max=10)])
    first_due = DayField("First due date")
    draw_mode = SelectField("Draw", choices=_choices(DRAW_MODES, DRAW_LABELS))


class RulesFields:
    grace_days = StringField("Grace days after a due date", default="0", validators=[Optional(), Length(max=10)])
    fine_kind = SelectField("Late fine", choices=_choices(FINE_KINDS, FINE_LABELS))
    fine_value = StringField("Fine amount, or percent", validators=[Optional(), Length(max=40)])
    winner_policy = SelectField("A winner who owes money", choices=_choices(WINNER_POLICIES, POLICY_LABELS))


class NewBoxForm(FlaskForm, RoundFields, RulesFields):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    currency = StringField("Currency (ISO code)", default="IRR", validators=[DataRequired(), Length(max=3)])
    timezone = StringField("Time zone", default="Asia/Tehran", validators=[DataRequired(), Length(max=64)])
    locale = StringField("Number format (locale)", default="en", validators=[DataRequired(), Length(max=20)])
    calendar = SelectField("Calendar", choices=[("gregorian", "Gregorian"), ("persian", "Persian (Jalali)")])


class RoundForm(FlaskForm, RoundFields):
    pass


class RulesForm(FlaskForm, RulesFields):
    pass


class HoldersForm(FlaskForm):
    """Up to four holders of one share; empty rows are ignored."""
    share = HiddenField()
    member_0 = StringField("Member", validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_0 = StringField("Part", default="1", validators=[Optional(), Length(max=12)])
    member_1 = StringField("Member", validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_1 = StringField("Part", validators=[Optional(), Length(max=12)])
    member_2 = StringField("Member", validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_2 = StringField("Part", validators=[Optional(), Length(max=12)])
    member_3 = StringField("Member", validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_3 = StringField("Part", validators=[Optional(), Length(max=12)])
    holders = HiddenField()  # carries errors about the share as a whole

    ROWS = 4

    def rows(self):
        return [(getattr(self, f"member_{i}"), getattr(self, f"fraction_{i}")) for i in range(self.ROWS)]

    def named(self):
        return [(m, f.data) for m, f in self.rows() if (m.data or "").strip()]


class OrderForm(FlaskForm):
    order = StringField("Winning order (share numbers, first period first)", validators=[DataRequired(), Length(max=3000)])


class AddMemberForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = StringField("Email (optional, to invite later)", validators=[Optional(), Length(max=254)])


class PaymentForm(FlaskForm):
    request_id = HiddenField(default=lambda: uuid.uuid4().hex)
    member = StringField("Member", validators=[Length(max=200)])  # a name (hamyan.web.picker)
    membership_id = HiddenField()  # or the id, from a page about one member
    amount = AmountField("Amount")
    method = SelectField("Method", choices=[("cash", "Cash"), ("bank", "Bank transfer")])
    reference = StringField("Reference (bank transfers)", validators=[Optional(), Length(max=120)])
    paid_on = DayField("Paid on", required=False)


class DrawForm(FlaskForm):
    period = HiddenField()
    override_reason = TextAreaField("Reason to draw before the period is fully paid", validators=[Optional(), Length(max=500)])


class ReverseForm(FlaskForm):
    reason = StringField("Why undo it", validators=[DataRequired(), Length(max=300)])


class StatementForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    # Own ids: this form shares the dashboard with the payment form.
    start = DayField("From", id="statement-start")
    end = DayField("To", id="statement-end")
    member = StringField("Member", id="statement-member", validators=[Length(max=200)])  # managers: a name
