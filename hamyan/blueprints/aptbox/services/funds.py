"""Expenses (with a receipt, optionally approved by a second board member before they count), the
operating and reserve funds, and transfers between them. A fund never goes below zero unless the
board records its decision to overdraw it, kept with the expense or transfer."""
import hashlib
import os
import uuid
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import func, select

from hamyan.blueprints.aptbox.models import CATEGORIES, CATEGORY_NAMES, FUND_NAMES, FUNDS, Expense, Transfer
from hamyan.core import parse, uow
from hamyan.core.uploads import Receipt, receipt_type, store
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text, show_money
from hamyan.ledger import service as ledger

from .common import (PAGE_SIZE, access, account, by, fields, fund_account, manage, money, not_future,
                     page_of, post, request_hash, request_key, row_of, same_request)

def _check_fund(box, fund: str, amount: int, on: date, decision: str | None) -> str | None:
    """The decision text when taking `amount` from the fund on day `on` would leave it below zero
    then or on a day since; refused without one."""
    balance = ledger.lowest_balance(fund_account(box, fund), on)
    if balance - amount >= 0:
        return None
    decision = (decision or "").strip()
    if not decision:
        held = show_money(balance, box)
        raise ValidationError(_("This would take the operating fund below zero (it holds %(amount)s). Record the "
                                "board's decision to overdraw it.", amount=held) if fund == "operating" else
                              _("This would take the reserve fund below zero (it holds %(amount)s). Record the "
                                "board's decision to overdraw it.", amount=held), field="decision")
    return parse.text(decision, "decision", label=_("Decision"), limit=500)


def _post_expense(box, actor, expense: Expense, decision: str | None) -> None:
    expense.decision = _check_fund(box, expense.fund, expense.amount, expense.spent_on, decision) or expense.decision
    entry = post(box, actor, "expense", [(account(box, f"apt:expense:{expense.category}"), expense.amount),
                                        (fund_account(box, expense.fund), -expense.amount)],
                 f"expense:{expense.id}", expense.spent_on,
                 box_text(box, _l("%(category)s: %(detail)s"), category=CATEGORY_NAMES[expense.category],
                          detail=expense.vendor or expense.note))
    expense.entry_id, expense.status = entry.id, "approved"


@uow.box_write
def add_expense(actor, box_id, amount, category: str, spent_on=None, vendor: str = "", note: str = "",
                fund: str = "operating", receipt: Receipt | None = None, decision: str | None = None,
                key: str | None = None) -> Expense:
    """Record an expense. A retry with the same `key` returns the first expense; the same key with
    anything different is refused (409)."""
    acc = manage(actor, box_id)
    box = acc.box
    if key:
        key = request_key(key)
        digest = request_hash(amount=str(amount), category=category, spent_on=str(spent_on), vendor=vendor, note=note,
                              fund=fund, decision=decision, receipt=receipt and hashlib.sha256(receipt.data).hexdigest(),
                              receipt_name=receipt and receipt.filename)
        existing = db.session.scalar(select(Expense).filter_by(box_id=box.id, request_key=key))
        if existing is not None:
            same_request(existing, digest)
            return existing
    values = fields(("amount", lambda: parse.amount(amount, box.currency, "amount")),
                         ("category", lambda: parse.choice(category, CATEGORIES, "category", _("Category"))),
                         ("fund", lambda: parse.choice(fund or "operating", FUNDS, "fund", _("Fund"))),
                         ("spent_on", lambda: not_future(box, spent_on, "spent_on")),
                         ("vendor", lambda: parse.text(vendor, "vendor", label=_("Vendor"), limit=120, required=False)),
                         ("note", lambda: parse.text(note, "note", label=_("Note"), limit=500, required=False)),
                         ("receipt", lambda: receipt_type(receipt) if receipt is not None else None))
    kind = values.pop("receipt")
    expense = Expense(box_id=box.id, created_by_id=by(actor), status="pending", request_key=key,
                      request_hash=digest if key else None, **values)
    if kind is not None:
        expense.receipt_type = kind[0]
        expense.receipt_name = os.path.basename(receipt.filename or f"receipt.{kind[1]}")[-120:]
    db.session.add(expense)
    db.session.flush()
    if not acc.building.require_approval:
        _post_expense(box, actor, expense, decision)
    elif decision:
        expense.decision = parse.text(decision, "decision", label=_("Decision"), limit=500)
    if kind is not None:  # last, so a refused expense leaves no file behind
        expense.receipt_path = store("aptbox", box.id, receipt, kind[1])
    return expense


