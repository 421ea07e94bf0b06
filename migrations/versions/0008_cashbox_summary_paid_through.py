"""cashbox: member summaries keep how many periods each member has fully paid (the draw card asks
who is behind on the next period without deriving the round). Filled by the next refresh.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cashbox_member_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_through', sa.Integer(), nullable=False, server_default='0'))
    # Summaries are derived: clearing the day makes the next read (or the hourly job) refresh them.
    op.execute("UPDATE cashbox_round SET summaries_on = NULL")
