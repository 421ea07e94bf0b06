"""The monthly stakeholder report: the platform's figures for last month against the month before,
as CSV and PDF, kept under instance/reports/stakeholder/ and emailed to every admin (once a month:
dedupe key per admin and month).

Figures (money per currency, in minor units): users (all, new), boxes per product (all, active: at
least one ledger entry effective in the month), money moved (the sum of the debit legs of the
month's entries), late charges (charged, waived excluded), and their growth against the month before.

Where members stand when the report is made, per currency, from every product's summary rows
(its descriptor's `standing`): the collection rate (what members paid of what they owed by then,
each member's payments counted up to what they owed), arrears, loans outstanding and at risk (more
than AT_RISK_DAYS overdue). Summary rows hold only today, so the month before is read from last
month's report when it was kept.

Each admin reads the PDF and the email in their own language (notify.services.speaking): one PDF per
language spoken; the CSV, whose figure names next month's report reads back, stays in English.
The reports are kept: admins list and download them in the console (`kept`, `kept_file`)."""
import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.core.errors import NotFound
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.i18n import digits as number_text
from hamyan.i18n import LANGUAGE_NAMES, number
from hamyan.ledger.models import Entry, Posting
from hamyan.notify import services as notify


@dataclass
class Figures:
    start: date
    end: date
    users: int = 0
    new_users: int = 0
    boxes: dict = field(default_factory=dict)  # kind -> (all, active)
    money_moved: dict = field(default_factory=dict)  # currency -> minor units
    late_charges: dict = field(default_factory=dict)  # currency -> minor units


AT_RISK_DAYS = 30
FOLDER = os.path.join("reports", "stakeholder")  # in the instance folder
# What `make` writes: the CSV and the PDFs, a language's other than the default's named .<language>.pdf
KEPT_NAME = re.compile(r"stakeholder-(?P<month>[0-9]{4}-[0-9]{2})(?:\.(?P<language>[a-z]{2}))?\.(?:csv|pdf)")


class Figure(str):
    """A figure's name in the CSV (English and stable: next month's report reads its values back by
    it), with its label for people (lazy: in the language being written)."""

    def __new__(cls, name: str, label):
        figure = super().__new__(cls, name)
        figure.label = label
        return figure


@dataclass
class Standing:
    """Where members of one currency's boxes stand (minor units)."""
    due: int = 0  # owed by the summaries' day: contributions, charges
    collected: int = 0  # of it, paid
    arrears: int = 0
    loans: int = 0  # principal outstanding
    loans_at_risk: int = 0  # of it, of borrowers with a loan more than AT_RISK_DAYS overdue

    def add(self, other: "Standing") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def summed(due, paid, arrears, loans=None, overdue_days=None) -> dict[str, Standing]:
    """A product's standing per currency from its summary table's columns (one query): what a
    product's `standing` hook returns. `loans`, `overdue_days`: outstanding principal and days overdue."""
    columns = [func.sum(due), func.sum(case((paid < due, paid), else_=due)), func.sum(arrears)]
    if loans is not None:
        columns += [func.sum(loans), func.sum(case((overdue_days > AT_RISK_DAYS, loans), else_=0))]
    table = due.class_
    query = select(Box.currency, *columns).join(Box, Box.id == table.box_id).group_by(Box.currency)
    return {currency: Standing(*(int(value or 0) for value in values))
            for currency, *values in db.session.execute(query)}


def standing() -> dict[str, Standing]:
    """Every product's standing, per currency."""
    from hamyan.blueprints import PRODUCTS  # the products sit above statements; only this needs them

    total = {}
    for product in PRODUCTS:
        if product.standing:
            for currency, found in product.load("standing")().items():
                total.setdefault(currency, Standing()).add(found)
    return total


