"""auth: a user may be disabled by an admin (disabled_at); each sign-in session records its device
(a hash of the browser's device cookie, the User-Agent, the IP address, last seen) for the devices
page, new-device notices and the auth.sessions_cleanup job.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ip', sa.String(length=45), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_user_session_user_id_device_hash', ['user_id', 'device_hash'], unique=False)
        batch_op.create_index('ix_user_session_last_seen_at', ['last_seen_at'], unique=False)
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.alter_column('user_agent', server_default=None, existing_type=sa.String(length=400),
                              existing_nullable=False)
        batch_op.alter_column('ip', server_default=None, existing_type=sa.String(length=45), existing_nullable=False)
