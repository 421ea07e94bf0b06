"""Late charges and reminders of every product, keyed by box and subject.

A subject is who owes: (kind, id) with kind one of SUBJECT_KINDS (a membership, a loan, a unit, a
seat), like ledger accounts. A reference names the obligation within the subject, as the product
words it ("period:<id>", "due:2026-03-01", "installment:3"): unique per (box, subject, reference),
so a daily job that runs twice charges or reminds nothing twice."""
from sqlalchemy import BigInteger
from sqlalchemy.orm import declared_attr

from hamyan.core import clock
from hamyan.extensions import db

SUBJECT_KINDS = ("membership", "loan", "unit", "seat")


class _AboutAnObligation:
    """Whose obligation a row is about: the box, the subject who owes, and the reference."""

    id = db.Column(db.Integer, primary_key=True)

    @declared_attr
    def box_id(cls):
        return db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)

    subject_kind = db.Column(db.String(20), nullable=False)
    subject_id = db.Column(db.Integer, nullable=False)
    reference = db.Column(db.String(60), nullable=False)


class LateCharge(_AboutAnObligation, db.Model):
    """A late charge posted to the ledger by `entry_id`. Waiving it posts a reversal
    (`waiver_entry_id`); the row stays, so the obligation is never charged again."""

    __tablename__ = "dues_late_charge"
    __table_args__ = (
        db.UniqueConstraint("box_id", "subject_kind", "subject_id", "reference",
                            name="uq_dues_late_charge_box_subject_reference"),
        db.CheckConstraint("subject_kind IN ('membership', 'loan', 'unit', 'seat')", name="subject_kind"),
        db.CheckConstraint("amount > 0", name="amount"),
    )

    due_date = db.Column(db.Date, nullable=False)  # of the obligation that was late
    amount = db.Column(BigInteger, nullable=False)
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=False, index=True)
    waiver_entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True)
    waived_reason = db.Column(db.String(300), nullable=True)
    waived_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    entry = db.relationship("Entry", foreign_keys=[entry_id])
    waiver = db.relationship("Entry", foreign_keys=[waiver_entry_id])

    @property
    def charged_on(self):
        """The charge's effective date (the day after the obligation's grace days ran out)."""
        return self.entry.effective_date

    @property
    def waived(self) -> bool:
        return self.waiver_entry_id is not None


class Reminder(_AboutAnObligation, db.Model):
    """A reminder told about one obligation at one stage (dues.reminders: "before", "due", "late<N>"),
    at most once per (box, subject, reference, kind)."""

    __tablename__ = "dues_reminder"
    __table_args__ = (
        db.UniqueConstraint("box_id", "subject_kind", "subject_id", "reference", "kind",
                            name="uq_dues_reminder_box_subject_reference_kind"),
        db.CheckConstraint("subject_kind IN ('membership', 'loan', 'unit', 'seat')", name="subject_kind"),
        db.CheckConstraint("kind IN ('before', 'due') OR kind LIKE 'late%'", name="kind"),
    )

    kind = db.Column(db.String(10), nullable=False)
    channel = db.Column(db.String(10), nullable=False, default="email")
    sent_at = db.Column(db.DateTime, nullable=False, default=clock.now)
