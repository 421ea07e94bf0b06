"""statements: report jobs (big PDFs rendered in the background, with progress, kept for download)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 01:04:23.456993

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.String(length=1000), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('file_path', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_report_job_status')),
    sa.ForeignKeyConstraint(['box_id'], ['box.id'], name=op.f('fk_report_job_box_id_box')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_report_job_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_job'))
    )
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.create_index('ix_report_job_box_kind_status', ['box_id', 'kind', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_job_status'), ['status'], unique=False)

