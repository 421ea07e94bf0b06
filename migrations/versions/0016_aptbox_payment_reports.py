"""aptbox: payments residents report (with the bank receipt) for the board to confirm or reject.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apt_payment_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('receipt_path', sa.String(length=255), nullable=True),
    sa.Column('receipt_name', sa.String(length=120), nullable=True),
    sa.Column('receipt_type', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name=op.f('ck_apt_payment_report_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_apt_payment_report_amount')),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_apt_payment_report_box_id_box')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_apt_payment_report_decided_by_id_user')),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_apt_payment_report_membership_id_membership')),
    sa.ForeignKeyConstraint(['payment_id'], ['apt_payment.id'], name=op.f('fk_apt_payment_report_payment_id_apt_payment')),
    sa.ForeignKeyConstraint(['unit_id'], ['apt_unit.id'], name=op.f('fk_apt_payment_report_unit_id_apt_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apt_payment_report'))
    )
    with op.batch_alter_table('apt_payment_report', schema=None) as batch_op:
        batch_op.create_index('ix_apt_payment_report_box_status', ['box_id', 'status'], unique=False)
