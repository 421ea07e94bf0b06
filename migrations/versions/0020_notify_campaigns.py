"""notify: campaigns (a message to every member of a box, or to every user) and the outbox rows'
campaign, for progress and the delivery report.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 05:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notify_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('queued_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'expanding', 'queued_all')", name=op.f('ck_notify_campaign_status')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_notify_campaign_author_id_user')),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_notify_campaign_box_id_box')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_campaign'))
    )
    with op.batch_alter_table('notify_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_campaign_box_id'), ['box_id'], unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_campaign_id_notify_campaign'), 'notify_campaign',
                                    ['campaign_id'], ['id'])
