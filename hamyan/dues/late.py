"""Late charges: deciding the amount, charging once per obligation, waiving by a reversal.

Every product charges through `charge` inside its own box write (core.uow.box_write): the entry
debits what the subject owes (a receivable of theirs) and credits the box's income, and a
LateCharge row records it under (box, subject, reference). The row is unique, so the daily job
may run any number of times; `charged` tells it what was charged already, waived charges included,
so a waived obligation is never charged again."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hamyan import ledger
from hamyan.core.errors import Conflict
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.ledger.models import LedgerAccount

FIXED, PERCENT = "fixed", "percent"


def amount_for(kind: str, value: int, owed: int) -> int:
    """The charge for an obligation of `owed` left unpaid: `value` minor units when fixed; `value`
    hundredths of a percent (basis points) of `owed` when a percentage, rounded half up once."""
    if kind == FIXED:
        return value
    if kind == PERCENT:
        return int((Decimal(owed) * value / 10000).quantize(Decimal(1), ROUND_HALF_UP))
    return 0


def charged(box_id: int, subject_kind: str, references) -> set[tuple[int, str]]:
    """(subject id, reference) of what was charged already among `references`, waived included."""
    references = list(references)
    if not references:
        return set()
    return {tuple(row) for row in db.session.execute(
        select(LateCharge.subject_id, LateCharge.reference).where(
            LateCharge.box_id == box_id, LateCharge.subject_kind == subject_kind,
            LateCharge.reference.in_(references)))}


def charges(box_id: int, subject_kind: str, references=None, subject_ids=None) -> list[LateCharge]:
    """The box's charges to subjects of a kind (those of `subject_ids`; on `references`, when
    given), waived included, oldest due first, with their entries."""
    query = select(LateCharge).where(LateCharge.box_id == box_id, LateCharge.subject_kind == subject_kind)
    if references is not None:
        query = query.where(LateCharge.reference.in_(list(references) or [""]))
    if subject_ids is not None:
        query = query.where(LateCharge.subject_id.in_(list(subject_ids) or [0]))
    return list(db.session.scalars(query.options(joinedload(LateCharge.entry))
                                   .order_by(LateCharge.due_date, LateCharge.id)))


def find(box_id: int, subject: tuple[str, int], reference: str) -> LateCharge | None:
    return db.session.scalar(select(LateCharge).filter_by(box_id=box_id, subject_kind=subject[0],
                                                          subject_id=subject[1], reference=reference))


def unwaived(box_id: int, subject_kind: str, references, subject_ids=None) -> list[tuple[int, str, int]]:
    """(subject id, reference, amount) of the charges not waived: what state derivations read."""
    references = list(references)
    if not references:
        return []
    query = select(LateCharge.subject_id, LateCharge.reference, LateCharge.amount).where(
        LateCharge.box_id == box_id, LateCharge.subject_kind == subject_kind,
        LateCharge.reference.in_(references), LateCharge.waiver_entry_id.is_(None))
    if subject_ids is not None:
        query = query.where(LateCharge.subject_id.in_(list(subject_ids) or [0]))
    return [tuple(row) for row in db.session.execute(query)]


def charge(box_id: int, subject: tuple[str, int], reference: str, due_date: date, amount: int, *,
           code: str, owed_account: LedgerAccount, income_account: LedgerAccount, idempotency_key: str,
           effective_date: date, memo: str, created_by_id: int | None = None) -> LateCharge:
    """Post one late charge (Dr owed_account, Cr income_account) and record it. The caller holds
    the box write and has checked `charged`; the unique row refuses a second charge anyway."""
    entry = ledger.post(code, [(owed_account, amount), (income_account, -amount)], idempotency_key=idempotency_key,
                        effective_date=effective_date, memo=memo, box_id=box_id, created_by_id=created_by_id)
    row = LateCharge(box_id=box_id, subject_kind=subject[0], subject_id=subject[1], reference=reference,
                     due_date=due_date, amount=amount, entry_id=entry.id)
    db.session.add(row)
    return row


def waive(row: LateCharge, reason: str, *, today: date, idempotency_key: str, memo: str,
          by_id: int | None) -> bool:
    """Take a charge back by a reversal entry dated today; the row stays, marked waived. False when
    this very request (the same key) already waived it: a retry writes nothing; any other second
    waiver is refused. The caller decides whether it may be waived (unpaid, the product allows it)."""
    if row.waived:
        if row.waiver.idempotency_key == idempotency_key:
            return False
        raise Conflict("This late charge was already waived.", field="reason")
    reversal = ledger.reverse(row.entry, memo=memo, idempotency_key=idempotency_key, effective_date=today,
                              created_by_id=by_id)
    row.waiver_entry_id, row.waived_reason, row.waived_by_id = reversal.id, reason, by_id
    db.session.flush()
    return True
