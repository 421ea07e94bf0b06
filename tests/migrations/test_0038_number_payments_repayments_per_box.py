"""0038 numbers the ROSCA and building payments and the pool repayments already there per box, in id
order (#1 is each box's first however the boxes' rows are interleaved); a repayment takes its loan's box."""
from tests.migrations.conftest import upgraded_from

R1, R2, A, P = 30, 31, 32, 33  # two ROSCAs, a building, a pool
T = "'2026-01-01 00:00:00'"
ROWS = [
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at, latin_digits, show_toman) VALUES "
    + ", ".join(f"({b}, '{kind}', 'x', 'USD', 'UTC', 'en', 'gregorian', {T}, 0, 0)"
                for b, kind in ((R1, "rosca"), (R2, "rosca"), (A, "aptbox"), (P, "moneypool"))),
    "INSERT INTO rosca (box_id, status, contribution, seat_count, period_kind, period_days, first_due, fee_bp, "
    "pricing, rate_ppm, deposit, grace_days, late_fee_kind, late_fee_value) VALUES "
    + ", ".join(f"({b}, 'active', 100, 3, 'monthly', 30, '2026-01-01', 0, 'fair', 0, 0, 0, 'none', 0)" for b in (R1, R2)),
    "INSERT INTO membership (id, box_id, user_id, display_name, role, created_at) VALUES "
    f"(1, {R1}, NULL, 'Sara', 'member', {T}), (2, {R2}, NULL, 'Ali', 'member', {T}), (3, {P}, NULL, 'Reza', 'member', {T})",
    f"INSERT INTO mp_member (id, box_id, membership_id, joined_on) VALUES (1, {P}, 3, '2026-01-01')",
    "INSERT INTO mp_loan (id, box_id, number, member_id, request_key, status, amount, term, period_months, "
    "interest_method, annual_rate, fee, purpose, requested_at, reason) VALUES "
    + ", ".join(f"({i}, {P}, {n}, 1, 'k{i}', 'active', 1000, 10, 1, 'flat', 0, 0, '', {T}, '')" for i, n in ((5, 1), (6, 2))),
    "INSERT INTO ledger_entry (id, box_id, number, code, memo, effective_date, created_at, idempotency_key, fingerprint) "
    "VALUES " + ", ".join(f"({i}, NULL, NULL, 'c', '', '2026-02-01', {T}, 'k{i}', 'f')" for i in range(1, 4)),
    "INSERT INTO rosca_payment (id, box_id, membership_id, kind, amount, method, reference, paid_on, entry_id, "
    "created_at, late_fees) VALUES "
    + ", ".join(f"({i}, {b}, {m}, 'contribution', 100, 'cash', '', '2026-02-01', 1, {T}, 0)"
                for i, b, m in ((10, R2, 2), (11, R1, 1), (12, R2, 2), (13, R1, 1))),
    f"INSERT INTO apt_unit (id, box_id, number, floor, area, occupants, parking, occupied, owner_name, "
    f"resident_name, created_at) VALUES (1, {A}, '1', 1, 80, 1, 0, 1, '', '', {T})",
    "INSERT INTO apt_payment (id, box_id, unit_id, amount, paid_on, reference, payer, request_key, request_hash, "
    "entry_id, created_at) VALUES "
    + ", ".join(f"({i}, {A}, 1, 5, '2026-02-01', 'r', '', 'k{i}', '', 2, {T})" for i in (20, 21)),
    "INSERT INTO mp_repayment (id, loan_id, `key`, amount, principal, interest, penalty, mode, paid_on, entry_id, "
    "created_at) VALUES "
    + ", ".join(f"({i}, {loan}, 'k{i}', 10, 10, 0, 0, 'advance', '2026-02-01', 3, {T})" for i, loan in ((40, 6), (41, 5), (42, 6))),
]


def test_existing_payments_and_repayments_are_numbered_per_box(empty_database):
    read = upgraded_from(empty_database, "0037", ROWS)
    assert read("SELECT id, number FROM rosca_payment ORDER BY id") == [(10, 1), (11, 1), (12, 2), (13, 2)]
    assert read("SELECT id, number FROM apt_payment ORDER BY id") == [(20, 1), (21, 2)]
    assert read("SELECT id, box_id, number FROM mp_repayment ORDER BY id") == [(40, P, 1), (41, P, 2), (42, P, 3)]
