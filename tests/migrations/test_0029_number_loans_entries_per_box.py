"""0029 numbers the loans and ledger entries already there per box, in id order: the first of each
box is #1 however the boxes' rows are interleaved; an entry of no box has no number."""
from tests.migrations.conftest import upgraded_from

A, B = 20, 21
ROWS = [
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at) VALUES "
    f"({A}, 'moneypool', 'A', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00'), "
    f"({B}, 'moneypool', 'B', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00')",
    "INSERT INTO membership (id, box_id, user_id, display_name, role, created_at) VALUES "
    f"(1, {A}, NULL, 'Sara', 'member', '2026-01-01 00:00:00'), (2, {B}, NULL, 'Ali', 'member', '2026-01-01 00:00:00')",
    f"INSERT INTO mp_member (id, box_id, membership_id, joined_on) VALUES (1, {A}, 1, '2026-01-01'), "
    f"(2, {B}, 2, '2026-01-01')",
    "INSERT INTO ledger_entry (id, box_id, code, memo, effective_date, created_at, idempotency_key, fingerprint) VALUES "
    + ", ".join(f"({i}, {box}, 'c', '', '2026-02-01', '2026-02-01 00:00:00', 'k{i}', 'f')"
                for i, box in ((3, A), (4, B), (5, A), (6, "NULL"), (7, B), (8, A))),
    "INSERT INTO mp_loan (id, box_id, member_id, request_key, status, amount, term, period_months, interest_method, "
    "annual_rate, fee, purpose, requested_at, reason) VALUES "
    + ", ".join(f"({i}, {box}, {member}, 'k{i}', 'requested', 1000, 10, 1, 'flat', 0, 0, '', '2026-01-01 00:00:00', '')"
                for i, box, member in ((10, B, 2), (11, A, 1), (12, B, 2))),
]


def test_existing_loans_and_entries_are_numbered_per_box(empty_database):
    read = upgraded_from(empty_database, "0028", ROWS)
    assert read("SELECT id, number FROM ledger_entry ORDER BY id") == [(3, 1), (4, 1), (5, 2), (6, None), (7, 2), (8, 3)]
    assert read("SELECT id, number FROM mp_loan ORDER BY id") == [(10, 1), (11, 1), (12, 2)]
