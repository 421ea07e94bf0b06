"""Moneypool tables. Money itself lives in the ledger; these rows hold the rules, the plan
(shares, schedules) and the business records that point at ledger entries."""
from flask_babel import lazy_gettext as _l

from hamyan.core import clock
from hamyan.extensions import db
from hamyan.lending.state import Amounts

QUEUE_POLICIES = ("fifo", "lottery")
PERIODS = (1, 2, 3, 6, 12)
# requested -> approved (waits in the queue) -> active -> closed | written_off; or rejected / cancelled
LOAN_STATUSES = ("requested", "approved", "active", "closed", "written_off", "rejected", "cancelled")  # list order
OPEN_STATUSES = ("requested", "approved", "active")
# How a loan's status reads to people (its badge, messages); the API and the list filters keep the codes.
LOAN_STATUS_NAMES = {"requested": _l("requested"), "approved": _l("approved, waiting"), "active": _l("being repaid"),
                     "closed": _l("repaid"), "written_off": _l("written off"), "rejected": _l("rejected"),
                     "cancelled": _l("withdrawn")}


class Pool(db.Model):
    """One row per moneypool box: contribution rules and the loan policy."""

    __tablename__ = "mp_pool"
    __table_args__ = (
        db.CheckConstraint("period_months IN (1, 2, 3, 6, 12)", name="period"),
        db.CheckConstraint("repayment_months IN (1, 2, 3, 6, 12)", name="repayment"),
        db.CheckConstraint("interest_method IN ('none', 'flat', 'annuity', 'equal_principal')", name="method"),
        db.CheckConstraint("queue_policy IN ('fifo', 'lottery')", name="queue_policy"),
        db.CheckConstraint("min_term >= 1 AND max_term >= min_term", name="terms"),
    )

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    period_months = db.Column(db.Integer, nullable=False, default=1)
    first_due = db.Column(db.Date, nullable=False)  # contributions fall due on this day every period
    grace_days = db.Column(db.Integer, nullable=False, default=7)
    late_fee = db.Column(db.BigInteger, nullable=False, default=0)  # per late contribution period; 0 = none
    # Loan policy
    max_loan = db.Column(db.BigInteger, nullable=False, default=0)  # 0 = no absolute limit
    savings_multiple = db.Column(db.Numeric(6, 2), nullable=True)  # None = no savings-based limit
    min_term = db.Column(db.Integer, nullable=False, default=1)
    max_term = db.Column(db.Integer, nullable=False, default=24)
    repayment_months = db.Column(db.Integer, nullable=False, default=1)
    interest_method = db.Column(db.String(20), nullable=False, default="none")
    annual_rate = db.Column(db.Numeric(7, 3), nullable=False, default=0)  # percent a year
    service_fee_percent = db.Column(db.Numeric(5, 2), nullable=False, default=0)  # one-time, at disbursement
    penalty_percent = db.Column(db.Numeric(5, 2), nullable=False, default=0)  # of an overdue installment, once
    min_membership_months = db.Column(db.Integer, nullable=False, default=0)
    require_no_arrears = db.Column(db.Boolean, nullable=False, default=True)
    one_open_loan = db.Column(db.Boolean, nullable=False, default=True)
    guarantors_required = db.Column(db.Integer, nullable=False, default=0)
    queue_policy = db.Column(db.String(10), nullable=False, default="fifo")
    summaries_on = db.Column(db.Date, nullable=True)  # the box's day every MemberSummary row was worked out for

    box = db.relationship("Box")


