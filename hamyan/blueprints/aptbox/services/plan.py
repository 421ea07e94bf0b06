"""The monthly charge plan: components, per-unit exemptions and overrides, and what each unit
would pay (with the reason) under it. The arithmetic is split.py's."""
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import BASES, PAYERS, RULE_KINDS, Building, Component, Unit, UnitRule
from hamyan.core import parse, uow
from hamyan.core.errors import NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import number

from . import split
from .buildings import modifiers
from .common import manage, money, unit_of
from .units import units_of


def parse_mix(value) -> dict:
    """"area=60, occupants=40" (or a dict from JSON) -> {"area": 60, "occupants": 40}, summing to 100."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        raw = parse.normalize(value).replace("%", "")
        pairs = [p.split("=", 1) for p in raw.split(",") if p] if raw else []
    mix = {}
    for pair in pairs:
        if len(pair) != 2 or pair[0] not in split.UNITS_OF:
            raise ValidationError(_("Write a mix as basis=percent, e.g. area=60, occupants=40 (bases: equal, area, "
                                    "occupants, parking)."), field="mix")
        mix[pair[0]] = int(parse.percent(pair[1], "mix", places=0))
    split.parts_of("mix", mix)
    return mix


def _component_values(box, values: dict) -> dict:
    errors, out = {}, {}

    def attempt(name, parser):
        try:
            out[name] = parser(values.get(name))
        except ValidationError as error:
            errors.update(error.fields)

    attempt("name", lambda v: parse.text(v, "name", label=_("Name"), limit=120))
    attempt("amount", lambda v: parse.amount(v, box.currency, "amount"))
    attempt("basis", lambda v: parse.choice(v, BASES, "basis", _("Basis")))
    attempt("payer", lambda v: parse.choice(v or "resident", PAYERS, "payer", _("Who pays")))
    out["use_floor_factor"] = bool(values.get("use_floor_factor"))
    if out.get("basis") == "mix":
        attempt("mix", lambda v: json.dumps(parse_mix(v)))
    else:
        out["mix"] = "{}"
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)
    return out


@uow.box_write
def add_component(actor, box_id, **values) -> Component:
    acc = manage(actor, box_id)
    component = Component(box_id=acc.box.id, **_component_values(acc.box, values))
    db.session.add(component)
    db.session.flush()
    return component


@uow.box_write
def update_component(actor, box_id, component_id, **values) -> Component:
    """Change a component: months issued already keep what they charged."""
    acc = manage(actor, box_id)
    component = component_of(acc.box.id, component_id)
    for name, value in _component_values(acc.box, values).items():
        setattr(component, name, value)
    return component


@uow.box_write
def remove_component(actor, box_id, component_id) -> None:
    acc = manage(actor, box_id)
    component_of(acc.box.id, component_id).active = False


def component_of(box_id: int, component_id) -> Component:
    number = parse.record_id(component_id)
    component = db.session.get(Component, number) if number else None
    if component is None or component.box_id != box_id or not component.active:
        raise NotFound(_("No such charge in this building's plan."))
    return component


@uow.box_write
def set_rule(actor, box_id, component_id, unit_id, kind: str, amount=None, reason: str = "") -> UnitRule:
    """Exempt a unit from a component, or fix what it pays of it."""
    acc = manage(actor, box_id)
    component = component_of(acc.box.id, component_id)
    unit = unit_of(acc, unit_id)
    parse.choice(kind, RULE_KINDS, "kind", _("Rule"))
    value = parse.amount(amount, acc.box.currency, "amount", allow_zero=True) if kind == "override" else None
    reason = parse.text(reason, "reason", label=_("Reason"), limit=300)
    rule = db.session.scalar(select(UnitRule).filter_by(component_id=component.id, unit_id=unit.id))
    if rule is None:
        rule = UnitRule(component_id=component.id, unit_id=unit.id, kind=kind)
        db.session.add(rule)
    rule.kind, rule.amount, rule.reason = kind, value, reason
    db.session.flush()
    return rule


@uow.box_write
def clear_rule(actor, box_id, rule_id) -> None:
    acc = manage(actor, box_id)
    rule = db.session.get(UnitRule, parse.record_id(rule_id) or 0)
    if rule is None or component_of(acc.box.id, rule.component_id) is None:
        raise NotFound()
    db.session.delete(rule)


def describe(component: Component, box) -> str:
    """How a component is split, in words and the page's digits: "60% by area + 40% by occupants"."""
    if component.basis != "mix":
        return str(split.LABELS[component.basis])
    return " + ".join(_("%(share)s%% %(basis)s", share=number(share, box), basis=split.LABELS[basis])
                      for basis, share in json.loads(component.mix).items())


