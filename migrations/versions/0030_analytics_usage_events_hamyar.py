"""analytics and hamyar: usage events (usage_event), the daily box figures (analytics_box_day), referral
codes and referrals, announcements.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 06:07:05.294234

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hamyar_announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_hamyar_announcement_author_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hamyar_announcement'))
    )
    with op.batch_alter_table('hamyar_announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hamyar_announcement_created_at'), ['created_at'], unique=False)

    op.create_table('hamyar_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('referred_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['referred_id'], ['user.id'], name=op.f('fk_hamyar_referral_referred_id_user')),
    sa.ForeignKeyConstraint(['referrer_id'], ['user.id'], name=op.f('fk_hamyar_referral_referrer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hamyar_referral')),
    sa.UniqueConstraint('referred_id', name=op.f('uq_hamyar_referral_referred_id'))
    )
    with op.batch_alter_table('hamyar_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hamyar_referral_referrer_id'), ['referrer_id'], unique=False)

    op.create_table('hamyar_referral_code',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_hamyar_referral_code_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_hamyar_referral_code')),
    sa.UniqueConstraint('code', name=op.f('uq_hamyar_referral_code_code'))
    )
    op.create_table('usage_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('box_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_event'))
    )
    with op.batch_alter_table('usage_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usage_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_usage_event_box_id'), ['box_id'], unique=False)
        batch_op.create_index('ix_usage_event_name_at', ['name', 'at'], unique=False)
        batch_op.create_index('ix_usage_event_user_at', ['user_id', 'at'], unique=False)

    op.create_table('analytics_box_day',
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('due', sa.BigInteger(), nullable=False),
    sa.Column('arrears', sa.BigInteger(), nullable=False),
    sa.Column('loans_out', sa.BigInteger(), nullable=False),
    sa.Column('loans_at_risk', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('box_id', 'day', name=op.f('pk_analytics_box_day'))
    )
    with op.batch_alter_table('analytics_box_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_box_day_day'), ['day'], unique=False)
