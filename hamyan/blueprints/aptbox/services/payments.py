"""Payments the board records (with the bank reference), and late fees on charges left unpaid."""
from datetime import timedelta

from sqlalchemy import select

from hamyan.blueprints.aptbox.models import Building, UnitPayment, Unit
from hamyan.boxes.access import SYSTEM
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import ValidationError
from hamyan.dues import late
from hamyan.dues import status as dues_status
from hamyan.extensions import db

from .common import account, by, fund_account, manage, money, not_future, post, request_hash, request_key, same_request, \
    text, unit_account, unit_of
from .summary import UNIT, derive, refresh


@uow.box_write
def record_payment(actor, box_id, unit_id, amount, paid_on=None, reference: str = "", payer: str = "",
                   key: str | None = None) -> UnitPayment:
    """Money a unit paid into the operating fund. It settles the unit's oldest charges first (a
    derivation, see summary.py); more than is owed stays as the unit's credit. A retry with the
    same key returns the first payment; the same key with anything different is refused (409)."""
    acc = manage(actor, box_id)
    box = acc.box
    unit = unit_of(acc, unit_id)
    key = request_key(key)
    digest = request_hash(unit=unit.id, amount=str(amount), paid_on=str(paid_on), reference=reference, payer=payer)
    existing = db.session.scalar(select(UnitPayment).filter_by(box_id=box.id, request_key=key))
    if existing is not None:
        same_request(existing, digest)
        return existing
    errors, values = {}, {}
    for name, parser in (("amount", lambda: parse.amount(amount, box.currency, "amount")),
                         ("paid_on", lambda: not_future(box, paid_on, "paid_on")),
                         ("reference", lambda: text(reference, "reference", "Bank reference", 80)),
                         ("payer", lambda: text(payer, "payer", "Paid by", 120, required=False))):
        try:
            values[name] = parser()
        except ValidationError as error:
            errors.update(error.fields)
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)
    entry = post(box, actor, "payment", [(fund_account(box, "operating"), values["amount"]),
                                        (unit_account(box, unit.id), -values["amount"])],
                 f"payment:{key}", values["paid_on"], f"Unit {unit.number}: payment ref {values['reference']}")
    payment = UnitPayment(box_id=box.id, unit_id=unit.id, request_key=key, request_hash=digest, entry_id=entry.id,
                      created_by_id=by(actor), **values)
    db.session.add(payment)
    refresh(box, [unit.id])
    return payment


def payments_of(unit_id: int) -> list[UnitPayment]:
    return list(db.session.scalars(select(UnitPayment).filter_by(unit_id=unit_id).order_by(UnitPayment.paid_on, UnitPayment.id)))


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
                    memo=f"Late fee: {o.label} ({money(box, o.unpaid)} unpaid)", created_by_id=by(actor))
        touched.append(unit_id)
        count += 1
    refresh(box, touched)
    return count


@uow.box_write
def assess_late_fees(actor, box_id) -> int:
    manage(actor, box_id)
    return charge_late_fees(int(box_id), actor)
