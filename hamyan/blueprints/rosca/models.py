"""ROSCA tables. Money lives in the ledger; these rows say how the round is priced, who holds which
seat (sub-seats as fractions), when each period is due and paid out, what was paid, and the seat
swaps. Members' summaries are the read model pages list (kept by every write, checked by reconcile)."""
from sqlalchemy import BigInteger

from hamyan.core import clock
from hamyan.extensions import db
from hamyan.rotation.models import HeldColumns, PartColumns

PERIOD_KINDS = ("weekly", "monthly", "days")
PRICING_METHODS = ("manual", "linear", "fair")
STATUSES = ("draft", "active", "finished")
PAYMENT_KINDS = ("contribution", "deposit", "cover", "netted")
SWAP_STATUSES = ("requested", "approved", "refused")


class Rosca(db.Model):
    """The round: one per ROSCA box. rate_ppm is the pricing (and swap) rate per period in parts per
    million (25000 = 2.5%); fee_bp the operator's fee in basis points of everything collected."""

    __tablename__ = "rosca"
    __table_args__ = (
        db.CheckConstraint("status IN ('draft', 'active', 'finished')", name="status"),
        db.CheckConstraint("pricing IN ('manual', 'linear', 'fair')", name="pricing"),
        db.CheckConstraint("period_kind IN ('weekly', 'monthly', 'days')", name="period_kind"),
        db.CheckConstraint("contribution > 0 AND seat_count > 0 AND period_days > 0", name="positive"),
        db.CheckConstraint("fee_bp >= 0 AND rate_ppm >= 0 AND deposit >= 0 AND grace_days >= 0", name="not_negative"),
        db.CheckConstraint("late_fee_kind IN ('none', 'fixed', 'percent') AND late_fee_value >= 0", name="late_fee"),
    )

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    status = db.Column(db.String(10), nullable=False, default="draft")
    contribution = db.Column(BigInteger, nullable=False)  # per seat per period, minor units
    seat_count = db.Column(db.Integer, nullable=False)
    period_kind = db.Column(db.String(10), nullable=False)
    period_days = db.Column(db.Integer, nullable=False, default=7)
    first_due = db.Column(db.Date, nullable=False)
    fee_bp = db.Column(db.Integer, nullable=False, default=0)
    pricing = db.Column(db.String(10), nullable=False)
    rate_ppm = db.Column(db.Integer, nullable=False, default=0)
    deposit = db.Column(BigInteger, nullable=False, default=0)  # per seat, held until the end
    grace_days = db.Column(db.Integer, nullable=False, default=0)
    # charged once per member and period left unpaid past the grace days (services.late, hamyan.dues.late)
    late_fee_kind = db.Column(db.String(10), nullable=False, default="none")
    late_fee_value = db.Column(BigInteger, nullable=False, default=0)  # minor units, or basis points of the due
    started_at = db.Column(db.DateTime, nullable=True)
    finished_at = db.Column(db.DateTime, nullable=True)
    summaries_on = db.Column(db.Date, nullable=True)  # the box's day the summaries were worked out for

    box = db.relationship("Box")
    seats = db.relationship("Seat", order_by="Seat.number", cascade="all, delete-orphan")

    @property
    def pot(self) -> int:
        """What one period collects."""
        return self.contribution * self.seat_count


