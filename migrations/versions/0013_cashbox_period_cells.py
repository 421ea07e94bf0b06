"""cashbox: period cells, one member's dues in one period (the grid and the member page read a
window of them instead of deriving the member's whole history). Filled by the next refresh: the
day of every round's summaries is cleared.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cashbox_period_cell',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due', sa.BigInteger(), nullable=False),
    sa.Column('paid', sa.BigInteger(), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('fine', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_cashbox_period_cell_membership_id_membership')),
    sa.ForeignKeyConstraint(['round_id'], ['cashbox_round.id'], name=op.f('fk_cashbox_period_cell_round_id_cashbox_round')),
    sa.PrimaryKeyConstraint('round_id', 'membership_id', 'number', name=op.f('pk_cashbox_period_cell'))
    )
    # Cells are derived: clearing the day makes the next read (or the hourly job) fill them.
    op.execute("UPDATE cashbox_round SET summaries_on = NULL")
