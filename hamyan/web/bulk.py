"""The bulk period entry form every product shares (templates/box/bulk.html): every member with
what they owe for the period, ticked when they owe something; the manager unticks or adjusts and
submits once. `read` turns the submitted form into rows for hamyan.dues.bulk.record_each, or
errors on the fields, with what was typed kept to show again. Only the lines the server listed
are read, so a forged row id names nobody."""
import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext

from hamyan.core import clock, parse
from hamyan.core.errors import Conflict, ValidationError
from hamyan.dues.bulk import Line, record_each
from hamyan.dues.calendar import parse_day
from hamyan.i18n import number, persian_digits
from hamyan.money import format_plain
from hamyan.web.fields import day_value

_KEY = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Sheet:
    """The form as shown: the lines, what is ticked and typed, and the errors by field name."""

    lines: list[Line]
    ticked: set
    amounts: dict
    paid_on: str
    reference: str = ""
    method: str = "cash"
    key: str = field(default_factory=lambda: uuid.uuid4().hex)  # one per form shown: a double submit repeats it
    errors: dict = field(default_factory=dict)
    form_errors: list = field(default_factory=list)


def blank(box, lines: list[Line]) -> Sheet:
    """A fresh form: each line ticked when something is owed, with that amount filled in."""
    return Sheet(lines, {line.id for line in lines if line.owed > 0},
                 {line.id: format_plain(line.owed, box.currency, box.locale, latin_digits=not persian_digits(box))
                  if line.owed else "" for line in lines},
                 day_value(clock.today(box), box.calendar, box))


def read(box, lines: list[Line], form) -> tuple[Sheet, list[tuple[int, str]], date | None]:
    """The submitted form: (sheet to show again, [(line id, canonical amount)], the day paid).
    The rows are empty when any field has an error."""
    sheet = Sheet(lines, {line.id for line in lines if form.get(f"pay-{line.id}")},
                  {line.id: (form.get(f"amount-{line.id}") or "")[:40] for line in lines},
                  (form.get("paid_on") or "").strip()[:40], (form.get("reference") or "").strip()[:200],
                  form.get("method") or "cash", form.get("key") or "")
    if not _KEY.match(sheet.key):
        sheet.key = uuid.uuid4().hex
        sheet.form_errors.append(_("This form is out of date; check the amounts and submit again."))
    rows = []
    for line in lines:
        if line.id in sheet.ticked:
            try:
                minor = parse.amount(sheet.amounts[line.id], box.currency, f"amount-{line.id}", locale=box.locale)
            except ValidationError as error:
                sheet.errors.update(error.fields)
            else:
                rows.append((line.id, parse.canonical(minor, box.currency)))
    paid_on = None
    if sheet.paid_on:
        try:
            paid_on = parse_day(sheet.paid_on, box.calendar, "paid_on", _("Paid on"))
        except ValidationError as error:
            sheet.errors.update(error.fields)
    if not sheet.ticked:
        sheet.form_errors.append(_("Tick at least one member who paid."))
    if sheet.errors or sheet.form_errors:
        return sheet, [], paid_on
    return sheet, rows, paid_on


def row_key(sheet: Sheet, line_id: int) -> str:
    """The request key of one row: the same form submitted twice repeats it, so nothing is written twice."""
    return f"bulk:{sheet.key}:{line_id}"


def handle(actor, box, lines: list[Line], write) -> tuple[Sheet, list | None]:
    """The form of a request: a blank sheet for a GET; for a POST, every ticked row written by
    write(line id, amount, sheet, paid_on) in one box write (dues.bulk.record_each). Returns the
    sheet to show and what was written (None unless it all was)."""
    if request.method != "POST":
        return blank(box, lines), None
    sheet, rows, paid_on = read(box, lines, request.form)
    if not rows:
        return sheet, None
    try:
        return sheet, record_each(actor, box.id, rows, lambda line_id, amount: write(line_id, amount, sheet, paid_on))
    except (ValidationError, Conflict) as error:
        sheet.errors.update(error.fields)
        if not error.fields:
            sheet.form_errors.append(error.message)
        return sheet, None


def recorded(done: list, box=None) -> str:
    return ngettext("%(count)s payment recorded", "%(count)s payments recorded", len(done), count=number(len(done), box))
