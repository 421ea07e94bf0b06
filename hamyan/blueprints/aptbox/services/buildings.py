"""Creating a building and changing its charge rules."""
import json
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import LATE_FEE_KINDS, Building, Unit
from hamyan.boxes import services as boxes
from hamyan.boxes.access import Principal
from hamyan.boxes.models import BOARD, Box, Membership
from hamyan.core import parse, uow
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.i18n import digits

from .common import KIND, manage, unit_numbered
from .split import Modifiers


@uow.box_write
def create_building(actor, name: str, currency: str = "IRR", timezone: str = "Asia/Tehran", locale: str = "fa_IR",
                    calendar: str = "persian", address: str = "", **rules) -> object:
    """A new building with the actor on its board."""
    box = boxes.create_box(actor, KIND, name, currency, timezone, locale, calendar, manager_role=BOARD)
    building = Building(box_id=box.id,
                        address=parse.text(address, "address", label=_("Address"), limit=300, required=False))
    db.session.add(building)
    _apply_rules(box, building, rules)
    db.session.flush()
    return box


def buildings_of(actor, page: int, per_page: int) -> list[tuple[Box, Building, Membership]]:
    """A page of the buildings the actor belongs to, by name: (box, building, their membership),
    in one query."""
    return [tuple(row) for row in db.session.execute(
        select(Box, Building, Membership).join(Building, Building.box_id == Box.id)
        .join(Membership, Membership.box_id == Box.id)
        .where(Box.kind == KIND, Membership.user_id == Principal.of(actor).user_id, Membership.left_at.is_(None))
        .order_by(Box.name, Box.id).offset((page - 1) * per_page).limit(per_page))]


@uow.box_write
def update_rules(actor, box_id, **rules) -> Building:
    acc = manage(actor, box_id)
    _apply_rules(acc.box, acc.building, rules)
    from .summary import refresh

    refresh(acc.box, None)  # grace days change who is late
    return acc.building


def _apply_rules(box, building: Building, rules: dict) -> None:
    """Each rule given (as typed in a form or sent by the API) parsed and set; one error per field."""
    errors = {}

    def attempt(name, parser):
        if name in rules and rules[name] is not None:
            try:
                setattr(building, name, parser(rules[name]))
            except ValidationError as error:
                errors.update(error.fields)

    attempt("address", lambda v: parse.text(v, "address", label=_("Address"), limit=300, required=False))
    attempt("due_day", lambda v: parse.whole(v, "due_day", 1, 29, _("The due day")))
    attempt("grace_days", lambda v: parse.whole(v, "grace_days", 0, 60, _("Grace days")))
    attempt("late_fee_kind", lambda v: parse.choice(v, LATE_FEE_KINDS, "late_fee_kind", _("Late fee")))
    attempt("require_approval", bool)
    attempt("issue_monthly", bool)
    attempt("vacancy_discount", lambda v: parse.percent(v, "vacancy_discount"))
    attempt("floor_factors", lambda v: json.dumps({str(k): str(f) for k, f in floor_factors(v).items()}))
    attempt("round_to", lambda v: parse.amount(v, box.currency, "round_to"))
    if "late_fee_value" in rules and rules["late_fee_value"] not in (None, ""):
        try:
            if building.late_fee_kind == "percent":
                building.late_fee_value = int(parse.percent(rules["late_fee_value"], "late_fee_value") * 100)
            else:
                building.late_fee_value = parse.amount(rules["late_fee_value"], box.currency, "late_fee_value",
                                                       allow_zero=True)
        except ValidationError as error:
            errors.update(error.fields)
    if "remainder_unit" in rules:
        number = str(rules["remainder_unit"] or "").strip()
        if not number:
            building.remainder_unit_id = None
        else:
            try:
                building.remainder_unit_id = unit_numbered(box.id, number, "remainder_unit").id
            except ValidationError as error:
                errors.update(error.fields)
    if (building.late_fee_kind or "none") != "none" and not building.late_fee_value:
        errors.setdefault("late_fee_value", _("Give the late fee's amount or percent (or choose no late fee)."))
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)


def floor_factors(value) -> dict[int, Fraction]:
    """"0=0.5, 1=0.8" (or a dict from JSON) -> {0: 1/2, 1: 4/5}: a floor's share of lift costs."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        raw = parse.normalize(value)
        pairs = [p.split("=", 1) for p in raw.split(",") if p] if raw else []
    out = {}
    for pair in pairs:
        if len(pair) != 2:
            raise ValidationError(digits(_("Write floor factors as floor=factor, e.g. 0=0.5, 1=0.8.")), field="floor_factors")
        floor = parse.whole(pair[0], "floor_factors", -10, 200, _("A floor"))
        factor = parse.percent(pair[1], "floor_factors", maximum=10, places=3)
        out[floor] = Fraction(factor)
    return out


def modifiers(building: Building) -> Modifiers:
    return Modifiers(vacancy_discount=Decimal(building.vacancy_discount or 0),
                     floor_factors={int(k): Fraction(v) for k, v in json.loads(building.floor_factors).items()},
                     round_to=int(building.round_to), remainder_unit_id=building.remainder_unit_id)


def floor_factors_text(building: Building) -> str:
    """The floor factors as a board types them: "0=0.5, 1=0.8" (they are kept as fractions)."""
    def decimal(text):
        factor = Fraction(text)
        return format((Decimal(factor.numerator) / factor.denominator).normalize(), "f")

    return ", ".join(f"{k}={decimal(v)}" for k, v in json.loads(building.floor_factors).items())


def major(box, amount: int) -> str:
    """An amount as a person would type it back into a form."""
    from hamyan.money import to_major

    return str(to_major(amount, box.currency))


def late_fee_text(box, building: Building) -> str:
    if building.late_fee_kind == "percent":
        return str(Decimal(building.late_fee_value) / 100)
    return major(box, building.late_fee_value)


def remainder_number(building: Building) -> str:
    unit = db.session.get(Unit, building.remainder_unit_id) if building.remainder_unit_id else None
    return unit.number if unit else ""
