"""Moneypool forms. Amounts and numbers stay strings: the service parses them, so every rule and
its message lives in services.py. A hidden `key` makes a double submit harmless."""
import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import HiddenInput

from hamyan.blueprints.moneypool.services import MAX_GUARANTORS
from hamyan.i18n import new_box_calendar, new_box_locale
from hamyan.lending.schedules import METHOD_LABELS
from hamyan.web.fields import AmountField, DayField, Length, NumberField

PERIOD_CHOICES = [("1", _l("Every month")), ("2", _l("Every 2 months")), ("3", _l("Every 3 months")), ("6", _l("Every 6 months")),
                  ("12", _l("Every year"))]
MODE_CHOICES = [("advance", _l("Pay the next installments in advance")),
                ("shorten", _l("Prepay principal: fewer installments")),
                ("reduce", _l("Prepay principal: smaller installments"))]
QUEUE_CHOICES = [("fifo", _l("First come, first served")), ("lottery", _l("Lottery among those waiting"))]


def _amount(label, required=True):
    return AmountField(label, required=required, allow_zero=not required)  # optional ones: 0 for none


class KeyedForm(FlaskForm):
    key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.key.data:
            self.key.data = uuid.uuid4().hex


class PolicyFields:
    grace_days = NumberField(_l("Grace days after a due date"), default="7", validators=[Length(max=10)])
    late_fee = _amount(_l("Late fee per missed period (0 for none)"), required=False)
    max_loan = _amount(_l("Largest loan (0 for no limit)"), required=False)
    savings_multiple = NumberField(_l("Largest loan as a multiple of the member's savings (empty for none)"),
                                   default="3", validators=[Optional(), Length(max=10)])
    min_term = NumberField(_l("Fewest installments"), default="1", validators=[Length(max=10)])
    max_term = NumberField(_l("Most installments"), default="24", validators=[Length(max=10)])
    repayment_months = SelectField(_l("Installments fall due"), choices=PERIOD_CHOICES, default="1")
    interest_method = SelectField(_l("Interest"), choices=list(METHOD_LABELS.items()), default="none")
    annual_rate = NumberField(_l("Yearly interest rate, %"), default="0", validators=[Length(max=10)])
    service_fee_percent = NumberField(_l("One-time service fee, percent of the loan"), default="0", validators=[Length(max=10)])
    penalty_percent = NumberField(_l("Late penalty, percent of an overdue installment"), default="0", validators=[Length(max=10)])
    min_membership_months = NumberField(_l("Months of membership before borrowing"), default="3",
                                        validators=[Length(max=10)])
    require_no_arrears = BooleanField(_l("Only members whose savings are up to date may borrow"), default=True)
    one_open_loan = BooleanField(_l("One open loan per member"), default=True)
    guarantors_required = NumberField(_l("Guarantors needed per loan"), default="0", validators=[Length(max=10)])
    queue_policy = SelectField(_l("When cash is short, waiting loans are paid"), choices=QUEUE_CHOICES)

    POLICY_FIELDS = ("grace_days", "late_fee", "max_loan", "savings_multiple", "min_term", "max_term",
                     "repayment_months", "interest_method", "annual_rate", "service_fee_percent", "penalty_percent",
                     "min_membership_months", "require_no_arrears", "one_open_loan", "guarantors_required",
                     "queue_policy")

    def policy(self) -> dict:
        return {name: getattr(self, name).data for name in self.POLICY_FIELDS}


class NewPoolForm(FlaskForm, PolicyFields):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    currency = StringField(_l("Currency (ISO code)"), default="IRR", validators=[DataRequired(), Length(max=3)])
    timezone = StringField(_l("Time zone"), default="Asia/Tehran", validators=[DataRequired(), Length(max=64)])
    locale = StringField(_l("Number format (locale)"), default=new_box_locale, validators=[DataRequired(), Length(max=20)])
    calendar = SelectField(_l("Calendar"), choices=[("gregorian", _l("Gregorian")), ("persian", _l("Persian (Jalali)"))],
                           default=new_box_calendar)
    period_months = SelectField(_l("Savings fall due"), choices=PERIOD_CHOICES, default="1")
    first_due = DayField(_l("First due date"))
    share_amount = _amount(_l("Savings per share per period"))
    my_shares = NumberField(_l("Your own shares (0 if you only manage)"), default="1", validators=[Length(max=10)])


