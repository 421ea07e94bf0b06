""""I have paid": a member of any box reports a payment made by card-to-card or bank transfer to the
card or account the box shows (its payee), with the bank's reference and optionally the receipt; the
box's managers are told, and one of them confirms it (recorded through the product's apply_payment,
exactly as a payment the manager enters: one ledger entry, whose receipt tells the member) or rejects
it with a reason the member is told. Receipt files are for the box's managers and the member only."""
import os
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hamyan.blueprints import product
from hamyan.blueprints.payments.services import targets_by_member, targets_of
from hamyan.blueprints.payments.models import (
    CONFIRMED,
    METHODS,
    PENDING,
    REJECTED,
    REPORT_STATUS_NAMES,
    PaymentSettings,
    ReportedPayment,
)
from hamyan.boxes.access import MANAGE, VIEW, Principal, authorize
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.core.product import Incoming
from hamyan.core.uploads import Receipt, receipt_type, store
from hamyan.dues.calendar import parse_day
from hamyan.extensions import db
from hamyan.i18n import box_text, show_day, show_money
from hamyan.notify.services import notify_managers, notify_membership, speaking
from hamyan.web.listing import Page, paged

KIND = "payment_report"


@dataclass(frozen=True)
class Payee:
    account: str  # as stored: digits, or IR and digits
    name: str

    @property
    def shown(self) -> str:
        return parse.grouped(self.account)

    @property
    def is_card(self) -> bool:
        return self.account.isdigit()


def payee_of(box_id: int) -> Payee | None:
    """The card or account the box's members pay to, when its managers set one."""
    row = db.session.get(PaymentSettings, box_id)
    return Payee(row.payee_account, row.payee_name or "") if row is not None and row.payee_account else None


@uow.box_write
def set_payee(actor, box_id, account: str, name: str) -> Payee | None:
    """Managers set the card or Sheba members pay to and its holder's name; an empty account removes it."""
    box = authorize(actor, box_id, MANAGE).box
    row = db.session.get(PaymentSettings, box.id)
    if not parse.normalize(account):
        if row is not None:
            row.payee_account = row.payee_name = None
        return None
    values = parse.fields(("payee_account", lambda: parse.payee_account(account)),
                          ("payee_name", lambda: parse.text(name, "payee_name", label=_("The holder's name"), limit=120)))
    if row is None:
        row = PaymentSettings(box_id=box.id, online_enabled=False, fee_bearer="member")
        db.session.add(row)
    row.payee_account, row.payee_name = values["payee_account"], values["payee_name"]
    return Payee(row.payee_account, row.payee_name)


@uow.box_write
def report(actor, box_id, amount, paid_on, method, reference, receipt: Receipt | None = None,
           target: str | None = None, request_key: str | None = None) -> ReportedPayment:
    """A member says they paid the box: every field is checked at once, then the receipt (when
    given) is kept and the managers are told. A double submit (the same request key) answers the
    first report."""
    access = authorize(actor, box_id, VIEW)
    box, member = access.box, access.membership
    if member is None:
        raise NotFound(_("Only the box's members report payments."))
    key = str(request_key or "")[:80] or None
    existing = db.session.scalar(select(ReportedPayment).filter_by(request_key=key)) if key else None
    if existing is not None and (existing.box_id != box.id or existing.membership_id != member.id):
        raise Conflict(_("This form was already sent; reload it."), field="amount")
    targets = targets_of(box, member.id)
    values = parse.fields(
        ("amount", lambda: parse.amount(amount, box.currency, "amount", locale=box.locale)),
        ("paid_on", lambda: _not_future(box, paid_on)),
        ("method", lambda: parse.choice(method, tuple(METHODS), "method", _("How you paid"))),
        ("reference", lambda: parse.text(reference, "reference", label=_("The bank's reference"), limit=80)),
        ("target", lambda: _target(targets, target)),
        ("receipt", lambda: receipt_type(receipt) if receipt is not None else None))
    kind = values.pop("receipt")
    if existing is not None:  # a retry: the first report, if it says the same
        if any(getattr(existing, name) != value for name, value in values.items()):
            raise Conflict(_("This request key was used for another report."), field="idempotency_key")
        return existing
    row = ReportedPayment(box_id=box.id, membership_id=member.id, request_key=key, status=PENDING,
                          created_at=clock.now(), **values)
    if kind is not None:
        row.receipt_type, row.receipt_name = kind[0], os.path.basename(receipt.filename or "receipt")[-120:]
        row.receipt_path = store("reports", box.id, receipt, kind[1])
    db.session.add(row)
    db.session.flush()
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/boxes/{box.id}/reported-payments"

    def report_email():  # in each manager's language: the amount and day written for them
        said = dict(box=box.name, name=member.display_name, amount=show_money(row.amount, box),
                    method=METHODS[row.method], day=show_day(row.paid_on, box), reference=row.reference, link=link)
        body = (_("%(name)s reports paying %(amount)s by %(method)s on %(day)s (reference %(reference)s) with a "
                  "receipt.\n\nConfirm it once the money is in the account, or reject it: %(link)s", **said)
                if row.receipt_path else
                _("%(name)s reports paying %(amount)s by %(method)s on %(day)s (reference %(reference)s).\n\n"
                  "Confirm it once the money is in the account, or reject it: %(link)s", **said))
        return _("%(box)s: %(name)s reports a payment of %(amount)s", **said), body

    notify_managers(box, report_email, kind=KIND, dedupe_key=f"report:{row.id}")
    return row


