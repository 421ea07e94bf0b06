"""What people call a box's loans and payments: #1 is the box's first of its kind (ids run across
every box, so they say nothing to a member). A table numbered so has `box_id` and `number` columns
under UNIQUE (box_id, number); ledger entries are numbered the same way by the ledger itself."""
from sqlalchemy import func, select

from hamyan.extensions import db


def next_number(model, box_id: int) -> int:
    """The number the box's next `model` row takes: one more than its last. Asked inside the box's
    write, whose lock keeps every other writer of the box out until it commits (the unique
    constraint guards the rest); the query flushes the rows the write added before, so several
    rows of one write count on."""
    return db.session.scalar(select(func.coalesce(func.max(model.number), 0) + 1).where(model.box_id == box_id))


def payment_numbers(kind: str, entry_ids) -> dict[int, int]:
    """Entry id -> the number of the payment that entry records, in a box of this kind whose payments
    are numbered (Product.numbered_payments); an entry that records none is left out."""
    from hamyan.blueprints import product
    from hamyan.core.product import load

    descriptor = product(kind)
    if not entry_ids or descriptor is None or descriptor.numbered_payments is None:
        return {}
    model = load(descriptor.numbered_payments)
    return dict(db.session.execute(select(model.entry_id, model.number).where(model.entry_id.in_(entry_ids))).all())
