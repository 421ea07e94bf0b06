"""Statements shared by every product: movements of a set of ledger accounts over a period, with
opening and closing balances computed from the postings, rendered to PDF by WeasyPrint.

A product picks the accounts by subject and type (ledger.accounts_of(box_id, subject=("membership",
m.id)) for a member, purposes=["cash"] for a box's cash), calls account_statement(), and renders a
template under templates/statements/ that extends statements/base.html."""
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from hamyan.boxes.models import Box
from hamyan.boxes.numbers import payment_numbers
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import CREDIT, Entry, LedgerAccount, Posting

MAX_PERIOD_DAYS = 3700  # about ten years: enough for any statement, small enough to render


# What a statement calls a kind of entry (by its code) on a line summing several, in its reader's language.
ENTRY_KINDS = {"contribution": _l("Contributions"), "payment": _l("Payments"), "payout": _l("Payouts"),
               "payout_owed": _l("Payouts owed, paid"), "swap": _l("Seat trades"), "deposit": _l("Deposits"),
               "cover": _l("Deposits used for dues"), "release": _l("Deposits returned"), "fine": _l("Fines"),
               "late_fee": _l("Late fees"), "penalty": _l("Penalties"), "reversal": _l("Reversals"),
               "charge": _l("Charges"), "expense": _l("Expenses"), "transfer": _l("Transfers between funds"),
               "gateway_fee": _l("Payment gateway fees"), "disbursement": _l("Loans paid out"),
               "repayment": _l("Loan repayments"), "settlement": _l("Savings paid out"),
               "write_off": _l("Loans written off")}


@dataclass
class Movement:
    day: date
    entry_id: int
    code: str
    memo: str
    amount: int  # in the statement's sign: positive raises the balance shown
    count: int = 1  # entries summed into this line (a kept day's, cash_statement)
    entry_number: int | None = None  # the entry's number in its box (a line of one entry)
    payment_number: int | None = None  # the number of the payment the entry records, if it is numbered

    @property
    def description(self) -> str:
        """An entry's memo as the ledger keeps it; a line of several entries, their kind."""
        if self.count == 1 and self.memo:
            return self.memo
        return str(ENTRY_KINDS.get(self.code, self.code))


@dataclass
class Statement:
    title: str
    box: Box
    start: date
    end: date
    opening: int
    movements: list[Movement] = field(default_factory=list)

    @property
    def total_in(self) -> int:
        return sum(m.amount for m in self.movements if m.amount > 0)

    @property
    def total_out(self) -> int:
        return -sum(m.amount for m in self.movements if m.amount < 0)

    @property
    def closing(self) -> int:
        return self.opening + self.total_in - self.total_out


def check_period(start: date | None, end: date | None) -> tuple[date, date]:
    if start is None or end is None:
        raise ValidationError(_("Choose both the first and the last day."), field="start" if start is None else "end")
    if end < start:
        raise ValidationError(_("The last day is before the first day."), field="end")
    if start.year < 1900:  # the opening balance is taken the day before: date.min has none
        raise ValidationError(_("Choose a first day in 1900 or later."), field="start")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError(_("Choose a period of at most ten years."), field="start")
    return start, end


def account_statement(title: str, box: Box, accounts: list[LedgerAccount], start: date, end: date,
                      sign: str = "normal") -> Statement:
    """Movements of `accounts` effective in [start, end], netted per entry.

    sign="normal" shows each balance on its normal side (a debit-normal account's debits are
    positive); sign="credit" or "debit" forces one view for a mixed set of accounts."""
    start, end = check_period(start, end)
    ids = [a.id for a in accounts]
    side = accounts[0].normal_side if sign == "normal" and accounts else sign
    factor = -1 if side == CREDIT else 1
    opening_raw = sum(ledger.balances(ids, as_of=start - timedelta(days=1)).values()) if ids else 0
    statement = Statement(title=title, box=box, start=start, end=end, opening=factor * opening_raw)
    if not ids:
        return statement
    total, one = db.func.sum(Posting.amount), db.func.min  # an entry's own columns: one value per entry
    # Grouped by the entry's id alone: MariaDB then reads the entries in key order instead of sorting
    # them on their memos.
    for entry_id, day, code, memo, amount, entry_number in db.session.execute(
            select(Entry.id, one(Entry.effective_date), one(Entry.code), one(Entry.memo), total, one(Entry.number))
            .join(Posting, Posting.entry_id == Entry.id)
            .where(Posting.account_id.in_(ids), Entry.effective_date >= start, Entry.effective_date <= end)
            .group_by(Entry.id).having(total != 0).order_by(one(Entry.effective_date), Entry.id)):
        statement.movements.append(Movement(day, entry_id, code, memo, factor * int(amount), 1, entry_number))
    return _numbered(statement)


