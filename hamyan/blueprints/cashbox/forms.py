"""Cashbox forms. Fields stay strings where the service parses them (amounts in the box's
currency, fractions), so every rule and its message lives in one place: services.py."""
import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from hamyan.blueprints.cashbox.models import (
    DRAW_MODES,
    FINE_KINDS,
    PERIOD_KINDS,
    WINNER_POLICIES,
)
from hamyan.i18n import new_box_calendar, new_box_locale
from hamyan.web.fields import AmountField, DayField, Length, NumberField

PERIOD_LABELS = {"weekly": _l("Weekly"), "monthly": _l("Monthly (follows the box's calendar)"), "days": _l("Every N days")}
DRAW_LABELS = {"predefined": _l("Predefined order set by the manager"), "random": _l("Random, verifiable (commit–reveal)")}
FINE_LABELS = {"none": _l("No late fine"), "fixed": _l("Fixed amount per late period"), "percent": _l("Percent of the period's due")}
POLICY_LABELS = {"net": _l("Pay out net of what the winner owes"), "hold": _l("Hold the payout until the winner is clear")}


def _choices(keys, labels):
    return [(k, labels[k]) for k in keys]


class RoundFields:
    contribution = NumberField(_l("Contribution per share per period"), validators=[DataRequired(), Length(max=40)])
    share_count = NumberField(_l("Number of shares"), validators=[DataRequired(), Length(max=10)])
    period_kind = SelectField(_l("Period"), choices=_choices(PERIOD_KINDS, PERIOD_LABELS))
    period_days = NumberField(_l("Days per period (for “every N days”)"), default="14", validators=[Optional(), Length(max=10)])
    first_due = DayField(_l("First due date"))
    draw_mode = SelectField(_l("Draw"), choices=_choices(DRAW_MODES, DRAW_LABELS))


class RulesFields:
    grace_days = NumberField(_l("Grace days after a due date"), default="0", validators=[Optional(), Length(max=10)])
    fine_kind = SelectField(_l("Late fine"), choices=_choices(FINE_KINDS, FINE_LABELS))
    fine_value = NumberField(_l("Fine amount, or percent"), validators=[Optional(), Length(max=40)])
    winner_policy = SelectField(_l("A winner who owes money"), choices=_choices(WINNER_POLICIES, POLICY_LABELS))


class NewBoxForm(FlaskForm, RoundFields, RulesFields):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    currency = StringField(_l("Currency (ISO code)"), default="IRR", validators=[DataRequired(), Length(max=3)])
    timezone = StringField(_l("Time zone"), default="Asia/Tehran", validators=[DataRequired(), Length(max=64)])
    locale = StringField(_l("Number format (locale)"), default=new_box_locale, validators=[DataRequired(), Length(max=20)])
    calendar = SelectField(_l("Calendar"), choices=[("gregorian", _l("Gregorian")), ("persian", _l("Persian (Jalali)"))],
                           default=new_box_calendar)


class RoundForm(FlaskForm, RoundFields):
    pass


class RulesForm(FlaskForm, RulesFields):
    pass


class HoldersForm(FlaskForm):
    """Up to four holders of one share; empty rows are ignored."""
    share = HiddenField()
    member_0 = StringField(_l("Member"), validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_0 = NumberField(_l("Part"), default="1", validators=[Optional(), Length(max=12)])
    member_1 = StringField(_l("Member"), validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_1 = NumberField(_l("Part"), validators=[Optional(), Length(max=12)])
    member_2 = StringField(_l("Member"), validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_2 = NumberField(_l("Part"), validators=[Optional(), Length(max=12)])
    member_3 = StringField(_l("Member"), validators=[Optional(), Length(max=200)])  # a name (hamyan.web.picker)
    fraction_3 = NumberField(_l("Part"), validators=[Optional(), Length(max=12)])
    holders = HiddenField()  # carries errors about the share as a whole

    ROWS = 4

    def rows(self):
        return [(getattr(self, f"member_{i}"), getattr(self, f"fraction_{i}")) for i in range(self.ROWS)]

    def named(self):
        return [(m, f.data) for m, f in self.rows() if (m.data or "").strip()]


class OrderForm(FlaskForm):
    order = NumberField(_l("Winning order (share numbers, first period first)"), validators=[DataRequired(), Length(max=3000)])


class AddMemberForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("Email (optional, to invite later)"), validators=[Optional(), Length(max=254)])


class PaymentForm(FlaskForm):
    request_id = HiddenField(default=lambda: uuid.uuid4().hex)
    member = StringField(_l("Member"), validators=[Length(max=200)])  # a name (hamyan.web.picker)
    membership_id = HiddenField()  # or the id, from a page about one member
    amount = AmountField(_l("Amount"))
    method = SelectField(_l("Method"), choices=[("cash", _l("Cash")), ("bank", _l("Bank transfer"))])
    reference = StringField(_l("Reference (bank transfers)"), validators=[Optional(), Length(max=120)])
    paid_on = DayField(_l("Paid on"), required=False)


class DrawForm(FlaskForm):
    period = HiddenField()
    override_reason = TextAreaField(_l("Reason to draw before the period is fully paid"), validators=[Optional(), Length(max=500)])


class ReverseForm(FlaskForm):
    reason = StringField(_l("Why undo it"), validators=[DataRequired(), Length(max=300)])


class StatementForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    # Own ids: this form shares the dashboard with the payment form.
    start = DayField(_l("From"), id="statement-start")
    end = DayField(_l("To"), id="statement-end")
    member = StringField(_l("Member"), id="statement-member", validators=[Length(max=200)])  # managers: a name
