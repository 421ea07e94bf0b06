"""aptbox: a building may ask for its charges to be issued each month by the daily job (issue 12).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('apt_building', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issue_monthly', sa.Boolean(), server_default=sa.false(), nullable=False))
