"""The ledger: every entry balances, cached balances equal the postings, retries write once."""
import threading
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamyan import ledger
from hamyan.core import uow
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.models import Entry, LedgerAccount, Posting  # every model: refusals() builds an account at import
from tests.conftest import empty_all_tables, property_examples

D1, D2, D3 = date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)
CASH = dict(type=ledger.ASSET, subject=("box", None), purpose="cash")


def member(membership_id: int) -> dict:
    return dict(type=ledger.LIABILITY, subject=("membership", membership_id), purpose="contributions")


def open_accounts():
    accounts = {
        "cash": ledger.open_account(None, "cash", "Cash", "USD", **CASH),
        "alice": ledger.open_account(None, "member:alice", "Alice", "USD", **member(1)),
        "bob": ledger.open_account(None, "member:bob", "Bob", "USD", **member(2)),
        "fees": ledger.open_account(None, "income:fees", "Fees", "USD", type=ledger.INCOME,
                                    subject=("box", None), purpose="fees"),
        "rial_cash": ledger.open_account(None, "cash-irr", "Cash (IRR)", "IRR", **CASH),
        "rial_alice": ledger.open_account(None, "member:alice:irr", "Alice (IRR)", "IRR", **member(1)),
    }
    db.session.commit()
    return accounts


@pytest.fixture
def acc():
    return open_accounts()


def counts():
    return (db.session.scalar(sa.select(sa.func.count(Entry.id))),
            db.session.scalar(sa.select(sa.func.count(Posting.id))))


def stored_balances():
    """Cached balances read straight from the table, not from the session's objects."""
    return dict(db.session.execute(sa.select(LedgerAccount.id, LedgerAccount.balance)).all())


def posting_sums():
    """Every account's balance recomputed from its postings with a plain SQL sum."""
    rows = db.session.execute(sa.select(Posting.account_id, sa.func.sum(Posting.amount)).group_by(Posting.account_id))
    sums = {account_id: int(total) for account_id, total in rows}
    return {account_id: sums.get(account_id, 0) for account_id in stored_balances()}


def assert_consistent():
    report = ledger.check()
    assert report.ok, report.problems
    assert stored_balances() == posting_sums()
    unbalanced = db.session.execute(
        sa.select(Posting.entry_id, Posting.currency).group_by(Posting.entry_id, Posting.currency)
        .having(sa.func.sum(Posting.amount) != 0)
    ).all()
    assert unbalanced == []


# --- posting ---------------------------------------------------------------------------------

def test_post_writes_entry_postings_and_balances(acc):
    entry = ledger.post("contribution", [(acc["cash"], 1500), (acc["alice"], -1500)],
                        idempotency_key="contrib:1", effective_date=D1, memo="January")
    db.session.commit()
    assert [(p.account_id, p.amount, p.currency) for p in entry.postings] == [
        (acc["cash"].id, 1500, "USD"), (acc["alice"].id, -1500, "USD")]
    assert (entry.code, entry.effective_date, entry.memo) == ("contribution", D1, "January")
    assert ledger.balance(acc["cash"]) == 1500
    assert ledger.balance(acc["alice"]) == -1500
    assert acc["alice"].natural_balance == 1500
    assert counts() == (1, 2)
    assert_consistent()


def test_accounts_held_by_the_session_show_the_new_balance_before_commit(acc):
    cash, alice = acc["cash"], acc["alice"]
    assert (cash.balance, alice.balance) == (0, 0)  # loaded into the session
    ledger.post("contribution", [(cash.id, 300), (alice.id, -300)], idempotency_key="a")
    assert (ledger.balance(cash), ledger.balance(alice)) == (300, -300)
    ledger.post("contribution", [(cash, 5), (alice, -5)], idempotency_key="b")
    assert (cash.balance, alice.natural_balance) == (305, 305)
    db.session.rollback()
    assert (ledger.balance(cash), ledger.balance(alice)) == (0, 0)


def test_accounts_may_be_given_by_id(acc):
    ledger.post("fee", [(acc["alice"].id, 200), (acc["fees"].id, -200)], idempotency_key="fee:1")
    db.session.commit()
    assert ledger.balance(acc["fees"]) == -200


def test_entry_in_two_currencies_balancing_in_each_is_accepted(acc):
    ledger.post("exchange", [(acc["cash"], 500), (acc["alice"], -500),
                             (acc["rial_cash"], 21_000), (acc["rial_alice"], -21_000)],
                idempotency_key="fx:1")
    db.session.commit()
    assert ledger.balance(acc["rial_cash"]) == 21_000
    assert_consistent()


def test_open_account_returns_the_existing_one_and_refuses_another_currency(acc):
    assert ledger.open_account(None, "cash", "Cash again", "usd", **CASH).id == acc["cash"].id
    with pytest.raises(ValidationError) as error:
        ledger.open_account(None, "cash", "Cash", "EUR", **CASH)
    assert error.value.fields == {"currency": error.value.message}


def test_the_normal_side_follows_the_type(acc):
    assert [acc[name].normal_side for name in ("cash", "alice", "fees")] == [ledger.DEBIT, ledger.CREDIT, ledger.CREDIT]