def _target(targets: dict | None, target) -> str | None:
    if targets is None:
        return None
    target = str(target or "")[:40] or (next(iter(targets)) if len(targets) == 1 else None)
    if target not in targets:
        raise ValidationError(_("Choose what you paid for.") if targets else _("You are tied to nothing to pay for "
                              "here; ask the managers to add you."), field="target")
    return target


def _not_future(box, value):
    today = clock.today(box)
    on = parse_day(value, box.calendar, "paid_on", _("Paid on")) if parse.normalize(value) else today
    if on > today:
        raise ValidationError(_("Paid on: this day is still to come."), field="paid_on")
    if (today - on).days > 366:
        raise ValidationError(_("Paid on: report payments of the last year; older ones go to the managers."),
                              field="paid_on")
    return on


def _row(box_id: int, report_id) -> ReportedPayment:
    number = parse.record_id(report_id)
    row = db.session.get(ReportedPayment, number) if number else None
    if row is None or row.box_id != box_id:
        raise NotFound(_("No such reported payment in this box."))
    return row


@uow.box_write
def confirm(actor, box_id, report_id) -> ReportedPayment:
    """The money is in: record the payment as the product records one its manager enters. A second
    confirm (a double click, a retry) answers the first."""
    box = authorize(actor, box_id, MANAGE).box
    row = _row(box.id, report_id)
    if row.status == CONFIRMED:
        return row
    if row.status != PENDING:
        raise Conflict(_("This report was %(status)s; the member can report the payment again.",
                         status=REPORT_STATUS_NAMES[row.status]), field="report")
    apply = product(box.kind).load("apply_payment")
    row.entry_id = apply(actor, box.id, Incoming(
        row.membership, row.amount, box.currency, row.method,
        box_text(box, _l("%(method)s, reference %(reference)s"), method=METHODS[row.method], reference=row.reference),
        f"reported:{row.id}", row.paid_on, row.target))  # not "report:": a building's older reports used it
    row.status, row.decided_at, row.decided_by_id = CONFIRMED, clock.now(), Principal.of(actor).user_id
    return row


@uow.box_write
def reject(actor, box_id, report_id, reason: str) -> ReportedPayment:
    """The money is not there (or not this much): the member is told why; nothing is recorded."""
    box = authorize(actor, box_id, MANAGE).box
    row = _row(box.id, report_id)
    if row.status != PENDING:
        raise Conflict(_("This report was already %(status)s.", status=REPORT_STATUS_NAMES[row.status]), field="reason")
    row.reason = parse.reason(reason, limit=300)
    row.status, row.decided_at, row.decided_by_id = REJECTED, clock.now(), Principal.of(actor).user_id
    with speaking(row.membership.user, box):
        notify_membership(row.membership, box.id, _("%(box)s: your payment of %(amount)s was not confirmed",
                                                    box=box.name, amount=show_money(row.amount, box)),
                          _("The managers did not confirm the %(amount)s you reported (reference %(reference)s): "
                            "%(reason)s", amount=show_money(row.amount, box), reference=row.reference, reason=row.reason),
                          kind=KIND, dedupe_key=f"report:{row.id}:rejected")
    return row


