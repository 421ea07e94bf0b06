"""ledger: every account gets a type, a subject and a purpose (filled from the existing codes); the
normal side follows from the type, so its column goes

Revision ID: 0004
Revises: moneypool_0001
Create Date: 2026-12-07 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = 'moneypool_0001'
branch_labels = None
depends_on = None

# Accounts of the box itself: code -> (type, purpose).
BOX_ACCOUNTS = {
    'cash': ('asset', 'cash'),  # cashbox
    'fine_income': ('income', 'fine_income'),
    'mp:cash': ('asset', 'cash'),  # moneypool
    'mp:income:interest': ('income', 'interest'),
    'mp:income:fees': ('income', 'service_fees'),
    'mp:income:penalties': ('income', 'penalties'),
    'mp:expense:writeoff': ('expense', 'writeoff'),
}
# Accounts of a membership or a loan, "<prefix><id><suffix>": (prefix, suffix) -> (type, subject kind, purpose).
SUBJECT_ACCOUNTS = {
    ('member:', ''): ('liability', 'membership', 'contributions'),  # cashbox, id = membership id
    ('fines:', ''): ('asset', 'membership', 'fines'),
    ('mp:member:', ':savings'): ('liability', 'mp_member', 'savings'),  # moneypool, id = mp_member id
    ('mp:member:', ':pledged'): ('liability', 'mp_member', 'pledged'),
    ('mp:member:', ':fees'): ('asset', 'mp_member', 'late_fees'),
    ('mp:loan:', ':principal'): ('asset', 'loan', 'principal'),
    ('mp:loan:', ':penalty'): ('asset', 'loan', 'penalty'),
}
TYPES = "'asset', 'liability', 'equity', 'income', 'expense'"
SUBJECT_KINDS = "'membership', 'loan', 'unit', 'seat', 'box'"


def classify(code, box_id, membership_of_pool_member):
    """(type, subject_kind, subject_id, purpose) of an existing account, or None if its code is unknown."""
    if code in BOX_ACCOUNTS:
        type_, purpose = BOX_ACCOUNTS[code]
        return type_, 'box', box_id, purpose
    for (prefix, suffix), (type_, kind, purpose) in SUBJECT_ACCOUNTS.items():
        ident = code[len(prefix):len(code) - len(suffix)]
        if code.startswith(prefix) and code.endswith(suffix) and ident.isdigit():
            if kind == 'mp_member':  # a pool member's accounts belong to its membership
                if int(ident) not in membership_of_pool_member:
                    return None
                return type_, 'membership', membership_of_pool_member[int(ident)], purpose
            return type_, kind, int(ident), purpose
    return None


def upgrade():
    with op.batch_alter_table('ledger_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('purpose', sa.String(length=30), nullable=True))

    conn = op.get_bind()
    membership_of_pool_member = dict(conn.execute(sa.text('SELECT id, membership_id FROM mp_member')).all())
    filled, unknown = [], []
    for account_id, box_id, code in conn.execute(sa.text('SELECT id, box_id, code FROM ledger_account')):
        found = classify(code, box_id, membership_of_pool_member)
        if found is None:
            unknown.append(f'{account_id} {code!r}')
        else:
            filled.append(dict(zip(('type', 'subject_kind', 'subject_id', 'purpose'), found), id=account_id))
    if unknown:
        # Better to stop than to guess: every report selects accounts by these columns.
        raise RuntimeError('ledger accounts with codes this migration does not know (id code): '
                           + ', '.join(unknown[:20]))
    if filled:
        conn.execute(sa.text('UPDATE ledger_account SET type = :type, subject_kind = :subject_kind, '
                             'subject_id = :subject_id, purpose = :purpose WHERE id = :id'), filled)

    with op.batch_alter_table('ledger_account', schema=None) as batch_op:
        batch_op.alter_column('type', existing_type=sa.String(length=9), nullable=False)
        batch_op.alter_column('subject_kind', existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column('purpose', existing_type=sa.String(length=30), nullable=False)
        batch_op.drop_constraint(op.f('ck_ledger_account_normal_side'), type_='check')
        batch_op.drop_column('normal_side')
        batch_op.create_check_constraint(op.f('ck_ledger_account_type'), f'type IN ({TYPES})')
        batch_op.create_check_constraint(op.f('ck_ledger_account_subject_kind'), f'subject_kind IN ({SUBJECT_KINDS})')
        batch_op.create_check_constraint(op.f('ck_ledger_account_subject_id'), "subject_id IS NOT NULL OR subject_kind = 'box'")
        batch_op.create_index('ix_ledger_account_box_type', ['box_id', 'type'], unique=False)
        batch_op.create_index('ix_ledger_account_box_subject', ['box_id', 'subject_kind', 'subject_id'], unique=False)
        # The unique (box_id, code) key already serves lookups (and the foreign key) by box.
        batch_op.drop_index(op.f('ix_ledger_account_box_id'))
