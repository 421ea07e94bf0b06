"""boxes: a box's own reminder timing, days before a due date and the days late (empty: the platform's
REMINDER_DAYS_BEFORE and REMINDER_LATE_DAYS, as every box had until now).

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('box', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days_before', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminder_late_days', sa.String(length=40), nullable=True))
