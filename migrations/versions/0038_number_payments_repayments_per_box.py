"""ROSCA and building payments and pool repayments numbered per box, like loans and entries (0029):
rosca_payment.number, apt_payment.number, and mp_repayment.box_id (its loan's box, so the number
is unique per box in the table) with mp_repayment.number; existing rows numbered in id order.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

TABLES = ('rosca_payment', 'apt_payment', 'mp_repayment')


def upgrade():
    with op.batch_alter_table('mp_repayment') as batch_op:
        batch_op.add_column(sa.Column('box_id', sa.Integer(), nullable=True))
    op.execute("UPDATE mp_repayment SET box_id = (SELECT box_id FROM mp_loan WHERE mp_loan.id = mp_repayment.loan_id)")
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        # As 0029 does: a correlated count in a derived table, the same statement on SQLite and MariaDB.
        op.execute(f"UPDATE {table} SET number = (SELECT n FROM (SELECT a.id, COUNT(*) AS n FROM {table} a "
                   f"JOIN {table} b ON b.box_id = a.box_id AND b.id <= a.id GROUP BY a.id) counted "
                   f"WHERE counted.id = {table}.id)")
    with op.batch_alter_table('mp_repayment') as batch_op:
        batch_op.alter_column('box_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_mp_repayment_box_id_box', 'box', ['box_id'], ['id'])
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
            batch_op.create_unique_constraint(f'uq_{table}_box_number', ['box_id', 'number'])