@dataclass(frozen=True)
class Listing:
    box: object
    payee: Payee | None
    reports: Page | None  # the managers' list: the reports waiting, or all the box's (None for a member)
    everything: bool  # the managers' list holds the decided reports too
    waiting: int  # how many reports wait for a manager, in all (0 for a member)
    mine: Page | None  # the viewer's own reports, decided ones too (None when they are no member)
    can_manage: bool
    is_member: bool
    targets: dict | None  # what the viewer may pay for (None: the product does not ask)
    labels: dict  # report id -> what a listed report pays for, in the product's words


def listing(actor, box_id, page: int = 1, mine_page: int = 1, everything: bool = False) -> Listing:
    """What the reported-payments page shows the viewer, newest first and a page of each list at a
    time: managers the box's waiting reports (or all of them), a member their own."""
    access = authorize(actor, box_id, VIEW)
    box, member = access.box, access.membership
    listed, waiting = None, 0
    if access.can_manage:
        listed = paged(_newest(box.id, *(() if everything else (ReportedPayment.status == PENDING,))), page)
        waiting = pending_count(box.id) if everything else listed.total
    mine = paged(_newest(box.id, ReportedPayment.membership_id == member.id), mine_page) \
        if member is not None else None
    rows = listed.items if listed else []
    named = {r.membership_id for r in rows if r.target}
    named = targets_by_member(box, named) if named else {}
    labels = {r.id: named[r.membership_id].get(r.target, "") for r in rows if r.target}
    return Listing(box, payee_of(box.id), listed, everything and access.can_manage, waiting, mine,
                   access.can_manage, member is not None, _targets(access), labels)


def targets(actor, box_id) -> dict | None:
    """What the caller may say a report pays for (None where the product does not ask)."""
    return _targets(authorize(actor, box_id, VIEW))


def _targets(access) -> dict | None:
    return targets_of(access.box, access.membership.id) if access.membership is not None else None


def _newest(box_id: int, *where):
    return select(ReportedPayment).filter_by(box_id=box_id).where(*where).order_by(ReportedPayment.id.desc())


def pending_count(box_id: int) -> int:
    return db.session.scalar(select(func.count(ReportedPayment.id)).filter_by(box_id=box_id, status=PENDING))


def in_sight(actor, box_id, limit: int = 50, page: int = 1, waiting: bool = False) -> list[ReportedPayment]:
    """A page of `limit` reports, newest first: the box's for its managers (waiting: those pending and their
    own), a member's own for them."""
    access = authorize(actor, box_id, VIEW)
    own = ReportedPayment.membership_id == (access.membership.id if access.membership is not None else None)
    query = _newest(access.box.id)
    if not access.can_manage:
        query = query.where(own)
    elif waiting:
        query = query.where((ReportedPayment.status == PENDING) | own)
    return list(db.session.scalars(query.limit(limit).offset((page - 1) * limit)))


def report_of(actor, box_id, report_id) -> ReportedPayment:
    """One report, for the box's managers and the member who made it; NotFound for anyone else,
    another box's managers included."""
    access = authorize(actor, box_id, VIEW)
    row = _row(access.box.id, report_id)
    if not (access.can_manage or (access.membership is not None and access.membership.id == row.membership_id)):
        raise NotFound(_("No such reported payment in this box."))
    return row


def receipt_file(actor, box_id, report_id) -> tuple[str, str, str]:
    """(path, mimetype, name) of a report's receipt: for whom report_of shows the report."""
    row = report_of(actor, box_id, report_id)
    if not row.receipt_path:
        raise NotFound(_("No such receipt."))
    path = os.path.join(current_app.instance_path, row.receipt_path)
    if not os.path.isfile(path):  # uploads are per host (instance/): a restored or shared database may lack it
        raise NotFound(_("The receipt's file is not on this server."))
    return path, row.receipt_type, row.receipt_name or "receipt"
