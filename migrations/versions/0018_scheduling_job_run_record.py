"""scheduling: every job run records its attempt, boxes done and failed, and the error; runs are
listed newest first on the admin page (index on started_at).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('boxes_ok', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('boxes_failed', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.create_index('ix_job_run_started_at', ['started_at'], unique=False)
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.alter_column('attempt', server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.alter_column('boxes_ok', server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.alter_column('boxes_failed', server_default=None, existing_type=sa.Integer(), existing_nullable=False)