@pytest.mark.parametrize("change, field", [
    (dict(type="revenue"), "type"),
    (dict(subject=("person", 1)), "subject"),
    (dict(subject=("membership", None)), "subject"),
    (dict(purpose=""), "purpose"),
    (dict(type=ledger.LIABILITY), "type"),  # the account exists as an asset
    (dict(subject=("membership", 3)), "type"),
])
def test_open_account_refuses_a_bad_or_different_type_subject_or_purpose(acc, change, field):
    with pytest.raises(ValidationError) as error:
        ledger.open_account(None, "cash", "Cash", "USD", **dict(CASH, **change))
    assert set(error.value.fields) == {field}


def test_the_database_refuses_an_account_without_a_known_type_or_subject(acc):
    values = dict(box_id=None, code="x", name="x", currency="USD", type="asset", subject_kind="box", subject_id=None,
                  purpose="x", balance=0, created_at=D1)
    for bad, constraint in ((dict(type="revenue"), "type"), (dict(subject_kind="person", subject_id=1), "subject_kind"),
                            (dict(subject_kind="loan"), "subject_id")):
        with pytest.raises(sa.exc.DBAPIError, match=f"ck_ledger_account_{constraint}"):
            with db.engine.begin() as conn:
                conn.execute(sa.insert(LedgerAccount).values(**dict(values, **bad)))


# --- idempotency -----------------------------------------------------------------------------

def test_same_key_twice_writes_once(acc):
    legs = [(acc["cash"], 700), (acc["bob"], -700)]
    first = ledger.post("contribution", legs, idempotency_key="k", effective_date=D1)
    again = ledger.post("contribution", legs, idempotency_key="k", effective_date=D1)
    db.session.commit()
    retried = ledger.post("contribution", list(reversed(legs)), idempotency_key="k", effective_date=D1)
    db.session.commit()
    assert first.id == again.id == retried.id
    assert counts() == (1, 2)
    assert stored_balances()[acc["cash"].id] == 700
    assert_consistent()


def test_retry_on_a_later_day_without_an_effective_date_returns_the_first_entry(acc, clock):
    legs = [(acc["cash"], 700), (acc["bob"], -700)]
    clock.set(datetime(2026, 3, 1, 12))
    first = ledger.post("contribution", legs, idempotency_key="k")
    db.session.commit()
    clock.set(datetime(2026, 3, 2, 12))
    assert ledger.post("contribution", legs, idempotency_key="k").id == first.id
    assert counts() == (1, 2)


@pytest.mark.parametrize("change", ["amount", "account", "code", "date"])
def test_same_key_with_other_content_is_a_conflict_and_writes_nothing(acc, change):
    ledger.post("contribution", [(acc["cash"], 700), (acc["bob"], -700)], idempotency_key="k", effective_date=D1)
    db.session.commit()
    before = stored_balances()
    other = {
        "amount": ("contribution", [(acc["cash"], 701), (acc["bob"], -701)], D1),
        "account": ("contribution", [(acc["cash"], 700), (acc["alice"], -700)], D1),
        "code": ("payout", [(acc["cash"], 700), (acc["bob"], -700)], D1),
        "date": ("contribution", [(acc["cash"], 700), (acc["bob"], -700)], D2),
    }[change]
    with pytest.raises(Conflict) as error:
        ledger.post(other[0], other[1], idempotency_key="k", effective_date=other[2])
    assert error.value.status == 409
    assert "idempotency_key" in error.value.fields
    db.session.commit()
    assert counts() == (1, 2)
    assert stored_balances() == before


# --- refusals --------------------------------------------------------------------------------

def refusals(a):
    return {
        "unbalanced": ([(a["cash"], 1000), (a["alice"], -999)], "postings", "does not balance: USD +1"),
        "zero": ([(a["cash"], 0), (a["alice"], 0)], "amount", "cannot be zero"),
        "zero leg": ([(a["cash"], 5), (a["alice"], -5), (a["bob"], 0)], "amount", "cannot be zero"),
        "one posting": ([(a["cash"], 1000)], "postings", "at least two"),
        "no postings": ([], "postings", "at least two"),
        "cross-currency": ([(a["cash"], 1000), (a["rial_alice"], -1000)], "postings", "IRR -1000, USD +1000"),
        "half cross-currency": ([(a["cash"], 5), (a["alice"], -5), (a["rial_cash"], 9), (a["alice"], -9)],
                                "postings", "IRR +9, USD -9"),
        "unknown account": ([(a["cash"], 1000), (987654, -1000)], "account", "Unknown account(s): [987654]"),
        "unsaved account": ([(a["cash"], 1000), (LedgerAccount(code="x"), -1000)], "account", "Unknown account"),
        "float": ([(a["cash"], 10.5), (a["alice"], -10.5)], "amount", "whole numbers"),
        "bool": ([(a["cash"], True), (a["alice"], -1)], "amount", "whole numbers"),
        "string": ([(a["cash"], "10"), (a["alice"], "-10")], "amount", "whole numbers"),
        "huge": ([(a["cash"], 10**16), (a["alice"], -(10**16))], "amount", "too large"),
    }


