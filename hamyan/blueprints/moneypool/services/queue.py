"""The loan queue: who waits, the pool's cash, and drawing the next borrower."""
import random

from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import Loan, Pool
from hamyan.boxes.access import MANAGE
from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text, number
from hamyan.ledger import service as ledger
from hamyan.ledger.models import LedgerAccount

from .common import _event, _natural, access


def queue_order(pool: Pool) -> tuple:
    """The order approved loans wait in: approval, a lottery's drawn loan first."""
    if pool.queue_policy == "lottery":
        return Loan.drawn_at.is_(None), Loan.drawn_at, Loan.approved_at, Loan.id
    return Loan.approved_at, Loan.id


def waiting(box: Box, pool: Pool) -> list[Loan]:
    """Approved loans waiting for cash, in queue order."""
    return list(db.session.scalars(select(Loan).filter_by(box_id=box.id, status="approved")
                                   .order_by(*queue_order(pool))))


def cash(box: Box, since: date | None = None) -> int:
    """The pool's cash now; with `since`, the least it held at the end of any day from then on: what
    money leaving on that day may take without the cash going below zero on some day after."""
    account = db.session.execute(select(LedgerAccount).filter_by(box_id=box.id, code="mp:cash")).scalar_one_or_none()
    if since is None or account is None:
        return _natural(account)
    return ledger.lowest_balance(account, since)


@uow.box_write
def draw(actor, box_id: int, seed: int | None = None) -> Loan:
    """Lottery queues: pick the next loan at random among those waiting that the cash can pay."""
    acc = access(actor, box_id, MANAGE)
    if acc.pool.queue_policy != "lottery":
        raise ValidationError(_("This pool pays loans first come, first served; there is no draw."), field="queue")
    queue = waiting(acc.box, acc.pool)
    drawn = [loan for loan in queue if loan.drawn_at is not None]
    if drawn:
        raise Conflict(_("Loan #%(number)s won the last draw; pay it out first.", number=number(drawn[0].number, acc.box)),
                       field="queue")
    available = cash(acc.box)
    candidates = [loan for loan in queue if loan.amount - loan.fee <= available]
    if not candidates:
        raise ValidationError(_("No waiting loan fits the cash the pool has now."), field="queue")
    winner = random.Random(seed).choice(candidates) if seed is not None else random.SystemRandom().choice(candidates)
    winner.drawn_at = clock.now()
    numbers = [box_text(acc.box, _l("#%(number)s"), number=loan.number) for loan in candidates]
    _event(winner, actor, "drawn", box_text(acc.box, _l("Among loans %(loans)s"), loans=numbers))
    return winner
