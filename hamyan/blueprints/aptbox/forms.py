"""Aptbox forms. Numbers stay strings: the services parse them, so every rule and message lives
there. A hidden `key` makes a double submit of a payment harmless."""
import uuid

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from hamyan.blueprints.aptbox.models import BASES, CATEGORY_NAMES, LATE_FEE_KINDS
from hamyan.web.fields import AmountField, DayField, Length, NumberField

BASIS_CHOICES = [("equal", _l("Equally per unit")), ("area", _l("By area (m²)")), ("occupants", _l("By occupants")),
                 ("parking", _l("By parking spaces")), ("fixed", _l("Fixed amount per unit")),
                 ("mix", _l("Weighted mix (e.g. area 60%, occupants 40%)"))]
assert [b for b, _ in BASIS_CHOICES] == list(BASES)
CALENDAR_CHOICES = [("persian", _l("Jalali (Persian)")), ("gregorian", _l("Gregorian"))]
LATE_CHOICES = [("none", _l("No late fee")), ("fixed", _l("A fixed amount")), ("percent", _l("A percent of what is unpaid"))]
assert [k for k, _ in LATE_CHOICES] == list(LATE_FEE_KINDS)


def _text(label, limit=40, default=None):
    return StringField(label, default=default, validators=[Length(max=limit)])


def _number(label, limit=40, default=None):
    return NumberField(label, default=default, validators=[Length(max=limit)])


class KeyedForm(FlaskForm):
    key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.key.data:
            self.key.data = uuid.uuid4().hex


class RulesFields:
    due_day = _number(_l("Charges fall due on day"), default="5")
    grace_days = _number(_l("Grace days before a charge is late"), default="10")
    late_fee_kind = SelectField(_l("Late fee"), choices=LATE_CHOICES, default="none")
    late_fee_value = _number(_l("Late fee amount (or percent)"), default="0")
    vacancy_discount = _number(_l("Vacant units' discount, %"), default="0")
    floor_factors = _number(_l("Floor factors for lift costs (floor=factor, …)"), 200, default="")
    round_to = _number(_l("Round each charge down to a multiple of"), default="1")
    remainder_unit = _text(_l("Unit that takes the rounding remainder (empty: the first unit)"), 20, default="")
    require_approval = BooleanField(_l("Expenses need a second board member's approval"))
    issue_monthly = BooleanField(_l("Issue each month's charges automatically on its first day"))

    def rules(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "due_day", "grace_days", "late_fee_kind", "late_fee_value", "vacancy_discount", "floor_factors",
            "round_to", "remainder_unit", "require_approval", "issue_monthly")}


class NewBuildingForm(RulesFields, FlaskForm):
    name = StringField(_l("Building name"), validators=[Length(max=120)])
    address = _text(_l("Address"), 300, default="")
    currency = _text(_l("Currency"), 3, default="IRR")
    calendar = SelectField(_l("Calendar"), choices=CALENDAR_CHOICES, default="persian")
    timezone = _text(_l("Time zone"), 64, default="Asia/Tehran")
    locale = _text(_l("Language and number format"), 20, default="fa_IR")


class SettingsForm(RulesFields, FlaskForm):
    address = _text(_l("Address"), 300, default="")

    def rules(self) -> dict:
        return {**super().rules(), "address": self.address.data}


class UnitForm(FlaskForm):
    number = _text(_l("Unit number"), 20)
    floor = _number(_l("Floor (0 = ground)"), default="0")
    area = _number(_l("Area, m²"))
    occupants = _number(_l("Occupants"), default="1")
    parking = _number(_l("Parking spaces"), default="0")
    occupied = BooleanField(_l("Occupied"), default=True)
    owner_name = _text(_l("Owner"), 120, default="")
    resident_name = _text(_l("Resident"), 120, default="")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "number", "floor", "area", "occupants", "parking", "occupied", "owner_name", "resident_name")}


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))


class PersonForm(FlaskForm):
    name = _text(_l("Name"), 120)
    email = _text(_l("Email (they get an invitation)"), 254, default="")
    relation = SelectField(_l("Relation"), choices=[("owner", _l("Owner (one of the owners)")), ("resident", _l("Resident"))])
    board = BooleanField(_l("On the board"))


