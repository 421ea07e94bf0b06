"""ROSCA forms. Fields stay strings where a service parses them (rates, fractions, tables), so
every rule and its message lives in one place; amounts are AmountFields in the box's locale."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hamyan.blueprints.rosca.models import PERIOD_KINDS
from hamyan.web.fields import AmountField, DayField

PERIOD_LABELS = {"monthly": "Monthly (follows the box's calendar)", "weekly": "Weekly", "days": "Every N days"}
PRICING_LABELS = {"fair": "Fair: every seat worth the same at a rate", "linear": "Linear spread from a lowest payout",
                  "manual": "A table I type"}


class PricingFields:
    pricing = SelectField("Seat pricing", choices=[(k, PRICING_LABELS[k]) for k in ("fair", "linear", "manual")],
                          default="fair")
    rate = StringField("Rate per period (%)", default="2", validators=[Optional(), Length(max=12)])
    fee = StringField("Operator fee (% of everything collected)", default="0", validators=[Optional(), Length(max=12)])
    lowest = StringField("Lowest payout (seat 1, linear)", validators=[Optional(), Length(max=40)])
    table = TextAreaField("Payouts, one per line, seat 1 first (manual)", validators=[Optional(), Length(max=20000)])


class NewRoscaForm(FlaskForm, PricingFields):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    currency = StringField("Currency (ISO code)", default="IRR", validators=[DataRequired(), Length(max=3)])
    timezone = StringField("Time zone", default="Asia/Tehran", validators=[DataRequired(), Length(max=64)])
    locale = StringField("Number format (locale)", default="fa_IR", validators=[DataRequired(), Length(max=20)])
    calendar = SelectField("Calendar", choices=[("persian", "Persian (Jalali)"), ("gregorian", "Gregorian")])
    seat_count = StringField("Number of seats", default="12", validators=[DataRequired(), Length(max=10)])
    contribution = AmountField("Contribution per seat per period")
    period_kind = SelectField("Period", choices=[(k, PERIOD_LABELS[k]) for k in PERIOD_KINDS], default="monthly")
    period_days = StringField("Days per period (every N days)", default="14", validators=[Optional(), Length(max=10)])
    first_due = DayField("First due date")
    deposit = AmountField("Deposit per seat, held until the end (optional)", required=False, allow_zero=True)
    grace_days = StringField("Grace days after a due date", default="3", validators=[Optional(), Length(max=10)])
    late_fee_kind = SelectField("Late fee", choices=[("none", "None"), ("fixed", "A fixed amount"),
                                                     ("percent", "A percent of the period's due")], default="none")
    late_fee_value = StringField("Late fee amount or percent", validators=[Optional(), Length(max=40)])


class PricingForm(FlaskForm, PricingFields):
    pass


class TakeSeatForm(FlaskForm):
    fraction = StringField("Part", default="1", validators=[Optional(), Length(max=12)])


class AssignForm(FlaskForm):
    """Up to three holders of a seat; empty rows are ignored."""
    member_1 = SelectField("Holder", choices=[], validate_choice=False)
    part_1 = StringField("Part", default="1", validators=[Optional(), Length(max=12)])
    member_2 = SelectField("Holder", choices=[], validate_choice=False)
    part_2 = StringField("Part", validators=[Optional(), Length(max=12)])
    member_3 = SelectField("Holder", choices=[], validate_choice=False)
    part_3 = StringField("Part", validators=[Optional(), Length(max=12)])

    def holders(self) -> list[tuple]:
        rows = [(self.member_1.data, self.part_1.data), (self.member_2.data, self.part_2.data),
                (self.member_3.data, self.part_3.data)]
        return [(m, p or "1") for m, p in rows if m]


class MemberForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = StringField("Email (optional)", validators=[Optional(), Length(max=254)])


class PaymentForm(FlaskForm):
    membership_id = SelectField("Member", choices=[], validate_choice=False)
    amount = AmountField("Amount")
    method = SelectField("Method", choices=[("cash", "Cash"), ("bank", "Bank transfer")])
    reference = StringField("Reference", validators=[Optional(), Length(max=120)])
    paid_on = DayField("Paid on", required=False)
    request_key = StringField(validators=[Optional(), Length(max=64)])


class DepositForm(FlaskForm):
    membership_id = SelectField("Member", choices=[], validate_choice=False)
    amount = AmountField("Deposit")
    method = SelectField("Method", choices=[("cash", "Cash"), ("bank", "Bank transfer")])


class PayoutForm(FlaskForm):
    period = StringField(validators=[Optional(), Length(max=10)])
    override_reason = StringField("Reason to pay before the period is collected",
                                  validators=[Optional(), Length(max=500)])
    request_key = StringField(validators=[Optional(), Length(max=64)])


class SwapForm(FlaskForm):
    earlier = StringField("Seat", validators=[DataRequired(), Length(max=10)])
    later = StringField("Trade with seat", validators=[DataRequired(), Length(max=10)])


class StatementForm(FlaskForm):
    start = DayField("From")
    end = DayField("To")
    membership_id = SelectField("Member", choices=[], validate_choice=False)
