"""0035 moves a building's reported payments into the shared pay_report (every product's "I have
paid"): content kept, the unit as the target, a confirmed one pointing at its payment's entry."""
from tests.migrations.conftest import upgraded_from

BOX = 30
ROWS = [
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, latin_digits, show_toman, created_at) "
    f"VALUES ({BOX}, 'aptbox', 'Yas', 'IRR', 'UTC', 'fa_IR', 'persian', 0, 0, '2026-01-01 00:00:00')",
    "INSERT INTO membership (id, box_id, user_id, display_name, role, created_at) VALUES "
    f"(5, {BOX}, NULL, 'سارا', 'resident', '2026-01-01 00:00:00')",
    "INSERT INTO apt_unit (id, box_id, number, floor, area, occupants, parking, occupied, owner_name, resident_name, "
    f"created_at) VALUES (7, {BOX}, '12', 1, 80, 2, 1, 1, '', '', '2026-01-01 00:00:00')",
    "INSERT INTO ledger_entry (id, box_id, number, code, memo, effective_date, created_at, idempotency_key, fingerprint) "
    f"VALUES (9, {BOX}, 1, 'payment', '', '2026-02-01', '2026-02-01 00:00:00', 'k9', 'f')",
    "INSERT INTO apt_payment (id, box_id, unit_id, amount, paid_on, reference, payer, request_key, request_hash, "
    f"entry_id, created_at) VALUES (3, {BOX}, 7, 700000, '2026-02-01', 'FIS-5', 'سارا', 'report:1', 'h', 9, "
    "'2026-02-02 00:00:00')",
    "INSERT INTO apt_payment_report (id, box_id, unit_id, membership_id, amount, paid_on, reference, receipt_path, "
    "receipt_name, receipt_type, status, reason, payment_id, decided_by_id, created_at) VALUES "
    f"(1, {BOX}, 7, 5, 700000, '2026-02-01', 'FIS-5', 'uploads/aptbox/{BOX}/a.png', 'رسید.png', 'image/png', "
    "'confirmed', NULL, 3, NULL, '2026-02-01 10:00:00'), "
    f"(2, {BOX}, 7, 5, 100, '2026-02-03', 'FIS-6', NULL, NULL, NULL, 'pending', NULL, NULL, NULL, "
    "'2026-02-03 10:00:00')",
]


def test_reported_payments_move_to_the_shared_table(empty_database):
    read = upgraded_from(empty_database, "0034", ROWS)
    rows = read("SELECT box_id, membership_id, amount, method, reference, target, receipt_path, receipt_name, status, "
                "entry_id FROM pay_report ORDER BY id")
    assert rows == [(BOX, 5, 700000, "transfer", "FIS-5", "unit:7", f"uploads/aptbox/{BOX}/a.png", "رسید.png",
                     "confirmed", 9),
                    (BOX, 5, 100, "transfer", "FIS-6", "unit:7", None, None, "pending", None)]
    assert "apt_payment_report" not in {name for (name,) in read(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        if "mysql" in empty_database else "SELECT name FROM sqlite_master WHERE type = 'table'")}
