"""moneypool: member summaries (the read model pages list) and the day a pool's summaries were
worked out for. Rows are filled by the app (the first read of a pool, or the hourly job), not here:
they are derived from the rules in hamyan.blueprints.moneypool.services.summary.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mp_pool', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summaries_on', sa.Date(), nullable=True))

    op.create_table('mp_member_summary',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('savings', sa.BigInteger(), nullable=False),
    sa.Column('pledged', sa.BigInteger(), nullable=False),
    sa.Column('paid', sa.BigInteger(), nullable=False),
    sa.Column('owed', sa.BigInteger(), nullable=False),
    sa.Column('arrears', sa.BigInteger(), nullable=False),
    sa.Column('fees_owed', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('next_amount', sa.BigInteger(), nullable=False),
    sa.Column('loan_outstanding', sa.BigInteger(), nullable=False),
    sa.Column('loan_next_due', sa.Date(), nullable=True),
    sa.Column('loan_next_amount', sa.BigInteger(), nullable=False),
    sa.Column('loan_overdue_days', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_mp_member_summary_box_id_box')),
    sa.ForeignKeyConstraint(['member_id'], ['mp_member.id'], name=op.f('fk_mp_member_summary_member_id_mp_member')),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_mp_member_summary'))
    )
    with op.batch_alter_table('mp_member_summary', schema=None) as batch_op:
        batch_op.create_index('ix_mp_member_summary_box_late', ['box_id', 'late'], unique=False)
        batch_op.create_index('ix_mp_member_summary_box_loan_next_due', ['box_id', 'loan_next_due'], unique=False)
