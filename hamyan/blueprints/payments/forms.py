from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from hamyan.web.fields import AmountField


class PayForm(FlaskForm):
    amount = AmountField("Amount to pay")
    # what the payment is for, when the box's product asks (a building: which unit); choices per member
    target = SelectField("Paying for", choices=[], validate_choice=False)


class SettingsForm(FlaskForm):
    online_enabled = BooleanField("Members may pay online")
    fee_bearer = SelectField("Who bears the gateway's fee", choices=[
        ("member", "The member (the fee is added to what they pay)"),
        ("box", "The box (the fee is taken from what the box receives)")])


class RefundForm(FlaskForm):
    reason = StringField("Why refund it", validators=[DataRequired(), Length(max=300)])
