"""aptbox: the payments residents report move to the shared reported payments (pay_report, every
product's "I have paid"): each row keeps its id-less content, its unit becomes the target
"unit:<id>", a confirmed one points at its payment's ledger entry; apt_payment_report goes.
Receipt files stay where they are (the rows keep their paths under instance/uploads/aptbox/).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    old = connection.execute(sa.text(
        "SELECT r.box_id, r.unit_id, r.membership_id, r.amount, r.paid_on, r.reference, r.receipt_path, "
        "r.receipt_name, r.receipt_type, r.status, r.reason, p.entry_id, r.decided_by_id, r.created_at "
        "FROM apt_payment_report r LEFT JOIN apt_payment p ON p.id = r.payment_id ORDER BY r.id")).all()
    for row in old:
        connection.execute(sa.text(
            "INSERT INTO pay_report (box_id, membership_id, amount, method, paid_on, reference, target, receipt_path, "
            "receipt_name, receipt_type, status, reason, entry_id, decided_by_id, decided_at, created_at) VALUES "
            "(:box_id, :membership_id, :amount, 'transfer', :paid_on, :reference, :target, :receipt_path, "
            ":receipt_name, :receipt_type, :status, :reason, :entry_id, :decided_by_id, :decided_at, :created_at)"),
            dict(row._mapping, target=f"unit:{row.unit_id}",
                 decided_at=row.created_at if row.status != "pending" else None))
    op.drop_table('apt_payment_report')
