from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired

from hamyan.blueprints.auth.forms import STRIP
from hamyan.blueprints.payments.models import METHODS
from hamyan.web.fields import AmountField, Length, NumberField


class PayForm(FlaskForm):
    amount = AmountField(_l("Amount to pay"))
    # what the payment is for, when the box's product asks (a building: which unit); choices per member
    target = SelectField(_l("Paying for"), choices=[], validate_choice=False)


class SettingsForm(FlaskForm):
    online_enabled = BooleanField(_l("Members may pay online"))
    fee_bearer = SelectField(_l("Who bears the gateway's fee"), choices=[
        ("member", _l("The member (the fee is added to what they pay)")),
        ("box", _l("The box (the fee is taken from what the box receives)"))])


class RefundForm(FlaskForm):
    reason = StringField(_l("Why refund it"), validators=[DataRequired(), Length(max=300)])


class ReportForm(FlaskForm):
    """"I have paid": checked whole by the service (payments.reports.report), so every error shows at once."""
    amount = NumberField(_l("Amount paid"), filters=STRIP)
    paid_on = StringField(_l("Paid on"), filters=STRIP)
    method = SelectField(_l("How you paid"), choices=list(METHODS.items()), validate_choice=False)
    reference = StringField(_l("The bank's reference (tracking number)"), filters=STRIP)
    target = SelectField(_l("Paying for"), choices=[], validate_choice=False)
    receipt = FileField(_l("Receipt (photo or PDF, optional)"))
    key = HiddenField()  # one per form shown: a double submit reports once


class DecideForm(FlaskForm):
    reason = StringField(_l("Why not (the member is told)"), filters=STRIP)


class PayeeForm(FlaskForm):
    payee_account = StringField(_l("Card number or Sheba (IBAN) members pay to"), filters=STRIP)
    payee_name = StringField(_l("Holder's name"), filters=STRIP)
