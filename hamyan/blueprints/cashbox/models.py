"""Cashbox tables. Money itself lives in the ledger; these rows say who holds which share, when
each period is due, who won it, and which ledger entry recorded each payment and payout."""
from sqlalchemy import BigInteger

from hamyan.core import clock
from hamyan.extensions import db
from hamyan.rotation.models import HeldColumns, PartColumns


PERIOD_KINDS = ("weekly", "monthly", "days")
DRAW_MODES = ("predefined", "random")
FINE_KINDS = ("none", "fixed", "percent")
WINNER_POLICIES = ("net", "hold")
ROUND_STATUSES = ("draft", "active", "finished")
PAYMENT_METHODS = ("cash", "bank", "netted")


class Cashbox(db.Model):
    """The box-wide rules; each round carries its own amounts and schedule."""

    __tablename__ = "cashbox"
    __table_args__ = (
        db.CheckConstraint("fine_kind IN ('none', 'fixed', 'percent')", name="fine_kind"),
        db.CheckConstraint("winner_policy IN ('net', 'hold')", name="winner_policy"),
        db.CheckConstraint("grace_days >= 0", name="grace_days"),
        db.CheckConstraint("fine_value >= 0", name="fine_value"),
    )

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    grace_days = db.Column(db.Integer, nullable=False, default=0)
    fine_kind = db.Column(db.String(10), nullable=False, default="none")
    # Minor units for a fixed fine; hundredths of a percent (basis points) for a percentage.
    fine_value = db.Column(BigInteger, nullable=False, default=0)
    winner_policy = db.Column(db.String(10), nullable=False, default="net")

    box = db.relationship("Box")