class Seat(HeldColumns, db.Model):
    """Seat k collects `payout` at period k. `fee` is its part of the operator's fee, kept back from
    what it would collect without one (the ledger's payout entry shows both)."""

    __tablename__ = "rosca_seat"
    __table_args__ = (db.UniqueConstraint("box_id", "number", name="uq_rosca_seat_box_number"),
                      db.CheckConstraint("payout >= 0 AND fee >= 0", name="amounts"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("rosca.box_id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    payout = db.Column(BigInteger, nullable=False)
    fee = db.Column(BigInteger, nullable=False, default=0)
    reserved = db.Column(db.Boolean, nullable=False, default=False)  # only the manager gives it out

    holdings = db.relationship("SeatHolding", back_populates="seat", order_by="SeatHolding.position",
                               cascade="all, delete-orphan")


class SeatHolding(PartColumns, db.Model):
    """A member's part of a seat (1/1 for a whole seat); `position` orders the holders for the
    largest-remainder split (rotation.shares)."""

    __tablename__ = "rosca_holding"
    __table_args__ = (
        db.UniqueConstraint("seat_id", "membership_id", name="uq_rosca_holding_seat_membership"),
        db.CheckConstraint("numerator > 0 AND denominator > 0 AND numerator <= denominator", name="fraction"),
    )

    id = db.Column(db.Integer, primary_key=True)
    seat_id = db.Column(db.Integer, db.ForeignKey("rosca_seat.id"), nullable=False, index=True)

    seat = db.relationship("Seat", back_populates="holdings")


class RoscaPeriod(db.Model):
    """Period k of a started round: its due date and seat k's payout (made once; `request_key` is
    the API Idempotency-Key, `override_reason` why it was paid before the period was collected)."""

    __tablename__ = "rosca_period"
    __table_args__ = (db.UniqueConstraint("box_id", "number", name="uq_rosca_period_box_number"),)

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("rosca.box_id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    payout_entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True)
    paid_out_at = db.Column(db.DateTime, nullable=True)
    paid_out_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    request_key = db.Column(db.String(120), nullable=True)
    override_reason = db.Column(db.String(500), nullable=True)

    @property
    def paid_out(self) -> bool:
        return self.payout_entry_id is not None


class RoscaPayment(db.Model):
    """Money in for a member: a contribution, a deposit, a deposit used to cover a default
    ("cover"), or dues netted from their payout ("netted"); with the ledger entry."""

    __tablename__ = "rosca_payment"
    __table_args__ = (
        db.CheckConstraint("kind IN ('contribution', 'deposit', 'cover', 'netted')", name="kind"),
        db.CheckConstraint("amount > 0", name="amount"),
        db.Index("ix_rosca_payment_box_membership", "box_id", "membership_id"),
        db.UniqueConstraint("box_id", "number", name="uq_rosca_payment_box_number"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("rosca.box_id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)  # payment #1 is the box's first (boxes.numbers)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False)
    kind = db.Column(db.String(12), nullable=False)
    amount = db.Column(BigInteger, nullable=False)
    method = db.Column(db.String(10), nullable=False, default="cash")
    reference = db.Column(db.String(120), nullable=False, default="")
    paid_on = db.Column(db.Date, nullable=False)
    late_fees = db.Column(BigInteger, nullable=False, default=0)  # of a contribution, what paid late fees first
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False, index=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    membership = db.relationship("Membership")
    entry = db.relationship("Entry", lazy="joined", viewonly=True)  # its number, for pages


class Swap(db.Model):
    """Two seats' holders trading places, priced so both keep their NPV at the round's rate
    (rotation.pricing.swap_price). `price` is what the later seat's holders, who move earlier, pay
    the earlier seat's holders (negative: they are paid); worked out when the manager approves."""

    __tablename__ = "rosca_swap"
    __table_args__ = (db.CheckConstraint("status IN ('requested', 'approved', 'refused')", name="status"),)

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("rosca.box_id"), nullable=False, index=True)
    earlier = db.Column(db.Integer, nullable=False)  # seat numbers, earlier < later
    later = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(10), nullable=False, default="requested")
    at_period = db.Column(db.Integer, nullable=True)  # periods paid out when approved (0 before the start)
    price = db.Column(BigInteger, nullable=True)  # paid by the later seat's holders to the earlier's
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True)
    requested_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    decided_at = db.Column(db.DateTime, nullable=True)
    note = db.Column(db.String(300), nullable=False, default="")  # the holders before the swap


class MemberSummary(db.Model):
    """One member of a started round, as pages list them: kept by every write in its unit of work
    (services.state.refresh), compared from scratch by reconcile (flask ledger check)."""

    __tablename__ = "rosca_member_summary"
    __table_args__ = (db.Index("ix_rosca_member_summary_box_status", "box_id", "status"),)

    box_id = db.Column(db.Integer, db.ForeignKey("rosca.box_id"), primary_key=True)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), primary_key=True)
    seats = db.Column(db.String(200), nullable=False, default="")  # "3, 4 (1/2)"
    round_total = db.Column(BigInteger, nullable=False, default=0)  # contributions over the round
    paid = db.Column(BigInteger, nullable=False, default=0)  # contributions paid (cash, covered, netted)
    due_now = db.Column(BigInteger, nullable=False, default=0)
    arrears = db.Column(BigInteger, nullable=False, default=0)
    received = db.Column(BigInteger, nullable=False, default=0)  # payouts collected (after the fee)
    fee = db.Column(BigInteger, nullable=False, default=0)  # fee kept back from their payouts
    swaps = db.Column(BigInteger, nullable=False, default=0)  # swap prices received minus paid
    deposit_held = db.Column(BigInteger, nullable=False, default=0)
    collected = db.Column(db.Boolean, nullable=False, default=False)  # a seat of theirs has collected
    status = db.Column(db.String(12), nullable=False, default="upcoming")  # dues.status vocabulary
    defaulted = db.Column(db.Boolean, nullable=False, default=False)  # collected, then fell late
    at_risk = db.Column(BigInteger, nullable=False, default=0)  # a defaulter's dues still to come in
    periods_due = db.Column(db.Integer, nullable=False, default=0)
    on_time = db.Column(db.Integer, nullable=False, default=0)  # periods due settled by due date + grace

    membership = db.relationship("Membership")

    @property
    def position(self) -> int:
        """The member's ledger position: paid − collected − fee kept + trade prices (positive: the
        box owes them; negative: they collected ahead of paying in)."""
        return self.paid - self.received - self.fee + self.swaps
