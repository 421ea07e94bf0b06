"""boxes: a box may be archived (read-only, hidden from the dashboard, restorable).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('box', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))

