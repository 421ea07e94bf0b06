"""dues: Moneypool's late fees and loan penalties become dues late charges. A late fee was only a
ledger entry found by its idempotency key (mp:<box>:late_fee:<member>:<due>); a penalty a row of
mp_loan_penalty. Both move into dues_late_charge (a fee to the saver's membership, reference
due:<date>; a penalty to the loan, reference installment:<n>), with their waivers (reversal
entry, author, reason), and mp_loan_penalty is dropped. Penalties keep their order.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:50:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INSERT = sa.text(
    "INSERT INTO dues_late_charge (box_id, subject_kind, subject_id, reference, due_date, amount, entry_id, "
    "waiver_entry_id, waived_reason, waived_by_id, created_at) VALUES (:box, :kind, :subject, :reference, :due, "
    ":amount, :entry, :waiver, :reason, :by, :created)")
WAIVER = ("LEFT JOIN ledger_entry w ON w.reverses_id = e.id ")


def _waiver(row, memo_prefix: str) -> dict:
    return dict(waiver=row.waiver_id, by=row.waived_by,
                reason=None if row.waiver_id is None else (row.waiver_memo or "").removeprefix(memo_prefix)[:300])


def upgrade():
    conn = op.get_bind()
    fees = conn.execute(sa.text(
        "SELECT e.id, e.box_id, e.idempotency_key, e.created_at, w.id AS waiver_id, w.memo AS waiver_memo, "
        "w.created_by_id AS waived_by, (SELECT MAX(p.amount) FROM ledger_posting p WHERE p.entry_id = e.id) AS amount "
        "FROM ledger_entry e " + WAIVER +
        "WHERE e.code = 'late_fee' AND e.reverses_id IS NULL ORDER BY e.id")).all()
    members = dict(conn.execute(sa.text("SELECT id, membership_id FROM mp_member")).all())
    rows = []
    for fee in fees:
        _, _, _, member, due = fee.idempotency_key.split(":")  # mp:<box>:late_fee:<member>:<due>
        rows.append(dict(box=fee.box_id, kind="membership", subject=members[int(member)], reference=f"due:{due}",
                         due=date.fromisoformat(due), amount=fee.amount, entry=fee.id, created=fee.created_at,
                         **_waiver(fee, "Late fee waived: ")))
    penalties = conn.execute(sa.text(
        "SELECT e.box_id, p.loan_id, p.number, p.charged_on, p.amount, p.entry_id, e.created_at, i.due_date, "
        "w.id AS waiver_id, w.memo AS waiver_memo, w.created_by_id AS waived_by "
        "FROM mp_loan_penalty p JOIN ledger_entry e ON e.id = p.entry_id " + WAIVER +
        "LEFT JOIN mp_installment i ON i.loan_id = p.loan_id AND i.number = p.number ORDER BY p.id")).all()
    for p in penalties:
        # A penalised installment is never dropped by a replay; its charge date stands in if it were.
        rows.append(dict(box=p.box_id, kind="loan", subject=p.loan_id, reference=f"installment:{p.number}",
                         due=p.due_date or p.charged_on, amount=p.amount, entry=p.entry_id, created=p.created_at,
                         **_waiver(p, "Penalty waived: ")))
    if rows:
        conn.execute(INSERT, rows)
    op.drop_table('mp_loan_penalty')
