"""Aptbox forms. Numbers stay strings: the services parse them, so every rule and message lives
there. A hidden `key` makes a double submit of a payment harmless."""
import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from hamyan.blueprints.aptbox.models import BASES, CATEGORIES, LATE_FEE_KINDS
from hamyan.web.fields import AmountField

BASIS_CHOICES = [("equal", "Equally per unit"), ("area", "By area (m²)"), ("occupants", "By occupants"),
                 ("parking", "By parking spaces"), ("fixed", "Fixed amount per unit"),
                 ("mix", "Weighted mix (e.g. 60% area, 40% occupants)")]
assert [b for b, _ in BASIS_CHOICES] == list(BASES)
CALENDAR_CHOICES = [("persian", "Jalali (Persian)"), ("gregorian", "Gregorian")]
LATE_CHOICES = [("none", "No late fee"), ("fixed", "A fixed amount"), ("percent", "A percent of what is unpaid")]
assert [k for k, _ in LATE_CHOICES] == list(LATE_FEE_KINDS)


def _text(label, limit=40, default=None):
    return StringField(label, default=default, validators=[Length(max=limit)])


class KeyedForm(FlaskForm):
    key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.key.data:
            self.key.data = uuid.uuid4().hex


class RulesFields:
    due_day = _text("Charges fall due on day", default="5")
    grace_days = _text("Grace days before a charge is late", default="10")
    late_fee_kind = SelectField("Late fee", choices=LATE_CHOICES, default="none")
    late_fee_value = _text("Late fee amount (or percent)", default="0")
    vacancy_discount = _text("Vacant units' discount, %", default="0")
    floor_factors = _text("Floor factors for lift costs (floor=factor, …)", 200, default="")
    round_to = _text("Round each charge down to a multiple of", default="1")
    remainder_unit = _text("Unit that takes the rounding remainder (empty: the first unit)", 20, default="")
    require_approval = BooleanField("Expenses need a second board member's approval")

    def rules(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "due_day", "grace_days", "late_fee_kind", "late_fee_value", "vacancy_discount", "floor_factors",
            "round_to", "remainder_unit", "require_approval")}


class NewBuildingForm(RulesFields, FlaskForm):
    name = StringField("Building name", validators=[Length(max=120)])
    address = _text("Address", 300, default="")
    currency = _text("Currency", 3, default="IRR")
    calendar = SelectField("Calendar", choices=CALENDAR_CHOICES, default="persian")
    timezone = _text("Time zone", 64, default="Asia/Tehran")
    locale = _text("Language and number format", 20, default="fa_IR")


class SettingsForm(RulesFields, FlaskForm):
    address = _text("Address", 300, default="")

    def rules(self) -> dict:
        return {**super().rules(), "address": self.address.data}


class UnitForm(FlaskForm):
    number = _text("Unit number", 20)
    floor = _text("Floor (0 = ground)", default="0")
    area = _text("Area, m²")
    occupants = _text("Occupants", default="1")
    parking = _text("Parking spaces", default="0")
    occupied = BooleanField("Occupied", default=True)
    owner_name = _text("Owner", 120, default="")
    resident_name = _text("Resident", 120, default="")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "number", "floor", "area", "occupants", "parking", "occupied", "owner_name", "resident_name")}


class ImportForm(FlaskForm):
    file = FileField("CSV file")


class PersonForm(FlaskForm):
    name = _text("Name", 120)
    email = _text("Email (they get an invitation)", 254, default="")
    relation = SelectField("Relation", choices=[("owner", "Owner (one of the owners)"), ("resident", "Resident")])
    board = BooleanField("On the board")


class ComponentForm(FlaskForm):
    name = _text("What for", 120)
    amount = AmountField("Building total a month (per unit for a fixed amount)")
    basis = SelectField("Split", choices=BASIS_CHOICES, default="area")
    mix = _text("Mix (for a weighted mix)", 200, default="area=60, occupants=40")
    payer = SelectField("Paid by", choices=[("resident", "The resident"), ("owner", "The owner")])
    use_floor_factor = BooleanField("Apply floor factors (lift)")

    def values(self) -> dict:
        return {"name": self.name.data, "amount": self.amount.data, "basis": self.basis.data, "mix": self.mix.data,
                "payer": self.payer.data, "use_floor_factor": self.use_floor_factor.data}


class RuleForm(FlaskForm):
    component_id = SelectField("Charge", coerce=str)
    unit = _text("Unit number", 20)
    kind = SelectField("Rule", choices=[("exempt", "Exempt"), ("override", "Pays a fixed amount")])
    amount = _text("Fixed amount", 40, default="")
    reason = _text("Reason (shown to the unit)", 300)


class IssueForm(FlaskForm):
    """Its confirm step (web.confirm) shows what every unit is charged."""
    month = _text("Month (YYYY-MM)", 10)


class AssessmentForm(FlaskForm):
    title = _text("Title", 120)
    total = AmountField("Total")
    basis = SelectField("Split", choices=[c for c in BASIS_CHOICES if c[0] != "fixed"], default="area")
    mix = _text("Mix (for a weighted mix)", 200, default="area=50, equal=50")
    installments = _text("Installments (months)", 3, default="1")
    first_month = _text("First installment month (YYYY-MM)", 10)


class PaymentForm(KeyedForm):
    amount = AmountField("Amount")
    paid_on = _text("Paid on (YYYY-MM-DD)", 10)
    reference = _text("Bank reference", 80)
    payer = _text("Paid by", 120, default="")


class AnnouncementForm(FlaskForm):
    title = _text("Title", 160)
    body = TextAreaField("Message", validators=[Length(max=5000)])


class ExpenseForm(FlaskForm):
    amount = AmountField("Amount")
    spent_on = _text("Date", 10)
    category = SelectField("Category", choices=[(c, c) for c in CATEGORIES])
    fund = SelectField("From", choices=[("operating", "Operating fund"), ("reserve", "Reserve fund")])
    vendor = _text("Vendor", 120, default="")
    note = _text("Note", 500, default="")
    receipt = FileField("Receipt")
    decision = _text("Board decision to overdraw", 500, default="")


class TransferForm(KeyedForm):
    amount = AmountField("Amount")
    moved_on = _text("Date", 10)
    from_fund = SelectField("From", choices=[("operating", "Operating fund"), ("reserve", "Reserve fund")])
    to_fund = SelectField("To", choices=[("reserve", "Reserve fund"), ("operating", "Operating fund")])
    note = _text("Note", 500, default="")
    decision = _text("Board decision to overdraw", 500, default="")


class PollForm(FlaskForm):
    question = _text("Question", 300)
    options = TextAreaField("Choices", default="Yes\nNo", validators=[Length(max=2000)])
    weighting = SelectField("Votes count", choices=[("unit", "One vote per unit"), ("area", "Weighted by area")])
    quorum_percent = _text("Quorum, % of units (or of area)", 3, default="50")
    closes_on = _text("Closes on", 10)
