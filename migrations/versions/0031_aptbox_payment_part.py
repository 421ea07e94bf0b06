"""aptbox: a unit payment says whose part it pays (owner, resident, or the unit's whole: NULL);
payments: an intent names what it pays for (a building's unit).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('apt_payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint('part', "part IN ('owner', 'resident')")
    with op.batch_alter_table('pay_intent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target', sa.String(length=40), nullable=True))
