"""Aptbox tables. Money lives in the ledger (chart of accounts in services/__init__.py); these rows
hold the building, its units, the charge plan, and the business records pointing at entries."""
from flask_babel import lazy_gettext as _l

from hamyan.core import clock
from hamyan.extensions import db

BASES = ("equal", "area", "occupants", "parking", "fixed", "mix")
MIX_BASES = ("equal", "area", "occupants", "parking")  # what a weighted mix may combine
PAYERS = ("owner", "resident")
RULE_KINDS = ("exempt", "override")
FUNDS = ("operating", "reserve")
LATE_FEE_KINDS = ("none", "fixed", "percent")
EXPENSE_STATUSES = ("pending", "approved", "rejected")
WEIGHTINGS = ("unit", "area")
CATEGORY_NAMES = {"cleaning": _l("cleaning"), "elevator": _l("elevator"), "water": _l("water"),
                  "electricity": _l("electricity"), "gas": _l("gas"), "repairs": _l("repairs"),
                  "caretaker": _l("caretaker"), "insurance": _l("insurance"), "garden": _l("garden"),
                  "security": _l("security"), "other": _l("other")}
CATEGORIES = tuple(CATEGORY_NAMES)
FUND_NAMES = {"operating": _l("Operating fund"), "reserve": _l("Reserve fund")}


class Building(db.Model):
    """One row per aptbox box: the address and the rules of its charge plan."""

    __tablename__ = "apt_building"
    __table_args__ = (
        db.CheckConstraint("due_day BETWEEN 1 AND 29", name="due_day"),
        db.CheckConstraint("grace_days >= 0", name="grace_days"),
        db.CheckConstraint("late_fee_kind IN ('none', 'fixed', 'percent')", name="late_fee_kind"),
        db.CheckConstraint("round_to >= 1", name="round_to"),
    )

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    address = db.Column(db.String(300), nullable=False, default="")
    due_day = db.Column(db.Integer, nullable=False, default=5)  # of each month in the box's calendar
    grace_days = db.Column(db.Integer, nullable=False, default=10)
    late_fee_kind = db.Column(db.String(10), nullable=False, default="none")
    late_fee_value = db.Column(db.BigInteger, nullable=False, default=0)  # minor units, or basis points
    vacancy_discount = db.Column(db.Numeric(5, 2), nullable=False, default=0)  # percent off a vacant unit's weight
    floor_factors = db.Column(db.String(500), nullable=False, default="{}")  # JSON {"0": "0.5"}: floor -> factor
    round_to = db.Column(db.BigInteger, nullable=False, default=1)  # charges are multiples of this (minor units)
    remainder_unit_id = db.Column(db.Integer, nullable=True)  # takes a split's rounding remainder
    require_approval = db.Column(db.Boolean, nullable=False, default=False)  # expenses need a second board member
    issue_monthly = db.Column(db.Boolean, nullable=False, default=False)  # the daily job issues each month's charges
    summaries_on = db.Column(db.Date, nullable=True)

    box = db.relationship("Box")


class Unit(db.Model):
    __tablename__ = "apt_unit"
    __table_args__ = (
        db.UniqueConstraint("box_id", "number", name="uq_apt_unit_box_number"),
        db.CheckConstraint("area > 0", name="area"),
        db.CheckConstraint("occupants >= 0 AND parking >= 0", name="counts"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    number = db.Column(db.String(20), nullable=False)
    floor = db.Column(db.Integer, nullable=False, default=0)
    area = db.Column(db.Numeric(9, 2), nullable=False)  # m²
    occupants = db.Column(db.Integer, nullable=False, default=0)
    parking = db.Column(db.Integer, nullable=False, default=0)
    occupied = db.Column(db.Boolean, nullable=False, default=True)
    owner_name = db.Column(db.String(120), nullable=False, default="")
    resident_name = db.Column(db.String(120), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)


class UnitPerson(db.Model):
    """A membership tied to a unit as its owner (several for a co-owned unit) or its resident."""

    __tablename__ = "apt_unit_person"
    __table_args__ = (db.UniqueConstraint("unit_id", "membership_id", name="uq_apt_unit_person"),
                      db.CheckConstraint("relation IN ('owner', 'resident')", name="relation"))

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("apt_unit.id"), nullable=False, index=True)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False, index=True)
    relation = db.Column(db.String(10), nullable=False)

    membership = db.relationship("Membership", lazy="joined")


