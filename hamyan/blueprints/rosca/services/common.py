"""What every ROSCA rule needs: the round of a box the actor may see or manage, its members,
and its ledger accounts."""
from sqlalchemy import select

from flask_babel import gettext as _
from hamyan import ledger
from hamyan.blueprints.rosca.models import Rosca
from hamyan.boxes.access import MANAGE, VIEW, Principal, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import parse
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger.models import LedgerAccount

KIND = "rosca"


def author(actor) -> int | None:
    return Principal.of(actor).user_id


def viewing(actor, box_id):
    """(access, rosca) for anyone who may see the box; other boxes answer 404."""
    access = authorize(actor, box_id, VIEW, KIND)
    return access, db.session.get(Rosca, access.box.id)


def member_in_sight(actor, box_id, membership_id: int | None = None) -> tuple[Box, Membership]:
    """The member whose seats and statement the actor asks for: themself, or anyone in the box for
    managers; anyone else answers 404, like another box."""
    access = authorize(actor, box_id, VIEW, KIND)
    own = access.membership
    if membership_id is None or (own is not None and own.id == membership_id):
        if own is None:
            raise NotFound()
        return access.box, own
    number = parse.record_id(membership_id)
    target = db.session.get(Membership, number) if number else None
    if not access.can_manage or target is None or target.box_id != access.box.id:
        raise NotFound()
    return access.box, target


def managing(actor, box_id) -> tuple[Box, Rosca]:
    access = authorize(actor, box_id, MANAGE, KIND)
    return access.box, db.session.get(Rosca, access.box.id)


def draft(actor, box_id) -> tuple[Box, Rosca]:
    box, rosca = managing(actor, box_id)
    if rosca.status != "draft":
        raise Conflict(_("The round has started; its seats and prices are fixed."), field="status")
    return box, rosca


def running(rosca: Rosca) -> None:
    if rosca.status == "draft":
        raise ValidationError(_("The round has not started yet: sell every seat, then start it."), field="status")
    if rosca.status == "finished":
        raise ValidationError(_("The round is finished."), field="status")


def active_members(box_id: int) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.box_id == box_id, Membership.left_at.is_(None))
                                   .order_by(Membership.display_name, Membership.id)))


def membership_in(box_id: int, membership_id, field: str = "membership_id") -> Membership:
    number = parse.record_id(membership_id)
    m = db.session.get(Membership, number) if number else None
    if m is None or m.box_id != box_id or m.left_at is not None:
        raise ValidationError(_("That person is not a member of this box.") if number else _("Choose a member."),
                              field=field)
    return m


# ---------------------------------------------------------------- ledger accounts
# cash          asset      money the box holds
# member:<m>    liability  m's contributions paid − payouts collected (gross of the fee) ± swap prices
# deposit:<m>   liability  deposits m paid and the box still holds as a guarantee
# fee_income    income     the operator's fee, kept back from each payout
# late:<m>      asset      late fees charged to m and not paid yet (services.late)
# late_income   income     the box's income from late fees

def cash_account(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "cash", "Cash held by the box", box.currency, type=ledger.ASSET,
                               subject=("box", box.id), purpose="cash")


def fee_account(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "fee_income", "Operator fee", box.currency, type=ledger.INCOME,
                               subject=("box", box.id), purpose="fee_income")


def member_account(box: Box, m: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"member:{m.id}", f"Position of {m.display_name}", box.currency,
                               type=ledger.LIABILITY, subject=("membership", m.id), purpose="contributions")


def deposit_account(box: Box, m: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"deposit:{m.id}", f"Deposit of {m.display_name}", box.currency,
                               type=ledger.LIABILITY, subject=("membership", m.id), purpose="deposit")


def late_account(box: Box, m: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"late:{m.id}", f"Late fees of {m.display_name}", box.currency,
                               type=ledger.ASSET, subject=("membership", m.id), purpose="late_fees")


def late_income_account(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "late_income", "Late fees", box.currency, type=ledger.INCOME,
                               subject=("box", box.id), purpose="late_income")


def box_cash(box_id: int) -> int:
    account = db.session.scalar(select(LedgerAccount).filter_by(box_id=box_id, code="cash"))
    return account.balance if account else 0


def deposits_by_member(box_id: int) -> dict[int, int]:
    """Deposits the box holds, by membership id."""
    return {m: -balance for m, balance in db.session.execute(
        select(LedgerAccount.subject_id, LedgerAccount.balance).filter_by(box_id=box_id, purpose="deposit"))}


def deposits_held(box_id: int) -> int:
    return sum(deposits_by_member(box_id).values())


def available(box_id: int) -> int:
    """Cash a payout may use: what the box holds less the deposits it keeps as guarantees."""
    return box_cash(box_id) - deposits_held(box_id)


def roscas_of(actor, page: int, per_page: int) -> list[tuple]:
    """A page of the actor's ROSCAs by name: (box, their membership, round), in one query."""
    return list(db.session.execute(
        select(Box, Membership, Rosca).join(Membership, Membership.box_id == Box.id)
        .join(Rosca, Rosca.box_id == Box.id)
        .where(Membership.user_id == Principal.of(actor).user_id, Membership.left_at.is_(None))
        .order_by(Box.name, Box.id).offset((page - 1) * per_page).limit(per_page)).all())


def removal_blockers(box: Box, membership: Membership) -> list[str]:
    """What keeps a member in the box (boxes.services.why_not_remove): a seat of a round not
    finished, what they owe, a deposit the box holds for them."""
    from hamyan.blueprints.rosca.models import MemberSummary, Seat, SeatHolding
    from hamyan.i18n import number as num
    from hamyan.i18n import show_money

    rosca = db.session.get(Rosca, box.id)
    reasons = []
    if rosca is not None and rosca.status != "finished":
        reasons += [_("hold seat %(seat)s of the running round", seat=num(number, box)) if rosca.status == "active"
                    else _("hold seat %(seat)s of the draft round", seat=num(number, box))
                    for number in db.session.scalars(
                        select(Seat.number).join(SeatHolding, SeatHolding.seat_id == Seat.id)
                        .where(Seat.box_id == box.id, SeatHolding.membership_id == membership.id).order_by(Seat.number))]
    summary = db.session.get(MemberSummary, (box.id, membership.id))
    if summary is not None:
        if summary.arrears > 0:
            reasons.append(_("owe %(amount)s", amount=show_money(summary.arrears, box)))
        if summary.deposit_held > 0:
            reasons.append(_("have a deposit of %(amount)s held (release the deposits first)",
                             amount=show_money(summary.deposit_held, box)))
    return reasons
