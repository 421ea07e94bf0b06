"""ROSCA forms. Fields stay strings where a service parses them (rates, fractions, tables), so
every rule and its message lives in one place; amounts are AmountFields in the box's locale."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Optional

from hamyan.blueprints.rosca.models import PERIOD_KINDS
from hamyan.web.fields import AmountField, DayField, Length, NumberField

PERIOD_LABELS = {"monthly": _l("Monthly (follows the box's calendar)"), "weekly": _l("Weekly"), "days": _l("Every N days")}
PRICING_LABELS = {"fair": _l("Fair: every seat worth the same at a rate"), "linear": _l("Linear spread from a lowest payout"),
                  "manual": _l("A table I type")}


class PricingFields:
    pricing = SelectField(_l("Seat pricing"), choices=[(k, PRICING_LABELS[k]) for k in ("fair", "linear", "manual")],
                          default="fair")
    rate = NumberField(_l("Rate per period (%)"), default="2", validators=[Optional(), Length(max=12)])
    fee = NumberField(_l("Operator fee (percent of everything collected)"), default="0", validators=[Optional(), Length(max=12)])
    lowest = NumberField(_l("Lowest payout (seat 1, linear)"), validators=[Optional(), Length(max=40)])
    table = TextAreaField(_l("Payouts, one per line, seat 1 first (manual)"), validators=[Optional(), Length(max=20000)])


class NewRoscaForm(FlaskForm, PricingFields):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    currency = StringField(_l("Currency (ISO code)"), default="IRR", validators=[DataRequired(), Length(max=3)])
    timezone = StringField(_l("Time zone"), default="Asia/Tehran", validators=[DataRequired(), Length(max=64)])
    locale = StringField(_l("Number format (locale)"), default="fa_IR", validators=[DataRequired(), Length(max=20)])
    calendar = SelectField(_l("Calendar"), choices=[("persian", _l("Persian (Jalali)")), ("gregorian", _l("Gregorian"))],
                           default="persian")
    seat_count = NumberField(_l("Number of seats"), default="12", validators=[DataRequired(), Length(max=10)])
    contribution = AmountField(_l("Contribution per seat per period"))
    period_kind = SelectField(_l("Period"), choices=[(k, PERIOD_LABELS[k]) for k in PERIOD_KINDS], default="monthly")
    period_days = NumberField(_l("Days per period (every N days)"), default="14", validators=[Optional(), Length(max=10)])
    first_due = DayField(_l("First due date"))
    deposit = AmountField(_l("Deposit per seat, held until the end (optional)"), required=False, allow_zero=True)
    grace_days = NumberField(_l("Grace days after a due date"), default="3", validators=[Optional(), Length(max=10)])
    late_fee_kind = SelectField(_l("Late fee"), choices=[("none", _l("None")), ("fixed", _l("A fixed amount")),
                                                     ("percent", _l("A percent of the period's due"))], default="none")
    late_fee_value = NumberField(_l("Late fee amount or percent"), validators=[Optional(), Length(max=40)])


class PricingForm(FlaskForm, PricingFields):
    pass


class TakeSeatForm(FlaskForm):
    fraction = NumberField(_l("Part"), default="1", validators=[Optional(), Length(max=12)])


class AssignForm(FlaskForm):
    """Up to three holders of a seat; empty rows are ignored."""
    member_1 = SelectField(_l("Holder"), choices=[], validate_choice=False)
    part_1 = NumberField(_l("Part"), default="1", validators=[Optional(), Length(max=12)])
    member_2 = SelectField(_l("Holder"), choices=[], validate_choice=False)
    part_2 = NumberField(_l("Part"), validators=[Optional(), Length(max=12)])
    member_3 = SelectField(_l("Holder"), choices=[], validate_choice=False)
    part_3 = NumberField(_l("Part"), validators=[Optional(), Length(max=12)])

    def holders(self) -> list[tuple]:
        rows = [(self.member_1.data, self.part_1.data), (self.member_2.data, self.part_2.data),
                (self.member_3.data, self.part_3.data)]
        return [(m, p or "1") for m, p in rows if m]


class MemberForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])


class PaymentForm(FlaskForm):
    membership_id = SelectField(_l("Member"), choices=[], validate_choice=False)
    amount = AmountField(_l("Amount"))
    method = SelectField(_l("Method"), choices=[("cash", _l("Cash")), ("bank", _l("Bank transfer"))])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=120)])
    paid_on = DayField(_l("Paid on"), required=False)
    request_key = StringField(validators=[Optional(), Length(max=64)])


class DepositForm(FlaskForm):
    membership_id = SelectField(_l("Member"), choices=[], validate_choice=False)
    amount = AmountField(_l("Deposit"))
    method = SelectField(_l("Method"), choices=[("cash", _l("Cash")), ("bank", _l("Bank transfer"))])


class PayoutForm(FlaskForm):
    period = StringField(validators=[Optional(), Length(max=10)])
    override_reason = StringField(_l("Reason to pay before the period is collected"),
                                  validators=[Optional(), Length(max=500)])
    request_key = StringField(validators=[Optional(), Length(max=64)])


class SwapForm(FlaskForm):
    earlier = StringField(_l("Seat"), validators=[DataRequired(), Length(max=10)])
    later = StringField(_l("Trade with seat"), validators=[DataRequired(), Length(max=10)])


class StatementForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    start = DayField(_l("From"))
    end = DayField(_l("To"))
    membership_id = SelectField(_l("Member"), choices=[], validate_choice=False)
