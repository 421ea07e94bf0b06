"""partners: webhook signing secrets stored sealed (Fernet under a key derived from SECRET_KEY,
hamyan.core.sealed) instead of in plain text; existing secrets are sealed in place, so partners'
receivers keep verifying with the secret they were shown.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from hamyan.core.sealed import seal

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

PURPOSE = "webhook-secret"  # WebhookSubscription.SEAL_PURPOSE, fixed here as it was at this revision


def upgrade():
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_sealed', sa.String(length=255), nullable=True))
    conn = op.get_bind()
    table = sa.table('webhook_subscription', sa.column('id', sa.Integer), sa.column('secret', sa.String),
                     sa.column('secret_sealed', sa.String))
    secret_key = current_app.config["SECRET_KEY"]
    for row in conn.execute(sa.select(table.c.id, table.c.secret)).all():
        conn.execute(table.update().where(table.c.id == row.id)
                     .values(secret_sealed=seal(row.secret, PURPOSE, secret_key)))
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.alter_column('secret_sealed', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('secret')

