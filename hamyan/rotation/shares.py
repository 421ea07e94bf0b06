"""A share (a seat) may be held in parts (Fractions summing to one). Any amount of the share, a
contribution or a payout, is split between its holders with money.allocate: each part floored,
the units left over to the largest fractional remainders, ties to the holder listed first. So the
parts always add up to the whole, and the same amount always splits the same way."""
from fractions import Fraction

from flask_babel import gettext as _

from hamyan import money
from hamyan.core import parse
from hamyan.core.errors import ValidationError
from hamyan.i18n import digits


def split(amount: int, fractions: list) -> list[int]:
    return money.allocate(amount, [Fraction(f) for f in fractions])


def fully_held(fractions: list) -> bool:
    return sum((Fraction(f) for f in fractions), Fraction(0)) == 1


def holders(rows: list[tuple], member, what: str) -> list[tuple]:
    """Who is to hold a share or seat: [(membership id, fraction text), ...] -> [(membership,
    Fraction), ...], each member once, the parts adding up to at most one (a share may be partly
    held while it is on offer). `member(id)` finds a member of the box or raises; `what` names the
    share in messages, in the request's language ("share 3", "seat 3")."""
    parsed, seen = [], set()
    for membership_id, fraction in rows:
        m = member(membership_id)
        if m.id in seen:
            raise ValidationError(_("%(name)s is listed twice on %(what)s.", name=m.display_name, what=what), field="holders")
        seen.add(m.id)
        parsed.append((m, parse.fraction(fraction, field="holders")))
    held = sum((f for _, f in parsed), Fraction(0))
    if held > 1:
        raise ValidationError(_("The parts of %(what)s add up to %(held)s, more than one whole.", what=what,
                                held=digits(held)), field="holders")
    return parsed
