"""moneypool: keyed requests (payments, repayments, loan requests) keep a fingerprint of what they
asked, so a retry under the same key with any difference is refused

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 01:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('mp_contribution', 'mp_loan', 'mp_repayment'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('request_hash', sa.String(length=64), server_default='', nullable=False))
