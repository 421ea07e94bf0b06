"""Moneypool forms. Amounts and numbers stay strings: the service parses them, so every rule and
its message lives in services.py. A hidden `key` makes a double submit harmless."""
import uuid

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
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from hamyan.blueprints.moneypool.services import MAX_GUARANTORS
from hamyan.lending.schedules import METHOD_LABELS
from hamyan.web.fields import AmountField, DayField

PERIOD_CHOICES = [("1", "Every month"), ("2", "Every 2 months"), ("3", "Every 3 months"), ("6", "Every 6 months"),
                  ("12", "Every year")]
MODE_CHOICES = [("advance", "Pay the next installments in advance"),
                ("shorten", "Prepay principal: fewer installments"),
                ("reduce", "Prepay principal: smaller installments")]
QUEUE_CHOICES = [("fifo", "First come, first served"), ("lottery", "Lottery among those waiting")]


def _amount(label, required=True):
    return AmountField(label, required=required, allow_zero=not required)  # optional ones: 0 for none


class KeyedForm(FlaskForm):
    key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.key.data:
            self.key.data = uuid.uuid4().hex


class PolicyFields:
    grace_days = StringField("Grace days after a due date", default="7", validators=[Length(max=10)])
    late_fee = _amount("Late fee per missed period (0 for none)", required=False)
    max_loan = _amount("Largest loan (0 for no limit)", required=False)
    savings_multiple = StringField("Largest loan as a multiple of the member's savings (empty for none)",
                                   default="3", validators=[Optional(), Length(max=10)])
    min_term = StringField("Fewest installments", default="1", validators=[Length(max=10)])
    max_term = StringField("Most installments", default="24", validators=[Length(max=10)])
    repayment_months = SelectField("Installments fall due", choices=PERIOD_CHOICES, default="1")
    interest_method = SelectField("Interest", choices=list(METHOD_LABELS.items()), default="none")
    annual_rate = StringField("Yearly interest rate, %", default="0", validators=[Length(max=10)])
    service_fee_percent = StringField("One-time service fee, % of the loan", default="0", validators=[Length(max=10)])
    penalty_percent = StringField("Late penalty, % of an overdue installment", default="0", validators=[Length(max=10)])
    min_membership_months = StringField("Months of membership before borrowing", default="3",
                                        validators=[Length(max=10)])
    require_no_arrears = BooleanField("Only members whose savings are up to date may borrow", default=True)
    one_open_loan = BooleanField("One open loan per member", default=True)
    guarantors_required = StringField("Guarantors needed per loan", default="0", validators=[Length(max=10)])
    queue_policy = SelectField("When cash is short, waiting loans are paid", choices=QUEUE_CHOICES)

    POLICY_FIELDS = ("grace_days", "late_fee", "max_loan", "savings_multiple", "min_term", "max_term",
                     "repayment_months", "interest_method", "annual_rate", "service_fee_percent", "penalty_percent",
                     "min_membership_months", "require_no_arrears", "one_open_loan", "guarantors_required",
                     "queue_policy")

    def policy(self) -> dict:
        return {name: getattr(self, name).data for name in self.POLICY_FIELDS}


class NewPoolForm(FlaskForm, PolicyFields):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    currency = StringField("Currency (ISO code)", default="IRR", validators=[DataRequired(), Length(max=3)])
    timezone = StringField("Time zone", default="Asia/Tehran", validators=[DataRequired(), Length(max=64)])
    locale = StringField("Number format (locale)", default="en", validators=[DataRequired(), Length(max=20)])
    calendar = SelectField("Calendar", choices=[("gregorian", "Gregorian"), ("persian", "Persian (Jalali)")])
    period_months = SelectField("Savings fall due", choices=PERIOD_CHOICES, default="1")
    first_due = DayField("First due date")
    share_amount = _amount("Savings per share per period")
    my_shares = StringField("Your own shares (0 if you only manage)", default="1", validators=[Length(max=10)])


class PolicyForm(FlaskForm, PolicyFields):
    pass


class ShareAmountForm(FlaskForm):
    amount = _amount("New savings per share")
    effective_from = DayField("From due dates on or after")


class AddMemberForm(FlaskForm):
    # The name of someone already in the box who does not save yet (hamyan.web.picker), or empty.
    person = StringField("Someone already in the pool's people", validators=[Optional(), Length(max=200)])
    display_name = StringField("Name", validators=[Optional(), Length(max=120)])
    email = StringField("Email (optional; links their account or lets you invite them)",
                        validators=[Optional(), Length(max=254)])
    shares = StringField("Shares", default="1", validators=[DataRequired(), Length(max=10)])
    joined_on = DayField("Joined on")


class SharesForm(FlaskForm):
    shares = StringField("Shares", validators=[DataRequired(), Length(max=10)])
    effective_from = DayField("From")


class RejoinForm(FlaskForm):
    shares = StringField("Shares", validators=[Length(max=10)])
    on = DayField("Saving again from")


class ContributionForm(KeyedForm):
    # A saver's name (hamyan.web.picker); a member's own page sends member_id instead.
    member = StringField("Saver", validators=[Length(max=200)])
    member_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    amount = _amount("Amount")
    paid_on = DayField("Paid on")


class LeaveForm(FlaskForm):
    on = DayField("Leaves on")


class LoanRequestForm(KeyedForm):
    # Savers' names (hamyan.web.picker): the borrower (managers; a member asks for themself) and
    # the guarantors, as many as the pool asks for, and more on request.
    member = StringField("Borrower", validators=[Length(max=200)])
    amount = _amount("Amount")
    term = StringField("Number of installments", validators=[DataRequired(), Length(max=10)])
    purpose = TextAreaField("What it is for (optional)", validators=[Optional(), Length(max=300)])
    guarantors = FieldList(StringField("Guarantor", validators=[Length(max=200)]), "Guarantor",
                           max_entries=MAX_GUARANTORS)


class LoanQuoteForm(FlaskForm):
    """The loan calculator's question, asked by GET: nothing is written, so no CSRF token."""
    class Meta:
        csrf = False

    member = StringField("Borrower", validators=[Length(max=200)])  # managers: whose limit applies
    amount = _amount("Amount")
    term = StringField("Number of installments")  # the service's parser says what is wrong with it


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason (the member sees it)", validators=[DataRequired(message="Give a reason."),
                                                                      Length(max=500)])


class WaiveForm(KeyedForm):
    """Waive a penalty (`charge`: installment number) or a late fee (`charge`: its due date)."""
    charge = SelectField("Charge", validate_choice=False, validators=[DataRequired(message="Choose what to waive.")])
    reason = TextAreaField("Why it is waived (the member sees it)",
                           validators=[DataRequired(message="Give a reason."), Length(max=500)])


class DisburseForm(FlaskForm):
    on = DayField("Paid out on")
    first_due = DayField("First installment due", required=False)


class RepayForm(KeyedForm):
    amount = _amount("Amount received")
    paid_on = DayField("Received on")
    mode = SelectField("Money beyond what is due", choices=MODE_CHOICES)


class RescheduleForm(ReasonForm):
    term = StringField("Installments from now on", validators=[DataRequired(), Length(max=10)])
    first_due = DayField("First new installment due")


class WriteOffForm(ReasonForm):
    """Its confirm step (web.confirm) says what writing off costs."""


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DayField("From")
    end = DayField("To")
    member_id = SelectField("Member", coerce=int, validate_choice=False, validators=[Optional()])