class Component(db.Model):
    """One line of the monthly charge plan: a building total (a per-unit amount for `fixed`) split
    by a basis."""

    __tablename__ = "apt_component"
    __table_args__ = (
        db.CheckConstraint("basis IN ('equal', 'area', 'occupants', 'parking', 'fixed', 'mix')", name="basis"),
        db.CheckConstraint("payer IN ('owner', 'resident')", name="payer"),
        db.CheckConstraint("amount > 0", name="amount"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    basis = db.Column(db.String(10), nullable=False)
    mix = db.Column(db.String(200), nullable=False, default="{}")  # JSON {"area": 60, "occupants": 40}
    payer = db.Column(db.String(10), nullable=False, default="resident")
    use_floor_factor = db.Column(db.Boolean, nullable=False, default=False)  # e.g. the lift
    active = db.Column(db.Boolean, nullable=False, default=True)


class UnitRule(db.Model):
    """A unit exempt from a component, or paying a fixed override of it."""

    __tablename__ = "apt_unit_rule"
    __table_args__ = (db.UniqueConstraint("component_id", "unit_id", name="uq_apt_unit_rule"),
                      db.CheckConstraint("kind IN ('exempt', 'override')", name="kind"))

    id = db.Column(db.Integer, primary_key=True)
    component_id = db.Column(db.Integer, db.ForeignKey("apt_component.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("apt_unit.id"), nullable=False)
    kind = db.Column(db.String(10), nullable=False)
    amount = db.Column(db.BigInteger, nullable=True)  # for an override
    reason = db.Column(db.String(300), nullable=False, default="")


class Assessment(db.Model):
    """A one-off special assessment split by a basis, charged in installments."""

    __tablename__ = "apt_assessment"
    __table_args__ = (db.CheckConstraint("total > 0 AND installments >= 1", name="positive"),
                      db.UniqueConstraint("box_id", "request_key", name="uq_apt_assessment_box_key"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    title = db.Column(db.String(120), nullable=False)
    total = db.Column(db.BigInteger, nullable=False)
    basis = db.Column(db.String(10), nullable=False)
    mix = db.Column(db.String(200), nullable=False, default="{}")
    installments = db.Column(db.Integer, nullable=False, default=1)
    first_due = db.Column(db.Date, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    request_key = db.Column(db.String(100), nullable=True)  # the API Idempotency-Key it was made with, if any
    request_hash = db.Column(db.String(64), nullable=True)


class ChargeRun(db.Model):
    """One issue of charges: a month, or an installment of an assessment. Unique per reference,
    so issuing the same month twice writes nothing."""

    __tablename__ = "apt_charge_run"
    __table_args__ = (db.UniqueConstraint("box_id", "reference", name="uq_apt_charge_run_box_reference"),)

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    reference = db.Column(db.String(40), nullable=False)  # "month:1404-09", "assessment:3:2"
    title = db.Column(db.String(160), nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    total = db.Column(db.BigInteger, nullable=False)
    assessment_id = db.Column(db.Integer, db.ForeignKey("apt_assessment.id"), nullable=True)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


class Charge(db.Model):
    """What one unit owes from one run, with the formula that made it (JSON, for "why is my charge X")."""

    __tablename__ = "apt_charge"
    __table_args__ = (db.UniqueConstraint("run_id", "unit_id", name="uq_apt_charge_run_unit"),
                      db.Index("ix_apt_charge_box_unit_due", "box_id", "unit_id", "due_date"),
                      db.CheckConstraint("amount > 0", name="amount"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    run_id = db.Column(db.Integer, db.ForeignKey("apt_charge_run.id"), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("apt_unit.id"), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    owner_part = db.Column(db.BigInteger, nullable=False, default=0)  # of amount, what the owner pays
    due_date = db.Column(db.Date, nullable=False)
    detail = db.Column(db.Text, nullable=False, default="[]")

    run = db.relationship("ChargeRun", lazy="joined")


class UnitPayment(db.Model):
    __tablename__ = "apt_payment"
    __table_args__ = (db.UniqueConstraint("box_id", "request_key", name="uq_apt_payment_box_key"),
                      db.UniqueConstraint("box_id", "number", name="uq_apt_payment_box_number"),
                      db.Index("ix_apt_payment_box_unit", "box_id", "unit_id"),
                      db.CheckConstraint("amount > 0", name="amount"),
                      db.CheckConstraint("part IN ('owner', 'resident')", name="part"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)  # payment #1 is the building's first (boxes.numbers)
    unit_id = db.Column(db.Integer, db.ForeignKey("apt_unit.id"), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    # whose part of the unit's charges it pays first (summary.derive): the owner's, the resident's, or
    # (NULL) the unit's oldest whatever the part
    part = db.Column(db.String(10), nullable=True)
    paid_on = db.Column(db.Date, nullable=False)
    reference = db.Column(db.String(80), nullable=False)  # bank transfer / card receipt number
    payer = db.Column(db.String(120), nullable=False, default="")
    request_key = db.Column(db.String(100), nullable=False)
    request_hash = db.Column(db.String(64), nullable=False)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)

    entry = db.relationship("Entry", lazy="joined", viewonly=True)  # its number, for pages


class Expense(db.Model):
    __tablename__ = "apt_expense"
    __table_args__ = (db.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
                      db.CheckConstraint("fund IN ('operating', 'reserve')", name="fund"),
                      db.CheckConstraint("amount > 0", name="amount"),
                      db.Index("ix_apt_expense_box_spent", "box_id", "spent_on"),
                      db.UniqueConstraint("box_id", "request_key", name="uq_apt_expense_box_key"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    fund = db.Column(db.String(10), nullable=False, default="operating")
    category = db.Column(db.String(30), nullable=False)
    vendor = db.Column(db.String(120), nullable=False, default="")
    spent_on = db.Column(db.Date, nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    receipt_path = db.Column(db.String(255), nullable=True)  # under instance/uploads
    receipt_name = db.Column(db.String(120), nullable=True)
    receipt_type = db.Column(db.String(40), nullable=True)
    status = db.Column(db.String(10), nullable=False, default="pending")
    decision = db.Column(db.String(500), nullable=True)  # the board's recorded decision to overdraw the fund
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    approved_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    request_key = db.Column(db.String(100), nullable=True)  # the API Idempotency-Key it was recorded with, if any
    request_hash = db.Column(db.String(64), nullable=True)


class Transfer(db.Model):
    __tablename__ = "apt_transfer"
    __table_args__ = (db.CheckConstraint("from_fund <> to_fund", name="funds"),
                      db.CheckConstraint("amount > 0", name="amount"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    from_fund = db.Column(db.String(10), nullable=False)
    to_fund = db.Column(db.String(10), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    moved_on = db.Column(db.Date, nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    decision = db.Column(db.String(500), nullable=True)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


class Announcement(db.Model):
    __tablename__ = "apt_announcement"

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    title = db.Column(db.String(160), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


class Poll(db.Model):
    __tablename__ = "apt_poll"
    __table_args__ = (db.CheckConstraint("weighting IN ('unit', 'area')", name="weighting"),
                      db.CheckConstraint("quorum_percent BETWEEN 0 AND 100", name="quorum"))

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    question = db.Column(db.String(300), nullable=False)
    options = db.Column(db.Text, nullable=False)  # JSON list of the choices
    weighting = db.Column(db.String(10), nullable=False, default="unit")
    quorum_percent = db.Column(db.Integer, nullable=False, default=50)  # of units (or of area) voting
    closes_on = db.Column(db.Date, nullable=False)
    closed_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)


class Vote(db.Model):
    """One vote per unit per poll (the unique key refuses a second)."""

    __tablename__ = "apt_vote"
    __table_args__ = (db.UniqueConstraint("poll_id", "unit_id", name="uq_apt_vote_poll_unit"),)

    id = db.Column(db.Integer, primary_key=True)
    poll_id = db.Column(db.Integer, db.ForeignKey("apt_poll.id"), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("apt_unit.id"), nullable=False)
    choice = db.Column(db.Integer, nullable=False)  # index into the poll's options
    weight = db.Column(db.Numeric(9, 2), nullable=False)  # 1, or the unit's area
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False)
    voted_at = db.Column(db.DateTime, nullable=False, default=clock.now)


class UnitSummary(db.Model):
    """What pages list about a unit (the read model): refreshed by every write touching the unit in
    its unit of work, the whole building when its day changes; reconcile derives them from scratch."""

    __tablename__ = "apt_unit_summary"
    __table_args__ = (db.Index("ix_apt_unit_summary_box_arrears", "box_id", "arrears"),)

    unit_id = db.Column(db.Integer, db.ForeignKey("apt_unit.id"), primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    charged = db.Column(db.BigInteger, nullable=False, default=0)  # charges and late fees due by the day
    paid = db.Column(db.BigInteger, nullable=False, default=0)
    balance = db.Column(db.BigInteger, nullable=False, default=0)  # charged - paid; below 0 is credit
    arrears = db.Column(db.BigInteger, nullable=False, default=0)  # late (past due + grace) and unpaid
    oldest_unpaid_due = db.Column(db.Date, nullable=True)
    days_late = db.Column(db.Integer, nullable=False, default=0)
    status = db.Column(db.String(12), nullable=False, default="upcoming")
    next_due = db.Column(db.Date, nullable=True)  # the next charge not due yet
    next_amount = db.Column(db.BigInteger, nullable=False, default=0)