@pytest.mark.parametrize("case", list(refusals({k: None for k in ("cash", "alice", "bob", "rial_cash", "rial_alice")})))
def test_bad_entries_are_refused_with_a_clear_error_and_write_nothing(acc, case):
    ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -100)], idempotency_key="before")
    db.session.commit()
    before = stored_balances()
    legs, field, message = refusals(acc)[case]
    with pytest.raises(ValidationError) as error:
        ledger.post("contribution", legs, idempotency_key=f"bad:{case}")
    assert error.value.status == 422
    assert field in error.value.fields
    assert message in error.value.message
    db.session.commit()  # whatever the caller does next, nothing of the refused entry is there
    assert counts() == (1, 2)
    assert stored_balances() == before
    assert db.session.scalar(sa.select(Entry.id).filter_by(idempotency_key=f"bad:{case}")) is None


@pytest.mark.parametrize("code, key, field", [("", "k", "code"), ("x" * 61, "k", "code"),
                                              ("fee", "", "idempotency_key"), ("fee", "k" * 201, "idempotency_key")])
def test_code_and_key_are_required(acc, code, key, field):
    with pytest.raises(ValidationError) as error:
        ledger.post(code, [(acc["cash"], 1), (acc["alice"], -1)], idempotency_key=key)
    assert field in error.value.fields
    assert counts() == (0, 0)


def test_rollback_after_post_leaves_nothing_behind(acc):
    """The caller's rollback undoes the whole entry (on SQLite too, where a savepoint could commit)."""
    ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -100)], idempotency_key="k")
    db.session.rollback()
    assert counts() == (0, 0)
    assert stored_balances()[acc["cash"].id] == 0
    # The key is still free: the retry writes the entry.
    ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -100)], idempotency_key="k")
    db.session.commit()
    assert counts() == (1, 2)
    assert_consistent()


def test_a_post_is_four_statements_and_three_once_its_accounts_are_locked(acc):
    """The speed of a batch (issue 17): lock the accounts, insert the entry, insert its postings,
    add to the balances; later posts in the transaction skip the lock of accounts it holds. One
    that moves a box's cash also adds to its day's line (one upsert)."""
    cash, alice, bob, fees, seen = acc["cash"].id, acc["alice"].id, acc["bob"].id, acc["fees"].id, []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        ledger.post("contribution", [(cash, 100), (alice, -100)], idempotency_key="k1")
        first, seen[:] = list(seen), []
        ledger.post("contribution", [(cash, 100), (alice, -100)], idempotency_key="k2")
        again, seen[:] = list(seen), []
        ledger.post("contribution", [(cash, 100), (bob, -100)], idempotency_key="k3")
        new_member, seen[:] = list(seen), []
        ledger.post("fee", [(alice, 5), (fees, -5)], idempotency_key="k4")
        no_cash = list(seen)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    writes = ["INSERT", "INSERT", "UPDATE"]
    assert [q for q in first if q != "BEGIN"] == ["SELECT", *writes, "INSERT"]
    assert again == [*writes, "INSERT"]
    assert new_member == ["SELECT", *writes, "INSERT"]
    assert no_cash == ["SELECT", *writes]
    db.session.commit()
    assert_consistent()


def test_an_account_rolled_back_with_its_transaction_is_unknown_to_the_next_one(acc):
    """A batch locks each account once per transaction; the next transaction checks them again."""
    gone = ledger.open_account(None, "member:gone", "Gone", "USD", **member(9)).id
    ledger.post("contribution", [(acc["cash"], 100), (gone, -100)], idempotency_key="k1")
    db.session.rollback()
    with pytest.raises(ValidationError, match=f"Unknown account.*{gone}"):
        ledger.post("contribution", [(acc["cash"], 100), (gone, -100)], idempotency_key="k2")


def test_an_account_rolled_back_with_a_savepoint_is_checked_again(acc):
    """SQLite gives a rolled-back account's id to the next account: its currency is read again."""
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            dollars = ledger.open_account(None, "member:new", "New", "USD", **member(9)).id
            ledger.post("contribution", [(acc["cash"], 100), (dollars, -100)], idempotency_key="k1")
            raise RuntimeError("undo")
    rials = ledger.open_account(None, "member:new", "New", "IRR", **member(9)).id
    with pytest.raises(ValidationError, match="does not balance"):
        ledger.post("contribution", [(acc["cash"], 100), (rials, -100)], idempotency_key="k2")
    db.session.rollback()
    assert counts() == (0, 0)


def test_database_refuses_a_zero_posting_written_around_the_service(acc):
    entry = ledger.post("fee", [(acc["alice"], 1), (acc["fees"], -1)], idempotency_key="k")
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="ck_ledger_posting_amount_nonzero"):
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Posting).values(entry_id=entry.id, account_id=acc["cash"].id,
                                                   amount=0, currency="USD"))


# --- reversal --------------------------------------------------------------------------------

