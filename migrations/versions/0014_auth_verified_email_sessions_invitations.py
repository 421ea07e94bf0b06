"""auth: emails normalised (NFC, lower case) and compared byte for byte (utf8mb4_bin on MySQL/MariaDB,
whose utf8mb4_unicode_ci matched `mánager@` to `manager@`); user.email_verified_at (existing
accounts start unverified: nothing proved they own their address); sign-in sessions kept on the
server (user_session), so signing out ends them; invitations can be revoked.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:20:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

EMAIL_COLUMNS = (("user", False), ("membership", True), ("invitation", False))


def upgrade():
    conn = op.get_bind()
    # Normalise what older versions stored (they lower-cased, but did not NFC-normalise).
    for table, _ in EMAIL_COLUMNS:
        rows = conn.execute(sa.text(f"SELECT id, email FROM `{table}` WHERE email IS NOT NULL")).all()
        for row_id, email in rows:
            normal = unicodedata.normalize("NFC", email.strip()).lower()
            if normal != email:
                conn.execute(sa.text(f"UPDATE `{table}` SET email = :email WHERE id = :id"),
                             {"email": normal, "id": row_id})
    if conn.dialect.name in ("mysql", "mariadb"):
        for table, nullable in EMAIL_COLUMNS:
            op.alter_column(table, 'email', existing_type=sa.String(length=254), existing_nullable=nullable,
                            type_=mysql.VARCHAR(length=254, collation="utf8mb4_bin"))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))

    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_session_key_hash')),
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)
