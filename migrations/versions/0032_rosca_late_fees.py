"""rosca: a late fee (none, fixed or a percent of the period's due) charged through hamyan.dues.late
once per member and period unpaid past the grace days; what of a contribution paid late fees first.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 06:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rosca', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_fee_kind', sa.String(length=10), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('late_fee_value', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.create_check_constraint('late_fee', "late_fee_kind IN ('none', 'fixed', 'percent') AND late_fee_value >= 0")
    with op.batch_alter_table('rosca', schema=None) as batch_op:
        batch_op.alter_column('late_fee_kind', server_default=None, existing_type=sa.String(length=10),
                              existing_nullable=False)
        batch_op.alter_column('late_fee_value', server_default=None, existing_type=sa.BigInteger(),
                              existing_nullable=False)
    with op.batch_alter_table('rosca_payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_fees', sa.BigInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('rosca_payment', schema=None) as batch_op:
        batch_op.alter_column('late_fees', server_default=None, existing_type=sa.BigInteger(), existing_nullable=False)
