"""dues: late charges and reminders of every product in two tables keyed by box and subject
(dues_late_charge, dues_reminder); Cashbox's fines and reminders move into them (ids kept, so
links to a fine stay valid; a waived fine keeps its waiver entry, author and reason), and
cashbox_fine and cashbox_reminder are dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

WAIVED = "Fine waived: "  # the memo cashbox wrote on a fine's reversal, before the reason


def upgrade():
    op.create_table(
        'dues_late_charge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('box_id', sa.Integer(), nullable=False),
        sa.Column('subject_kind', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('waiver_entry_id', sa.Integer(), nullable=True),
        sa.Column('waived_reason', sa.String(length=300), nullable=True),
        sa.Column('waived_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("subject_kind IN ('membership', 'loan', 'unit', 'seat')",
                           name=op.f('ck_dues_late_charge_subject_kind')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_dues_late_charge_amount')),
        sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_dues_late_charge_box_id_box')),
        sa.ForeignKeyConstraint(['entry_id'], ['ledger_entry.id'], name=op.f('fk_dues_late_charge_entry_id_ledger_entry')),
        sa.ForeignKeyConstraint(['waiver_entry_id'], ['ledger_entry.id'],
                                name=op.f('fk_dues_late_charge_waiver_entry_id_ledger_entry')),
        sa.ForeignKeyConstraint(['waived_by_id'], ['user.id'], name=op.f('fk_dues_late_charge_waived_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_late_charge')),
        sa.UniqueConstraint('box_id', 'subject_kind', 'subject_id', 'reference',
                            name='uq_dues_late_charge_box_subject_reference'),
    )
    with op.batch_alter_table('dues_late_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dues_late_charge_entry_id'), ['entry_id'], unique=False)
    op.create_table(
        'dues_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('box_id', sa.Integer(), nullable=False),
        sa.Column('subject_kind', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("subject_kind IN ('membership', 'loan', 'unit', 'seat')",
                           name=op.f('ck_dues_reminder_subject_kind')),
        sa.CheckConstraint("kind IN ('due', 'late')", name=op.f('ck_dues_reminder_kind')),
        sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_dues_reminder_box_id_box')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_reminder')),
        sa.UniqueConstraint('box_id', 'subject_kind', 'subject_id', 'reference', 'kind',
                            name='uq_dues_reminder_box_subject_reference_kind'),
    )

    conn = op.get_bind()
    fines = conn.execute(sa.text(
        "SELECT f.id, r.box_id, f.membership_id, f.period_id, p.due_date, f.amount, f.entry_id, f.created_at, "
        "w.id AS waiver_id, w.memo AS waiver_memo, w.created_by_id AS waived_by "
        "FROM cashbox_fine f JOIN cashbox_period p ON p.id = f.period_id "
        "JOIN cashbox_round r ON r.id = p.round_id "
        "LEFT JOIN ledger_entry w ON w.reverses_id = f.entry_id ORDER BY f.id")).all()
    if fines:
        conn.execute(sa.text(
            "INSERT INTO dues_late_charge (id, box_id, subject_kind, subject_id, reference, due_date, amount, "
            "entry_id, waiver_entry_id, waived_reason, waived_by_id, created_at) VALUES (:id, :box, 'membership', "
            ":member, :reference, :due, :amount, :entry, :waiver, :reason, :by, :created)"),
            [dict(id=f.id, box=f.box_id, member=f.membership_id, reference=f"period:{f.period_id}", due=f.due_date,
                  amount=f.amount, entry=f.entry_id, waiver=f.waiver_id, by=f.waived_by, created=f.created_at,
                  reason=None if f.waiver_id is None else f.waiver_memo.removeprefix(WAIVED)[:300])
             for f in fines])
    reminders = conn.execute(sa.text(
        "SELECT m.id, r.box_id, m.membership_id, m.period_id, m.kind, m.sent_at FROM cashbox_reminder m "
        "JOIN cashbox_period p ON p.id = m.period_id JOIN cashbox_round r ON r.id = p.round_id ORDER BY m.id")).all()
    if reminders:
        conn.execute(sa.text(
            "INSERT INTO dues_reminder (id, box_id, subject_kind, subject_id, reference, kind, channel, sent_at) "
            "VALUES (:id, :box, 'membership', :member, :reference, :kind, 'email', :sent)"),
            [dict(id=m.id, box=m.box_id, member=m.membership_id, reference=f"period:{m.period_id}", kind=m.kind,
                  sent=m.sent_at) for m in reminders])
    op.drop_table('cashbox_fine')
    op.drop_table('cashbox_reminder')
