"""How a building total is split between units: pure functions (no database, no clock).

A component has a building total and a basis: equal (1 per unit), area (m²), occupants, parking
(spaces), a weighted mix of those (e.g. 60% by area, 40% by occupants), or fixed (the amount is
per unit, not a total). Per unit, in this order:
  - an override pays exactly its amount; an exempt unit pays nothing;
  - every other unit has a weight: its share of each basis (its figure over the sum of the
    figures of the units that share the cost), mixed by the percentages, times its multipliers:
    (1 - vacancy discount) when vacant, and the floor factor of its floor when the component uses
    floor factors (the lift: the ground floor pays less);
  - what the overrides leave of the total is split in proportion to the weights: each exact
    share is rounded DOWN to a multiple of `round_to` (1 rial, or 1,000 rials as boards like), and
    the remainder, so that the units pay exactly the total, goes to the building's remainder unit
    (when it shares the cost), else to the first unit in the list that does.
So a discount or an exemption moves a cost onto the other units; the total never changes.
A fixed component charges each unit its amount times its multipliers, rounded half up to round_to.

Every share carries its explanation: the figures and the formula behind it, for "why is my
charge X"."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hamyan.core.errors import ValidationError

# Words of the explanations, in the language of the request that issues the charges (they are kept).
LABELS = {"equal": _l("equally"), "area": _l("by area"), "occupants": _l("by occupants"),
          "parking": _l("by parking spaces"), "fixed": _l("a fixed amount per unit"), "mix": _l("by a weighted mix")}
UNITS_OF = {"equal": _l("unit"), "area": _l("m²"), "occupants": _l("occupants"), "parking": _l("parking spaces")}


@dataclass(frozen=True)
class UnitFigures:
    id: int
    number: str
    floor: int
    area: Decimal
    occupants: int
    parking: int
    occupied: bool


@dataclass(frozen=True)
class Modifiers:
    vacancy_discount: Decimal = Decimal(0)  # percent
    floor_factors: dict = field(default_factory=dict)  # floor (int) -> Fraction
    round_to: int = 1
    remainder_unit_id: int | None = None


@dataclass
class Share:
    amount: int
    why: str  # the formula with this unit's numbers


def figure(unit: UnitFigures, basis: str) -> Fraction:
    return {"equal": Fraction(1), "area": Fraction(unit.area), "occupants": Fraction(unit.occupants),
            "parking": Fraction(unit.parking)}[basis]


def _num(value) -> str:
    """A figure as people write it: 85.5, 3, 0.7 (Latin digits; split's callers pass the page's)."""
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.4f}".rstrip("0").rstrip(".")


def multiplier(unit: UnitFigures, mods: Modifiers, use_floor: bool, number=_num) -> tuple[Fraction, list[str]]:
    factor, notes = Fraction(1), []
    if not unit.occupied and mods.vacancy_discount:
        factor *= 1 - Fraction(mods.vacancy_discount) / 100
        notes.append(_("× %(factor)s (vacant: %(discount)s%% off)", factor=number(1 - Fraction(mods.vacancy_discount) / 100),
                       discount=number(mods.vacancy_discount)))
    if use_floor and unit.floor in mods.floor_factors:
        factor *= mods.floor_factors[unit.floor]
        notes.append(_("× %(factor)s (floor %(floor)s)", factor=number(mods.floor_factors[unit.floor]),
                       floor=number(unit.floor)))
    return factor, notes


def parts_of(basis: str, mix: dict) -> dict[str, Fraction]:
    """The percentages of each basis: {basis: 100} or the mix, checked to sum to 100."""
    if basis != "mix":
        return {basis: Fraction(100)}
    if not mix or any(k not in UNITS_OF for k in mix):
        raise ValidationError(_("A mix combines equal, area, occupants and parking."), field="mix")
    parts = {k: Fraction(v) for k, v in mix.items() if Fraction(v) != 0}
    if any(v < 0 for v in parts.values()) or sum(parts.values()) != 100:
        raise ValidationError(_("The weights of a mix must add up to 100%."), field="mix")
    return parts


def split(total: int, basis: str, mix: dict, units: list[UnitFigures], rules: dict, mods: Modifiers,
          use_floor: bool = False, money=str, number=_num) -> dict[int, Share]:
    """Each unit's share of `total` (see the module doc). rules: unit id -> ("exempt", None) or
    ("override", amount). money(amount) formats an amount and number(figure) a figure (an area, a
    percent, a factor) for the explanations."""
    shares: dict[int, Share] = {}
    if basis == "fixed":
        for unit in units:
            rule = rules.get(unit.id)
            if rule is not None:
                shares[unit.id] = _ruled(rule, money)
                continue
            factor, notes = multiplier(unit, mods, use_floor, number)
            amount = _round_half_up(total * factor, mods.round_to)
            shares[unit.id] = Share(amount, " ".join([_("%(amount)s per unit", amount=money(total)), *notes])
                                    + f" = {money(amount)}")
        return shares
    parts = parts_of(basis, mix)
    overridden = sum(rule[1] for rule in rules.values() if rule[0] == "override")
    left = total - overridden
    if left < 0:
        raise ValidationError(_("The overrides add up to more than the component's total."), field="amount")
    sharing = [u for u in units if u.id not in rules]
    sums = {k: sum((figure(u, k) for u in sharing), Fraction(0)) for k in parts}
    empty = [k for k, s in sums.items() if s == 0]
    if empty and left:
        raise ValidationError(_("No unit sharing this cost has any %(what)s: choose another basis.",
                                what=UNITS_OF[empty[0]]), field="basis")
    weights, texts = {}, {}
    for unit in sharing:
        factor, notes = multiplier(unit, mods, use_floor, number)
        raw = sum((parts[k] / 100 * figure(unit, k) / sums[k] for k in parts), Fraction(0))
        weights[unit.id] = raw * factor
        terms = [_("%(percent)s%% × %(figure)s of %(sum)s %(what)s", percent=number(parts[k]),
                   figure=number(figure(unit, k)), sum=number(sums[k]), what=UNITS_OF[k]) for k in parts]
        texts[unit.id] = " + ".join(terms) + (" " + " ".join(notes) if notes else "")
    whole = sum(weights.values(), Fraction(0))
    if left and whole == 0:
        raise ValidationError(_("No unit shares this cost (all are exempt, overridden or weigh nothing)."),
                              field="basis")
    exact = {uid: (Fraction(left) * w / whole if whole else Fraction(0)) for uid, w in weights.items()}
    rounded = {uid: int(x // mods.round_to) * mods.round_to for uid, x in exact.items()}
    remainder = left - sum(rounded.values())
    carrier = _carrier(sharing, weights, mods.remainder_unit_id)
    for unit in units:
        rule = rules.get(unit.id)
        if rule is not None:
            shares[unit.id] = _ruled(rule, money)
            continue
        amount = rounded[unit.id]
        why = _("%(total)s × (%(terms)s) / all units' weights = %(exact)s", total=money(left), terms=texts[unit.id],
                exact=money(_round_half_up(exact[unit.id], 1)))
        if mods.round_to > 1:
            why += _(", rounded down to %(amount)s", amount=money(amount))
        if unit.id == carrier and remainder:
            amount += remainder
            why += _(", + %(amount)s rounding remainder (this is the building's remainder unit)", amount=money(remainder))
        shares[unit.id] = Share(amount, why + f" = {money(amount)}")
    return shares


def _ruled(rule, money) -> Share:
    kind, amount = rule
    if kind == "exempt":
        return Share(0, _("exempt by the board = 0"))
    return Share(amount, _("fixed by the board = %(amount)s", amount=money(amount)))


def _carrier(sharing: list[UnitFigures], weights: dict, preferred: int | None) -> int | None:
    carrying = [u.id for u in sharing if weights[u.id] > 0]
    if preferred in carrying:
        return preferred
    return carrying[0] if carrying else None


def _round_half_up(value: Fraction, step: int) -> int:
    steps = (Decimal(value.numerator) / Decimal(value.denominator) / step).quantize(Decimal(1), ROUND_HALF_UP)
    return int(steps) * step