def test_reverse_restores_balances_and_is_idempotent(acc):
    entry = ledger.post("contribution", [(acc["cash"], 900), (acc["alice"], -900)],
                        idempotency_key="k", effective_date=D1)
    db.session.commit()
    reversal = ledger.reverse(entry, memo="typo")
    db.session.commit()
    assert reversal.reverses_id == entry.id and entry.reversed_by.id == reversal.id
    assert (reversal.code, reversal.effective_date, reversal.memo) == ("reversal", D1, "typo")
    assert sorted((p.account_id, p.amount) for p in reversal.postings) == sorted(
        [(acc["cash"].id, -900), (acc["alice"].id, 900)])
    assert ledger.balance(acc["cash"]) == ledger.balance(acc["alice"]) == 0

    db.session.expire_all()
    assert ledger.reverse(db.session.get(Entry, entry.id)).id == reversal.id
    assert counts() == (2, 4)
    assert_consistent()


def test_second_different_reversal_is_refused(acc):
    entry = ledger.post("contribution", [(acc["cash"], 900), (acc["alice"], -900)], idempotency_key="k")
    first = ledger.reverse(entry, idempotency_key="undo:1")
    db.session.commit()
    with pytest.raises(Conflict, match="already been reversed"):
        ledger.reverse(entry, idempotency_key="undo:2")
    with pytest.raises(Conflict, match="cannot be reversed"):
        ledger.reverse(first)
    db.session.commit()
    assert counts() == (2, 4)
    assert_consistent()


def test_second_reversal_is_refused_by_the_database_when_the_session_does_not_know(acc):
    """Another process reversed the entry; this session's copy does not show it."""
    entry = ledger.post("contribution", [(acc["cash"], 900), (acc["alice"], -900)], idempotency_key="k")
    db.session.commit()
    assert entry.reversed_by is None  # loaded now, stale below
    ledger.post("reversal", [(acc["cash"], -900), (acc["alice"], 900)], idempotency_key="elsewhere",
                reverses=entry)
    with pytest.raises(Conflict, match="already been reversed"):
        ledger.reverse(entry, idempotency_key="here")
    db.session.commit()
    assert counts() == (2, 4)


def test_back_dated_reversal(acc):
    entry = ledger.post("contribution", [(acc["cash"], 900), (acc["alice"], -900)],
                        idempotency_key="k", effective_date=D1)
    ledger.reverse(entry, effective_date=D2)
    db.session.commit()
    assert ledger.balance(acc["cash"], as_of=D1) == 900
    assert ledger.balance(acc["cash"], as_of=D2) == 0


# --- balances by date ------------------------------------------------------------------------

def test_balance_as_of_respects_effective_dates(acc):
    ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -100)], idempotency_key="a", effective_date=D2)
    ledger.post("contribution", [(acc["cash"], 20), (acc["bob"], -20)], idempotency_key="b", effective_date=D1)
    # Back-dated: created last, effective first.
    ledger.post("contribution", [(acc["cash"], 3), (acc["alice"], -3)], idempotency_key="c",
                effective_date=D1 - timedelta(days=1))
    ledger.post("payout", [(acc["cash"], -50), (acc["alice"], 50)], idempotency_key="d", effective_date=D3)
    db.session.commit()
    cash = acc["cash"]
    assert ledger.balance(cash, as_of=D1 - timedelta(days=2)) == 0
    assert ledger.balance(cash, as_of=D1 - timedelta(days=1)) == 3
    assert ledger.balance(cash, as_of=D1) == 23
    assert ledger.balance(cash, as_of=D2 - timedelta(days=1)) == 23
    assert ledger.balance(cash, as_of=D2) == 123
    assert ledger.balance(cash, as_of=D3) == 73
    assert ledger.balance(cash) == 73
    ids = [cash.id, acc["alice"].id, acc["fees"].id]
    assert ledger.balances(ids, as_of=D2) == {cash.id: 123, acc["alice"].id: -103, acc["fees"].id: 0}
    assert ledger.balances(ids, as_of=D3, after=D1) == {cash.id: 50, acc["alice"].id: -50, acc["fees"].id: 0}


def summed_up_to(day: date) -> dict:
    """Every account's balance at the end of day, summed from scratch over its postings."""
    rows = db.session.execute(sa.select(Posting.account_id, sa.func.sum(Posting.amount))
                              .join(Entry, Entry.id == Posting.entry_id).where(Entry.effective_date <= day)
                              .group_by(Posting.account_id))
    sums = {account_id: int(total) for account_id, total in rows}
    return {account_id: sums.get(account_id, 0) for account_id in stored_balances()}


def by_type(per_account: dict) -> dict:
    """Balances summed per (type, purpose) on their normal side, the zero sums left out."""
    sums = defaultdict(int)
    for account in db.session.scalars(sa.select(LedgerAccount)):
        sums[account.type, account.purpose] += per_account[account.id] * (1 if account.normal_side == ledger.DEBIT else -1)
    return {key: total for key, total in sums.items() if total}


