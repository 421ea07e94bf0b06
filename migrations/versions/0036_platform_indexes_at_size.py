"""Indexes for the pages and API lists at 10,000 members (issue 17; query plans checked on MariaDB):
a box's balances summed per type and purpose from the index alone, the share changes still to come,
a pool's loans by status, a page of a box's members by name.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 09:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_account') as batch_op:
        batch_op.create_index('ix_ledger_account_box_type_purpose', ['box_id', 'type', 'purpose', 'balance'])
        batch_op.drop_index('ix_ledger_account_box_type')
    with op.batch_alter_table('mp_share_change') as batch_op:
        batch_op.create_index('ix_mp_share_change_effective_from', ['effective_from', 'member_id'])
    with op.batch_alter_table('mp_loan') as batch_op:
        batch_op.create_index('ix_mp_loan_box_status', ['box_id', 'status'])
    with op.batch_alter_table('membership') as batch_op:
        batch_op.create_index('ix_membership_box_left_name', ['box_id', 'left_at', 'display_name'])

