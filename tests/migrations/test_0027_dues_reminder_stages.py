"""0027 moves every product's reminders onto the shared job's stages: what the products' own jobs
told ("due", "late") and what the Money pool told under outbox dedupe keys is recorded so that the
shared job tells nobody again."""
import pytest
import sqlalchemy as sa

from tests.migrations.conftest import upgraded_from

BEFORE = "0026"
BOX, ALI = 10, 101

ROWS = [
    "INSERT INTO user (id, email, name, password_hash, is_admin, session_version, created_at) "
    "VALUES (1, 'm@example.com', 'M', 'x', 0, 1, '2026-01-01 00:00:00')",
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at) VALUES "
    f"({BOX}, 'cashbox', 'C', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00')",
    "INSERT INTO dues_reminder (id, box_id, subject_kind, subject_id, reference, kind, channel, sent_at) VALUES "
    f"(5, {BOX}, 'membership', {ALI}, 'period:31', 'due', 'email', '2026-01-04 09:00:00'), "
    f"(6, {BOX}, 'membership', {ALI}, 'period:31', 'late', 'email', '2026-01-06 09:00:00')",
    "INSERT INTO outbox_message (id, channel, recipient, subject, body, created_at, attempts, status, "
    "next_attempt_at, kind, dedupe_key) VALUES "
    "(1, 'email', 'm@example.com', 's', 'b', '2026-01-03 09:00:00', 0, 'sent', '2026-01-03 09:00:00', 'reminder', "
    f"'rem:{BOX}:membership:{ALI}:due:2026-01-04:before:email'), "
    "(2, 'inapp', '1', 's', 'b', '2026-01-03 09:00:00', 0, 'sent', '2026-01-03 09:00:00', 'reminder', "
    f"'rem:{BOX}:membership:{ALI}:due:2026-01-04:before:inapp'), "
    "(3, 'email', 'm@example.com', 's', 'b', '2026-01-03 09:00:00', 0, 'sent', '2026-01-03 09:00:00', 'statement', "
    f"'stmt:{BOX}:{ALI}:2025-12:email')",
]


def test_reminders_told_before_keep_their_stage(empty_database):
    read = upgraded_from(empty_database, BEFORE, ROWS)
    assert sorted(read("SELECT subject_id, reference, kind, sent_at FROM dues_reminder")) == [
        (ALI, "due:2026-01-04", "before", "2026-01-03 09:00:00"),
        (ALI, "period:31", "before", "2026-01-04 09:00:00"),
        (ALI, "period:31", "due", "2026-01-04 09:00:00"),
        (ALI, "period:31", "late1", "2026-01-06 09:00:00")]
    engine = sa.create_engine(empty_database)
    try:
        with pytest.raises((sa.exc.IntegrityError, sa.exc.OperationalError)), engine.begin() as conn:  # still checked
            conn.execute(sa.text("INSERT INTO dues_reminder (box_id, subject_kind, subject_id, reference, kind, "
                                 f"channel, sent_at) VALUES ({BOX}, 'membership', 1, 'x', 'soon', 'email', "
                                 "'2026-01-01 00:00:00')"))
    finally:
        engine.dispose()
