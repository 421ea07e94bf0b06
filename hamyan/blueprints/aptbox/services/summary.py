"""A unit's position, derived from its charges, late fees and payments (payments settle the oldest
obligation first, the payer's own part of it first, see settle(); what is paid beyond everything
charged is credit), and the summary rows pages
list instead of deriving a whole building per request.

Every write touching a unit's money refreshes its row in the same unit of work; when the box's day
has changed since the rows were worked out (charges fall due and become late by the calendar) the
whole building is refreshed: by the daily job or the first page read of the day (fresh()).
reconcile() derives every row from scratch and compares, and checks each unit's receivable in the
ledger against its charges, late fees and payments."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hamyan.blueprints.aptbox.models import Building, Charge, ChargeRun, UnitPayment, Unit, UnitSummary
from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.dues.bulk import Line
from hamyan.extensions import db
from hamyan.i18n import show_money
from hamyan.ledger.models import Entry, LedgerAccount

FIELDS = ("charged", "paid", "balance", "arrears", "oldest_unpaid_due", "days_late", "status", "next_due",
          "next_amount")
UNIT = "unit"


@dataclass
class Obligation:
    due_date: date
    amount: int
    label: str
    reference: str  # "charge:<id>" or "late:<charge id>"
    owner_part: int = 0  # of amount, what the owner pays (owner-paid components, assessments)
    paid: int = 0
    owner_paid: int = 0  # of paid, what settled the owner's part

    @property
    def unpaid(self) -> int:
        return self.amount - self.paid

    @property
    def owner_unpaid(self) -> int:
        """What the owner still owes of this obligation (the rest of unpaid is the resident's)."""
        return self.owner_part - self.owner_paid


@dataclass
class Position:
    obligations: list = field(default_factory=list)
    values: dict = field(default_factory=dict)


def _obligations(box: Box, unit_ids) -> dict[int, list[Obligation]]:
    out = {uid: [] for uid in unit_ids}
    rows = db.session.execute(
        select(Charge.id, Charge.unit_id, Charge.amount, Charge.owner_part, Charge.due_date, ChargeRun.title)
        .join(ChargeRun, ChargeRun.id == Charge.run_id)
        .where(Charge.box_id == box.id, Charge.unit_id.in_(list(unit_ids) or [0])))
    shares = {}  # charge reference -> the owner's fraction, which its late fee follows
    for charge_id, unit_id, amount, owner_part, due, title in rows:
        out[unit_id].append(Obligation(due, int(amount), title, f"charge:{charge_id}", int(owner_part)))
        shares[f"charge:{charge_id}"] = (int(owner_part), int(amount))
    for row in late.charges(box.id, UNIT, subject_ids=unit_ids):
        if not row.waived:
            owner, whole = shares.get(row.reference, (0, 1))
            out[row.subject_id].append(Obligation(row.charged_on, int(row.amount), _l("Late fee"),
                                                  f"late:{row.reference}", int(row.amount) * owner // whole))
    for items in out.values():
        items.sort(key=lambda o: (o.due_date, o.reference.startswith("late"), o.reference))
    return out


def _paid(box: Box, unit_ids) -> dict[int, dict[str | None, int]]:
    """Each unit's payments (less those reversed) by whose part they pay: owner, resident, None."""
    reversed_ = select(Entry.id).where(Entry.reverses_id == UnitPayment.entry_id).exists()
    rows = db.session.execute(select(UnitPayment.unit_id, UnitPayment.part, func.sum(UnitPayment.amount)).where(
        UnitPayment.box_id == box.id, UnitPayment.unit_id.in_(list(unit_ids) or [0]), ~reversed_)
        .group_by(UnitPayment.unit_id, UnitPayment.part))
    out = {}
    for unit_id, part, total in rows:
        out.setdefault(unit_id, {})[part] = int(total)
    return out


def settle(items: list[Obligation], paid: dict[str | None, int]) -> None:
    """Payments settle a unit's obligations (oldest first): a payment of the owner's part settles
    the owner's part of each first, one of the resident's part the resident's; what is left of
    them, and the payments for the whole unit, then settle whatever remains oldest first (the
    owner's part of an obligation before the resident's); anything left after that is credit."""
    owner, resident = paid.get("owner", 0), paid.get("resident", 0)
    for o in items:
        o.owner_paid = min(owner, o.owner_part)
        theirs = min(resident, o.amount - o.owner_part)
        owner, resident = owner - o.owner_paid, resident - theirs
        o.paid = o.owner_paid + theirs
    left = owner + resident + paid.get(None, 0)
    for o in items:
        take = min(left, o.unpaid)
        o.owner_paid += min(take, o.owner_unpaid)
        o.paid += take
        left -= take


def derive(box: Box, building: Building, unit_ids, today: date) -> dict[int, Position]:
    """Each unit's obligations (with what the payments settled, oldest first) and summary values."""
    obligations, paid = _obligations(box, unit_ids), _paid(box, unit_ids)
    out = {}
    for unit_id in unit_ids:
        items, parts = obligations[unit_id], paid.get(unit_id, {})
        have = sum(parts.values())
        settle(items, parts)
        due = [o for o in items if o.due_date <= today]
        charged = sum(o.amount for o in due)
        late_items = [o for o in due if o.unpaid and dues_status.is_late(o.due_date, building.grace_days, today)]
        oldest = next((o for o in due if o.unpaid), None)
        upcoming = next((o for o in items if o.due_date > today and o.unpaid), None)
        status = (dues_status.status(oldest.amount, oldest.paid, oldest.due_date, building.grace_days, today)
                  if oldest else (dues_status.PAID if due else dues_status.UPCOMING))
        out[unit_id] = Position(items, dict(
            charged=charged, paid=have, balance=charged - have, arrears=sum(o.unpaid for o in late_items),
            oldest_unpaid_due=oldest.due_date if oldest else None,
            days_late=(today - late_items[0].due_date).days if late_items else 0, status=status,
            next_due=upcoming.due_date if upcoming else None, next_amount=upcoming.unpaid if upcoming else 0))
    return out


def owed_by(pos: Position, today: date) -> dict[str, int]:
    """What is owed now (due by today, unpaid) split between the owner and the resident."""
    due = [o for o in pos.obligations if o.due_date <= today and o.unpaid]
    owner = sum(o.owner_unpaid for o in due)
    return {"owner": owner, "resident": sum(o.unpaid for o in due) - owner}


def position(box: Box, building: Building, unit_id: int) -> Position:
    return derive(box, building, [unit_id], clock.today(box))[unit_id]


def refresh(box: Box, unit_ids=None) -> None:
    """Bring these units' rows (None: every unit's) up to date inside the running unit of work."""
    if not uow.active():
        raise RuntimeError("summaries are written by a unit of work")
    db.session.flush()
    building = db.session.get(Building, box.id)
    today = clock.today(box)
    if building.summaries_on != today:
        unit_ids = None
    elif not unit_ids:
        return
    whole = unit_ids is None
    if whole:
        unit_ids = db.session.scalars(select(Unit.id).filter_by(box_id=box.id)).all()
    values = derive(box, building, sorted(set(unit_ids)), today)
    rows = {s.unit_id: s for s in db.session.scalars(select(UnitSummary).where(
        UnitSummary.box_id == box.id, UnitSummary.unit_id.in_(list(values) or [0])))}
    for unit_id, pos in values.items():
        row = rows.get(unit_id)
        if row is None:
            row = UnitSummary(unit_id=unit_id, box_id=box.id)
            db.session.add(row)
        for key, value in pos.values.items():
            setattr(row, key, value)
    if whole:
        building.summaries_on = today
    db.session.flush()


def fresh(box: Box) -> None:
    """The summaries of the box's today: the first read of a new day refreshes them (one box write)."""
    building = db.session.get(Building, box.id)
    if building.summaries_on != clock.today(box):
        with uow.box_transaction(box.id):
            refresh(db.session.get(Box, box.id))


def reconcile() -> list[str]:
    """Every building's summary rows against a from-scratch derivation as of their day, and each
    unit's receivable against its charges + late fees - payments."""
    problems = []
    for building in db.session.scalars(select(Building).order_by(Building.box_id)):
        box = db.session.get(Box, building.box_id)
        unit_ids = db.session.scalars(select(Unit.id).filter_by(box_id=box.id).order_by(Unit.id)).all()
        receivables = {a.subject_id: a.balance for a in db.session.scalars(select(LedgerAccount).filter_by(
            box_id=box.id, subject_kind=UNIT, purpose="receivable"))}
        far = date(9999, 12, 31)
        everything = derive(box, building, unit_ids, far)
        for unit_id, pos in everything.items():
            expected = pos.values["charged"] - pos.values["paid"]
            if receivables.get(unit_id, 0) != expected:
                problems.append(f"aptbox {box.id} unit {unit_id}: receivable {receivables.get(unit_id, 0)} in the "
                                f"ledger, charges - payments = {expected}")
        if building.summaries_on is None:
            continue
        expected = derive(box, building, unit_ids, building.summaries_on)
        rows = {s.unit_id: s for s in db.session.scalars(select(UnitSummary).filter_by(box_id=box.id))}
        for unit_id, pos in expected.items():
            row = rows.get(unit_id)
            if row is None:
                problems.append(f"aptbox {box.id} unit {unit_id}: no summary row")
                continue
            problems.extend(f"aptbox {box.id} unit {unit_id}: {key} is {getattr(row, key)!r}, derived {value!r}"
                            for key, value in pos.values.items() if getattr(row, key) != value)
    return problems


def period_lines(box: Box) -> list[Line]:
    """Every unit with what it owes by its next charge's due date (what is due now, then that
    charge), by number (the bulk entry form): one query."""
    rows = db.session.execute(select(UnitSummary, Unit).join(Unit, Unit.id == UnitSummary.unit_id)
                              .where(UnitSummary.box_id == box.id).order_by(Unit.number, Unit.id)).all()
    lines = []
    for s, unit in rows:
        due_now = max(s.balance, 0)
        upcoming = s.next_amount if s.next_due else 0
        who = unit.resident_name or unit.owner_name
        note = _("%(amount)s of it is already due.", amount=show_money(due_now, box)) if due_now and upcoming else ""
        lines.append(Line(unit.id, _("Unit %(number)s", number=unit.number) + (f" · {who}" if who else ""), due_now + upcoming,
                          note))
    return lines