def month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def figures(start: date, end: date) -> Figures:
    until = datetime.combine(end + timedelta(days=1), time())
    found = Figures(start, end)
    found.users = db.session.scalar(select(func.count(User.id)).where(User.created_at < until))
    found.new_users = db.session.scalar(select(func.count(User.id)).where(
        User.created_at >= datetime.combine(start, time()), User.created_at < until))
    active = dict(db.session.execute(select(Box.kind, func.count(func.distinct(Entry.box_id))).join(
        Entry, Entry.box_id == Box.id).where(Entry.effective_date >= start, Entry.effective_date <= end)
        .group_by(Box.kind)).all())
    for kind, count in db.session.execute(select(Box.kind, func.count(Box.id)).where(Box.created_at < until)
                                          .group_by(Box.kind)):
        found.boxes[kind] = (count, active.get(kind, 0))
    found.money_moved = {currency: int(total) for currency, total in db.session.execute(
        select(Posting.currency, func.sum(Posting.amount)).join(Entry, Entry.id == Posting.entry_id)
        .where(Posting.amount > 0, Entry.effective_date >= start, Entry.effective_date <= end)
        .group_by(Posting.currency))}
    found.late_charges = {currency: int(total) for currency, total in db.session.execute(
        select(Box.currency, func.sum(LateCharge.amount)).join(Box, Box.id == LateCharge.box_id)
        .join(Entry, Entry.id == LateCharge.entry_id).where(
            LateCharge.waiver_entry_id.is_(None), Entry.effective_date >= start, Entry.effective_date <= end)
        .group_by(Box.currency))}
    return found


def rows(now: Figures, before: Figures, standing_now: dict[str, Standing] | None = None,
         previous: dict | None = None) -> list[tuple]:
    """(figure, this month, the month before): what the CSV and the PDF list. Standing figures take
    the month before from `previous` (last month's report: figure -> value), else None."""
    from hamyan.blueprints import product

    out = [(Figure("users", _l("Users")), now.users, before.users),
           (Figure("new users", _l("New users")), now.new_users, before.new_users)]
    for kind in sorted(set(now.boxes) | set(before.boxes)):
        boxes = getattr(product(kind), "title", kind)
        out.append((Figure(f"{kind} boxes", boxes), now.boxes.get(kind, (0, 0))[0],
                    before.boxes.get(kind, (0, 0))[0]))
        out.append((Figure(f"{kind} boxes active", _l("%(boxes)s, active", boxes=boxes)),
                    now.boxes.get(kind, (0, 0))[1], before.boxes.get(kind, (0, 0))[1]))
    for name, attr, label in (("money moved", "money_moved", lambda c: _l("Money moved (%(currency)s)", currency=c)),
                              ("late charges", "late_charges", lambda c: _l("Late charges (%(currency)s)", currency=c))):
        mine, theirs = getattr(now, attr), getattr(before, attr)
        for currency in sorted(set(mine) | set(theirs)):
            out.append((Figure(f"{name} {currency}", label(currency)), mine.get(currency, 0), theirs.get(currency, 0)))
    previous = previous or {}
    for currency, s in sorted((standing_now or {}).items()):
        rate = (Decimal(100 * s.collected) / s.due).quantize(Decimal("0.1")) if s.due else None
        for name, label, value in (
                ("collection rate %", _l("Collection rate, percent (%(currency)s)", currency=currency), rate),
                ("arrears", _l("Arrears (%(currency)s)", currency=currency), s.arrears),
                ("loans outstanding", _l("Loans outstanding (%(currency)s)", currency=currency), s.loans),
                ("loans at risk", _l("Loans at risk (%(currency)s)", currency=currency), s.loans_at_risk)):
            if value is not None:
                figure = f"{name} {currency}"
                out.append((Figure(figure, label), value, previous.get(figure)))
    return out


def _previous(path: str) -> dict:
    """figure -> this month's value in a kept report's CSV (none kept: empty)."""
    try:
        with open(path, newline="") as source:
            return {row["figure"]: Decimal(row[list(row)[1]]) for row in csv.DictReader(source)}
    except FileNotFoundError:
        return {}


