"""dues: one reminders job for every product (notify.reminders through each descriptor's
`reminders` hook) with the stages before, due and late<N> (escalating). What the products' own
jobs told ("due" before or on the day, "late" once) is kept under the new stages, and the Money
pool reminders told under the outbox's dedupe keys are recorded too, so nobody is told again.
Money pool summaries gain arrears_since (the oldest unpaid contribution's due date) so overdue
contributions escalate; the pools' summaries are worked out again on their next read.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 06:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

KINDS = "kind IN ('before', 'due') OR kind LIKE 'late%'"


def upgrade():
    with op.batch_alter_table('dues_reminder', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_dues_reminder_kind'), type_='check')
    with op.batch_alter_table('dues_reminder', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_dues_reminder_kind'), sa.text(KINDS))
    conn = op.get_bind()
    reminder = sa.table('dues_reminder', *(sa.column(name) for name in (
        'box_id', 'subject_kind', 'subject_id', 'reference', 'kind', 'channel', 'sent_at')))
    columns = ('box_id', 'subject_kind', 'subject_id', 'reference', 'channel', 'sent_at')
    # "due" was told before the due date or on it: both stages are done; "late" was the first late one.
    conn.execute(reminder.insert().from_select(
        [*columns, 'kind'], sa.select(*(reminder.c[c] for c in columns), sa.literal('before'))
        .where(reminder.c.kind == 'due')))
    conn.execute(reminder.update().where(reminder.c.kind == 'late').values(kind='late1'))
    # Money pool reminders were remembered by the outbox: rem:<box>:<kind>:<id>:<reference>:<stage>:<channel>
    outbox = sa.table('outbox_message', sa.column('dedupe_key'), sa.column('created_at'))
    seen = set()
    for key, created_at in conn.execute(sa.select(outbox.c.dedupe_key, outbox.c.created_at)
                                        .where(outbox.c.dedupe_key.like('rem:%'))).all():
        _, box_id, subject_kind, subject_id, rest = key.split(':', 4)
        reference, stage, _channel = rest.rsplit(':', 2)
        row = (int(box_id), subject_kind, int(subject_id), reference, stage)
        if row not in seen:
            seen.add(row)
            conn.execute(reminder.insert().values(box_id=row[0], subject_kind=subject_kind, subject_id=row[2],
                                                  reference=reference, kind=stage, channel='email',
                                                  sent_at=created_at))
    with op.batch_alter_table('mp_member_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrears_since', sa.Date(), nullable=True))
    op.execute("UPDATE mp_pool SET summaries_on = NULL")
