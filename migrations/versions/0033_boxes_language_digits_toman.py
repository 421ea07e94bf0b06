"""boxes, auth: a person's interface language (empty: the box's, else the browser's); a box's choice of Latin
digits on its Persian pages, and of showing its rial amounts in tomans.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('box', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latin_digits', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('show_toman', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('box', schema=None) as batch_op:
        batch_op.alter_column('latin_digits', server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch_op.alter_column('show_toman', server_default=None, existing_type=sa.Boolean(), existing_nullable=False)

