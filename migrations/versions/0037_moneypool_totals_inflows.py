"""moneypool: the pool's totals (mp_pool_summary) and what active loans' installments still owe per
day (mp_pool_inflow) kept beside the member summaries, which keep the saver's name and whether they
left for the dashboard table's index (issue 17). Every pool's summaries are worked out again by its
first read or the hourly job (summaries_on reset), which fills the new rows.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mp_pool_summary',
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('savers', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_mp_pool_summary_box_id_box')),
    sa.PrimaryKeyConstraint('box_id', name=op.f('pk_mp_pool_summary'))
    )
    op.create_table('mp_pool_inflow',
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_mp_pool_inflow_box_id_box')),
    sa.PrimaryKeyConstraint('box_id', 'due_date', name=op.f('pk_mp_pool_inflow'))
    )
    with op.batch_alter_table('mp_member_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('left_pool', sa.Boolean(), server_default='0', nullable=False))
        batch_op.create_index('ix_mp_member_summary_box_order', ['box_id', 'left_pool', 'name', 'member_id'],
                              unique=False)
    op.execute("UPDATE mp_pool SET summaries_on = NULL")
