"""The money core's tables. Entries and postings are written once and never updated or deleted."""
from sqlalchemy import BigInteger, CheckConstraint, Index

from hamyan.core import clock
from hamyan.extensions import db


DEBIT = "debit"
CREDIT = "credit"

# What an account is, in the books: its type decides its normal side.
ASSET, LIABILITY, EQUITY, INCOME, EXPENSE = "asset", "liability", "equity", "income", "expense"
TYPES = (ASSET, LIABILITY, EQUITY, INCOME, EXPENSE)
DEBIT_TYPES = (ASSET, EXPENSE)
# Whose account it is: the id of that row (membership.id, the loan's id, ...; the box's own id for "box").
SUBJECT_KINDS = ("membership", "loan", "unit", "seat", "box")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class LedgerAccount(db.Model):
    """Something that holds or owes money. Positive postings are debits, negative are credits.

    Reports select accounts by type, subject and purpose; the code is only the account's unique
    name in its box (what open_account() finds it by) and is never parsed."""

    __tablename__ = "ledger_account"
    __table_args__ = (
        db.UniqueConstraint("box_id", "code", name="uq_ledger_account_box_code"),
        CheckConstraint(_in("type", TYPES), name="type"),
        CheckConstraint(_in("subject_kind", SUBJECT_KINDS), name="subject_kind"),
        # Only a box-wide account of no box (tests, benches) has no subject id.
        CheckConstraint("subject_id IS NOT NULL OR subject_kind = 'box'", name="subject_id"),
        # Covers balances_by_type (a box's balances summed per type and purpose) without reading
        # the rows: a pool of 10,000 savers has 15,000 accounts.
        Index("ix_ledger_account_box_type_purpose", "box_id", "type", "purpose", "balance"),
        Index("ix_ledger_account_box_subject", "box_id", "subject_kind", "subject_id"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=True)
    code = db.Column(db.String(120), nullable=False)  # unique in the box, e.g. "cash" or "mp:member:12:savings"
    name = db.Column(db.String(200), nullable=False)
    currency = db.Column(db.String(3), nullable=False)
    type = db.Column(db.String(9), nullable=False)
    subject_kind = db.Column(db.String(10), nullable=False)
    subject_id = db.Column(db.Integer, nullable=True)
    # What the account is for among its subject's accounts of its type (a member's "savings" or
    # "pledged" savings, a loan's "principal" or "penalty"), so sums per purpose need no code.
    purpose = db.Column(db.String(30), nullable=False)
    # Sum of this account's postings, kept in the same transaction as the postings.
    balance = db.Column(BigInteger, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    @property
    def normal_side(self) -> str:
        return DEBIT if self.type in DEBIT_TYPES else CREDIT

    @property
    def natural_balance(self) -> int:
        """The balance with the sign people expect: positive on the account's normal side."""
        return self.balance if self.normal_side == DEBIT else -self.balance

    def __repr__(self):
        return f"<LedgerAccount {self.id} {self.code} {self.currency}>"


class Entry(db.Model):
    """One business event. Its postings sum to zero per currency."""

    __tablename__ = "ledger_entry"
    __table_args__ = (db.UniqueConstraint("box_id", "number", name="uq_ledger_entry_box_number"),)

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=True, index=True)
    # What people call the entry: #1 is a box's first (ids run across every box). None without a box.
    number = db.Column(db.Integer, nullable=True)
    code = db.Column(db.String(60), nullable=False)  # why: contribution, payout, reversal, ...
    memo = db.Column(db.String(500), nullable=False, default="")
    effective_date = db.Column(db.Date, nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    idempotency_key = db.Column(db.String(200), nullable=False, unique=True)
    # Hash of what the entry says, so a retry with other content is refused instead of ignored.
    fingerprint = db.Column(db.String(64), nullable=False)
    reverses_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True, unique=True)

    # Loaded when read (one query), not with every entry: lists of payments, loans and the like join
    # their entries for a number and never read the legs, which cost a query and a row per leg.
    postings = db.relationship("Posting", back_populates="entry", order_by="Posting.id")
    reverses = db.relationship("Entry", remote_side=[id], foreign_keys=[reverses_id], backref=db.backref("reversed_by", uselist=False))

    def __repr__(self):
        return f"<Entry {self.id} {self.code} {self.idempotency_key}>"


class Posting(db.Model):
    """One leg of an entry: an account and a signed amount in integer minor units."""

    __tablename__ = "ledger_posting"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        Index("ix_ledger_posting_account_entry", "account_id", "entry_id"),
    )

    id = db.Column(db.Integer, primary_key=True)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False, index=True)
    account_id = db.Column(db.Integer, db.ForeignKey("ledger_account.id"), nullable=False)
    amount = db.Column(BigInteger, nullable=False)
    currency = db.Column(db.String(3), nullable=False)

    entry = db.relationship("Entry", back_populates="postings")
    account = db.relationship("LedgerAccount", lazy="joined")


# The accounts whose movements are also kept per day (CashDay): a box's own cash, (subject kind, purpose).
KEPT_PER_DAY = ("box", "cash")


class CashDay(db.Model):
    """What a box's cash account (KEPT_PER_DAY) moved on one day through one kind of entry in one
    direction, kept by post() in the same transaction as the postings: a box's report lists its cash
    a line per day and kind without reading the postings (a 10,000-saver pool's cash has some
    500,000). An entry counts by its net on the account (one netting to zero is not counted), on its
    effective date, which is the box's day. `flask ledger check` derives every row from the postings."""

    __tablename__ = "ledger_cash_day"

    account_id = db.Column(db.Integer, db.ForeignKey("ledger_account.id"), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    code = db.Column(db.String(60), primary_key=True)
    inflow = db.Column(db.Boolean, primary_key=True)  # the entries' net is a debit: money in
    entries = db.Column(db.Integer, nullable=False)
    amount = db.Column(BigInteger, nullable=False)  # their nets summed, debits positive
    # The earliest of them, the one that made the row (entry ids only grow): a day's lines are in
    # this order, and a line of one entry shows that entry's memo and number.
    first_entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False)
