"""Helpers every aptbox rule shares: access, accounts and posting, input checks, idempotency."""
import hashlib
import json
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from hamyan.blueprints.aptbox.models import Building, Unit, UnitPerson
from hamyan.boxes.access import MANAGE, VIEW, Principal, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.core.parse import fields  # noqa: F401 (the aptbox rules' modules import it from here)
from hamyan.dues import calendar
from hamyan.extensions import db
from hamyan.i18n import digits, show_money
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET, EXPENSE, INCOME
from hamyan.money import PERSIAN_DIGITS

KIND = "aptbox"
PAGE_SIZE = 50


def page_of(rows: Select, page: int, size: int) -> tuple[list, int]:
    """`size` rows of an ordered select from page `page` on, and how many it has in all: how each of the
    building's lists pages (page and size in, rows and total out), so a page can show its total. A page
    past the last is empty, as the API has always answered; the web pages ask for their last one."""
    total = db.session.scalar(select(func.count()).select_from(rows.order_by(None).subquery()))
    page = min(max(page, 1), parse.MAX_ID // size)
    found = db.session.execute(rows.limit(size).offset((page - 1) * size))
    return (found.scalars().all() if len(rows.column_descriptions) == 1 else [tuple(r) for r in found]), total


@dataclass
class Access:
    box: Box
    building: Building
    membership: Membership | None
    is_board: bool
    unit_ids: frozenset  # the units the viewer is tied to (owner or resident)

    def may_see_unit(self, unit_id: int) -> bool:
        return self.is_board or unit_id in self.unit_ids


def access(actor, box_id, action: str = VIEW) -> Access:
    """The building as this user or principal may see it: NotFound for outsiders and other kinds
    of box, Forbidden for a resident asking for the board's action."""
    allowed = authorize(actor, box_id, action, KIND)
    building = db.session.get(Building, allowed.box.id)
    if building is None:
        raise NotFound()
    units = frozenset()
    if allowed.membership is not None:
        units = frozenset(db.session.scalars(select(UnitPerson.unit_id).filter_by(
            membership_id=allowed.membership.id)))
    return Access(allowed.box, building, allowed.membership, allowed.can_manage, units)


def manage(actor, box_id) -> Access:
    return access(actor, box_id, MANAGE)


def number_forms(number: str) -> set[str]:
    """A unit number as it may be stored: as typed, in Latin digits and in Persian digits (۱۲ and 12
    are one unit)."""
    latin = parse.latin_digits(number)
    return {number, latin, latin.translate(PERSIAN_DIGITS)}


def unit_numbered(box_id: int, number, field: str) -> Unit:
    """The building's unit of the number someone typed, in Persian or Latin digits alike (۱۲ finds
    unit 12, and 12 a unit numbered ۱۲): a clear error on `field` when there is none."""
    typed = str(number or "").strip()
    unit = db.session.scalar(select(Unit).where(Unit.box_id == box_id, Unit.number.in_(number_forms(typed)))
                             .order_by(Unit.id).limit(1))
    if unit is None:
        raise ValidationError(_("There is no unit %(number)s in this building.", number=typed or _("(empty)")),
                              field=field)
    return unit


def unit_of(acc: Access, unit_id) -> Unit:
    """A unit the viewer may see: the board sees every unit, a resident their own; others 404."""
    number = parse.record_id(unit_id)
    unit = db.session.get(Unit, number) if number else None
    if unit is None or unit.box_id != acc.box.id or not acc.may_see_unit(unit.id):
        raise NotFound(_("No such unit in this building."))
    return unit


def by(actor) -> int | None:
    return Principal.of(actor).user_id if actor is not None else None


# ------------------------------------------------------------------------------ the ledger
BOX_ACCOUNTS = {
    "apt:fund:operating": ("Operating fund", ASSET, "operating"),
    "apt:fund:reserve": ("Reserve fund", ASSET, "reserve"),
    "apt:income:charges": ("Monthly charges", INCOME, "charges"),
    "apt:income:assessments": ("Special assessments", INCOME, "assessments"),
    "apt:income:late_fees": ("Late fees", INCOME, "late_fees"),
}


def account(box: Box, code: str):
    if code in BOX_ACCOUNTS:
        name, type_, purpose = BOX_ACCOUNTS[code]
        return ledger.open_account(box.id, code, name, box.currency, type=type_, subject=("box", box.id),
                                   purpose=purpose)
    _, owner, ident = code.split(":", 2)
    if owner == "unit":
        return ledger.open_account(box.id, code, f"Unit {ident} receivable", box.currency, type=ASSET,
                                   subject=("unit", int(ident)), purpose="receivable")
    return ledger.open_account(box.id, code, f"Expenses: {ident}", box.currency, type=EXPENSE,
                               subject=("box", box.id), purpose=ident)


def unit_account(box: Box, unit_id: int):
    return account(box, f"apt:unit:{unit_id}")


def fund_account(box: Box, fund: str):
    return account(box, f"apt:fund:{fund}")


def post(box: Box, actor, code: str, legs: list, key: str, on: date, memo: str):
    return ledger.post(code, [(a, n) for a, n in legs if n], idempotency_key=f"apt:{box.id}:{key}",
                       effective_date=on, memo=memo, box_id=box.id, created_by_id=by(actor))


def fund_balances(box: Box, as_of: date | None = None) -> dict[str, int]:
    totals = ledger.balances_by_type(box.id, as_of)
    return {"operating": totals.of(ASSET, "operating"), "reserve": totals.of(ASSET, "reserve")}


# ------------------------------------------------------------------------------ input
def money(box: Box, amount: int) -> str:
    """An amount as the page (or the message) writes it: its language, digits and unit (i18n.show_money)."""
    return show_money(amount, box)


def not_future(box: Box, on, field: str) -> date:
    today = clock.today(box)
    on = calendar.parse_day(on, box.calendar, field) if on not in (None, "") else today
    if on > today:
        raise ValidationError(_("This date is in the future; record money on the day it moved."), field=field)
    if (today - on).days > 3660:
        raise ValidationError(_("Choose a date within the last ten years."), field=field)
    return on


def row_of(model, box_id: int, row_id, missing: str):
    """The building's row of `model` with this id (from a URL or a body), or NotFound saying `missing`."""
    number = parse.record_id(row_id)
    row = db.session.get(model, number) if number else None
    if row is None or row.box_id != box_id:
        raise NotFound(missing)
    return row


def request_key(key) -> str:
    key = str(key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError(_("A request key of 1 to 100 characters is required."), field="key")
    return key


def request_hash(**carried) -> str:
    return hashlib.sha256(json.dumps(carried, sort_keys=True, default=str).encode()).hexdigest()


def same_request(existing, digest: str) -> None:
    if existing.request_hash != digest:
        raise Conflict(_("This key was already used for a different request; send a new Idempotency-Key "
                         "(or reload the form)."), field="key")


# ------------------------------------------------------------------------------ months
def month_of(box: Box, day: date) -> tuple[int, int]:
    """The (year, month) of a day in the box's calendar."""
    return calendar.month_of(day, box.calendar)


def day_in_month(box: Box, year: int, month: int, day: int) -> date:
    """A day of a month of the box's calendar, as a date (clamped to the month's last day)."""
    try:
        return calendar.day_in_month(year, month, day, box.calendar)
    except ValueError:
        raise ValidationError(_("No such month."), field="month") from None


def parse_month(box: Box, value) -> tuple[int, int]:
    """"1404-09" or "2026-03" (any digits) -> (year, month) of the box's calendar."""
    raw = parse.normalize(value).replace("/", "-")
    parts = raw.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        example = "1404-09" if box.calendar == "persian" else "2026-03"
        raise ValidationError(_("Enter a month as YYYY-MM, e.g. %(example)s.", example=digits(example, box)),
                              field="month")
    year, month = int(parts[0]), int(parts[1])
    current = month_of(box, clock.today(box))[0]
    if not 1 <= month <= 12:
        raise ValidationError(_("No such month."), field="month")
    if abs(year - current) > 20:
        raise ValidationError(_("Choose a month within 20 years of today."), field="month")
    return year, month