def test_balances_as_of_a_past_day_equal_the_postings_summed_up_to_it(acc):
    first = ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -90), (acc["fees"], -10)],
                        idempotency_key="a", effective_date=D1)
    second = ledger.post("contribution", [(acc["cash"], 50), (acc["bob"], -50)], idempotency_key="b",
                         effective_date=D2)
    ledger.post("refund", [(acc["cash"], -5), (acc["fees"], 5)], idempotency_key="c", effective_date=D3)
    ledger.post("contribution", [(acc["rial_cash"], 7_000), (acc["rial_alice"], -7_000)], idempotency_key="d")
    # Back-dated: created last, effective before everything else; reversals on their own day and back-dated.
    ledger.post("contribution", [(acc["cash"], 3), (acc["alice"], -3)], idempotency_key="e",
                effective_date=D1 - timedelta(days=5))
    ledger.reverse(second, effective_date=D3)
    ledger.reverse(first)
    db.session.commit()
    today = date.today()
    ids = list(stored_balances())
    for day in (D1 - timedelta(days=6), D1 - timedelta(days=5), D1, D2 - timedelta(days=1), D2, D3, today,
                today + timedelta(days=1)):
        scratch = summed_up_to(day)
        assert ledger.balances(ids, as_of=day) == scratch, day
        assert ledger.balance(acc["cash"], as_of=day) == scratch[acc["cash"].id], day
        sheet = ledger.balances_by_type(None, as_of=day)
        assert {(t, p): v for t, purposes in sheet.items() for p, v in purposes.items() if v} == by_type(scratch), day
    assert ledger.balances_by_type(None, as_of=today) == ledger.balances_by_type(None)


# --- selecting accounts by type and subject -------------------------------------------------

def test_accounts_of_selects_by_subject_type_and_purpose(acc):
    def names(accounts):
        return {name for name, a in acc.items() if a in accounts}

    assert names(ledger.accounts_of(None, subject=("membership", 1))) == {"alice", "rial_alice"}
    assert names(ledger.accounts_of(None, subject=("membership", [1, 2]))) == {"alice", "rial_alice", "bob"}
    assert names(ledger.accounts_of(None, subject=("membership", None))) == {"alice", "rial_alice", "bob"}
    assert names(ledger.accounts_of(None, types=[ledger.ASSET, ledger.INCOME])) == {"cash", "rial_cash", "fees"}
    assert names(ledger.accounts_of(None, subject=("box", None), purposes=["fees"])) == {"fees"}
    assert ledger.accounts_of(None, subject=("loan", 1)) == []


def test_balances_by_type_sums_each_type_and_purpose_on_its_normal_side(acc):
    ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -90), (acc["fees"], -10)],
                idempotency_key="a", effective_date=D1)
    ledger.post("contribution", [(acc["cash"], 50), (acc["bob"], -50)], idempotency_key="b", effective_date=D2)
    ledger.post("refund", [(acc["cash"], -5), (acc["fees"], 5)], idempotency_key="c", effective_date=D3)
    db.session.commit()
    now = ledger.balances_by_type(None)
    assert now == {"asset": {"cash": 145}, "liability": {"contributions": 140}, "income": {"fees": 5}}
    assert now.total(ledger.ASSET) == now.total(ledger.LIABILITY) + now.total(ledger.INCOME)
    assert ledger.balances_by_type(None, as_of=D3) == now
    on_d1 = ledger.balances_by_type(None, as_of=D1)
    assert (on_d1.of(ledger.ASSET, "cash"), on_d1.total(ledger.LIABILITY), on_d1.of(ledger.INCOME, "fees")) == (
        100, 90, 10)
    before = ledger.balances_by_type(None, as_of=D1 - timedelta(days=1))
    assert not any(before.total(type_) for type_ in (ledger.ASSET, ledger.LIABILITY, ledger.INCOME))
    assert on_d1.total(ledger.EXPENSE) == on_d1.of(ledger.EXPENSE, "writeoff") == 0


# --- hypothesis: random sequences keep the books exact -----------------------------------------

USD = ["cash", "alice", "bob", "fees"]
IRR = ["rial_cash", "rial_alice"]
DAYS = [D1 + timedelta(days=n) for n in range(0, 60, 7)]
amounts = st.integers(min_value=-10**9, max_value=10**9).filter(bool)


@st.composite
def post_op(draw):
    names = USD if draw(st.booleans()) else IRR
    legs = draw(st.lists(st.tuples(st.sampled_from(names), amounts), min_size=1, max_size=3))
    total = sum(amount for _, amount in legs)
    if total:
        legs.append((draw(st.sampled_from(names)), -total))
    # Sometimes spoil the balance by one unit: that entry must be refused and change nothing.
    spoil = draw(st.sampled_from([0, 0, 0, 1]))
    if spoil:
        legs.append((draw(st.sampled_from(names)), spoil))
    return ("post", legs, draw(st.sampled_from(DAYS)), draw(st.booleans()))


operations = st.lists(
    st.one_of(
        post_op(),
        st.tuples(st.just("reverse"), st.integers(0, 20), st.sampled_from(["default", "other"])),
        st.tuples(st.just("repeat"), st.integers(0, 20)),
        st.just(("rollback",)),
    ),
    max_size=14,
)


