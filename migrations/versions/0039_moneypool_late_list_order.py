"""moneypool: the member summaries keep what a late saver is overdue (arrears + fees owed), and the
late list's index orders by it, so the pool dashboard reads the most overdue savers a page at a time
instead of sorting every late saver (issue 17). The replaced (box_id, late) index is its prefix.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mp_member_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overdue', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.drop_index('ix_mp_member_summary_box_late')
        batch_op.create_index('ix_mp_member_summary_late_list',
                              ['box_id', 'late', 'overdue', 'loan_overdue_days', 'member_id'], unique=False)
    op.execute("UPDATE mp_member_summary SET overdue = arrears + fees_owed")
