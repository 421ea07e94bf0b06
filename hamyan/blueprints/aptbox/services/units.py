"""Units: one by one or imported from CSV (all rows or none), and the people of each unit."""
import csv
import io
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select

from hamyan.blueprints.aptbox.models import PAYERS, Unit, UnitPerson, UnitSummary
from hamyan.boxes import services as boxes
from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import BOARD, RESIDENT, Membership
from hamyan.core import parse, uow
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.i18n import digits, number as num

from .common import manage, number_forms, page_of, unit_of

CSV_COLUMNS = ("number", "floor", "area", "occupants", "parking", "occupied", "owner", "resident")
MAX_UNITS = 2000
YES = {"yes", "y", "true", "1", "occupied", "بله", "آری", "پر"}
NO = {"no", "n", "false", "0", "vacant", "خیر", "نه", "خالی"}


def unit_values(row: dict) -> dict:
    """A unit's fields parsed from what a form, the API or a CSV row carries; every bad field at once."""
    errors, out = {}, {}

    def attempt(name, parser):
        try:
            out[name] = parser(row.get(name))
        except ValidationError as error:
            errors.update(error.fields)

    attempt("number", lambda v: parse.text(v, "number", label=_("Unit number"), limit=20))
    attempt("floor", lambda v: parse.whole(v if v not in (None, "") else "0", "floor", -10, 200, _("Floor")))
    attempt("area", area)
    attempt("occupants", lambda v: parse.whole(v if v not in (None, "") else "0", "occupants", 0, 100,
                                               _("Occupants")))
    attempt("parking", lambda v: parse.whole(v if v not in (None, "") else "0", "parking", 0, 20,
                                             _("Parking spaces")))
    attempt("occupied", occupied)
    attempt("owner_name", lambda v: parse.text(v if v is not None else row.get("owner"), "owner", label=_("Owner"),
                                               limit=120, required=False))
    attempt("resident_name", lambda v: parse.text(v if v is not None else row.get("resident"), "resident",
                                                  label=_("Resident"), limit=120, required=False))
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)
    return out


def area(value) -> Decimal:
    raw = parse.normalize(value)
    if raw.startswith("-"):
        raise ValidationError(_("Area must be more than 0 m²."), field="area")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(digits(_("Enter the area in m², e.g. 85.5.")), field="area") from None
    if not number.is_finite() or number <= 0 or number > 100000 or number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("Area must be more than 0 m², at most 100,000, with at most 2 decimals."), field="area")
    return number


def occupied(value) -> bool:
    if isinstance(value, bool):
        return value
    raw = str(value if value is not None else "yes").strip().lower()
    if raw in YES or raw == "":
        return True
    if raw in NO:
        return False
    raise ValidationError(_("Occupied is yes or no."), field="occupied")


def _refresh(box, unit_ids):
    from .summary import refresh

    refresh(box, unit_ids)


@uow.box_write
def add_unit(actor, box_id, **values) -> Unit:
    acc = manage(actor, box_id)
    parsed = unit_values(values)
    _refuse_taken(acc.box.id, [parsed["number"]])
    unit = Unit(box_id=acc.box.id, **parsed)
    db.session.add(unit)
    db.session.flush()
    _refresh(acc.box, [unit.id])
    return unit


@uow.box_write
def update_unit(actor, box_id, unit_id, **values) -> Unit:
    """Change a unit's figures: later charges use them; charges already issued keep theirs."""
    acc = manage(actor, box_id)
    unit = unit_of(acc, unit_id)
    parsed = unit_values(values)
    if parse.latin_digits(parsed["number"]) != parse.latin_digits(unit.number):
        _refuse_taken(acc.box.id, [parsed["number"]])
    for name, value in parsed.items():
        setattr(unit, name, value)
    return unit


def _refuse_taken(box_id: int, numbers: list[str]) -> None:
    forms = set().union(*map(number_forms, numbers))
    taken = db.session.scalars(select(Unit.number).where(Unit.box_id == box_id, Unit.number.in_(forms))).all()
    if taken:
        raise Conflict(_("Unit %(number)s already exists in this building.", number=taken[0]), field="number")


class ImportError_(ValidationError):
    """A CSV with bad rows: `rows` lists (line, message) for each, and nothing was written."""

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__(ngettext("%(num)s row has errors; nothing was imported.",
                                  "%(num)s rows have errors; nothing was imported.", len(rows)), field="file")
        self.rows = rows


def read_csv(data: bytes | str) -> list[dict]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Save the file as CSV in UTF-8."), field="file") from None
    reader = csv.DictReader(io.StringIO(data))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("number", "area") if c not in header]
    if missing:
        raise ValidationError(_("The first line must name the columns: %(columns)s (missing: %(missing)s).",
                                columns=", ".join(CSV_COLUMNS), missing=", ".join(missing)), field="file")
    reader.fieldnames = header
    rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    if not rows:
        raise ValidationError(_("The file has no units."), field="file")
    if len(rows) > MAX_UNITS:
        raise ValidationError(_("At most %(count)s units at once.", count=num(MAX_UNITS)), field="file")
    return rows


