"""moneypool: loans are replayed from their plan and events: the plan's first due date on the loan,
reschedules and penalties as rows (filled from the history), no more before-snapshots and revisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:40:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mp_loan_reschedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('loan_id', sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column('term', sa.Integer(), nullable=False),
        sa.Column('first_due', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_mp_loan_reschedule_created_by_id_user')),
        sa.ForeignKeyConstraint(['loan_id'], ['mp_loan.id'], name=op.f('fk_mp_loan_reschedule_loan_id_mp_loan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mp_loan_reschedule')),
    )
    with op.batch_alter_table('mp_loan_reschedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mp_loan_reschedule_loan_id'), ['loan_id'], unique=False)
    op.create_table(
        'mp_loan_penalty',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('loan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('charged_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('waived_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('amount > 0', name=op.f('ck_mp_loan_penalty_positive')),
        sa.ForeignKeyConstraint(['entry_id'], ['ledger_entry.id'], name=op.f('fk_mp_loan_penalty_entry_id_ledger_entry')),
        sa.ForeignKeyConstraint(['loan_id'], ['mp_loan.id'], name=op.f('fk_mp_loan_penalty_loan_id_mp_loan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mp_loan_penalty')),
        sa.UniqueConstraint('loan_id', 'number', name='uq_mp_loan_penalty_loan_number'),
    )
    with op.batch_alter_table('mp_loan_penalty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mp_loan_penalty_loan_id'), ['loan_id'], unique=False)
    with op.batch_alter_table('mp_loan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_due', sa.Date(), nullable=True))
    with op.batch_alter_table('mp_repayment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), server_default='0', nullable=False))
    _fill()
    with op.batch_alter_table('mp_loan', schema=None) as batch_op:
        batch_op.drop_column('revision')
    with op.batch_alter_table('mp_repayment', schema=None) as batch_op:
        batch_op.drop_column('before')
        batch_op.drop_column('revision')


def _fill():
    """Existing loans: the first due date of the plan (installment 1, or the earliest), the
    reschedules their history recorded ("<n> installments from <date>: <reason>") and the
    penalties their ledger entries charged."""
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE mp_repayment SET seq = id"))
    bind.execute(sa.text(
        "UPDATE mp_loan SET first_due = (SELECT MIN(i.due_date) FROM mp_installment i "
        "WHERE i.loan_id = mp_loan.id AND i.prepayment = :no) WHERE disbursed_on IS NOT NULL"), {"no": False})
    events = bind.execute(sa.text(
        "SELECT loan_id, detail, at, by_id FROM mp_loan_event WHERE kind = 'rescheduled' ORDER BY id")).all()
    for loan_id, detail, at, by_id in events:
        match = re.match(r"(\d+) installments from (\d{4}-\d{2}-\d{2}): (.*)", detail or "", re.DOTALL)
        if match:
            bind.execute(sa.text(
                "INSERT INTO mp_loan_reschedule (loan_id, decided_on, term, first_due, reason, seq, created_at, "
                "created_by_id) VALUES (:loan, :on, :term, :first_due, :reason, (SELECT COALESCE(MAX(r.id), 0) "
                "FROM mp_repayment r WHERE r.loan_id = :loan AND r.created_at <= :at), :at, :by)"),
                {"loan": loan_id, "on": str(at)[:10], "term": int(match[1]), "first_due": match[2],
                 "reason": match[3][:500], "at": at, "by": by_id})
    penalties = bind.execute(sa.text(
        "SELECT e.id, e.idempotency_key, e.effective_date, "
        "(SELECT MAX(p.amount) FROM ledger_posting p WHERE p.entry_id = e.id), "
        "(SELECT r.created_at FROM ledger_entry r WHERE r.reverses_id = e.id) "
        "FROM ledger_entry e WHERE e.code = 'penalty' AND e.reverses_id IS NULL")).all()
    for entry_id, key, charged_on, amount, waived_at in penalties:
        _, _box, _kind, loan_id, number = key.split(":")
        bind.execute(sa.text(
            "INSERT INTO mp_loan_penalty (loan_id, number, charged_on, amount, entry_id, waived_at) "
            "VALUES (:loan, :number, :on, :amount, :entry, :waived)"),
            {"loan": int(loan_id), "number": int(number), "on": charged_on, "amount": amount, "entry": entry_id,
             "waived": waived_at})
