"""Payments the board records (with the bank reference), and late fees on charges left unpaid. (What a
resident reports paying is the shared "I have paid", hamyan.blueprints.payments.reports.)"""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import PAYERS, Building, Unit, UnitPayment, UnitPerson
from hamyan.boxes.access import SYSTEM
from hamyan.boxes.models import Box
from hamyan.boxes.numbers import next_number
from hamyan.core import clock, parse, uow
from hamyan.core.errors import NotFound
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.extensions import db
from hamyan.i18n import Amount, box_text
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry

from .common import account, by, fields, fund_account, manage, not_future, post, request_hash, \
    request_key, row_of, same_request, unit_account, unit_of
from .summary import UNIT, derive, refresh

# A unit's payment as the ledger remembers it, by whose part it pays (None: the unit's whole).
PAYMENT_MEMOS = {None: _l("Unit %(unit)s: payment ref %(reference)s"),
                 "owner": _l("Unit %(unit)s: the owner's payment ref %(reference)s"),
                 "resident": _l("Unit %(unit)s: the resident's payment ref %(reference)s")}


@uow.box_write
def record_payment(actor, box_id, unit_id, amount, paid_on=None, reference: str = "", payer: str = "",
                   key: str | None = None, part: str | None = None) -> UnitPayment:
    """Money a unit paid into the operating fund. It settles the unit's oldest charges first, the
    `part` it names first (the owner's or the resident's; None: the unit's whole) (a derivation, see
    summary.py); more than is owed stays as the unit's credit. A retry with the same key returns the
    first payment; the same key with anything different is refused (409)."""
    acc = manage(actor, box_id)
    box = acc.box
    unit = unit_of(acc, unit_id)
    key = request_key(key)
    digest = request_hash(unit=unit.id, amount=str(amount), paid_on=str(paid_on), reference=reference, payer=payer,
                          **({"part": part} if part else {}))
    existing = db.session.scalar(select(UnitPayment).filter_by(box_id=box.id, request_key=key))
    if existing is not None:
        same_request(existing, digest)
        return existing
    values = fields(("amount", lambda: parse.amount(amount, box.currency, "amount")),
                    ("paid_on", lambda: not_future(box, paid_on, "paid_on")),
                    ("reference", lambda: parse.text(reference, "reference", label=_("Bank reference"), limit=80)),
                    ("payer", lambda: parse.text(payer, "payer", label=_("Paid by"), limit=120, required=False)),
                    ("part", lambda: parse.choice(part, PAYERS, "part", _("Whose part")) if part else None))
    memo = PAYMENT_MEMOS[values["part"]]
    entry = post(box, actor, "payment", [(fund_account(box, "operating"), values["amount"]),
                                        (unit_account(box, unit.id), -values["amount"])],
                 f"payment:{key}", values["paid_on"],
                 box_text(box, memo, unit=unit.number, reference=values["reference"]))
    payment = UnitPayment(box_id=box.id, number=next_number(UnitPayment, box.id), unit_id=unit.id, request_key=key, request_hash=digest, entry_id=entry.id,
                          created_by_id=by(actor), **values)
    db.session.add(payment)
    refresh(box, [unit.id])
    return payment


@uow.box_write
def reverse_payment(actor, box_id, payment_id, reason: str, unit_id=None):
    """Undo a unit's payment (entered by mistake, or an online payment refunded): a reversal entry
    dated today; the payment stays listed and no longer settles anything. The reversal entry; the
    same again answers the first reversal. With `unit_id`, a payment of another unit is NotFound."""
    acc = manage(actor, box_id)
    payment = row_of(UnitPayment, acc.box.id, payment_id, _("No such payment in this building."))
    if unit_id is not None and payment.unit_id != parse.record_id(unit_id):
        raise NotFound(_("No such payment on this unit."))
    reason = parse.reason(reason, limit=300)
    entry = db.session.get(Entry, payment.entry_id)
    reversal = ledger.reverse(entry, memo=box_text(acc.box, _l("Unit payment reversed: %(reason)s"), reason=reason),
                              idempotency_key=f"apt:{acc.box.id}:payment:{payment.id}:reverse",
                              effective_date=clock.today(acc.box), created_by_id=by(actor))
    refresh(acc.box, [payment.unit_id])
    return reversal


def part_for(unit_id: int, membership_id: int) -> str | None:
    """Whose part a payment by this member pays first: their relation to the unit (owner or
    resident) when the unit has both an owner and a resident linked; otherwise (one side only, or
    not linked) None, the unit's whole, as reminders tell them all of it."""
    relations = dict(db.session.execute(select(UnitPerson.membership_id, UnitPerson.relation)
                                        .filter_by(unit_id=unit_id)).all())
    mine = relations.get(membership_id)
    return mine if mine and len(set(relations.values())) == 2 else None


def charge_late_fees(box_id: int, actor=SYSTEM) -> int:
    """Charge the building's late fee once on every charge still unpaid after its grace days
    (inside the caller's box write: the daily job, or the board's button). Returns how many."""
    box = db.session.get(Box, box_id)
    building = db.session.get(Building, box_id)
    if building is None or building.late_fee_kind == "none" or not building.late_fee_value:
        return 0
    today = clock.today(box)
    unit_ids = db.session.scalars(select(Unit.id).filter_by(box_id=box.id)).all()
    positions = derive(box, building, unit_ids, today)
    late_ones = [(unit_id, o) for unit_id, pos in positions.items() for o in pos.obligations
                 if o.reference.startswith("charge:") and o.unpaid
                 and dues_status.is_late(o.due_date, building.grace_days, today)]
    done = late.charged(box.id, UNIT, [o.reference for _, o in late_ones])
    count = 0
    income = account(box, "apt:income:late_fees")
    touched = []
    for unit_id, o in late_ones:
        if (unit_id, o.reference) in done:
            continue
        amount = late.amount_for(building.late_fee_kind, building.late_fee_value, o.unpaid)
        if amount <= 0:
            continue
        on = dues_status.late_after(o.due_date, building.grace_days) + timedelta(days=1)
        late.charge(box.id, (UNIT, unit_id), o.reference, o.due_date, amount, code="late_fee",
                    owed_account=unit_account(box, unit_id), income_account=income,
                    idempotency_key=f"apt:{box.id}:late:{o.reference}", effective_date=on,
                    memo=box_text(box, _l("Late fee: %(charge)s (%(unpaid)s unpaid)"), charge=o.label,
                                  unpaid=Amount(o.unpaid)), created_by_id=by(actor))
        touched.append(unit_id)
        count += 1
    refresh(box, touched)
    return count


@uow.box_write
def assess_late_fees(actor, box_id) -> int:
    manage(actor, box_id)
    return charge_late_fees(int(box_id), actor)


@uow.box_write
def waive_late_fee(actor, box_id, unit_id, reference: str, reason: str, key: str | None = None) -> bool:
    """Take back a unit's late fee (a reversal entry; the fee is never charged again). reference
    names the late charge ("charge:<id>"). False when this very request already waived it."""
    acc = manage(actor, box_id)
    unit = unit_of(acc, unit_id)
    row = late.find(acc.box.id, (UNIT, unit.id), str(reference or ""))
    if row is None:
        raise NotFound(_("No such late fee on this unit."))
    reason = parse.reason(reason, limit=300)
    done = late.waive(row, reason, today=clock.today(acc.box),
                      idempotency_key=f"apt:{acc.box.id}:late:{row.reference}:waive:{unit.id}",
                      memo=box_text(acc.box, _l("Late fee waived: %(reason)s"), reason=reason), by_id=by(actor))
    refresh(acc.box, [unit.id])
    return done
