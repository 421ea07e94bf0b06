"""0012 moves Moneypool's late fees (ledger entries found by key) and loan penalties (mp_loan_penalty)
into dues_late_charge, waivers included: a database at the revision before, rows inserted as SQL
(the rows it reads and those they point at), upgraded to head."""
from tests.migrations.conftest import table_names, upgraded_from

BEFORE = "0011"
POOL = 20
SARA, SARA_IN_POOL, LOAN = 102, 7, 55

ROWS = [
    "INSERT INTO user (id, email, name, password_hash, is_admin, session_version, created_at) "
    "VALUES (1, 'm@example.com', 'M', 'x', 0, 1, '2026-01-01 00:00:00')",
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at) VALUES "
    f"({POOL}, 'moneypool', 'P', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00')",
    "INSERT INTO membership (id, box_id, user_id, display_name, role, created_at) VALUES "
    f"({SARA}, {POOL}, NULL, 'Sara', 'member', '2026-01-01 00:00:00')",
    "INSERT INTO ledger_account (id, box_id, code, name, currency, balance, created_at, type, subject_kind, "
    f"subject_id, purpose) VALUES (1, {POOL}, 'mp:member:7:fees', 'x', 'USD', 0, '2026-01-01 00:00:00', 'asset', "
    f"'membership', {SARA}, 'late_fees'), (2, {POOL}, 'mp:income:penalties', 'x', 'USD', 0, '2026-01-01 00:00:00', "
    f"'income', 'box', {POOL}, 'penalties')",
    f"INSERT INTO mp_member (id, box_id, membership_id, joined_on) VALUES ({SARA_IN_POOL}, {POOL}, {SARA}, '2026-01-01')",
    "INSERT INTO ledger_entry (id, box_id, code, memo, effective_date, created_at, idempotency_key, fingerprint, "
    f"reverses_id, created_by_id) VALUES "
    f"(1, {POOL}, 'late_fee', '', '2026-02-12', '2026-02-12 00:00:00', 'mp:{POOL}:late_fee:{SARA_IN_POOL}:2026-02-05', 'f', NULL, NULL), "
    f"(2, {POOL}, 'late_fee', '', '2026-03-12', '2026-03-12 00:00:00', 'mp:{POOL}:late_fee:{SARA_IN_POOL}:2026-03-05', 'f', NULL, NULL), "
    f"(3, {POOL}, 'reversal', 'Late fee waived: sick', '2026-03-13', '2026-03-13 00:00:00', 'k3', 'f', 2, 1), "
    f"(4, {POOL}, 'penalty', '', '2026-04-12', '2026-04-12 00:00:00', 'mp:{POOL}:penalty:{LOAN}:2', 'f', NULL, NULL), "
    f"(5, {POOL}, 'penalty', '', '2026-05-12', '2026-05-12 00:00:00', 'mp:{POOL}:penalty:{LOAN}:3', 'f', NULL, NULL), "
    f"(6, {POOL}, 'reversal', 'Penalty waived: bank error', '2026-05-13', '2026-05-13 00:00:00', 'k6', 'f', 5, 1)",
    "INSERT INTO ledger_posting (id, entry_id, account_id, amount, currency) VALUES "
    "(1, 1, 1, 1000, 'USD'), (2, 1, 2, -1000, 'USD'), (3, 2, 1, 1000, 'USD'), (4, 2, 2, -1000, 'USD')",
    "INSERT INTO mp_loan (id, box_id, member_id, request_key, status, amount, term, period_months, interest_method, "
    f"annual_rate, fee, purpose, requested_at, reason) VALUES ({LOAN}, {POOL}, {SARA_IN_POOL}, 'k', 'active', 1000, "
    "10, 1, 'flat', 0, 0, '', '2026-01-01 00:00:00', '')",
    "INSERT INTO mp_installment (id, loan_id, number, due_date, principal, interest, penalty, paid_principal, "
    f"paid_interest, paid_penalty, prepayment) VALUES (1, {LOAN}, 2, '2026-04-05', 100, 10, 55, 0, 0, 0, 0)",
    "INSERT INTO mp_loan_penalty (id, loan_id, number, charged_on, amount, entry_id, waived_at) VALUES "
    f"(8, {LOAN}, 2, '2026-04-12', 55, 4, NULL), (9, {LOAN}, 3, '2026-05-12', 60, 5, '2026-05-13 00:00:00')",
]


def test_moneypool_late_fees_and_penalties_move_into_dues(empty_database):
    read = upgraded_from(empty_database, BEFORE, ROWS)
    assert read("SELECT box_id, subject_kind, subject_id, reference, due_date, amount, entry_id, waiver_entry_id, "
                "waived_reason, waived_by_id FROM dues_late_charge ORDER BY id") == [
        (POOL, "membership", SARA, "due:2026-02-05", "2026-02-05", 1000, 1, None, None, None),
        (POOL, "membership", SARA, "due:2026-03-05", "2026-03-05", 1000, 2, 3, "sick", 1),
        (POOL, "loan", LOAN, "installment:2", "2026-04-05", 55, 4, None, None, None),
        (POOL, "loan", LOAN, "installment:3", "2026-05-12", 60, 5, 6, "bank error", 1)]  # no row: charge date
    assert "mp_loan_penalty" not in table_names(empty_database)
