"""What every cashbox rule needs: who may act (boxes.access), the box's rounds and members, and
its ledger accounts."""
from sqlalchemy import Select, func, select
from flask_babel import gettext as _


from hamyan import ledger
from hamyan.blueprints.cashbox.models import Round
from hamyan.blueprints.cashbox.services.state import refresh_summaries
from hamyan.boxes.access import VIEW, Access, Principal, authorize
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse
from hamyan.core.errors import NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import number as num
from hamyan.ledger.models import Entry, LedgerAccount

KIND = "cashbox"


# ---------------------------------------------------------------- who may act

def author(actor) -> int | None:
    """Who rows and entries record as their author (None for the system)."""
    return Principal.of(actor).user_id


def member_in_sight(actor, box_id, membership_id: int | None = None) -> tuple[Box, Membership]:
    """The member whose shares, payments and statement the actor asks for: themself (no id, or
    their own), anyone active in the box for managers. Anyone else answers 404, like another box."""
    access = authorize(actor, box_id, VIEW, KIND)
    return access.box, member_of(access, membership_id)


def member_of(access: Access, membership_id: int | None = None) -> Membership:
    """member_in_sight for an access already authorized (a page that needs the access too)."""
    own = access.membership
    if membership_id is None or (own is not None and own.id == membership_id):
        if own is None:
            raise NotFound()
        return own
    number = parse.record_id(membership_id)
    target = db.session.get(Membership, number) if number else None
    if not access.can_manage or target is None or target.box_id != access.box.id or target.left_at is not None:
        raise NotFound()
    return target


# ---------------------------------------------------------------- rounds and members

def rounds_of(box_id: int) -> list[Round]:
    return list(db.session.scalars(select(Round).filter_by(box_id=box_id).order_by(Round.number.desc())))


def current_round(box_id: int) -> Round | None:
    """The active round, else the draft, else the latest finished one."""
    return _current(rounds_of(box_id))


def _current(rounds: list[Round]) -> Round | None:
    for status in ("active", "draft"):
        for r in rounds:
            if r.status == status:
                return r
    return rounds[0] if rounds else None


def chosen_round(box_id: int, round_id: int | None) -> tuple[list[Round], Round]:
    """The box's rounds (newest first) and the one asked for, else the current one; 404 if none."""
    rounds = rounds_of(box_id)
    r = next((x for x in rounds if x.id == round_id), None) if round_id else _current(rounds)
    if r is None:
        raise NotFound()
    return rounds, r


def round_in_box(box_id: int, round_id) -> Round:
    number = parse.record_id(round_id)
    r = db.session.get(Round, number) if number else None
    if r is None or r.box_id != box_id:
        raise NotFound()
    return r


def active_round(box_id: int, round_id=None) -> Round:
    """The running round money goes to (the one named, which must be running)."""
    if round_id is not None:
        r = round_in_box(box_id, round_id)
        if r.status == "finished":
            raise ValidationError(_("Round %(number)s is finished; it takes no more payments.", number=num(r.number)),
                                  field="round_id")
        if r.status == "draft":
            raise ValidationError(_("Round %(number)s has not started yet.", number=num(r.number)), field="round_id")
        return r
    r = db.session.scalar(select(Round).filter_by(box_id=box_id, status="active"))
    if r is None:
        raise ValidationError(_("No round is running. Start a round first."), field="round_id")
    return r


def active_members(box_id: int) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).where(Membership.box_id == box_id, Membership.left_at.is_(None))
        .order_by(Membership.display_name, Membership.id)))


def member_count(box_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(people(box_id).subquery()))


def people(box_id: int) -> Select:
    """Members of the box: whom its forms name (hamyan.web.picker)."""
    return boxes.people(box_id)


def membership_in(box_id: int, membership_id) -> Membership:
    number = parse.record_id(membership_id)
    m = db.session.get(Membership, number) if number else None
    if m is None or m.box_id != box_id or m.left_at is not None:
        raise ValidationError(_("That person is not a member of this box.") if number else _("Choose a member."),
                              field="membership_id")
    return m


# ---------------------------------------------------------------- ledger accounts

def cash_account(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "cash", "Cash held by the box", box.currency, type=ledger.ASSET,
                               subject=("box", box.id), purpose="cash")