@uow.box_write
def import_units(actor, box_id, data: bytes | str) -> list[Unit]:
    """Every row valid, or nothing written and ImportError_ lists each bad row by its line number."""
    acc = manage(actor, box_id)
    rows, problems, parsed = read_csv(data), [], []
    seen = {}
    existing = {parse.latin_digits(n) for n in db.session.scalars(select(Unit.number).where(Unit.box_id == acc.box.id))}
    for line, row in enumerate(rows, start=2):
        try:
            values = unit_values(row)
        except ValidationError as error:
            problems.append((line, error.message))
            continue
        same = parse.latin_digits(values["number"])  # ۱۲ and 12 are one unit
        if same in existing:
            problems.append((line, _("Unit %(number)s already exists in this building.", number=values["number"])))
        elif same in seen:
            problems.append((line, _("Unit %(number)s is also on line %(line)s.", number=values["number"],
                                     line=num(seen[same]))))
        seen.setdefault(same, line)
        parsed.append(values)
    if problems:
        raise ImportError_(problems)
    units = [Unit(box_id=acc.box.id, **values) for values in parsed]
    db.session.add_all(units)
    db.session.flush()
    _refresh(acc.box, [u.id for u in units])
    return units


@uow.box_write
def add_person(actor, box_id, unit_id, name: str, email: str | None, relation: str,
               board: bool = False, invite: bool = True, same_name_ok: bool = False) -> UnitPerson:
    """Someone of a unit (an owner, several for a co-owned unit, or the resident) becomes a member of
    the building (role resident, or board) and, with an email, is invited to sign in. Someone who is
    a member already (a board member living in the building; an owner of two units), named by their
    email, is tied to this unit too. A new person with the name of another member needs
    same_name_ok (boxes.services.SameName), as in every product."""
    acc = manage(actor, box_id)
    unit = unit_of(acc, unit_id)
    parse.choice(relation, PAYERS, "relation", _("Relation"))
    membership = _member_by_email(acc.box.id, email) or boxes.add_member(
        actor, acc.box.id, name, email, BOARD if board else RESIDENT, same_name_ok)
    if db.session.scalar(select(UnitPerson.id).filter_by(unit_id=unit.id, membership_id=membership.id)):
        raise Conflict(_("%(name)s is already tied to unit %(number)s.", name=membership.display_name, number=unit.number),
                       field="email")
    person = UnitPerson(unit_id=unit.id, membership_id=membership.id, relation=relation)
    db.session.add(person)
    if relation == "owner" and not unit.owner_name:
        unit.owner_name = membership.display_name
    if relation == "resident" and not unit.resident_name:
        unit.resident_name = membership.display_name
    if invite and membership.email and membership.user_id is None:
        boxes.invite(actor, acc.box.id, membership.email, membership_id=membership.id)
    db.session.flush()
    return person


def _member_by_email(box_id: int, email: str | None) -> Membership | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.scalar(select(Membership).outerjoin(User, User.id == Membership.user_id).where(
        Membership.box_id == box_id, Membership.left_at.is_(None),
        (func.lower(Membership.email) == email) | (func.lower(User.email) == email)).limit(1))


def units_of(box_id: int, ids=None) -> list[Unit]:
    query = select(Unit).where(Unit.box_id == box_id)
    if ids is not None:
        query = query.where(Unit.id.in_(list(ids) or [0]))
    return sorted(db.session.scalars(query), key=natural)


def natural(unit: Unit):
    """Units in the order people count them: 2 before 10, A2 before A10."""
    number = unit.number
    digits = "".join(c for c in number if c.isdigit())
    return (number.rstrip("0123456789"), int(digits) if digits.isdigit() and len(digits) < 10 else 0, number)


def people_of(unit_ids) -> dict[int, list[UnitPerson]]:
    out = {}
    for person in db.session.scalars(select(UnitPerson).where(UnitPerson.unit_id.in_(list(unit_ids) or [0]))):
        out.setdefault(person.unit_id, []).append(person)
    return out


def units_page(acc, page: int = 1, q: str = "", size: int = 50, mine: bool = False
               ) -> tuple[list[tuple[Unit, UnitSummary]], int]:
    """One page of the units the viewer may see (mine: only their own, a board member's too) with
    their summary rows (two queries)."""
    query = select(Unit, UnitSummary).outerjoin(UnitSummary, UnitSummary.unit_id == Unit.id).where(
        Unit.box_id == acc.box.id)
    if mine or not acc.is_board:
        query = query.where(Unit.id.in_(list(acc.unit_ids) or [0]))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(Unit.number.like(like) | Unit.owner_name.like(like) | Unit.resident_name.like(like))
    return page_of(query.order_by(func.length(Unit.number), Unit.number), page, size)


def removal_blockers(box, membership: Membership) -> list[str]:
    """What keeps a member in the building's box (boxes.services.why_not_remove): a unit they own
    or live in (take them off the unit's page first)."""
    return [_("are the owner of unit %(unit)s (take them off the unit's page first)", unit=number)
            if relation == "owner" else
            _("are the resident of unit %(unit)s (take them off the unit's page first)", unit=number)
            for relation, number in db.session.execute(
                select(UnitPerson.relation, Unit.number).join(Unit, Unit.id == UnitPerson.unit_id)
                .where(Unit.box_id == box.id, UnitPerson.membership_id == membership.id).order_by(Unit.number))]