class Round(db.Model):
    __tablename__ = "cashbox_round"
    __table_args__ = (
        db.UniqueConstraint("box_id", "number", name="uq_cashbox_round_box_number"),
        db.CheckConstraint("status IN ('draft', 'active', 'finished')", name="status"),
        db.CheckConstraint("period_kind IN ('weekly', 'monthly', 'days')", name="period_kind"),
        db.CheckConstraint("draw_mode IN ('predefined', 'random')", name="draw_mode"),
        db.CheckConstraint("contribution > 0", name="contribution"),
        db.CheckConstraint("share_count > 0", name="share_count"),
        db.CheckConstraint("period_days > 0", name="period_days"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("cashbox.box_id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(10), nullable=False, default="draft")
    contribution = db.Column(BigInteger, nullable=False)  # per share per period, minor units
    share_count = db.Column(db.Integer, nullable=False)
    period_kind = db.Column(db.String(10), nullable=False)
    period_days = db.Column(db.Integer, nullable=False, default=7)  # used when period_kind == "days"
    first_due = db.Column(db.Date, nullable=False)
    draw_mode = db.Column(db.String(12), nullable=False)
    previous_id = db.Column(db.Integer, db.ForeignKey("cashbox_round.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    started_at = db.Column(db.DateTime, nullable=True)
    finished_at = db.Column(db.DateTime, nullable=True)
    summaries_on = db.Column(db.Date, nullable=True)  # the box's day the member summaries were worked out for

    shares = db.relationship("Share", back_populates="round", order_by="Share.number",
                             cascade="all, delete-orphan")
    periods = db.relationship("Period", back_populates="round", order_by="Period.number")

    @property
    def pot(self) -> int:
        return self.contribution * self.share_count


class Share(HeldColumns, db.Model):
    __tablename__ = "cashbox_share"
    __table_args__ = (db.UniqueConstraint("round_id", "number", name="uq_cashbox_share_round_number"),)

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("cashbox_round.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)  # 1..share_count, shown to people
    draw_position = db.Column(db.Integer, nullable=True)  # the period it wins in predefined mode

    round = db.relationship("Round", back_populates="shares")
    holdings = db.relationship("Holding", back_populates="share", order_by="Holding.position",
                               cascade="all, delete-orphan")


class Holding(PartColumns, db.Model):
    """A member's fraction of a share (1/1 for a whole share). The fractions of a share sum to one
    before its round may start. `position` orders the holders: money.allocate gives the rounding
    remainder to the largest fractional part, ties to the lowest position."""

    __tablename__ = "cashbox_holding"
    __table_args__ = (
        db.UniqueConstraint("share_id", "membership_id", name="uq_cashbox_holding_share_membership"),
        db.CheckConstraint("numerator > 0 AND denominator > 0 AND numerator <= denominator", name="fraction"),
    )

    id = db.Column(db.Integer, primary_key=True)
    share_id = db.Column(db.Integer, db.ForeignKey("cashbox_share.id"), nullable=False, index=True)

    share = db.relationship("Share", back_populates="holdings")


class Period(db.Model):
    """One period of an active round: its due date, its draw and its payout. Created when the round
    starts; for random draws the SHA-256 commitment of the period's seed is published then, and the
    seed itself is revealed only once the period is drawn."""

    __tablename__ = "cashbox_period"
    __table_args__ = (
        db.UniqueConstraint("round_id", "number", name="uq_cashbox_period_round_number"),
        db.CheckConstraint("payout_status IN ('pending', 'paid', 'held')", name="payout_status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("cashbox_round.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    seed_hash = db.Column(db.String(64), nullable=True)
    seed = db.Column(db.String(64), nullable=True)  # secret until drawn_at is set
    winner_share_id = db.Column(db.Integer, db.ForeignKey("cashbox_share.id"), nullable=True)
    drawn_at = db.Column(db.DateTime, nullable=True)
    drawn_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    override_reason = db.Column(db.String(500), nullable=True)  # drawn before the period was fully paid
    request_key = db.Column(db.String(120), nullable=True)  # the API Idempotency-Key of the draw, if any
    payout_status = db.Column(db.String(10), nullable=False, default="pending")
    payout_entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True)
    paid_out_at = db.Column(db.DateTime, nullable=True)

    round = db.relationship("Round", back_populates="periods")
    winner = db.relationship("Share")

    @property
    def revealed_seed(self) -> str | None:
        return self.seed if self.drawn_at is not None else None


class Payment(db.Model):
    """Money a member paid into a round (or that was netted from their payout), with the ledger
    entry that recorded it. `amount` went to contributions, `fine_amount` to late fines."""

    __tablename__ = "cashbox_payment"
    __table_args__ = (
        db.CheckConstraint("method IN ('cash', 'bank', 'netted')", name="method"),
        db.CheckConstraint("amount >= 0 AND fine_amount >= 0 AND amount + fine_amount > 0", name="amounts"),
        db.Index("ix_cashbox_payment_round_membership", "round_id", "membership_id"),
    )

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("cashbox_round.id"), nullable=False)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False)
    amount = db.Column(BigInteger, nullable=False)
    fine_amount = db.Column(BigInteger, nullable=False, default=0)
    method = db.Column(db.String(10), nullable=False)
    reference = db.Column(db.String(120), nullable=False, default="")
    paid_on = db.Column(db.Date, nullable=False)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False, index=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    membership = db.relationship("Membership")
    entry = db.relationship("Entry", foreign_keys=[entry_id], lazy="joined", viewonly=True)  # its number, shown
    # The ledger entry that undid this payment, if the manager corrected it (entries are never edited).
    reversal = db.relationship("Entry", primaryjoin="foreign(Entry.reverses_id) == Payment.entry_id",
                               viewonly=True, uselist=False, lazy="joined")


class MemberSummary(db.Model):
    """What pages list about one member of a started round: the read model. Derived state stays
    the truth; every write of the round refreshes the rows it changes in the same unit of work
    (services.state.refresh_summaries) and `flask ledger check` compares them with a from-scratch
    derivation (services.state.reconcile). Status uses dues.status's vocabulary."""

    __tablename__ = "cashbox_member_summary"
    __table_args__ = (
        db.Index("ix_cashbox_member_summary_round_arrears", "round_id", "arrears"),
        db.Index("ix_cashbox_member_summary_round_status", "round_id", "status"),
    )

    round_id = db.Column(db.Integer, db.ForeignKey("cashbox_round.id"), primary_key=True)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    shares = db.Column(db.String(200), nullable=False, default="")  # "3, 4:1/2"
    round_total = db.Column(BigInteger, nullable=False, default=0)
    paid = db.Column(BigInteger, nullable=False, default=0)
    paid_through = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # periods fully paid
    due_now = db.Column(BigInteger, nullable=False, default=0)  # contributions due by the summary's day
    arrears = db.Column(BigInteger, nullable=False, default=0)
    fines_unpaid = db.Column(BigInteger, nullable=False, default=0)
    received = db.Column(BigInteger, nullable=False, default=0)
    status = db.Column(db.String(12), nullable=False, default="upcoming")
    next_due = db.Column(db.Date, nullable=True)
    next_amount = db.Column(BigInteger, nullable=False, default=0)

    membership = db.relationship("Membership")

    @property
    def owes_now(self) -> int:
        return self.arrears + self.fines_unpaid


class PeriodCell(db.Model):
    """One member's dues in one period of a started round: a cell of the grid, a line of the
    member's period history. What fell due, how much of it is paid, the day it was settled and the
    period's fine change only with the member's writes, never with the day, so the status is worked
    out when read (dues.status, from the due date, the grace days and the box's today). Kept with
    the member summaries by services.state.refresh_summaries and compared by reconcile(), so pages
    read a window of periods instead of deriving the member's whole history."""

    __tablename__ = "cashbox_period_cell"

    round_id = db.Column(db.Integer, db.ForeignKey("cashbox_round.id"), primary_key=True)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), primary_key=True)
    number = db.Column(db.Integer, primary_key=True)  # the period's number
    due = db.Column(BigInteger, nullable=False)
    paid = db.Column(BigInteger, nullable=False)
    settled_on = db.Column(db.Date, nullable=True)  # the day the last of `due` was paid, once it is
    fine = db.Column(BigInteger, nullable=False, default=0)  # charged and not waived