def expected_result(legs):
    if len(legs) < 2:
        return ValidationError
    totals = defaultdict(int)
    for name, amount in legs:
        totals[name in IRR] += amount
    return ValidationError if any(totals.values()) else None


@settings(max_examples=property_examples(30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_sequences_keep_every_entry_balanced_and_every_balance_exact(ops):
    empty_all_tables()
    acc = open_accounts()
    ids = {name: account.id for name, account in acc.items()}
    committed = []  # (key, code, legs by name, day, entry id, reversal key or None, is reversal)
    pending = []
    for n, op in enumerate(ops):
        if op[0] == "post":
            _, legs, day, commit = op
            expected = expected_result(legs)
            key = f"op:{n}"
            if expected is ValidationError:
                with pytest.raises(ValidationError):
                    ledger.post("test", [(ids[name], amount) for name, amount in legs],
                                idempotency_key=key, effective_date=day)
                continue
            entry = ledger.post("test", [(ids[name], amount) for name, amount in legs],
                                idempotency_key=key, effective_date=day)
            pending.append({"key": key, "legs": legs, "day": day, "id": entry.id, "reversed": None,
                            "reversal": False})
            if commit:
                db.session.commit()
                committed += pending
                pending = []
        elif op[0] == "reverse" and committed:
            original = committed[op[1] % len(committed)]
            key = f"reverse:{original['id']}" if op[2] == "default" else f"undo:{n}"
            entry = db.session.get(Entry, original["id"])
            if original["reversal"] or (original["reversed"] not in (None, key)):
                with pytest.raises(Conflict):
                    ledger.reverse(entry, idempotency_key=key)
                continue
            reversal = ledger.reverse(entry, idempotency_key=key)
            db.session.commit()
            committed += pending
            pending = []
            if original["reversed"] is None:
                original["reversed"] = key
                committed.append({"key": key, "legs": [(name, -amount) for name, amount in original["legs"]],
                                  "day": original["day"], "id": reversal.id, "reversed": None,
                                  "reversal": True})
        elif op[0] == "repeat" and committed:
            original = committed[op[1] % len(committed)]
            if original["reversal"]:
                continue
            again = ledger.post("test", [(ids[name], amount) for name, amount in original["legs"]],
                                idempotency_key=original["key"], effective_date=original["day"])
            assert again.id == original["id"]
        elif op[0] == "rollback":
            db.session.rollback()
            pending = []
    db.session.rollback()

    assert_consistent()
    assert counts()[0] == len(committed)
    for day in [None, D1 - timedelta(days=1), *DAYS]:
        want = defaultdict(int)
        for item in committed:
            if day is None or item["day"] <= day:
                for name, amount in item["legs"]:
                    want[ids[name]] += amount
        got = stored_balances() if day is None else ledger.balances(ids.values(), as_of=day)
        assert got == {account_id: want[account_id] for account_id in ids.values()}
        if day is not None:
            sheet = ledger.balances_by_type(None, as_of=day)
            assert {(t, p): v for t, purposes in sheet.items() for p, v in purposes.items() if v} == by_type(want)


# --- concurrency (MariaDB/MySQL: real row locks between connections) ---------------------------

THREADS, ENTRIES_PER_THREAD, SHARED_KEYS = 8, 200, 10


def test_concurrent_posts_to_the_same_accounts_end_with_exact_balances(app, acc, is_mysql):
    if not is_mysql:
        pytest.skip("SQLite serializes writers; the row-lock race is tested on MariaDB/MySQL")
    members = [acc["alice"].id, acc["bob"].id, acc["fees"].id]
    cash = acc["cash"].id
    errors = []
    start = threading.Barrier(THREADS)

    def worker(t):
        try:
            with app.app_context():
                start.wait()
                for i in range(ENTRIES_PER_THREAD):
                    if i < SHARED_KEYS:
                        # Every thread posts the same shared entries: each must be written once.
                        legs, key = [(cash, 1000 + i), (members[i % 3], -(1000 + i))], f"shared:{i}"
                    else:
                        amount = t * 1000 + i
                        legs, key = [(members[(t + i) % 3], -amount), (cash, amount)], f"t{t}:{i}"
                    ledger.post("contribution", legs, idempotency_key=key)
                    db.session.commit()
        except Exception as exc:  # reported below with the thread that failed
            errors.append((t, repr(exc)))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    want = defaultdict(int)
    for i in range(SHARED_KEYS):
        want[cash] += 1000 + i
        want[members[i % 3]] -= 1000 + i
    for t in range(THREADS):
        for i in range(SHARED_KEYS, ENTRIES_PER_THREAD):
            want[cash] += t * 1000 + i
            want[members[(t + i) % 3]] -= t * 1000 + i
    db.session.rollback()  # end this session's transaction: its snapshot predates the threads' work
    balances = stored_balances()
    assert {account_id: balances[account_id] for account_id in want} == dict(want)
    assert counts() == (SHARED_KEYS + THREADS * (ENTRIES_PER_THREAD - SHARED_KEYS),
                        2 * (SHARED_KEYS + THREADS * (ENTRIES_PER_THREAD - SHARED_KEYS)))
    assert_consistent()


def test_concurrent_first_use_opens_one_account(app, make_user):
    """Two first payments of a new member at once both open its account: one row, both postings."""
    from hamyan.boxes import services as boxes

    user = make_user()
    box_id = boxes.create_box(user, "cashbox", "Race box", "USD").id
    cash_id = ledger.open_account(box_id, "cash", "Cash", "USD", **CASH).id
    db.session.commit()
    errors, start = [], threading.Barrier(4)

    def worker(t):
        try:
            with app.app_context():
                start.wait()
                with uow.box_transaction(box_id):
                    new = ledger.open_account(box_id, "member:new", "New member", "USD", **member(7))
                    ledger.post("contribution", [(cash_id, 100), (new, -100)], idempotency_key=f"first:{t}",
                                box_id=box_id)
        except Exception as exc:  # reported below with the thread that failed
            errors.append((t, repr(exc)))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.rollback()
    accounts = db.session.execute(
        sa.select(ledger.LedgerAccount).filter_by(box_id=box_id, code="member:new")).scalars().all()
    assert len(accounts) == 1 and accounts[0].balance == -400
    assert_consistent()


# --- a box's cash kept per day ----------------------------------------------------------------

def kept_days() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.select(
        ledger.CashDay.account_id, ledger.CashDay.day, ledger.CashDay.code, ledger.CashDay.inflow,
        ledger.CashDay.entries, ledger.CashDay.amount, ledger.CashDay.first_entry_id).order_by(
        ledger.CashDay.account_id, ledger.CashDay.day, ledger.CashDay.first_entry_id))]


