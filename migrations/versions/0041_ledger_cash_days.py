"""ledger: a box's cash kept per day, entry code and direction (ledger_cash_day), in the same
transaction as the postings, so a box's manager report reads its cash lines without reading every
posting of its cash (a 10,000-saver pool's: some 500,000; issue 17). Filled here from the postings:
each entry's net on the cash account, summed per day, code and direction.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_cash_day',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('inflow', sa.Boolean(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('first_entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'], name=op.f('fk_ledger_cash_day_account_id_ledger_account')),
    sa.ForeignKeyConstraint(['first_entry_id'], ['ledger_entry.id'], name=op.f('fk_ledger_cash_day_first_entry_id_ledger_entry')),
    sa.PrimaryKeyConstraint('account_id', 'day', 'code', 'inflow', name=op.f('pk_ledger_cash_day'))
    )
    op.execute(
        "INSERT INTO ledger_cash_day (account_id, day, code, inflow, entries, amount, first_entry_id) "
        "SELECT account_id, day, code, inflow, COUNT(*), SUM(amount), MIN(entry_id) FROM ("
        " SELECT p.account_id, p.entry_id, MIN(e.effective_date) AS day, MIN(e.code) AS code,"
        " SUM(p.amount) > 0 AS inflow, SUM(p.amount) AS amount"
        " FROM ledger_posting p JOIN ledger_entry e ON e.id = p.entry_id JOIN ledger_account a ON a.id = p.account_id"
        " WHERE a.subject_kind = 'box' AND a.purpose = 'cash'"
        " GROUP BY p.account_id, p.entry_id HAVING SUM(p.amount) <> 0) per_entry "
        "GROUP BY account_id, day, code, inflow")
