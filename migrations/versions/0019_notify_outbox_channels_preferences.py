"""notify: one outbox for email, SMS and in-app (status, next attempt and claim lease for the
dispatchers, who and which box, a dedupe key, the SMS gateway's id and delivery, an attachment);
notify_profile (mobile, quiet hours) and notify_channel_preference (channels per box). Existing rows
become sent, failed (5 attempts) or queued.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='queued'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('box_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('provider_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('delivery', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('attachment_path', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE outbox_message SET next_attempt_at = created_at, status = CASE "
               "WHEN sent_at IS NOT NULL THEN 'sent' WHEN attempts >= 5 THEN 'failed' ELSE 'queued' END")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None, existing_type=sa.String(length=10), existing_nullable=False)
        batch_op.alter_column('next_attempt_at', nullable=False, existing_type=sa.DateTime())
        batch_op.create_index('ix_outbox_message_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_box_id'), ['box_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_message_dedupe_key'), ['dedupe_key'])
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_user_id_user'), 'user', ['user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_box_id_box'), 'box', ['box_id'], ['id'])
        batch_op.create_check_constraint('channel', "channel IN ('email', 'sms', 'inapp')")
        batch_op.create_check_constraint('status', "status IN ('queued', 'sending', 'sent', 'failed')")
    op.create_table('notify_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('quiet_start', sa.Integer(), nullable=True),
    sa.Column('quiet_end', sa.Integer(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notify_profile_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notify_profile'))
    )
    op.create_table('notify_channel_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('sms', sa.Boolean(), nullable=False),
    sa.Column('inapp', sa.Boolean(), nullable=False),
    sa.Column('statements', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_notify_channel_preference_box_id_box')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notify_channel_preference_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_channel_preference')),
    sa.UniqueConstraint('user_id', 'box_id', name='uq_notify_channel_preference_user_box')
    )
