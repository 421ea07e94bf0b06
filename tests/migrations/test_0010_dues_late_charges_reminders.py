"""0010 moves Cashbox's fines and reminders into dues' tables: a database at the revision before,
with fines (one waived) and reminders inserted as SQL, upgraded to head."""
from tests.migrations.conftest import table_names, upgraded_from

BEFORE = "0009"
BOX, OTHER_BOX = 10, 11
ALI, SARA = 101, 102  # memberships

ROWS = [
    "INSERT INTO user (id, email, name, password_hash, is_admin, session_version, created_at) "
    "VALUES (1, 'm@example.com', 'M', 'x', 0, 1, '2026-01-01 00:00:00')",
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at) VALUES "
    f"({BOX}, 'cashbox', 'C', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00'), "
    f"({OTHER_BOX}, 'cashbox', 'D', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00')",
    "INSERT INTO membership (id, box_id, user_id, display_name, role, created_at) VALUES "
    f"({ALI}, {BOX}, 1, 'Ali', 'manager', '2026-01-01 00:00:00'), "
    f"({SARA}, {OTHER_BOX}, NULL, 'Sara', 'member', '2026-01-01 00:00:00')",
    f"INSERT INTO cashbox (box_id, grace_days, fine_kind, fine_value, winner_policy) VALUES "
    f"({BOX}, 0, 'fixed', 300, 'net'), ({OTHER_BOX}, 0, 'fixed', 300, 'net')",
    "INSERT INTO cashbox_round (id, box_id, number, status, contribution, share_count, period_kind, period_days, "
    f"first_due, draw_mode, created_at) VALUES (1, {BOX}, 1, 'active', 100, 2, 'weekly', 7, '2026-01-05', "
    f"'predefined', '2026-01-01 00:00:00'), (2, {OTHER_BOX}, 1, 'active', 100, 2, 'weekly', 7, '2026-01-05', "
    "'predefined', '2026-01-01 00:00:00')",
    "INSERT INTO cashbox_period (id, round_id, number, due_date, payout_status) VALUES "
    "(31, 1, 1, '2026-01-05', 'pending'), (32, 1, 2, '2026-01-12', 'pending'), (41, 2, 1, '2026-01-05', 'pending')",
    "INSERT INTO ledger_entry (id, box_id, code, memo, effective_date, created_at, idempotency_key, fingerprint, "
    f"reverses_id, created_by_id) VALUES (1, {BOX}, 'fine', '', '2026-01-06', '2026-01-06 00:00:00', 'a', 'f', NULL, NULL), "
    f"(2, {BOX}, 'fine', '', '2026-01-13', '2026-01-13 00:00:00', 'b', 'f', NULL, NULL), "
    f"(3, {BOX}, 'reversal', 'Fine waived: the bank was closed', '2026-01-14', '2026-01-14 00:00:00', 'c', 'f', 2, 1), "
    f"(4, {OTHER_BOX}, 'fine', '', '2026-01-06', '2026-01-06 00:00:00', 'd', 'f', NULL, NULL)",
    "INSERT INTO cashbox_fine (id, period_id, membership_id, amount, entry_id, created_at) VALUES "
    f"(7, 31, {ALI}, 300, 1, '2026-01-06 00:00:00'), (8, 32, {ALI}, 300, 2, '2026-01-13 00:00:00'), "
    f"(9, 41, {SARA}, 300, 4, '2026-01-06 00:00:00')",
    "INSERT INTO cashbox_reminder (id, period_id, membership_id, kind, sent_at) VALUES "
    f"(5, 31, {ALI}, 'due', '2026-01-04 09:00:00'), (6, 31, {ALI}, 'late', '2026-01-06 09:00:00')",
]


def test_cashbox_fines_and_reminders_move_into_dues(empty_database):
    read = upgraded_from(empty_database, BEFORE, ROWS)
    assert read("SELECT id, box_id, subject_kind, subject_id, reference, due_date, amount, entry_id, waiver_entry_id, "
                "waived_reason, waived_by_id FROM dues_late_charge ORDER BY id") == [
        (7, BOX, "membership", ALI, "period:31", "2026-01-05", 300, 1, None, None, None),
        (8, BOX, "membership", ALI, "period:32", "2026-01-12", 300, 2, 3, "the bank was closed", 1),
        (9, OTHER_BOX, "membership", SARA, "period:41", "2026-01-05", 300, 4, None, None, None)]
    # (0027 keeps them under the shared job's stages: "due" told before and on the day, "late" the first)
    assert read("SELECT id, box_id, subject_kind, subject_id, reference, kind, channel, sent_at FROM dues_reminder "
                "WHERE id < 7 ORDER BY id") == [
        (5, BOX, "membership", ALI, "period:31", "due", "email", "2026-01-04 09:00:00"),
        (6, BOX, "membership", ALI, "period:31", "late1", "email", "2026-01-06 09:00:00")]
    assert not {"cashbox_fine", "cashbox_reminder"} & table_names(empty_database)
