"""Loans and ledger entries numbered per box (#1 is a box's first; ids run across every box):
mp_loan.number and ledger_entry.number, existing rows numbered in id order.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def _number(table: str) -> None:
    # A correlated count, not ROW_NUMBER(): the same statement on SQLite and MySQL/MariaDB (MySQL
    # refuses a subquery on the table it updates, hence the derived table).
    op.execute(f"UPDATE {table} SET number = (SELECT n FROM (SELECT a.id, COUNT(*) AS n FROM {table} a "
               f"JOIN {table} b ON b.box_id = a.box_id AND b.id <= a.id GROUP BY a.id) counted "
               f"WHERE counted.id = {table}.id) WHERE box_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table('mp_loan') as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    _number('mp_loan')
    with op.batch_alter_table('mp_loan') as batch_op:
        batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_mp_loan_box_number', ['box_id', 'number'])
    with op.batch_alter_table('ledger_entry') as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    _number('ledger_entry')
    with op.batch_alter_table('ledger_entry') as batch_op:
        batch_op.create_unique_constraint('uq_ledger_entry_box_number', ['box_id', 'number'])