class PolicyForm(FlaskForm, PolicyFields):
    pass


class ShareAmountForm(FlaskForm):
    amount = _amount(_l("New savings per share"))
    effective_from = DayField(_l("From due dates on or after"))


class AddMemberForm(FlaskForm):
    # The name of someone already in the box who does not save yet (hamyan.web.picker), or empty.
    person = StringField(_l("Someone already in the pool's people"), validators=[Optional(), Length(max=200)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Email (optional; links their account or lets you invite them)"),
                        validators=[Optional(), Length(max=254)])
    shares = NumberField(_l("Shares"), default="1", validators=[DataRequired(), Length(max=10)])
    joined_on = DayField(_l("Joined on"))


class SharesForm(FlaskForm):
    shares = NumberField(_l("Shares"), validators=[DataRequired(), Length(max=10)])
    effective_from = DayField(_l("From"))


class RejoinForm(FlaskForm):
    shares = NumberField(_l("Shares"), validators=[Length(max=10)])
    on = DayField(_l("Saving again from"))


class ContributionForm(KeyedForm):
    # A saver's name (hamyan.web.picker); a member's own page sends member_id instead.
    member = StringField(_l("Saver"), validators=[Length(max=200)])
    member_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    amount = _amount(_l("Amount"))
    paid_on = DayField(_l("Paid on"))


class LeaveForm(FlaskForm):
    on = DayField(_l("Leaves on"))


class LoanRequestForm(KeyedForm):
    # Savers' names (hamyan.web.picker): the borrower (managers; a member asks for themself) and
    # the guarantors, as many as the pool asks for, and more on request.
    member = StringField(_l("Borrower"), validators=[Length(max=200)])
    amount = _amount(_l("Amount"))
    term = NumberField(_l("Number of installments"), validators=[DataRequired(), Length(max=10)])
    purpose = TextAreaField(_l("What it is for (optional)"), validators=[Optional(), Length(max=300)])
    guarantors = FieldList(StringField(_l("Guarantor"), validators=[Length(max=200)]), _l("Guarantor"),
                           max_entries=MAX_GUARANTORS)


class LoanQuoteForm(FlaskForm):
    """The loan calculator's question, asked by GET: nothing is written, so no CSRF token."""
    class Meta:
        csrf = False

    member = StringField(_l("Borrower"), validators=[Length(max=200)])  # managers: whose limit applies
    amount = _amount(_l("Amount"))
    term = NumberField(_l("Number of installments"))  # the service's parser says what is wrong with it


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the member sees it)"), validators=[DataRequired(message=_l("Give a reason.")),
                                                                      Length(max=500)])


class WaiveForm(KeyedForm):
    """Waive a penalty (`charge`: installment number) or a late fee (`charge`: its due date)."""
    charge = SelectField(_l("What to waive"), validate_choice=False, validators=[DataRequired(message=_l("Choose what to waive."))])
    reason = TextAreaField(_l("Why it is waived (the member sees it)"),
                           validators=[DataRequired(message=_l("Give a reason.")), Length(max=500)])


class DisburseForm(FlaskForm):
    on = DayField(_l("Paid out on"))
    first_due = DayField(_l("First installment due"), required=False)


class RepayForm(KeyedForm):
    amount = _amount(_l("Amount received"))
    paid_on = DayField(_l("Received on"))
    mode = SelectField(_l("Money beyond what is due"), choices=MODE_CHOICES)


class RescheduleForm(ReasonForm):
    term = NumberField(_l("Installments from now on"), validators=[DataRequired(), Length(max=10)])
    first_due = DayField(_l("First new installment due"))


class WriteOffForm(ReasonForm):
    """Its confirm step (web.confirm) says what writing off costs."""


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DayField(_l("From"))
    end = DayField(_l("To"))
    member_id = SelectField(_l("Member"), coerce=int, validate_choice=False, validators=[Optional()])