def components(box_id: int) -> list[Component]:
    return list(db.session.scalars(select(Component).filter_by(box_id=box_id, active=True).order_by(Component.id)))


def unit_rules(box_id: int, limit: int, page: int = 1) -> list[UnitRule]:
    """A page of `limit` of the building's exemptions and overrides, by component and unit."""
    return list(db.session.scalars(select(UnitRule).join(Component, Component.id == UnitRule.component_id)
                                   .where(Component.box_id == box_id).order_by(UnitRule.component_id, UnitRule.unit_id)
                                   .limit(limit).offset((page - 1) * limit)))


def rules_of(component_ids) -> dict[int, dict[int, UnitRule]]:
    out = {}
    for rule in db.session.scalars(select(UnitRule).where(UnitRule.component_id.in_(list(component_ids) or [0]))):
        out.setdefault(rule.component_id, {})[rule.unit_id] = rule
    return out


def _figure(box, value) -> str:
    """A figure of an explanation (an area, a percent, a factor) in the language and digits being
    written (۱٬۲۰۰ in a Persian building), to three decimals."""
    value = Fraction(value)
    return number(Decimal(value.numerator) / Decimal(value.denominator), box)


def figures(units: list[Unit]) -> list[split.UnitFigures]:
    return [split.UnitFigures(u.id, u.number, u.floor, u.area, u.occupants, u.parking, u.occupied) for u in units]


@dataclass
class UnitCharge:
    unit: Unit
    amount: int
    owner_part: int
    lines: list  # [{"name", "basis", "payer", "amount", "why"}]


def compute(box, building: Building, units: list[Unit], parts: list[tuple[str, int, str, dict, str, bool, dict]]
            ) -> list[UnitCharge]:
    """What each unit pays of each part (name, total, basis, mix, payer, use floor factor, rules by
    unit id as (kind, amount)), with the reasons."""
    mods = modifiers(building)
    shown = figures(units)
    out = {u.id: UnitCharge(u, 0, 0, []) for u in units}
    for name, total, basis, mix, payer, use_floor, rules in parts:
        shares = split.split(total, basis, mix, shown, rules, mods, use_floor, lambda a: money(box, a),
                             lambda figure: _figure(box, figure))
        for unit_id, share in shares.items():
            if not share.amount:
                continue
            charge = out[unit_id]
            charge.amount += share.amount
            charge.owner_part += share.amount if payer == "owner" else 0
            charge.lines.append({"name": name, "basis": str(split.LABELS[basis]), "payer": payer, "amount": share.amount,
                                 "why": share.why})
    return list(out.values())


def plan_parts(box_id: int) -> list:
    active = components(box_id)
    rules = rules_of([c.id for c in active])
    return [(c.name, c.amount, c.basis, json.loads(c.mix), c.payer, c.use_floor_factor,
             {uid: (r.kind, r.amount) for uid, r in rules.get(c.id, {}).items()}) for c in active]


def preview(box, building: Building) -> list[UnitCharge]:
    """What the next month would charge every unit under today's plan."""
    return compute(box, building, units_of(box.id), plan_parts(box.id))
