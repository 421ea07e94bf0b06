"""Read-only views of a building built from the ledger: fund balances, income and expenses per
month and by category (drawn as server-side SVG), the board's monthly statement (a report job:
big buildings make long PDFs) and a unit's statement (instant), and CSV exports."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import CATEGORY_NAMES, Building, Charge, ChargeRun, Expense, Unit, UnitPayment, UnitPerson, UnitSummary
from hamyan.blueprints.aptbox.services.summary import derive
from hamyan.boxes.models import Box
from hamyan.core import clock
from hamyan.dues import calendar
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET, EXPENSE, INCOME, Entry, LedgerAccount, Posting
from hamyan.i18n import digits, show_money
from hamyan.statements import check_period, render_pdf
from hamyan.statements.stakeholder import summed

INCOME_KINDS = (("charges", _l("Monthly charges")), ("assessments", _l("Special assessments")), ("late_fees", _l("Late fees")))


def month_bounds(box: Box, year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month of the box's calendar."""
    return calendar.month_bounds(year, month, box.calendar)


def _flows(box: Box, start: date, end: date) -> list[tuple[date, str, str, int]]:
    """(day, type, purpose, natural amount) of the income and expense postings in [start, end]."""
    rows = db.session.execute(
        select(Entry.effective_date, LedgerAccount.type, LedgerAccount.purpose, func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == Entry.id).join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(LedgerAccount.box_id == box.id, LedgerAccount.type.in_((INCOME, EXPENSE)),
               Entry.effective_date >= start, Entry.effective_date <= end)
        .group_by(Entry.effective_date, LedgerAccount.type, LedgerAccount.purpose))
    return [(d, t, p, int(n) * (-1 if t == INCOME else 1)) for d, t, p, n in rows]


@dataclass
class MonthBar:
    label: str
    income: int
    expenses: int


def months(box: Box, count: int = 12) -> list[MonthBar]:
    """Income (charged) and expenses per month of the box's calendar, the last `count` months."""
    year, month = services.month_of(box, clock.today(box))
    keys = []
    for _ in range(count):
        keys.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    keys.reverse()
    start, end = month_bounds(box, *keys[0])[0], month_bounds(box, *keys[-1])[1]
    bars = {k: MonthBar(f"{k[0] % 100:02d}/{k[1]:02d}", 0, 0) for k in keys}
    for day, type_, _, amount in _flows(box, start, end):
        bar = bars[services.month_of(box, day)]
        if type_ == INCOME:
            bar.income += amount
        else:
            bar.expenses += amount
    return list(bars.values())


def by_category(box: Box, start: date, end: date) -> list[tuple[str, int]]:
    totals = {}
    for _, type_, purpose, amount in _flows(box, start, end):
        if type_ == EXPENSE:
            totals[purpose] = totals.get(purpose, 0) + amount
    return sorted(((k, v) for k, v in totals.items() if v), key=lambda kv: -kv[1])


# ------------------------------------------------------------------------------------ SVG
PALETTE = ("#1f5f5b", "#e07a5f", "#3d405b", "#81b29a", "#f2cc8f", "#6d597a", "#b56576", "#355070", "#eaac8b",
           "#84a59d", "#999999")


@dataclass
class Svg:
    """A chart's drawing instructions, computed here so the template only prints them."""
    width: int
    height: int
    rects: list = field(default_factory=list)  # (x, y, w, h, colour, title)
    labels: list = field(default_factory=list)  # (x, y, text, anchor)


def bars_svg(box: Box, bars: list[MonthBar]) -> Svg:
    width, height, top, bottom = 640, 240, 10, 30
    peak = max([b.income for b in bars] + [b.expenses for b in bars] + [1])
    slot = width / max(len(bars), 1)
    svg = Svg(width, height)
    scale = (height - top - bottom) / peak
    for i, bar in enumerate(bars):
        x = i * slot + slot * 0.15
        for j, (value, colour, what) in enumerate(((bar.income, PALETTE[0], _("%(month)s income: %(amount)s")),
                                                   (bar.expenses, PALETTE[1], _("%(month)s expenses: %(amount)s")))):
            h = value * scale
            svg.rects.append((round(x + j * slot * 0.35, 1), round(height - bottom - h, 1), round(slot * 0.33, 1),
                              round(h, 1), colour,
                              what % {"month": digits(bar.label, box), "amount": show_money(value, box, plain=True)}))
        svg.labels.append((round(i * slot + slot / 2, 1), height - 10, digits(bar.label, box), "middle"))
    return svg