def make(today: date | None = None, languages=("en",)) -> tuple[str, dict, list]:
    """Last month's report written as CSV and a PDF per language (the default language's named
    stakeholder-YYYY-MM.pdf, another's stakeholder-YYYY-MM.<language>.pdf); returns the CSV's path
    and the PDFs' by language (relative to the instance), and the figures."""
    from weasyprint import HTML

    today = today or clock.now().date()
    start, end = month_of(today.replace(day=1) - timedelta(days=1))
    before = month_of(start - timedelta(days=1))
    folder = FOLDER
    os.makedirs(os.path.join(current_app.instance_path, folder), exist_ok=True)
    kept = os.path.join(current_app.instance_path, folder, f"stakeholder-{before[0]:%Y-%m}.csv")
    table = rows(figures(start, end), figures(*before), standing(), _previous(kept))
    name = f"stakeholder-{start:%Y-%m}"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["figure", f"{start:%Y-%m}", f"{before[0]:%Y-%m}", "change"])
    for figure, now, then in table:
        writer.writerow([figure, now, "" if then is None else then, "" if then is None else now - then])
    csv_path = os.path.join(folder, f"{name}.csv")
    with open(os.path.join(current_app.instance_path, csv_path), "w", newline="") as out:
        out.write(buffer.getvalue())
    pdfs = {}
    for language in languages:
        suffix = "" if language == current_app.config["BABEL_DEFAULT_LOCALE"] else f".{language}"
        pdfs[language] = os.path.join(folder, f"{name}{suffix}.pdf")
        with force_locale(language):
            html = render_template("statements/stakeholder.html", rows=table, month=month_name(start),
                                   month_before=month_name(before[0]))
        HTML(string=html).write_pdf(os.path.join(current_app.instance_path, pdfs[language]))
    return csv_path, pdfs, table


def month_name(day: date) -> str:
    """"March 2026", "مارس ۲۰۲۶": a month of the platform's (Gregorian) calendar in the language being written."""
    return number_text(format_date(day, "LLLL yyyy"))


def send() -> str:
    """Make last month's report and email it to every admin once, in their language."""
    admins = db.session.scalars(select(User).where(User.is_admin.is_(True))).all()
    csv_path, pdfs, table = make(languages=sorted({notify.language_for(admin) for admin in admins}) or ("en",))
    month = os.path.basename(csv_path)[len("stakeholder-"):-4]
    queued = 0
    for admin in admins:
        with notify.speaking(admin) as language:
            subject = _("Hamyan stakeholder report for %(month)s", month=month_name(date.fromisoformat(f"{month}-01")))
            body = (_("Hello,") + "\n\n" + _("The platform's figures for the month are attached (PDF; the CSV is kept "
                                             "beside it in %(path)s).", path=csv_path) + "\n\n"
                    + "\n".join(_("%(figure)s: %(now)s", figure=figure.label, now=number(now)) if then is None else
                                _("%(figure)s: %(now)s (before: %(then)s)", figure=figure.label, now=number(now),
                                  then=number(then)) for figure, now, then in table))
        with uow.transaction():
            queued += bool(notify.notify_member(
                admin, None, subject, body, kind="stakeholder", dedupe_key=f"stakeholder:{month}:{admin.id}",
                channels=("email",), attachment=(pdfs[language], f"stakeholder-{month}.pdf")))
    return f"{month}: {len(table)} figures, emailed to {queued} admin(s)"


@dataclass
class Kept:
    """One month's kept report: its files, the CSV first."""
    month: date
    files: list


def kept() -> list[Kept]:
    """The kept reports, newest month first."""
    folder = os.path.join(current_app.instance_path, FOLDER)
    by_month = {}
    for name in os.listdir(folder) if os.path.isdir(folder) else ():
        found = KEPT_NAME.fullmatch(name)
        if found:
            by_month.setdefault(found["month"], []).append(name)
    return [Kept(date.fromisoformat(f"{month}-01"), sorted(names, key=lambda n: (not n.endswith(".csv"), len(n), n)))
            for month, names in sorted(by_month.items(), reverse=True)]


def kept_file(name: str) -> str:
    """The path of a kept report's file by its name; any other name is NotFound."""
    path = os.path.join(current_app.instance_path, FOLDER, name)
    if not KEPT_NAME.fullmatch(name) or not os.path.isfile(path):
        raise NotFound()
    return path


def file_label(name: str):
    """What a kept file is, for the console: CSV, or PDF with its language when not the default's."""
    language = KEPT_NAME.fullmatch(name)["language"]
    if name.endswith(".csv"):
        return "CSV"
    return _("PDF (%(language)s)", language=LANGUAGE_NAMES.get(language, language)) if language else "PDF"
