"""0041 fills the kept cash days from the postings already there: each entry's net on a box's cash
account, summed per day, code and direction; an entry netting to zero on the cash, and every other
account, not counted."""
from tests.migrations.conftest import upgraded_from

B, CASH, SAVER, FEES = 50, 1, 2, 3
T = "'2026-01-01 00:00:00'"
ENTRIES = [  # id, code, day, legs
    (10, "contribution", "2026-02-01", [(CASH, 100), (SAVER, -100)]),
    (11, "contribution", "2026-02-01", [(CASH, 50), (SAVER, -50)]),
    (12, "payout", "2026-02-01", [(SAVER, 30), (CASH, -30)]),
    (13, "contribution", "2026-01-15", [(CASH, 7), (SAVER, -7)]),  # back-dated: its own day
    (14, "reversal", "2026-02-01", [(CASH, 30), (SAVER, -30)]),
    (15, "transfer", "2026-03-01", [(CASH, 9), (CASH, -9), (SAVER, 1), (FEES, -1)]),
    (16, "fee", "2026-03-01", [(SAVER, 5), (FEES, -5)]),
]
ROWS = [
    f"INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at, latin_digits, show_toman) "
    f"VALUES ({B}, 'moneypool', 'x', 'USD', 'UTC', 'en', 'gregorian', {T}, 0, 0)",
    "INSERT INTO ledger_account (id, box_id, code, name, currency, type, subject_kind, subject_id, purpose, balance, "
    f"created_at) VALUES ({CASH}, {B}, 'mp:cash', 'Cash', 'USD', 'asset', 'box', {B}, 'cash', 157, {T}), "
    f"({SAVER}, {B}, 'mp:member:1:savings', 'Savings', 'USD', 'liability', 'membership', 1, 'savings', -156, {T}), "
    f"({FEES}, {B}, 'mp:income:fees', 'Fees', 'USD', 'income', 'box', {B}, 'service_fees', -1, {T})",
    "INSERT INTO ledger_entry (id, box_id, number, code, memo, effective_date, created_at, idempotency_key, fingerprint) "
    "VALUES " + ", ".join(f"({i}, {B}, {i}, '{code}', '', '{day}', {T}, 'k{i}', 'f')" for i, code, day, _ in ENTRIES),
    "INSERT INTO ledger_posting (entry_id, account_id, amount, currency) VALUES "
    + ", ".join(f"({i}, {account}, {amount}, 'USD')" for i, _, _, legs in ENTRIES for account, amount in legs),
]


def test_existing_cash_postings_are_kept_per_day(empty_database):
    read = upgraded_from(empty_database, "0040", ROWS)
    assert read("SELECT account_id, day, code, inflow, entries, amount, first_entry_id FROM ledger_cash_day "
                "ORDER BY day, first_entry_id") == [
        (CASH, "2026-01-15", "contribution", 1, 1, 7, 13),
        (CASH, "2026-02-01", "contribution", 1, 2, 150, 10),
        (CASH, "2026-02-01", "payout", 0, 1, -30, 12),
        (CASH, "2026-02-01", "reversal", 1, 1, 30, 14)]