def category_svg(box: Box, rows: list[tuple[str, int]]) -> Svg:
    row_height, label_width, width = 32, 120, 640
    peak = max([v for code, v in rows] + [1])
    svg = Svg(width, max(row_height * len(rows), row_height))
    for i, (code, amount) in enumerate(rows):
        category = str(CATEGORY_NAMES.get(code, code))
        w = (width - label_width - 150) * amount / peak
        y = i * row_height + 4
        svg.rects.append((label_width, y, round(w, 1), row_height - 8, PALETTE[i % len(PALETTE)],
                          f"{category}: {show_money(amount, box, plain=True)}"))
        svg.labels.append((label_width - 6, y + row_height - 12, category, "end"))
        svg.labels.append((round(label_width + w + 6, 1), y + row_height - 12,
                           show_money(amount, box, plain=True), "start"))
    return svg


# ------------------------------------------------------------------------------------ statements
@dataclass
class BoardStatement:
    box: Box
    start: date
    end: date
    opening: dict  # fund -> balance the day before start
    closing: dict
    income: list  # (label, amount)
    collected: int  # payments received in the period
    expenses: list  # (category, amount)
    transfers: int
    arrears: list  # (unit number, owed, arrears, days late)
    receivable: int  # what units owe (net of credit) at the end, from the ledger

    @property
    def total_income(self) -> int:
        return sum(a for _, a in self.income)

    @property
    def total_expenses(self) -> int:
        return sum(a for _, a in self.expenses)


def board_statement(box: Box, start: date, end: date) -> BoardStatement:
    start, end = check_period(start, end)
    before = start - timedelta(days=1)
    opening, closing = services.fund_balances(box, before), services.fund_balances(box, end)
    flows = _flows(box, start, end)
    income = [(label, sum(a for _, t, p, a in flows if t == INCOME and p == kind)) for kind, label in INCOME_KINDS]
    expenses = {}
    for _, t, p, a in flows:
        if t == EXPENSE:
            expenses[p] = expenses.get(p, 0) + a
    collected = int(db.session.scalar(select(func.coalesce(func.sum(UnitPayment.amount), 0)).where(
        UnitPayment.box_id == box.id, UnitPayment.paid_on >= start, UnitPayment.paid_on <= end)))
    building = db.session.get(Building, box.id)
    unit_ids = db.session.scalars(select(Unit.id).filter_by(box_id=box.id)).all()
    numbers = dict(db.session.execute(select(Unit.id, Unit.number).filter_by(box_id=box.id)).all())
    positions = derive(box, building, unit_ids, end)
    arrears = sorted(((numbers[uid], p.values["balance"], p.values["arrears"], p.values["days_late"])
                      for uid, p in positions.items() if p.values["arrears"] > 0), key=lambda r: (-r[2], r[0]))
    receivable = ledger.balances_by_type(box.id, end).of(ASSET, "receivable")
    transfers = services.funds.transferred(box.id, start, end)
    expenses = [(str(CATEGORY_NAMES.get(code, code)), amount) for code, amount in sorted(expenses.items(), key=lambda kv: -kv[1])]
    return BoardStatement(box, start, end, opening, closing, income, collected, expenses, transfers, arrears, receivable)