class ShareAmount(db.Model):
    """The value of one share per period, from a date on."""

    __tablename__ = "mp_share_amount"
    __table_args__ = (db.UniqueConstraint("box_id", "effective_from", name="uq_mp_share_amount_box_from"),
                      db.CheckConstraint("amount > 0", name="positive"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    effective_from = db.Column(db.Date, nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


class PoolMember(db.Model):
    """A saver in the pool: a box membership with a join date, and a leave date once settled."""

    __tablename__ = "mp_member"

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False, unique=True)
    joined_on = db.Column(db.Date, nullable=False)
    left_on = db.Column(db.Date, nullable=True)

    membership = db.relationship("Membership", lazy="joined")
    share_changes = db.relationship("ShareChange", order_by="ShareChange.effective_from", lazy="selectin",
                                    back_populates="member")

    @property
    def name(self) -> str:
        return self.membership.display_name


class MemberSummary(db.Model):
    """What pages list about one saver: the read model. Derived state stays the truth; every write
    that changes a saver's savings, dues or loans refreshes their row in the same unit of work
    (services.summary.refresh), the whole pool's rows are refreshed when the box's day changes, and
    `flask ledger check` compares them with a from-scratch derivation (services.summary.reconcile).
    Status uses dues.status's vocabulary (the oldest contribution not yet settled)."""

    __tablename__ = "mp_member_summary"
    __table_args__ = (
        # The late list (most overdue first) read a page at a time, backwards, without a sort.
        db.Index("ix_mp_member_summary_late_list", "box_id", "late", "overdue", "loan_overdue_days", "member_id"),
        db.Index("ix_mp_member_summary_box_loan_next_due", "box_id", "loan_next_due"),
        # The dashboard's table (savers still in the pool first, by name) read a page at a time.
        db.Index("ix_mp_member_summary_box_order", "box_id", "left_pool", "name", "member_id"),
    )

    member_id = db.Column(db.Integer, db.ForeignKey("mp_member.id"), primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    # Copies of the saver's name and whether they left, so one index serves the table's order.
    name = db.Column(db.String(120), nullable=False, default="", server_default="")
    left_pool = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    shares = db.Column(db.Integer, nullable=False, default=0)
    savings = db.Column(db.BigInteger, nullable=False, default=0)  # available savings (ledger)
    pledged = db.Column(db.BigInteger, nullable=False, default=0)  # savings held as guarantor pledges
    paid = db.Column(db.BigInteger, nullable=False, default=0)  # contributions not undone, late fees excluded
    owed = db.Column(db.BigInteger, nullable=False, default=0)  # savings due up to and including the day
    arrears = db.Column(db.BigInteger, nullable=False, default=0)  # savings due before the day and unpaid
    arrears_since = db.Column(db.Date, nullable=True)  # due date of the oldest contribution in arrears
    fees_owed = db.Column(db.BigInteger, nullable=False, default=0)
    overdue = db.Column(db.BigInteger, nullable=False, default=0)  # arrears + fees_owed: the late list's order
    status = db.Column(db.String(12), nullable=False, default="upcoming")
    next_due = db.Column(db.Date, nullable=True)  # the next contribution on or after the day
    next_amount = db.Column(db.BigInteger, nullable=False, default=0)
    loan_outstanding = db.Column(db.BigInteger, nullable=False, default=0)  # principal of active loans
    loan_next_due = db.Column(db.Date, nullable=True)  # the earliest unpaid installment of an active loan
    loan_next_amount = db.Column(db.BigInteger, nullable=False, default=0)
    loan_overdue_days = db.Column(db.Integer, nullable=False, default=0)
    late = db.Column(db.Boolean, nullable=False, default=False)  # savings late or a loan overdue

    member = db.relationship("PoolMember")

    @property
    def total_savings(self) -> int:
        return self.savings + self.pledged


class PoolSummary(db.Model):
    """The pool's totals over its MemberSummary rows, kept beside them by the same unit of work
    (services.summary.refresh) so the dashboard and the queue's forecast read one row."""

    __tablename__ = "mp_pool_summary"

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    savers = db.Column(db.Integer, nullable=False, default=0)  # summary rows
    shares = db.Column(db.Integer, nullable=False, default=0)  # shares in force of savers still in the pool
    late = db.Column(db.Integer, nullable=False, default=0)  # savers late on savings or with a loan overdue


class PoolInflow(db.Model):
    """What active loans' installments falling due on one day still owe (principal and interest):
    the queue's forecast reads the days ahead, not every loan. Moved by every change to a loan's
    installments or status (services.summary.move_inflows); a day with nothing owed has no row."""

    __tablename__ = "mp_pool_inflow"

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    due_date = db.Column(db.Date, primary_key=True)
    amount = db.Column(db.BigInteger, nullable=False)


class ShareChange(db.Model):
    """A member's number of shares from a date on (0 pauses contributions)."""

    __tablename__ = "mp_share_change"
    __table_args__ = (db.UniqueConstraint("member_id", "effective_from", name="uq_mp_share_change_member_from"),
                      db.CheckConstraint("shares >= 0", name="shares"),
                      # The few changes still to come (the queue's forecast), without reading every saver's.
                      db.Index("ix_mp_share_change_effective_from", "effective_from", "member_id"))

    id = db.Column(db.Integer, primary_key=True)
    member_id = db.Column(db.Integer, db.ForeignKey("mp_member.id"), nullable=False, index=True)
    effective_from = db.Column(db.Date, nullable=False)
    shares = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    member = db.relationship("PoolMember", back_populates="share_changes")


class Contribution(db.Model):
    """A savings payment recorded by the manager (late fees owed are taken from it first)."""

    __tablename__ = "mp_contribution"
    __table_args__ = (db.UniqueConstraint("box_id", "key", name="uq_mp_contribution_box_key"),
                      db.CheckConstraint("amount > 0", name="positive"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    member_id = db.Column(db.Integer, db.ForeignKey("mp_member.id"), nullable=False, index=True)
    key = db.Column(db.String(100), nullable=False)
    # Fingerprint of the request that created the row: a retry under its key must match it.
    request_hash = db.Column(db.String(64), nullable=False, default="", server_default="")
    amount = db.Column(db.BigInteger, nullable=False)
    fees = db.Column(db.BigInteger, nullable=False, default=0)  # part that paid late fees
    paid_on = db.Column(db.Date, nullable=False)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False)
    entry = db.relationship("Entry", lazy="joined", viewonly=True)  # its number, for pages and statements
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    # A payment recorded by mistake is undone by a reversal entry; the row stays, marked.
    reversed_at = db.Column(db.DateTime, nullable=True)
    reversal_reason = db.Column(db.String(500), nullable=False, default="", server_default="")

    member = db.relationship("PoolMember", lazy="joined")


class Loan(db.Model):
    __tablename__ = "mp_loan"
    __table_args__ = (
        db.UniqueConstraint("box_id", "request_key", name="uq_mp_loan_box_request_key"),
        db.UniqueConstraint("box_id", "number", name="uq_mp_loan_box_number"),
        db.CheckConstraint("amount > 0", name="positive"),
        db.CheckConstraint("status IN ('requested', 'approved', 'rejected', 'cancelled', 'active', 'closed', "
                           "'written_off')", name="status"),
        db.Index("ix_mp_loan_box_status", "box_id", "status"),  # a pool's queue, its active loans
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)  # loan #1 is the pool's first (ids run across every box)
    member_id = db.Column(db.Integer, db.ForeignKey("mp_member.id"), nullable=False, index=True)
    request_key = db.Column(db.String(100), nullable=False)
    # Fingerprint of the request that created the row: a retry under its key must match it.
    request_hash = db.Column(db.String(64), nullable=False, default="", server_default="")
    status = db.Column(db.String(12), nullable=False, default="requested", index=True)
    amount = db.Column(db.BigInteger, nullable=False)
    term = db.Column(db.Integer, nullable=False)  # installments asked for
    period_months = db.Column(db.Integer, nullable=False)
    interest_method = db.Column(db.String(20), nullable=False)
    annual_rate = db.Column(db.Numeric(7, 3), nullable=False)
    fee = db.Column(db.BigInteger, nullable=False, default=0)  # one-time service fee kept at disbursement
    purpose = db.Column(db.String(300), nullable=False, default="")
    requested_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    approved_at = db.Column(db.DateTime, nullable=True)  # first-come order of the queue
    drawn_at = db.Column(db.DateTime, nullable=True)  # won the lottery draw (lottery queues)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    reason = db.Column(db.String(500), nullable=False, default="")  # rejection / write-off reason
    disbursed_on = db.Column(db.Date, nullable=True)
    closed_on = db.Column(db.Date, nullable=True)
    first_due = db.Column(db.Date, nullable=True)  # of the plan at payout: the loan is replayed from it

    member = db.relationship("PoolMember", lazy="joined")
    installments = db.relationship("Installment", order_by="Installment.number", lazy="selectin",
                                   cascade="all, delete-orphan")
    guarantees = db.relationship("Guarantee", lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Installment(db.Model, Amounts):
    """One installment as the loan was last replayed (hamyan.lending.state): derived rows, rewritten
    by every write that changes the loan, so pages read them instead of replaying."""

    __tablename__ = "mp_installment"
    __table_args__ = (db.UniqueConstraint("loan_id", "number", name="uq_mp_installment_loan_number"),)

    id = db.Column(db.Integer, primary_key=True)
    loan_id = db.Column(db.Integer, db.ForeignKey("mp_loan.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    due_date = db.Column(db.Date, nullable=False, index=True)
    principal = db.Column(db.BigInteger, nullable=False)
    interest = db.Column(db.BigInteger, nullable=False)
    penalty = db.Column(db.BigInteger, nullable=False, default=0)
    paid_principal = db.Column(db.BigInteger, nullable=False, default=0)
    paid_interest = db.Column(db.BigInteger, nullable=False, default=0)
    paid_penalty = db.Column(db.BigInteger, nullable=False, default=0)
    prepayment = db.Column(db.Boolean, nullable=False, default=False)  # principal paid ahead, settled


class Repayment(db.Model):
    __tablename__ = "mp_repayment"
    __table_args__ = (db.UniqueConstraint("loan_id", "key", name="uq_mp_repayment_loan_key"),
                      db.UniqueConstraint("box_id", "number", name="uq_mp_repayment_box_number"),
                      db.CheckConstraint("amount > 0", name="positive"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)  # its loan's, for the number
    number = db.Column(db.Integer, nullable=False)  # repayment #1 is the pool's first (boxes.numbers)
    loan_id = db.Column(db.Integer, db.ForeignKey("mp_loan.id"), nullable=False, index=True)
    key = db.Column(db.String(100), nullable=False)
    # Fingerprint of the request that created the row: a retry under its key must match it.
    request_hash = db.Column(db.String(64), nullable=False, default="", server_default="")
    amount = db.Column(db.BigInteger, nullable=False)
    principal = db.Column(db.BigInteger, nullable=False)
    interest = db.Column(db.BigInteger, nullable=False)
    penalty = db.Column(db.BigInteger, nullable=False)
    mode = db.Column(db.String(10), nullable=False)  # what happened to money beyond what was due
    paid_on = db.Column(db.Date, nullable=False)
    # The order it was recorded in among the loan's repayments and reschedules: what goes first
    # on the same day when the loan is replayed (timestamps tie within a second on MariaDB).
    seq = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False)
    entry = db.relationship("Entry", lazy="joined", viewonly=True)  # its number, for pages
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    reversed_at = db.Column(db.DateTime, nullable=True)
    reversal_reason = db.Column(db.String(500), nullable=False, default="", server_default="")


class LoanEvent(db.Model):
    """The loan's history: who did what, when, and why."""

    __tablename__ = "mp_loan_event"

    id = db.Column(db.Integer, primary_key=True)
    loan_id = db.Column(db.Integer, db.ForeignKey("mp_loan.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    detail = db.Column(db.String(500), nullable=False, default="")
    at = db.Column(db.DateTime, nullable=False, default=clock.now)
    by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


class Guarantee(db.Model):
    """A guarantor's savings held as pledge for a loan, released pro rata as principal is repaid."""

    __tablename__ = "mp_guarantee"
    __table_args__ = (db.UniqueConstraint("loan_id", "member_id", name="uq_mp_guarantee_loan_member"),)

    id = db.Column(db.Integer, primary_key=True)
    loan_id = db.Column(db.Integer, db.ForeignKey("mp_loan.id"), nullable=False, index=True)
    member_id = db.Column(db.Integer, db.ForeignKey("mp_member.id"), nullable=False, index=True)
    amount = db.Column(db.BigInteger, nullable=False)  # pledged at disbursement
    held = db.Column(db.BigInteger, nullable=False, default=0)  # still held now

    member = db.relationship("PoolMember", lazy="joined")


class LoanReschedule(db.Model):
    """A new plan for what a loan still owes, from the day it was decided (replayed in its order)."""

    __tablename__ = "mp_loan_reschedule"

    id = db.Column(db.Integer, primary_key=True)
    loan_id = db.Column(db.Integer, db.ForeignKey("mp_loan.id"), nullable=False, index=True)
    decided_on = db.Column(db.Date, nullable=False)
    term = db.Column(db.Integer, nullable=False)
    first_due = db.Column(db.Date, nullable=False)
    reason = db.Column(db.String(500), nullable=False)
    seq = db.Column(db.Integer, nullable=False)  # the order it was recorded in among the loan's events
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
