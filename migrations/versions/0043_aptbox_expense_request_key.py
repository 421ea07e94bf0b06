"""aptbox: an expense keeps the API Idempotency-Key it was recorded with (and a hash of what the
request carried), so a retried POST returns the first expense instead of spending twice; one key
per building.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-08 00:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('apt_expense', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_apt_expense_box_key', ['box_id', 'request_key'])