def render_board_statement(box: Box, params: dict, progress=None) -> bytes:
    """The report job's renderer (Product.reports["board"])."""
    statement = board_statement(box, date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    if progress:
        progress(40)
    return render_pdf("statements/aptbox_board.html", progress=progress, box=box, s=statement,
                      statement=statement)


def owed_today(box: Box, unit_ids) -> dict[int, dict[str, int]]:
    """What each unit's owner and resident owe today (services.owed_by), for the statements."""
    today = clock.today(box)
    positions = derive(box, db.session.get(Building, box.id), list(unit_ids), today)
    return {unit_id: services.owed_by(pos, today) for unit_id, pos in positions.items()}


def unit_statement_pdf(box: Box, unit: Unit, start: date, end: date) -> bytes:
    statement = services.unit_statement(box, unit, start, end)
    return render_pdf("statements/aptbox_unit.html", box=box, unit=unit, statement=statement,
                      parts=owed_today(box, [unit.id])[unit.id], today=clock.today(box))


def member_statement_pdf(box: Box, membership, start: date, end: date) -> bytes | None:
    """The statements of the units a member is linked to (owner or resident), as the
    statements.monthly job emails them; None for someone linked to no unit (a board member)."""
    units = services.units_of(box.id, db.session.scalars(select(UnitPerson.unit_id).filter_by(
        membership_id=membership.id)).all())
    if not units:
        return None
    return render_pdf("statements/aptbox_units.html", box=box,
                      statements=[(unit, services.unit_statement(box, unit, start, end)) for unit in units],
                      statement={"title": _("Unit statement"), "start": start, "end": end})


def render_unit_statements(box: Box, params: dict, progress=None) -> bytes:
    """Every unit's statement for the period in one PDF, a unit per page (or more): what the board
    hands out at month end. One document, because WeasyPrint's fixed cost per document (about
    0.3 s) would otherwise be paid 200 times for a 200-unit building."""
    start, end = check_period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    units = services.units_of(box.id)
    statements = []
    for i, unit in enumerate(units):
        statements.append((unit, services.unit_statement(box, unit, start, end)))
        if progress and i % 50 == 49:
            progress(40 * (i + 1) // len(units))
    return render_pdf("statements/aptbox_units.html", progress=progress, box=box, statements=statements,
                      statement={"title": _("Unit statements"), "start": start, "end": end},
                      parts=owed_today(box, [u.id for u in units]), today=clock.today(box))


def this_month(box: Box) -> tuple[date, date]:
    return month_bounds(box, *services.month_of(box, clock.today(box)))


# ------------------------------------------------------------------------------------ CSV
def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()  # a BOM, so spreadsheet programs read Persian names as UTF-8


def _day(box: Box, day: date) -> str:
    from hamyan.dues.calendar import format_day

    return format_day(day, box.calendar, box.locale)


def ledger_csv(box: Box, unit: Unit) -> str:
    return _csv([_("date"), _("description"), _("charged"), _("paid"), _("balance")],
                ([_day(box, line.day), line.memo, line.charged, line.paid, line.balance]
                 for line in services.unit_ledger(box, unit)))


def charges_csv(box: Box) -> str:
    rows = db.session.execute(select(ChargeRun.due_date, ChargeRun.title, Unit.number, Charge.amount, Charge.owner_part)
                              .join(Charge, Charge.run_id == ChargeRun.id).join(Unit, Unit.id == Charge.unit_id)
                              .where(ChargeRun.box_id == box.id).order_by(ChargeRun.due_date, ChargeRun.id, Unit.number))
    return _csv([_("due"), _("charge"), _("unit"), _("amount"), _("owner_part")],
                ([_day(box, d), title, number, amount, owner] for d, title, number, amount, owner in rows))


def expenses_csv(box: Box) -> str:
    rows = db.session.scalars(select(Expense).filter_by(box_id=box.id).order_by(Expense.spent_on, Expense.id))
    return _csv([_("date"), _("fund"), _("category"), _("vendor"), _("amount"), _("status"), _("note"),
                 _("decision")],
                ([_day(box, e.spent_on), e.fund, e.category, e.vendor, e.amount, e.status, e.note, e.decision or ""]
                 for e in rows))


def standing() -> dict:
    """Where members of every aptbox stand, per currency, for the stakeholder report (descriptor's `standing`)."""
    return summed(UnitSummary.charged, UnitSummary.paid, UnitSummary.arrears)
def subject_members(subjects: list[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
    """Each unit's owner and resident, whose receipts its payments and waived fees are."""
    from hamyan.blueprints.aptbox.models import UnitPerson

    unit_ids = [subject_id for kind, subject_id in subjects if kind == "unit"]
    found = {}
    for unit_id, membership_id in db.session.execute(select(UnitPerson.unit_id, UnitPerson.membership_id).where(
            UnitPerson.unit_id.in_(unit_ids))) if unit_ids else []:
        found.setdefault(("unit", unit_id), []).append(membership_id)
    return found


def member_subjects(membership_ids: list[int]) -> list[tuple[str, int]]:
    """The units these members own or live in: their ledger accounts are the members' too ("my money")."""
    from hamyan.blueprints.aptbox.models import UnitPerson

    return [("unit", unit_id) for unit_id in db.session.scalars(select(UnitPerson.unit_id).distinct().where(
        UnitPerson.membership_id.in_(membership_ids)))]


def figures(box_ids):
    """Each box's dues, arrears for the dashboards (hamyan.analytics), from the summaries."""
    from hamyan.analytics.figures import summed
    from hamyan.blueprints.aptbox.models import UnitSummary

    return summed(UnitSummary.box_id, UnitSummary.charged, UnitSummary.arrears, box_ids)


def upcoming(membership_ids: list[int], today: date) -> list:
    """The next charge of these members' units ("my money")."""
    from hamyan.blueprints.aptbox.models import UnitPerson, UnitSummary
    from hamyan.hamyar.mymoney import Upcoming

    return [Upcoming(row.box_id, _("Next charge of unit %(number)s", number=number), row.next_due, row.next_amount)
            for row, number in db.session.execute(
                select(UnitSummary, Unit.number).join(Unit, Unit.id == UnitSummary.unit_id)
                .where(UnitSummary.unit_id.in_(select(UnitPerson.unit_id).where(UnitPerson.membership_id.in_(membership_ids))),
                       UnitSummary.next_due.is_not(None)).distinct())]