def cash_statement(title: str, box: Box, cash: LedgerAccount | None, start: date, end: date) -> Statement:
    """A box's cash account (ledger.KEPT_PER_DAY) in [start, end], a line per day, kind of entry and
    direction, read from its kept days: what a box's report lists, so its length follows the days
    with movements, not the payments (WeasyPrint lays out about five pages a second), and reading it
    follows them too, not the entries (a 10,000-saver pool's cash has some 500,000). Totals and
    balances are those of the entries; a line of one entry shows it as account_statement() does."""
    start, end = check_period(start, end)
    if cash is None:
        return Statement(title=title, box=box, start=start, end=end, opening=0)
    factor = -1 if cash.normal_side == CREDIT else 1
    statement = Statement(title=title, box=box, start=start, end=end,
                          opening=factor * ledger.cash_balance(cash, start - timedelta(days=1)))
    for day, code, count, amount, entry_id, memo, entry_number in ledger.cash_days(cash, start, end):
        one = count == 1
        statement.movements.append(Movement(day, entry_id, code, memo if one else "", factor * int(amount), count,
                                            entry_number if one else None))
    return _numbered(statement)


def _numbered(statement: Statement) -> Statement:
    """The statement with the number of the payment each line of one entry records, if it is numbered."""
    paid = payment_numbers(statement.box.kind, [m.entry_id for m in statement.movements if m.count == 1])
    for m in statement.movements:
        m.payment_number = paid.get(m.entry_id)
    return statement


# A font configuration per thread (a sync worker has one), kept for the thread's life: the @font-face
# fonts of statements/base.html are loaded into fontconfig by its first PDF only (WeasyPrint skips a face
# the configuration already holds), and the text measurements it keeps serve every later PDF. About a
# fifth of a one-page statement's CPU, the same bytes. Not shared: Pango's font map is for one thread.
_fonts = threading.local()


def _font_config():
    if not hasattr(_fonts, "config"):
        from weasyprint.text.fonts import FontConfiguration

        _fonts.config = FontConfiguration()
    return _fonts.config


def render_pdf(template: str, progress=None, **context) -> bytes:
    """Render a statements/ template to PDF bytes. Assets resolve against this app's URL. A report
    job passes `progress` (see statements.jobs): told the page count once the layout is done."""
    from weasyprint import HTML  # heavy: imported when a PDF is made, not with the models

    from flask import g, has_request_context
    from flask_babel import force_locale

    from hamyan.i18n import language_of

    # A page's download speaks the page's language; a job's PDF, its reader's (a monthly statement is
    # rendered inside notify.services.speaking), else its box's (right to left in Persian).
    box = context.get("box")
    language = g.get("message_language") or (
        None if has_request_context() else language_of(getattr(box, "locale", None)))
    with force_locale(language) if language else nullcontext():
        html = render_template(template, page_footer=_page_footer(box), **context)
    document = HTML(string=html, base_url=request.url_root if request else None).render(font_config=_font_config())
    if progress is not None:
        progress(80, pages=len(document.pages))
    return document.write_pdf()


def _page_footer(box) -> Markup:
    """The CSS `content` of a page's footer, "Page 2 of 5", in the language and digits being written."""
    from hamyan.i18n import persian_digits

    style = ", persian" if persian_digits(box) else ""
    page, pages = f'" counter(page{style}) "', f'" counter(pages{style}) "'
    # our catalogue's words around two CSS counters: no data of anyone's inside
    return Markup('"%s"' % _("Page %(page)s of %(pages)s", page=page, pages=pages))


def box_report(title: str, box: Box, cash: LedgerAccount, start: date, end: date, labels: dict):
    """A product's manager report: the box's cash over the period a line per day and kind of entry
    (each member's movements are in their statement), and every ledger account's opening and closing
    balance on its normal side, named by `labels` (purpose -> text, "{}" the subject member's name)."""
    from hamyan.boxes.models import Membership

    statement = cash_statement(title, box, cash, start, end)
    accounts = ledger.accounts_of(box.id)
    ids = [a.id for a in accounts]
    opening, closing = ledger.balances(ids, as_of=start - timedelta(days=1)), ledger.balances(ids, as_of=end)
    names = {m.id: m.display_name for m in db.session.scalars(select(Membership).filter_by(box_id=box.id))}
    rows = []
    for a in accounts:
        sign = 1 if a.normal_side != CREDIT else -1
        rows.append((labels.get(a.purpose, a.name).format(names.get(a.subject_id, "?")),
                     sign * opening[a.id], sign * closing[a.id]))
    return statement, rows


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A rendered PDF as a download (same headers for pages and the API)."""
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