def test_a_box_s_cash_is_kept_a_line_per_day_kind_and_direction(acc):
    """Each entry counts by its net on the cash: two contributions of a day on one line, a payout
    out on another, a back-dated entry on its own day, a reversal under its code on the day of what
    it undoes, an entry netting to zero not at all, and no other account's movements."""
    cash, alice, fees = acc["cash"].id, acc["alice"].id, acc["fees"].id
    first = ledger.post("contribution", [(cash, 100), (alice, -100)], idempotency_key="a", effective_date=D2).id
    ledger.post("contribution", [(cash, 50), (alice, -50)], idempotency_key="b", effective_date=D2)
    payout = ledger.post("payout", [(alice, 30), (cash, -30)], idempotency_key="c", effective_date=D2).id
    late = ledger.post("contribution", [(cash, 7), (alice, -7)], idempotency_key="d", effective_date=D1).id
    undo = ledger.reverse(db.session.get(Entry, payout), idempotency_key="e").id
    ledger.post("transfer", [(cash, 9), (cash, -9), (alice, 1), (fees, -1)], idempotency_key="f", effective_date=D3)
    ledger.post("fee", [(alice, 5), (fees, -5)], idempotency_key="g", effective_date=D3)
    db.session.commit()
    assert kept_days() == [(cash, D1, "contribution", True, 1, 7, late),
                           (cash, D2, "contribution", True, 2, 150, first),
                           (cash, D2, "payout", False, 1, -30, payout),
                           (cash, D2, "reversal", True, 1, 30, undo)]
    assert_consistent()


def test_a_drifted_cash_day_is_reported_by_the_check(acc):
    cash = acc["cash"].id
    entry = ledger.post("contribution", [(cash, 100), (acc["alice"], -100)], idempotency_key="a", effective_date=D1).id
    ledger.post("payout", [(acc["alice"], 40), (cash, -40)], idempotency_key="b", effective_date=D2)
    db.session.commit()
    assert ledger.check().ok
    with db.engine.begin() as conn:  # what no service may do: write the kept days directly
        conn.execute(sa.text("UPDATE ledger_cash_day SET amount = amount + 1 WHERE code = 'contribution'"))
        conn.execute(sa.text("DELETE FROM ledger_cash_day WHERE code = 'payout'"))
    db.session.rollback()  # MariaDB: the next check reads a new snapshot
    assert ledger.check().problems == [
        f"account {cash}: contribution in on {D1.isoformat()} kept as entries 1, amount 101, first_entry_id "
        f"{entry}, but the postings give entries 1, amount 100, first_entry_id {entry}",
        f"account {cash}: payout out on {D2.isoformat()} kept as no line, but the postings give entries 1, "
        f"amount -40, first_entry_id {entry + 1}"]


# --- flask ledger check ----------------------------------------------------------------------

def test_cli_check_reports_a_balanced_ledger(app, acc):
    ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -100)], idempotency_key="a")
    ledger.post("fee", [(acc["alice"], 5), (acc["fees"], -5)], idempotency_key="b")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger balanced: 2 entries, 6 accounts"


