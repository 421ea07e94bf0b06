"""aptbox: a special assessment keeps the API Idempotency-Key it was made with (and a hash of what
the request carried), so a retried POST returns the first assessment instead of charging every unit
twice; one key per building.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-08 00:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('apt_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_apt_assessment_box_key', ['box_id', 'request_key'])