def expense_of(box_id: int, expense_id) -> Expense:
    return row_of(Expense, box_id, expense_id, _("No such expense in this building."))


@uow.box_write
def approve_expense(actor, box_id, expense_id, decision: str | None = None) -> Expense:
    """A second board member approves a pending expense: only now does it leave the fund."""
    acc = manage(actor, box_id)
    expense = expense_of(acc.box.id, expense_id)
    if expense.status != "pending":
        raise Conflict(_decided(expense), field="expense")
    if expense.created_by_id == by(actor):
        raise Forbidden(_("Another board member must approve an expense you recorded."))
    expense.approved_by_id = by(actor)
    _post_expense(acc.box, actor, expense, decision)
    return expense


def _decided(expense: Expense) -> str:
    return _("This expense is already approved.") if expense.status == "approved" else \
        _("This expense is already rejected.")


@uow.box_write
def reject_expense(actor, box_id, expense_id) -> Expense:
    acc = manage(actor, box_id)
    expense = expense_of(acc.box.id, expense_id)
    if expense.status != "pending":
        raise Conflict(_decided(expense), field="expense")
    expense.status, expense.approved_by_id = "rejected", by(actor)
    return expense


def _other_fund(from_fund: str, to_fund: str) -> str:
    if parse.choice(to_fund, FUNDS, "to_fund", pgettext("a transfer's fund", "To")) == from_fund:
        raise ValidationError(_("Choose the other fund."), field="to_fund")
    return to_fund


@uow.box_write
def transfer(actor, box_id, amount, from_fund: str, to_fund: str, moved_on=None, note: str = "",
             decision: str | None = None, key: str | None = None) -> Transfer:
    acc = manage(actor, box_id)
    box = acc.box
    values = fields(("amount", lambda: parse.amount(amount, box.currency, "amount")),
                    ("from_fund", lambda: parse.choice(from_fund, FUNDS, "from_fund", _("From"))),
                    ("to_fund", lambda: _other_fund(from_fund, to_fund)),
                    ("moved_on", lambda: not_future(box, moved_on, "moved_on")),
                    ("note", lambda: parse.text(note, "note", label=_("Note"), limit=500, required=False)))
    decided = _check_fund(box, values["from_fund"], values["amount"], values["moved_on"], decision)
    entry = post(box, actor, "transfer", [(fund_account(box, values["to_fund"]), values["amount"]),
                                         (fund_account(box, values["from_fund"]), -values["amount"])],
                 f"transfer:{key or uuid.uuid4().hex}", values["moved_on"],
                 box_text(box, _l("%(source)s to %(target)s"), source=FUND_NAMES[values["from_fund"]],
                          target=FUND_NAMES[values["to_fund"]]))
    existing = db.session.scalar(select(Transfer).filter_by(entry_id=entry.id))
    if existing is not None:  # a retried request: the entry's key matched
        return existing
    row = Transfer(box_id=box.id, entry_id=entry.id, decision=decided, created_by_id=by(actor), **values)
    db.session.add(row)
    return row


def expenses(box_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Expense], int]:
    """One page of the building's expenses, newest first, and how many there are."""
    return page_of(select(Expense).filter_by(box_id=box_id).order_by(Expense.spent_on.desc(), Expense.id.desc()),
                   page, size)


def pending_expenses(box_id: int) -> int:
    return db.session.scalar(select(func.count(Expense.id)).filter_by(box_id=box_id, status="pending"))


def transfers(box_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Transfer], int]:
    """One page of the moves between the funds, newest first, and how many there are."""
    return page_of(select(Transfer).filter_by(box_id=box_id).order_by(Transfer.moved_on.desc(), Transfer.id.desc()),
                   page, size)


def transferred(box_id: int, start, end) -> int:
    """What moved between the funds from `start` to `end` (days, both included)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Transfer.amount), 0)).where(
        Transfer.box_id == box_id, Transfer.moved_on >= start, Transfer.moved_on <= end)))


def receipt_file(actor, box_id, expense_id) -> tuple[str, str, str]:
    """(absolute path, mimetype, download name) of an expense's receipt, for the building's members
    only (anyone else: 404)."""
    acc = access(actor, box_id)
    expense = expense_of(acc.box.id, expense_id)
    if not expense.receipt_path:
        raise NotFound(_("This expense has no receipt."))
    path = os.path.join(current_app.instance_path, expense.receipt_path)
    if not os.path.isfile(path):  # uploads are per host (instance/): a restored or shared database may lack it
        raise NotFound(_("The receipt's file is not on this server."))
    return path, expense.receipt_type, expense.receipt_name or "receipt"


