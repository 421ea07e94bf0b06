"""0004 fills every existing account's type, subject and purpose from its code: a database at the
revision before, with the accounts the products opened until then (inserted as SQL), upgraded to head."""
import pytest
import sqlalchemy as sa

from tests.migrations.conftest import flask_db_upgrade

BEFORE = "moneypool_0001"
CASHBOX, POOL = 10, 20
ALI, SARA = 101, 102  # memberships
SARA_IN_POOL = 7  # mp_member id: its accounts belong to membership SARA
LOAN = 55

ROWS = [
    "INSERT INTO user (id, email, name, password_hash, is_admin, session_version, created_at) "
    "VALUES (1, 'm@example.com', 'M', 'x', 0, 1, '2026-01-01 00:00:00')",
    "INSERT INTO box (id, kind, name, currency, timezone, locale, calendar, created_at) VALUES "
    f"({CASHBOX}, 'cashbox', 'C', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00'), "
    f"({POOL}, 'moneypool', 'P', 'USD', 'UTC', 'en', 'gregorian', '2026-01-01 00:00:00')",
    "INSERT INTO membership (id, box_id, user_id, display_name, role, created_at) VALUES "
    f"({ALI}, {CASHBOX}, 1, 'Ali', 'manager', '2026-01-01 00:00:00'), "
    f"({SARA}, {POOL}, NULL, 'Sara', 'member', '2026-01-01 00:00:00')",
    f"INSERT INTO mp_member (id, box_id, membership_id, joined_on) VALUES ({SARA_IN_POOL}, {POOL}, {SARA}, '2026-01-01')",
]
# id, box, code, normal side -> what 0004 must fill in: type, subject kind, subject id, purpose
ACCOUNTS = [
    (1, CASHBOX, "cash", "debit", ("asset", "box", CASHBOX, "cash")),
    (2, CASHBOX, "fine_income", "credit", ("income", "box", CASHBOX, "fine_income")),
    (3, CASHBOX, f"member:{ALI}", "credit", ("liability", "membership", ALI, "contributions")),
    (4, CASHBOX, f"fines:{ALI}", "debit", ("asset", "membership", ALI, "fines")),
    (5, POOL, "mp:cash", "debit", ("asset", "box", POOL, "cash")),
    (6, POOL, "mp:income:interest", "credit", ("income", "box", POOL, "interest")),
    (7, POOL, "mp:income:fees", "credit", ("income", "box", POOL, "service_fees")),
    (8, POOL, "mp:income:penalties", "credit", ("income", "box", POOL, "penalties")),
    (9, POOL, "mp:expense:writeoff", "debit", ("expense", "box", POOL, "writeoff")),
    (10, POOL, f"mp:member:{SARA_IN_POOL}:savings", "credit", ("liability", "membership", SARA, "savings")),
    (11, POOL, f"mp:member:{SARA_IN_POOL}:pledged", "credit", ("liability", "membership", SARA, "pledged")),
    (12, POOL, f"mp:member:{SARA_IN_POOL}:fees", "debit", ("asset", "membership", SARA, "late_fees")),
    (13, POOL, f"mp:loan:{LOAN}:principal", "debit", ("asset", "loan", LOAN, "principal")),
    (14, POOL, f"mp:loan:{LOAN}:penalty", "debit", ("asset", "loan", LOAN, "penalty")),
]


def test_existing_accounts_get_their_type_subject_and_purpose(empty_database):
    flask_db_upgrade(empty_database, BEFORE)
    engine = sa.create_engine(empty_database)
    try:
        with engine.begin() as conn:
            for sql in ROWS:
                conn.execute(sa.text(sql))
            conn.execute(sa.text(
                "INSERT INTO ledger_account (id, box_id, code, name, currency, normal_side, balance, created_at) "
                "VALUES (:id, :box, :code, :code, 'USD', :side, 0, '2026-01-01 00:00:00')"),
                [dict(id=i, box=box, code=code, side=side) for i, box, code, side, _ in ACCOUNTS])
            # A posting pointing at an account survives the table's rebuild (SQLite batch mode).
            conn.execute(sa.text(
                "INSERT INTO ledger_entry (id, box_id, code, memo, effective_date, created_at, idempotency_key, "
                f"fingerprint) VALUES (1, {CASHBOX}, 'contribution', '', '2026-01-02', '2026-01-02 00:00:00', 'k', 'f')"))
            conn.execute(sa.text("INSERT INTO ledger_posting (id, entry_id, account_id, amount, currency) "
                                 "VALUES (1, 1, 1, 500, 'USD'), (2, 1, 3, -500, 'USD')"))
            conn.execute(sa.text("UPDATE ledger_account SET balance = 500 WHERE id = 1"))
            conn.execute(sa.text("UPDATE ledger_account SET balance = -500 WHERE id = 3"))

        flask_db_upgrade(empty_database)

        with engine.connect() as conn:
            filled = {row.id: (row.type, row.subject_kind, row.subject_id, row.purpose) for row in conn.execute(
                sa.text("SELECT id, type, subject_kind, subject_id, purpose FROM ledger_account"))}
            assert filled == {i: expected for i, _, _, _, expected in ACCOUNTS}
            assert conn.execute(sa.text("SELECT account_id, amount FROM ledger_posting ORDER BY id")).all() == [
                (1, 500), (3, -500)]
            assert dict(conn.execute(sa.text("SELECT id, balance FROM ledger_account WHERE balance <> 0")).all()) == {
                1: 500, 3: -500}
            columns = {c["name"]: c for c in sa.inspect(conn).get_columns("ledger_account")}
            assert "normal_side" not in columns
            assert not any(columns[name]["nullable"] for name in ("type", "subject_kind", "purpose"))
    finally:
        engine.dispose()


def test_an_account_the_migration_does_not_know_stops_it(empty_database):
    flask_db_upgrade(empty_database, BEFORE)
    engine = sa.create_engine(empty_database)
    try:
        with engine.begin() as conn:
            for sql in ROWS[:2]:
                conn.execute(sa.text(sql))
            conn.execute(sa.text(
                "INSERT INTO ledger_account (id, box_id, code, name, currency, normal_side, balance, created_at) "
                f"VALUES (1, {CASHBOX}, 'mystery', 'M', 'USD', 'debit', 0, '2026-01-01 00:00:00')"))
    finally:
        engine.dispose()
    with pytest.raises(RuntimeError, match="1 'mystery'"):
        flask_db_upgrade(empty_database)