def test_cli_check_exits_1_with_a_readable_report_on_corruption(app, acc):
    entry_id = ledger.post("contribution", [(acc["cash"], 100), (acc["alice"], -100)], idempotency_key="a",
                           effective_date=D1).id
    bob, cash = acc["bob"].id, acc["cash"].id
    db.session.commit()
    with db.engine.begin() as conn:  # what no service may do: write the ledger tables directly
        conn.execute(sa.text("UPDATE ledger_account SET balance = balance + 7 WHERE id = :id"), {"id": bob})
        conn.execute(sa.text("UPDATE ledger_posting SET amount = 101 WHERE account_id = :id"), {"id": cash})
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    report = result.stderr
    assert "ledger NOT balanced: 4 problem(s) in 1 entries, 6 accounts" in report
    assert f"account {bob} (member:bob): cached balance 7 but postings sum to 0" in report
    assert f"account {cash} (cash): cached balance 100 but postings sum to 101" in report
    assert f"entry {entry_id}: USD postings sum to 1, not 0" in report
    assert (f"account {cash}: contribution in on {D1.isoformat()} kept as entries 1, amount 100, "
            f"first_entry_id {entry_id}, but the postings give entries 1, amount 101, first_entry_id {entry_id}") in report


def reconcile_finds_one_problem() -> list[str]:
    return ["member 3: summary says 100 paid, the ledger 90"]


def test_cli_check_runs_every_products_reconcile_and_exits_1_on_its_problems(app, acc, monkeypatch):
    from dataclasses import replace

    from hamyan import blueprints

    first, *others = blueprints.PRODUCTS
    monkeypatch.setattr(blueprints, "PRODUCTS", (
        replace(first, reconcile="tests.test_ledger:reconcile_finds_one_problem"),
        *(replace(p, reconcile="builtins:list") for p in others)))  # reconciled: no problems
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ledger balanced: 0 entries, 6 accounts",
        "products NOT reconciled with the ledger: 1 problem(s)",
        f"  - {first.kind}: member 3: summary says 100 paid, the ledger 90"]

    monkeypatch.setattr(blueprints, "PRODUCTS", tuple(replace(p, reconcile="builtins:list") for p in others))
    assert app.test_cli_runner().invoke(args=["ledger", "check"]).exit_code == 0


def test_a_boxs_money_moves_only_inside_that_boxs_write(make_user):
    """A rule that forgot its unit of work (and so the box's lock) fails instead of racing."""
    from hamyan.boxes import services as boxes

    user = make_user()
    with uow.transaction():
        first, second = (boxes.create_box(user, "cashbox", name, "USD").id for name in ("One", "Two"))
    with uow.box_transaction(first):
        cash = ledger.open_account(first, "cash", "Cash", "USD", **CASH)
        alice = ledger.open_account(first, "member:1", "Alice", "USD", **member(1))
    legs = [(cash, 100), (alice, -100)]
    with pytest.raises(RuntimeError, match="only inside that box's write"):
        ledger.post("contribution", legs, idempotency_key="outside")
    with pytest.raises(RuntimeError, match="cannot post to the accounts"):
        with uow.box_transaction(second):
            ledger.post("contribution", legs, idempotency_key="other box", box_id=second)
    with uow.box_transaction(first):
        ledger.post("contribution", legs, idempotency_key="inside", box_id=first)
    assert counts() == (1, 2)


def test_a_boxs_entries_are_numbered_in_turn_reading_the_last_number_once_a_write(make_user):
    """A batch of posts in one box write numbers its entries #1, #2, ... and reads the box's last
    number once, not once a post; a post refused (a reused key) or undone (a rolled-back
    savepoint) leaves no gap."""
    from hamyan.boxes import services as boxes

    user = make_user()
    with uow.transaction():
        box_id = boxes.create_box(user, "cashbox", "Numbers", "USD").id
    with uow.box_transaction(box_id):
        cash = ledger.open_account(box_id, "cash", "Cash", "USD", **CASH)
        alice = ledger.open_account(box_id, "member:1", "Alice", "USD", **member(1))
    legs = [(cash, 100), (alice, -100)]
    reads = []

    def count(conn, cursor, statement, *args):
        if "max(ledger_entry.number)" in statement.lower():
            reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with uow.box_transaction(box_id):
            first = [ledger.post("contribution", legs, idempotency_key=f"n{i}", box_id=box_id) for i in range(5)]
            with pytest.raises(Conflict):
                ledger.post("contribution", [(cash, 7), (alice, -7)], idempotency_key="n0", box_id=box_id)
            savepoint = db.session.begin_nested()
            ledger.post("contribution", legs, idempotency_key="undone", box_id=box_id)
            savepoint.rollback()
            after = ledger.post("contribution", legs, idempotency_key="n5", box_id=box_id)
        with uow.box_transaction(box_id):
            next_write = ledger.post("contribution", legs, idempotency_key="n6", box_id=box_id)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert [e.number for e in first] == [1, 2, 3, 4, 5]
    assert (after.number, next_write.number) == (6, 7)
    # Once in the first write, once more after its savepoint ended, once in the next write.
    assert len(reads) == 3
    numbers = db.session.scalars(sa.select(Entry.number).where(Entry.box_id == box_id).order_by(Entry.id)).all()
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
