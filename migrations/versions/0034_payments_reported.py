"""payments: "I have paid" in every box: the card or account members pay to (pay_settings), and the
payments members report (pay_report), confirmed into the ledger or rejected by a manager.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pay_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee_account', sa.String(length=26), nullable=True))
        batch_op.add_column(sa.Column('payee_name', sa.String(length=120), nullable=True))
    op.create_table('pay_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=True),
    sa.Column('receipt_path', sa.String(length=255), nullable=True),
    sa.Column('receipt_name', sa.String(length=120), nullable=True),
    sa.Column('receipt_type', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('request_key', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pay_report_amount')),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name=op.f('ck_pay_report_status')),
    sa.CheckConstraint("method IN ('card', 'transfer')", name=op.f('ck_pay_report_method')),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_pay_report_box_id_box')),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_pay_report_membership_id_membership')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entry.id'], name=op.f('fk_pay_report_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_pay_report_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_report')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_pay_report_entry_id')),
    sa.UniqueConstraint('request_key', name=op.f('uq_pay_report_request_key'))
    )
    with op.batch_alter_table('pay_report', schema=None) as batch_op:
        batch_op.create_index('ix_pay_report_box_status', ['box_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pay_report_membership_id'), ['membership_id'], unique=False)
