"""One way every list of a box is found and exported: payments, contributions, loans, fines and
members, in every product. A product describes a list once (a `ListSpec`: the rows of a box, which
column is the member, the date and the searched text, what each status means, the columns); the
same filters (member, date range, status, search) then drive the page, its pager and its CSV.

- Dates are typed in the box's calendar (1404/09/15 in a Persian box); an impossible one is an error
  on its field and the list is not filtered by it.
- A page costs a fixed number of queries (a count and the page, plus the spec's eager loads) and the
  CSV is one streamed query, however many rows the box has.
- The CSV is UTF-8 with a byte order mark (Excel then shows Persian names), amounts in the box's
  currency as plain numbers, dates in the box's calendar, times in its time zone."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable

from babel.lists import format_list
from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from sqlalchemy import Select, func, or_, select

from hamyan.core import clock, parse
from hamyan.core.errors import ValidationError
from hamyan import i18n
from hamyan.dues import status
from hamyan.dues.calendar import day_text, parse_day
from hamyan.extensions import db
from hamyan.money import to_major
from hamyan.web import picker, render

PER_PAGE = 25
SEARCH_LIMIT = 100  # characters of a search or a member's name that are looked at
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# The statuses the products' lists filter by, as the filters name them in the page's language (an
# obligation's statuses are dues.status's).
STATUS_NAMES = {
    "recorded": _l("recorded"), "undone": _l("undone"), "charged": lazy_pgettext("a fine's status", "charged"), "waived": _l("waived"),
    "monthly": _l("monthly"), "assessment": _l("assessment"),
    "contribution": _l("contribution"), "deposit": _l("deposit"), "cover": _l("cover"),
    "requested": _l("requested"), "approved": _l("approved"), "active": _l("active"), "closed": _l("closed"),
    "written_off": _l("written off"), "rejected": _l("rejected"), "cancelled": _l("cancelled"),
    **status.METHOD_NAMES,
}


def status_name(name: str) -> str:
    """A list status (or an obligation's) as the page says it; another word is shown as it is."""
    return str(STATUS_NAMES.get(name) or status.label(name))


@dataclass(frozen=True)
class Column:
    """One column of a list: its heading and how to get the cell from a row. `kind` says how it is
    shown and exported: "money" (minor units of the box's currency), "day" (a date), "time" (a UTC
    datetime), "status" (a word of STATUS_NAMES: named on the page, the code in the CSV), "name" (a
    name people typed, set apart on the page so bidi keeps it whole), "number" (a record's number, in
    the page's digits), "code" (a reference, kept as typed: i18n.verbatim) or "text". `link` (the row
    and the box -> a URL) makes the page's cell a link to the record (a loan's page)."""

    label: str
    value: Callable
    kind: str = "text"
    link: Callable | None = None


@dataclass(frozen=True)
class ListSpec:
    name: str  # the list's name, also the CSV's file name
    rows: Callable[[object], Select]  # the box -> a select of its rows (the first entity), scoped to it
    columns: tuple[Column, ...]
    order: tuple  # newest first, with a unique column last so pages never overlap
    people: Callable[[object], Select] | None = None  # the box -> (id, name) the member filter names
    member: object = None  # the column holding the row's id of those people (a membership, a unit)
    member_label: str = _l("Member")  # what the member filter is called ("Unit" in a building)
    day: object = None  # the column the date range filters (a date, or a UTC datetime)
    search: tuple = ()  # columns searched (names, references)
    statuses: dict = field(default_factory=dict)  # status -> the box -> a where clause
    options: tuple = ()  # eager loads, so a page's queries do not grow with its rows


@dataclass
class Filters:
    """What was asked for, as typed (to show again and carry to the next page and the CSV), the
    parsed values, and an error per field that could not be used."""

    member: str = ""
    start: str = ""
    end: str = ""
    status: str = ""
    q: str = ""
    page: int = 1
    member_id: int | None = None
    start_day: date | None = None
    end_day: date | None = None
    errors: dict = field(default_factory=dict)

    def args(self) -> dict:
        """The query string of these filters (page excluded), empty ones left out."""
        asked = {"member": self.member, "start": self.start, "end": self.end, "status": self.status, "q": self.q}
        return {name: value for name, value in asked.items() if value}


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def read_filters(spec: ListSpec, box, args=None) -> Filters:
    """The filters in a request's query string; what cannot be used gets an error on its field."""
    args = request.args if args is None else args
    text = lambda name: (args.get(name) or "").strip()[:SEARCH_LIMIT]  # noqa: E731
    f = Filters(member=text("member"), start=text("start"), end=text("end"), status=text("status"), q=text("q"))
    f.page = requested_page("page", args)
    if f.member and spec.people is not None:
        try:
            f.member_id = picker.named(spec.people(box), f.member, "member", spec.member_label.lower())
        except ValidationError as error:
            f.errors.update(error.fields)
    for name in ("start", "end"):
        if getattr(f, name):
            try:
                setattr(f, f"{name}_day", parse_day(getattr(f, name), box.calendar, name,
                                                    _("From") if name == "start" else _("To")))
            except ValidationError as error:
                f.errors.update(error.fields)
    if f.start_day and f.end_day and f.start_day > f.end_day:
        f.errors["end"] = _("To: this day is before the From day.")
        f.end_day = None
    if f.status and f.status not in spec.statuses:
        f.errors["status"] = _("Status: choose one of %(statuses)s.", statuses=format_list(
            [status_name(s) for s in spec.statuses], style="or", locale=i18n.display_locale()))
    return f


def query(spec: ListSpec, box, f: Filters, *where) -> Select:
    """The spec's rows of `box` that pass the filters (those without an error), and `where` (a
    view's own limits, e.g. a member sees only their own rows)."""
    result = spec.rows(box).where(*where)
    if f.member_id is not None:
        result = result.where(spec.member == f.member_id)
    if spec.day is not None and (f.start_day or f.end_day):
        result = result.where(*_day_range(spec.day, box, f.start_day, f.end_day))
    if f.status in spec.statuses and "status" not in f.errors:
        result = result.where(spec.statuses[f.status](box))
    if f.q and spec.search:
        words = {f.q, f.q.lower(), f.q.translate(picker.PERSIAN_LETTERS), " ".join(map(parse.normalize, f.q.split()))}
        # SQLite lowers only ASCII letters, so the text is also looked for as typed
        result = result.where(or_(*(func.lower(column).contains(word, autoescape=True)
                                    for column in spec.search for word in words)))
    return result


def _day_range(column, box, start: date | None, end: date | None) -> list:
    """Days of the box's calendar as bounds on a date column, or on a UTC datetime column (the
    box's midnights in UTC)."""
    moment = getattr(column.type, "python_type", date) is datetime
    bound = (lambda day: clock.to_utc(datetime.combine(day, time()), box.timezone)) if moment else (lambda day: day)
    clauses = []
    if start:
        clauses.append(column >= bound(start))
    if end:
        clauses.append(column < bound(end + timedelta(days=1)) if moment else column <= end)
    return clauses


def page_of(spec: ListSpec, box, f: Filters, *where, per_page: int = PER_PAGE) -> Page:
    """One page of the filtered rows: a count and the page (past the last page is the last page)."""
    listed = paged(query(spec, box, f, *where).options(*spec.options).order_by(*spec.order), f.page, per_page)
    f.page = listed.page
    return listed


def requested_page(name: str = "page", args=None) -> int:
    """The page a list's ?<name>= asks for, read the one way every list reads it: a whole number from
    1 (any digits); a word, 0, a negative or a number past any id's (an OFFSET no database takes) is
    the first page. A number past the list's last page is its last page: paged() sees to it."""
    return parse.record_id((request.args if args is None else args).get(name)) or 1


def paged(rows: Select, page: int, per_page: int = PER_PAGE, total: int | None = None) -> Page:
    """One page of an ordered select, counted first (unless its `total` is known), so a page past the
    last is the last page (a bookmark outlives the rows it showed) and any number below 1 the first."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(rows.order_by(None).subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    return Page(_rows(rows.limit(per_page).offset((page - 1) * per_page)).all(), page, pages, total)


def _rows(rows: Select):
    """Entities when the select has one (a Payment), else rows (a LateCharge and its member's name).
    Eager loads are many-to-one, so rows need no uniquing (which streaming cannot do)."""
    result = db.session.execute(rows)
    return result.scalars() if len(rows.column_descriptions) == 1 else result


def cell(column: Column, row, box) -> str:
    """A cell as a page shows it: amounts, days and times in the page's language and digits, a link
    where the column has one."""
    shown = _shown(column, row, box)
    if column.link is None or shown == "":
        return shown
    return Markup('<a href="{}">{}</a>').format(column.link(row, box), shown)


def _shown(column: Column, row, box) -> str:
    value = column.value(row)
    if value is None or value == "":
        return ""
    if column.kind == "money":
        return i18n.show_money(value, box)
    if column.kind == "day":
        return i18n.show_day(value, box)
    if column.kind == "time":
        return i18n.show_moment(value, box)
    if column.kind == "status":
        return status_name(value)
    if column.kind == "name":
        return i18n.bdi(value)
    if column.kind == "number":
        return i18n.digits(value, box)
    if column.kind == "code":
        return i18n.verbatim(value)
    return str(value)


def export_cell(column: Column, row, box) -> str:
    """A cell as the CSV has it: a plain number in the currency, a date in the box's calendar."""
    value = column.value(row)
    if value is None or value == "":
        return ""
    if column.kind == "money":
        return str(to_major(value, box.currency))
    if column.kind == "day":
        return day_text(value, box.calendar)
    if column.kind == "time":
        local = clock.to_local(value, box.timezone)
        return f"{day_text(local.date(), box.calendar)} {local:%H:%M}"
    text = str(value)
    # A spreadsheet runs a cell starting with one of these as a formula: a member named
    # "=HYPERLINK(...)" must stay a name, so the cell is quoted as text.
    return "'" + text if text.startswith(_FORMULA) else text


def heading(column: Column, box) -> str:
    return f"{column.label} ({box.currency})" if column.kind == "money" else column.label


def csv_response(spec: ListSpec, box, f: Filters, *where) -> Response:
    """Every filtered row as CSV, streamed from one query (a box's rows are never all in memory)."""
    rows = query(spec, box, f, *where).options(*spec.options).order_by(*spec.order)

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([heading(c, box) for c in spec.columns])
        yield "\ufeff" + out.getvalue()
        for chunk in _rows(rows.execution_options(yield_per=500)).partitions():
            out.seek(0), out.truncate()
            writer.writerows([export_cell(c, row, box) for c in spec.columns] for row in chunk)
            yield out.getvalue()

    name = f"{spec.name}-{box.id}-{clock.today(box).isoformat()}.csv"
    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def wants_csv() -> bool:
    return request.args.get("export") == "csv"


def show(spec: ListSpec, box, /, *where, template: str = "box/list.html", **context):
    """A list page of `box` (or its CSV when ?export=csv): the page, or its `list` block for htmx
    (the pager asks for it).
    `where` limits the rows further (a member sees only their own); `context` is what the
    template needs besides (nav, title, lookup: the member picker's lookup URL)."""
    f = read_filters(spec, box)
    if wants_csv():
        return csv_response(spec, box, f, *where)
    return render(template, partials=("list",), spec=spec, filters=f, listing=page_of(spec, box, f, *where),
                  **{"box": box, **context})
