"""cashbox: member summaries (the read model pages list), and the day a round's summaries were
worked out for. Rows are filled by the app (the first read of a round, or the hourly job), not here:
they are derived from the rules in hamyan.blueprints.cashbox.services.state.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cashbox_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summaries_on', sa.Date(), nullable=True))

    op.create_table('cashbox_member_summary',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.String(length=200), nullable=False),
    sa.Column('round_total', sa.BigInteger(), nullable=False),
    sa.Column('paid', sa.BigInteger(), nullable=False),
    sa.Column('due_now', sa.BigInteger(), nullable=False),
    sa.Column('arrears', sa.BigInteger(), nullable=False),
    sa.Column('fines_unpaid', sa.BigInteger(), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('next_amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_cashbox_member_summary_box_id_box')),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_cashbox_member_summary_membership_id_membership')),
    sa.ForeignKeyConstraint(['round_id'], ['cashbox_round.id'], name=op.f('fk_cashbox_member_summary_round_id_cashbox_round')),
    sa.PrimaryKeyConstraint('round_id', 'membership_id', name=op.f('pk_cashbox_member_summary'))
    )
    with op.batch_alter_table('cashbox_member_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cashbox_member_summary_box_id'), ['box_id'], unique=False)
        batch_op.create_index('ix_cashbox_member_summary_round_arrears', ['round_id', 'arrears'], unique=False)
        batch_op.create_index('ix_cashbox_member_summary_round_status', ['round_id', 'status'], unique=False)
