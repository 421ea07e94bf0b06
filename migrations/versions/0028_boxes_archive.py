"""boxes: a box may be archived (read-only, hidden from the dashboard, restorable).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('box', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))