class ComponentForm(FlaskForm):
    name = _text(_l("What for"), 120)
    amount = AmountField(_l("Building total a month (per unit for a fixed amount)"))
    basis = SelectField(_l("Split"), choices=BASIS_CHOICES, default="area")
    mix = _text(_l("Mix (for a weighted mix)"), 200, default="area=60, occupants=40")
    payer = SelectField(_l("Paid by"), choices=[("resident", _l("The resident")), ("owner", _l("The owner"))])
    use_floor_factor = BooleanField(_l("Apply floor factors (lift)"))

    def values(self) -> dict:
        return {"name": self.name.data, "amount": self.amount.data, "basis": self.basis.data, "mix": self.mix.data,
                "payer": self.payer.data, "use_floor_factor": self.use_floor_factor.data}


class RuleForm(FlaskForm):
    component_id = SelectField(_l("Charge"), coerce=str)
    unit = _text(_l("Unit number"), 20)
    kind = SelectField(_l("Rule"), choices=[("exempt", _l("Exempt")), ("override", _l("Pays a fixed amount"))])
    amount = _number(_l("Fixed amount"), 40, default="")
    reason = _text(_l("Reason (shown to the unit)"), 300)


class IssueForm(FlaskForm):
    """Its confirm step (web.confirm) shows what every unit is charged."""
    month = _number(_l("Month (YYYY-MM)"), 10)


class AssessmentForm(FlaskForm):
    title = _text(_l("Title"), 120)
    total = AmountField(_l("Total"))
    basis = SelectField(_l("Split"), choices=[c for c in BASIS_CHOICES if c[0] != "fixed"], default="area")
    mix = _text(_l("Mix (for a weighted mix)"), 200, default="area=50, equal=50")
    installments = _number(_l("Installments (months)"), 3, default="1")
    first_month = _number(_l("First installment month (YYYY-MM)"), 10)


class PaymentForm(KeyedForm):
    amount = AmountField(_l("Amount"))
    paid_on = DayField(_l("Paid on"), required=False)
    reference = _text(_l("Bank reference"), 80)
    payer = _text(_l("Paid by"), 120, default="")


class AnnouncementForm(FlaskForm):
    title = _text(_l("Title"), 160)
    body = TextAreaField(_l("Message"), validators=[Length(max=5000)])


class ExpenseForm(FlaskForm):
    amount = AmountField(_l("Amount"))
    spent_on = DayField(_l("Date"), required=False)
    category = SelectField(_l("Category"), choices=list(CATEGORY_NAMES.items()))
    fund = SelectField(_l("From"), choices=[("operating", _l("Operating fund")), ("reserve", _l("Reserve fund"))])
    vendor = _text(_l("Vendor"), 120, default="")
    note = _text(_l("Note"), 500, default="")
    receipt = FileField(_l("Receipt"))
    decision = _text(_l("Board decision to overdraw"), 500, default="")


class TransferForm(KeyedForm):
    amount = AmountField(_l("Amount"))
    moved_on = DayField(_l("Date"), required=False)
    from_fund = SelectField(_l("From"), choices=[("operating", _l("Operating fund")), ("reserve", _l("Reserve fund"))])
    to_fund = SelectField(lazy_pgettext("a transfer's fund", "To"), choices=[("reserve", _l("Reserve fund")), ("operating", _l("Operating fund"))])
    note = _text(_l("Note"), 500, default="")
    decision = _text(_l("Board decision to overdraw"), 500, default="")


class PollForm(FlaskForm):
    question = _text(_l("Question"), 300)
    options = TextAreaField(_l("Choices"), default=lambda: "\n".join((str(_l("Yes")), str(_l("No")))),
                            validators=[Length(max=2000)])
    weighting = SelectField(_l("Votes count"), choices=[("unit", _l("One vote per unit")), ("area", _l("Weighted by area"))])
    quorum_percent = _number(_l("Quorum (percent of units, or of area)"), 3, default="50")
    closes_on = DayField(_l("Closes on"))