def fine_income_account(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "fine_income", "Late fine income", box.currency, type=ledger.INCOME,
                               subject=("box", box.id), purpose="fine_income")


def member_account(box: Box, membership: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"member:{membership.id}", f"Contributions of {membership.display_name}",
                               box.currency, type=ledger.LIABILITY, subject=("membership", membership.id),
                               purpose="contributions")


def fines_account(box: Box, membership: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"fines:{membership.id}", f"Fines owed by {membership.display_name}",
                               box.currency, type=ledger.ASSET, subject=("membership", membership.id), purpose="fines")


def payout_owed_account(box: Box, membership: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"payout_owed:{membership.id}", f"Payout owed to {membership.display_name}",
                               box.currency, type=ledger.LIABILITY, subject=("membership", membership.id),
                               purpose="payout_owed")


def box_cash(box: Box) -> int:
    """What the box holds now (read only: no account is opened by looking)."""
    account = db.session.scalar(select(LedgerAccount).filter_by(box_id=box.id, code="cash"))
    return account.balance if account else 0


def cashboxes_of(actor, page: int, per_page: int) -> list[tuple[Box, Membership, Round | None, int]]:
    """A page of the actor's cashboxes by name: (box, their membership, current round, cash), in
    a fixed number of queries."""
    rows = db.session.execute(
        select(Box, Membership).join(Membership, Membership.box_id == Box.id)
        .where(Box.kind == KIND, Membership.user_id == Principal.of(actor).user_id, Membership.left_at.is_(None))
        .order_by(Box.name, Box.id).offset((page - 1) * per_page).limit(per_page)).all()
    ids = [box.id for box, _ in rows]
    rounds: dict[int, list[Round]] = {}
    for r in db.session.scalars(select(Round).where(Round.box_id.in_(ids or [0])).order_by(Round.number.desc())):
        rounds.setdefault(r.box_id, []).append(r)
    cash = dict(db.session.execute(select(LedgerAccount.box_id, LedgerAccount.balance)
                                   .where(LedgerAccount.box_id.in_(ids or [0]), LedgerAccount.code == "cash")).all())
    return [(box, m, _current(rounds.get(box.id, [])), cash.get(box.id, 0)) for box, m in rows]


def undo(box: Box, actor, row, r: Round, memo: str, action: str):
    """Undo a payment's ledger entry by a reversal dated today; the row stays,
    showing the reversal, and its member's summary follows."""
    ledger.reverse(db.session.get(Entry, row.entry_id), memo=memo, idempotency_key=f"cashbox:{box.id}:{action}",
                   effective_date=clock.today(box), created_by_id=author(actor))
    db.session.flush()
    db.session.refresh(row)
    refresh_summaries(r, [row.membership_id])
    return row


# ---------------------------------------------------------------- removing a member

def removal_blockers(box: Box, membership: Membership) -> list[str]:
    """What keeps a member in the box (boxes.services.why_not_remove): a share of a round not
    finished, or what they owe in any round."""
    from hamyan.blueprints.cashbox.models import Holding, MemberSummary, Share
    from hamyan.i18n import show_money

    reasons = [_("hold share %(share)s of the running round %(round)s", share=num(share, box), round=num(number, box))
               if status == "active" else
               _("hold share %(share)s of the draft round %(round)s (give it to someone else in Set up first)",
                 share=num(share, box), round=num(number, box))
               for share, number, status in db.session.execute(
                   select(Share.number, Round.number, Round.status).join(Holding, Holding.share_id == Share.id)
                   .join(Round, Round.id == Share.round_id)
                   .where(Round.box_id == box.id, Round.status != "finished", Holding.membership_id == membership.id)
                   .order_by(Round.number, Share.number))]
    reasons += [_("owe %(amount)s in round %(round)s", amount=show_money(owed, box), round=num(number, box))
                for number, owed in db.session.execute(
                    select(Round.number, MemberSummary.arrears + MemberSummary.fines_unpaid)
                    .join(Round, Round.id == MemberSummary.round_id)
                    .where(MemberSummary.box_id == box.id, MemberSummary.membership_id == membership.id,
                           MemberSummary.arrears + MemberSummary.fines_unpaid > 0).order_by(Round.number))]
    return reasons
