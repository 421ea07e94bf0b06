"""A member's money across every box they are in, read straight from the ledger: each ledger account
whose subject is theirs (their memberships, and what a product's `member_subjects` hook says is theirs
too: a pool's loans, a building's units), with its balance the way the member reads it. So every
figure here is a ledger balance, and the page adds up to the ledger to the unit.

An account the box owes the member (savings, contributions paid in, a payout not yet handed over,
a deposit: liabilities of the box) counts as theirs; one the member owes the box (fines, fees, a
loan's principal and penalties, a unit's charges: assets of the box) counts as owed; either one
below zero counts on the other side. So what is theirs less what they owe is, per currency, the
ledger's balance of their accounts. Sums are per
currency: boxes may keep different currencies, never added together.

What comes next (the next payment due, the payouts to come) is each product's `upcoming` hook."""
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from hamyan.blueprints import PRODUCTS
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.ledger.models import ASSET, LIABILITY, LedgerAccount

# What a member reads for an account's purpose (an unknown purpose shows the account's name).
LABELS = {"savings": _l("Savings"), "pledged": _l("Savings pledged as a guarantor"),
          "contributions": _l("Paid in, less received"), "payout_owed": _l("Payout owed to you"),
          "deposit": _l("Deposit held"), "fines": _l("Late fines"), "fees": _l("Late fees"),
          "principal": _l("Loan principal"), "penalty": _l("Loan penalties"), "receivable": _l("Unit charges")}

BELOW_ZERO = {"contributions": _l("Received ahead of paying in")}


@dataclass
class Line:
    label: str
    amount: int  # as the member reads it: positive is theirs (or owed by them, in `owed`)


@dataclass
class BoxMoney:
    box: Box
    role: str
    held: list[Line] = field(default_factory=list)  # the box owes the member
    owed: list[Line] = field(default_factory=list)  # the member owes the box
    next: list = field(default_factory=list)  # Upcoming: payments due and payouts to come

    @property
    def held_total(self) -> int:
        return sum(line.amount for line in self.held)

    @property
    def owed_total(self) -> int:
        return sum(line.amount for line in self.owed)


@dataclass
class MyMoney:
    boxes: list[BoxMoney]
    held: dict  # currency -> minor units
    owed: dict

    @property
    def currencies(self) -> list[tuple[str, object]]:
        """Each currency with a box of it (whose locale its totals are written in)."""
        seen = {}
        for b in self.boxes:
            seen.setdefault(b.box.currency, b.box)
        return sorted((c, box) for c, box in seen.items() if c in self.held or c in self.owed)


def subjects_of(memberships: list[Membership]) -> list[tuple[str, int]]:
    """The ledger subjects that are these memberships' own: the memberships, then each product's extra."""
    subjects = [("membership", m.id) for m in memberships]
    by_kind = defaultdict(list)
    for m in memberships:
        by_kind[m.box.kind].append(m.id)
    for product in PRODUCTS:
        if product.member_subjects and by_kind.get(product.kind):
            subjects += product.load("member_subjects")(by_kind[product.kind])
    return subjects


def my_money(user_id: int) -> MyMoney:
    """The user's money in every box they belong to. A bounded number of queries whatever the number
    of boxes: the memberships, one per product with extra subjects, and the accounts."""
    rows = db.session.execute(select(Membership, Box).join(Box, Box.id == Membership.box_id).where(
        Membership.user_id == user_id, Membership.left_at.is_(None)).order_by(Box.name, Box.id)).all()
    memberships = [m for m, _ in rows]
    found = {box.id: BoxMoney(box, m.role) for m, box in rows}
    subjects = subjects_of(memberships)
    by_kind = defaultdict(list)
    for kind, ident in subjects:
        by_kind[kind].append(ident)
    accounts = db.session.scalars(select(LedgerAccount).where(
        LedgerAccount.box_id.in_(list(found)), LedgerAccount.type.in_((ASSET, LIABILITY)),
        or_(*[and_(LedgerAccount.subject_kind == kind, LedgerAccount.subject_id.in_(ids))
              for kind, ids in by_kind.items()]))
        .order_by(LedgerAccount.box_id, LedgerAccount.id)).all() if found else []
    held, owed = defaultdict(int), defaultdict(int)
    for account in accounts:
        amount = account.natural_balance
        if not amount:
            continue
        label = str(LABELS.get(account.purpose, account.name))
        # Below zero an account changes sides: a ROSCA seat that collected before paying in owes
        # the box; a unit that paid ahead holds a credit.
        theirs = (account.type == LIABILITY) == (amount > 0)
        if amount < 0:
            label = str(BELOW_ZERO.get(account.purpose) or (_("%(label)s (owed back)", label=label)
                                                            if account.type == LIABILITY else
                                                            _("%(label)s (paid ahead)", label=label)))
        line = Line(label, abs(amount))
        (found[account.box_id].held if theirs else found[account.box_id].owed).append(line)
        (held if theirs else owed)[account.currency] += abs(amount)
    for box_id, items in upcoming(memberships, clock.now().date()).items():
        found[box_id].next = items
    return MyMoney(list(found.values()), dict(held), dict(owed))


@dataclass(frozen=True)
class Upcoming:
    """What comes next for a member in a box: a payment due or a payout, from a product's
    `upcoming` hook (its summary rows and plan)."""
    box_id: int
    label: str
    day: object  # a date
    amount: int | None  # None: the amount depends on what comes in by then
    payout: bool = False


def upcoming(memberships: list[Membership], today) -> dict[int, list[Upcoming]]:
    """Per box, what is due next and the payouts to come, soonest first (one query or two per product)."""
    by_kind, found = defaultdict(list), defaultdict(list)
    for m in memberships:
        by_kind[m.box.kind].append(m.id)
    for product in PRODUCTS:
        if product.upcoming and by_kind.get(product.kind):
            for item in product.load("upcoming")(by_kind[product.kind], today):
                found[item.box_id].append(item)
    return {box_id: sorted(items, key=lambda i: i.day) for box_id, items in found.items()}
