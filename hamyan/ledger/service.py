"""The only code that writes ledger tables.

post() and reverse() add to the caller's database transaction and flush; the product service that
called them commits once, so a business action and its money movement land together or not at all.
"""
import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, case, event, func, select, union_all
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.core.parse import MAX_AMOUNT
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.i18n import box_text
from hamyan.ledger.models import (DEBIT_TYPES, KEPT_PER_DAY, SUBJECT_KINDS, TYPES, CashDay, Entry, LedgerAccount,
                                  Posting)



def open_account(box_id: int | None, code: str, name: str, currency: str, *, type: str,
                 subject: tuple[str, int | None], purpose: str) -> LedgerAccount:
    """Get the account with this code in the box, creating it on first use.

    type is one of TYPES (it decides the normal side); subject is (kind, id): whose account it is,
    e.g. ("membership", 12), ("loan", 7) or ("box", box_id); purpose says what it is for among that
    subject's accounts ("savings", "principal", ...). Reports select accounts by these, never by code.

    Two transactions may open the same account at once (two first payments of a new member). On
    MySQL a plain INSERT would S-lock the duplicate row in the loser, and two losers upgrading to
    the X lock that posting needs deadlock; INSERT ... ON DUPLICATE KEY UPDATE X-locks it instead,
    so racing openers queue. On SQLite the write lock serialises them and ON CONFLICT DO
    NOTHING lets the later one find the first one's row."""
    subject_kind, subject_id = subject
    if type not in TYPES:
        raise ValidationError(f"An account's type is one of {', '.join(TYPES)}.", field="type")
    if subject_kind not in SUBJECT_KINDS or (subject_id is None and subject_kind != "box"):
        raise ValidationError(f"An account's subject is one of {', '.join(SUBJECT_KINDS)} with its id.",
                              field="subject")
    if not purpose or len(purpose) > 30:
        raise ValidationError("An account needs a purpose of at most 30 characters.", field="purpose")
    currency = currency.upper()
    find = select(LedgerAccount).filter_by(box_id=box_id, code=code)
    account = db.session.execute(find).scalar_one_or_none()
    if account is None:
        db.session.flush()  # the caller's pending rows (a new box) go first
        connection = _begin_write()
        values = dict(box_id=box_id, code=code, name=name, currency=currency, type=type,
                      subject_kind=subject_kind, subject_id=subject_id, purpose=purpose, balance=0, created_at=clock.now())
        if connection.dialect.name == "mysql":
            insert = mysql_insert(ACCOUNT).values(values)
            insert = insert.on_duplicate_key_update(code=insert.inserted.code)
        else:  # another opener may have committed while we waited for the write lock
            insert = sqlite_insert(ACCOUNT).values(values).on_conflict_do_nothing(index_elements=["box_id", "code"])
        connection.execute(insert)
        # A locking read: on MySQL it sees a row committed after this transaction's snapshot.
        account = db.session.execute(find.with_for_update()).scalar_one()
    if account.currency != currency:
        raise ValidationError(f"Account {code} is in {account.currency}, not {currency}.", field="currency")
    if (account.type, account.subject_kind, account.subject_id, account.purpose) != (type, *subject, purpose):
        raise ValidationError(f"Account {code} is a {account.type} of {account.subject_kind} {account.subject_id} "
                              f"for {account.purpose}.", field="type")
    return account


def _fingerprint(code: str, effective_date: date, legs: list[tuple[int, int]], reverses_id: int | None) -> str:
    body = json.dumps([code, effective_date.isoformat(), sorted(legs), reverses_id])
    return hashlib.sha256(body.encode()).hexdigest()


def _validate_legs(legs) -> list[tuple[int, int]]:
    resolved = []
    for account, amount in legs:
        account_id = account.id if isinstance(account, LedgerAccount) else account
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValidationError("Amounts are whole numbers of minor units.", field="amount")
        if amount == 0:
            raise ValidationError("A posting cannot be zero.", field="amount")
        if abs(amount) > MAX_AMOUNT:
            raise ValidationError("Amount is too large.", field="amount")
        if not isinstance(account_id, int):
            raise ValidationError("Unknown account.", field="account")
        resolved.append((account_id, amount))
    if len(resolved) < 2:
        raise ValidationError("An entry needs at least two postings.", field="postings")
    return resolved


def _begin_write() -> Connection:
    """The session's connection, in a transaction that may write.

    SQLite: take the database write lock before reading anything. pysqlite only opens a
    transaction at the first INSERT/UPDATE, so without this the accounts would be read outside
    the transaction, and the entry, postings and balances could land in separate ones. MySQL: the
    caller's transaction is already open; other transactions may race us, which the account
    locks and the unique keys settle (see post())."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return connection


def _require_box_write(box_ids: set) -> None:
    """A box's money moves only inside that box's unit of work (core.uow.box_write), which holds
    the box's lock: so a rule that forgot to take it fails loudly instead of racing."""
    box_ids = box_ids - {None}
    if not box_ids:
        return
    current = uow.current_box()
    if current is None:
        raise RuntimeError("ledger.post() moves a box's money only inside that box's write (core.uow.box_write)")
    if current != uow.NEW_BOX and box_ids != {current}:
        raise RuntimeError(f"a write of box {current} cannot post to the accounts of box(es) {sorted(box_ids)}")


# The write path runs Core statements built once rather than the ORM unit of work, and as few of
# them as the guarantees allow: posting is the hottest path in the app (see bench/ledger.py). A post
# is four round trips (three when its accounts are already locked by this transaction): lock the
# accounts, insert the entry, insert its postings, add to the balances; a fifth when it moves a box's
# cash (its day's line).
ENTRY, POSTING, ACCOUNT, CASH_DAY = Entry.__table__, Posting.__table__, LedgerAccount.__table__, CashDay.__table__
_FIND_KEY = select(ENTRY.c.id, ENTRY.c.fingerprint, ENTRY.c.effective_date).where(
    ENTRY.c.idempotency_key == bindparam("key"))
# A locking read sees rows committed after this MySQL transaction's snapshot was taken.
_FIND_KEY_LOCKED = _FIND_KEY.with_for_update(read=True)
_FIND_REVERSAL = select(ENTRY.c.id).where(ENTRY.c.reverses_id == bindparam("id"))
_INSERT_ENTRY = ENTRY.insert()
# Under the box's lock (every post runs in its box write), so two posts never take one number.
_NEXT_NUMBER = select(func.coalesce(func.max(ENTRY.c.number), 0) + 1).where(ENTRY.c.box_id == bindparam("box_id"))
_INSERT_POSTINGS = POSTING.insert()


@functools.cache
def _lock_accounts(count: int):
    """Lock `count` accounts in id order (no deadlocks between concurrent posts) for the whole
    transaction, reading their currencies and whether their days are kept. One statement per count:
    no IN-list expansion per call."""
    return (select(ACCOUNT.c.id, ACCOUNT.c.currency, ACCOUNT.c.box_id, ACCOUNT.c.subject_kind, ACCOUNT.c.purpose)
            .where(ACCOUNT.c.id.in_([bindparam(f"a{i}") for i in range(count)]))
            .order_by(ACCOUNT.c.id)
            .with_for_update())


@functools.cache
def _add_to_balances(count: int):
    """One UPDATE adding each account's delta: "balance = balance + delta", exact even where rows
    are not locked (SQLite)."""
    delta = case({bindparam(f"a{i}"): bindparam(f"d{i}") for i in range(count)}, value=ACCOUNT.c.id)
    return (ACCOUNT.update()
            .where(ACCOUNT.c.id.in_([bindparam(f"a{i}") for i in range(count)]))
            .values(balance=ACCOUNT.c.balance + delta))


@functools.cache
def _add_to_days(dialect: str):
    """One statement adding an entry to its day's line on each kept account (CashDay): a new line,
    else its entries (1) and amount added to the line's. Its first entry stays: entry ids only grow.
    Upserts see the line another transaction committed, whatever this one's snapshot. No parameter
    after VALUES: PyMySQL's executemany (an entry moving two kept accounts) formats that part bare."""
    if dialect == "mysql":
        insert = mysql_insert(CASH_DAY)
        new = insert.inserted
        return insert.on_duplicate_key_update(entries=CASH_DAY.c.entries + new.entries,
                                              amount=CASH_DAY.c.amount + new.amount)
    insert = sqlite_insert(CASH_DAY)
    new = insert.excluded
    return insert.on_conflict_do_update(index_elements=list(CASH_DAY.primary_key), set_=dict(
        entries=CASH_DAY.c.entries + new.entries, amount=CASH_DAY.c.amount + new.amount))


def _existing(connection: Connection, idempotency_key: str, fingerprint_for, lock: bool = False) -> Entry | None:
    """The entry already posted under this key, if any; Conflict if it says something else.

    fingerprint_for(date) fingerprints the new content, given the date to assume when the caller
    left the effective date to default (so a retry on a later day still matches)."""
    found = connection.execute(_FIND_KEY_LOCKED if lock else _FIND_KEY, {"key": idempotency_key}).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint_for(found.effective_date):
        raise Conflict("This idempotency key was already used for a different entry.", field="idempotency_key")
    return db.session.get(Entry, found.id, with_for_update={"read": True} if lock else None)


def _refuse_second_reversal(connection: Connection, reverses_id: int | None) -> None:
    if reverses_id is not None and connection.execute(_FIND_REVERSAL, {"id": reverses_id}).first():
        raise Conflict("This entry has already been reversed.", field="entry")


_LOCKED = "ledger_locked_accounts"  # in session.info: (transaction, {account id: its _lock_accounts row})
_NUMBERED = "ledger_last_numbers"  # in session.info: (transaction, {box id: last entry number given})


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_facts(session, transaction) -> None:
    # Also when a savepoint ends: an account opened inside a rolled-back one is gone (on SQLite
    # its id may be given to another account), and so are the numbers its entries took.
    session.info.pop(_LOCKED, None)
    session.info.pop(_NUMBERED, None)


def _of_this_transaction(connection: Connection, key: str) -> dict:
    """A dict kept in the session for the connection's transaction: a new one in a new transaction."""
    transaction = connection.get_transaction()
    held = db.session.info.get(key)
    if held is None or held[0] is not transaction:
        held = db.session.info[key] = (transaction, {})
    return held[1]


def _locked_accounts(connection: Connection) -> dict:
    """The accounts this transaction has locked, with their currencies and subjects. It holds their row locks
    until it ends, an account's currency never changes and the transaction writes one box, so a
    later post in the same transaction (a batch, a job) neither locks nor reads them again."""
    return _of_this_transaction(connection, _LOCKED)


def _next_number(connection: Connection, box_id: int) -> int:
    """The box's next entry number. Read from the table once per transaction: the box's lock,
    held until the transaction ends, keeps every other writer of the box out, so a later post in
    the same transaction counts on from the number this one gave last."""
    given = _of_this_transaction(connection, _NUMBERED)
    if box_id not in given:
        given[box_id] = connection.execute(_NEXT_NUMBER, {"box_id": box_id}).scalar() - 1
    return given[box_id] + 1


def _lock_and_check_balance(connection: Connection, resolved: list[tuple[int, int]], per_account: dict) -> dict:
    """Lock the entry's accounts (those this transaction has not locked yet, in id order); their
    rows (currency, subject). Refuses unknown accounts and an entry that does not sum to zero in each currency."""
    locked = _locked_accounts(connection)
    ids = sorted(set(per_account) - set(locked))
    if ids:
        rows = connection.execute(_lock_accounts(len(ids)), {f"a{i}": a for i, a in enumerate(ids)}).all()
        _require_box_write({row.box_id for row in rows})
        missing = set(ids) - {row.id for row in rows}
        if missing:
            raise ValidationError(f"Unknown account(s): {sorted(missing)}.", field="account")
        locked.update((row.id, row) for row in rows)
    totals = defaultdict(int)
    for account_id, amount in resolved:
        totals[locked[account_id].currency] += amount
    unbalanced = {cur: total for cur, total in totals.items() if total != 0}
    if unbalanced:
        detail = ", ".join(f"{cur} {total:+d}" for cur, total in sorted(unbalanced.items()))
        raise ValidationError(f"Entry does not balance: {detail}.", field="postings")
    return locked


def post(
    code: str,
    legs: Iterable[tuple[LedgerAccount | int, int]],
    *,
    idempotency_key: str,
    effective_date: date | None = None,
    memo: str = "",
    box_id: int | None = None,
    created_by_id: int | None = None,
    reverses: Entry | None = None,
) -> Entry:
    """Record one balanced entry. Posting the same key with the same content returns the first entry."""
    if not code or len(code) > 60:
        raise ValidationError("An entry needs a code of at most 60 characters.", field="code")
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValidationError("An idempotency key of 1 to 200 characters is required.", field="idempotency_key")
    resolved = _validate_legs(list(legs))
    reverses_id = reverses.id if reverses is not None else None

    def fingerprint_for(default_date: date) -> str:
        return _fingerprint(code, effective_date or default_date, resolved, reverses_id)

    _require_box_write({box_id})
    db.session.flush()  # the caller's pending rows (a new box, a user) go first
    connection = _begin_write()
    per_account = defaultdict(int)
    for account_id, amount in resolved:
        per_account[account_id] += amount
    try:
        accounts = _lock_and_check_balance(connection, resolved, per_account)
    except ValidationError:
        _existing(connection, idempotency_key, fingerprint_for)  # a reused key answers Conflict first
        raise

    now = clock.now()
    on = effective_date or now.date()  # effective_date stays None for fingerprint_for
    values = dict(code=code, memo=memo[:500], effective_date=on, created_at=now, box_id=box_id,
                  created_by_id=created_by_id, idempotency_key=idempotency_key,
                  fingerprint=fingerprint_for(on), reverses_id=reverses_id,
                  number=_next_number(connection, box_id) if box_id else None)
    # Insert first and let the unique keys say whether the key was used (or the entry reversed)
    # before: no lookup on the way of every post. A duplicate-key error undoes only its statement
    # (SQLite and InnoDB), so the transaction goes on without a savepoint.
    try:
        entry_id = connection.execute(_INSERT_ENTRY, values).inserted_primary_key[0]
    except IntegrityError:
        # This key was posted before (here or by a transaction that committed while we waited),
        # or the entry was already reversed. A locking read sees the other transaction's row.
        existing = _existing(connection, idempotency_key, fingerprint_for, lock=True)
        if existing is not None:
            return existing
        _refuse_second_reversal(connection, reverses_id)
        raise  # not a race we know how to answer (e.g. a box or user that does not exist)
    if box_id:
        _of_this_transaction(connection, _NUMBERED)[box_id] = values["number"]
    connection.execute(_INSERT_POSTINGS, [
        dict(entry_id=entry_id, account_id=account_id, amount=amount, currency=accounts[account_id].currency)
        for account_id, amount in resolved
    ])
    uow.posted(entry_id)
    changed = sorted((account_id, delta) for account_id, delta in per_account.items() if delta)
    if changed:
        params = {}
        for i, (account_id, delta) in enumerate(changed):
            params[f"a{i}"], params[f"d{i}"] = account_id, delta
        connection.execute(_add_to_balances(len(changed)), params)
    days = [dict(account_id=account_id, day=on, code=code, inflow=delta > 0, entries=1, amount=delta,
                 first_entry_id=entry_id)
            for account_id, delta in changed if _kept(accounts[account_id])]
    if days:
        connection.execute(_add_to_days(connection.dialect.name), days)
    for account_id in per_account:
        # Account objects this session already holds show the new balance on next access.
        account = db.session.identity_map.get(identity_key(LedgerAccount, account_id))
        if account is not None:
            db.session.expire(account, ["balance"])
    # Hand the entry to the session as it was written, without reading it back: an instance given
    # the row's values as loaded ones (what a query builds), merged because the session may still
    # hold an expired entry of this id from a rolled-back transaction (SQLite reuses ids).
    entry = Entry.__mapper__.class_manager.new_instance()
    entry.__dict__.update(values, id=entry_id)
    make_transient_to_detached(entry)
    return db.session.merge(entry, load=False)


def _kept(account) -> bool:
    """Whether the account's movements are kept per day (CashDay)."""
    return (account.subject_kind, account.purpose) == KEPT_PER_DAY


def reverse(entry: Entry, *, memo: str = "", idempotency_key: str | None = None,
            effective_date: date | None = None, created_by_id: int | None = None) -> Entry:
    """Undo an entry by posting its mirror image, pointing at the original. Without a memo, it says
    which entry it reverses, in the box's language."""
    if entry.reverses_id is not None:
        raise Conflict("A reversal cannot be reversed; post a new entry instead.", field="entry")
    key = idempotency_key or f"reverse:{entry.id}"
    already = entry.reversed_by
    if already is not None and already.idempotency_key != key:
        raise Conflict("This entry has already been reversed.", field="entry")
    return post(
        "reversal",
        [(p.account_id, -p.amount) for p in entry.postings],
        idempotency_key=key,
        effective_date=effective_date or entry.effective_date,
        memo=memo or (box_text(db.session.get(Box, entry.box_id), _l("Reversal of entry #%(number)s"), number=entry.number)
                      if entry.box_id else f"Reversal of entry #{entry.id}"),
        box_id=entry.box_id,
        created_by_id=created_by_id,
        reverses=entry,
    )


def balance(account: LedgerAccount, as_of: date | None = None) -> int:
    """Signed sum of the account's postings (debits positive), up to and including as_of."""
    if as_of is None:
        return account.balance
    return balances([account.id], as_of)[account.id]


def balances(account_ids: Iterable[int], as_of: date | None = None, after: date | None = None) -> dict[int, int]:
    """Signed sums per account of the entries effective in (after, as_of], in one query: the cached
    balances less the postings of entries effective after as_of (and up to after), so a recent day
    costs the entries since, not the account's whole history."""
    ids = list(account_ids)
    parts = [select(LedgerAccount.id.label("account_id"), LedgerAccount.balance.label("amount"))
             .where(LedgerAccount.id.in_(ids))]

    def taken_off(dated):
        return (select(Posting.account_id, (-Posting.amount).label("amount"))
                .join(Entry, Entry.id == Posting.entry_id).where(Posting.account_id.in_(ids), dated))

    if as_of is not None:
        parts.append(taken_off(Entry.effective_date > as_of))
    if after is not None:
        parts.append(taken_off(Entry.effective_date <= after))
    rows = union_all(*parts).subquery()
    found = dict(db.session.execute(
        select(rows.c.account_id, func.sum(rows.c.amount)).group_by(rows.c.account_id)).all())
    return {account_id: int(found.get(account_id) or 0) for account_id in ids}


def lowest_balance(account: LedgerAccount, since: date) -> int:
    """The least signed balance the account had at the end of any day from `since` on: what money
    leaving it on that day may take without it going below zero on some day after (an asset's)."""
    held = lowest = balance(account, since)
    for moved in db.session.scalars(select(func.sum(Posting.amount)).join(Entry, Entry.id == Posting.entry_id)
                                    .where(Posting.account_id == account.id, Entry.effective_date > since)
                                    .group_by(Entry.effective_date).order_by(Entry.effective_date)):
        held += int(moved)
        lowest = min(lowest, held)
    return lowest


def cash_days(account: LedgerAccount, start: date, end: date) -> list:
    """The account's kept days (CashDay) from start to end, in the order entries were posted on each
    day: rows of day, code, entries, amount (signed), first_entry_id, and that entry's memo and number
    (what a line of one entry shows). Reads as many rows as the period has lines, however many entries."""
    return db.session.execute(
        select(CashDay.day, CashDay.code, CashDay.entries, CashDay.amount, CashDay.first_entry_id, Entry.memo,
               Entry.number)
        .join(Entry, Entry.id == CashDay.first_entry_id)
        .where(CashDay.account_id == account.id, CashDay.day >= start, CashDay.day <= end)
        .order_by(CashDay.day, CashDay.first_entry_id)).all()


def cash_balance(account: LedgerAccount, as_of: date) -> int:
    """The kept account's signed balance at the end of as_of, summed from its kept days."""
    return int(db.session.scalar(select(func.coalesce(func.sum(CashDay.amount), 0)).where(
        CashDay.account_id == account.id, CashDay.day <= as_of)))


def _derived_days(box_id: int | None = None):
    """The kept accounts' days (of one box, or of every box) worked out from the postings: each
    entry's net on the account, then summed per day, code and direction (columns as CashDay's)."""
    net = func.sum(Posting.amount)
    per_entry = (select(Posting.account_id, Posting.entry_id, func.min(Entry.effective_date).label("day"),
                        func.min(Entry.code).label("code"), (net > 0).label("inflow"), net.label("amount"))
                 .join(Entry, Entry.id == Posting.entry_id).join(LedgerAccount, LedgerAccount.id == Posting.account_id)
                 .where(LedgerAccount.subject_kind == KEPT_PER_DAY[0], LedgerAccount.purpose == KEPT_PER_DAY[1],
                        *([LedgerAccount.box_id == box_id] if box_id is not None else []))
                 .group_by(Posting.account_id, Posting.entry_id).having(net != 0).subquery())
    e = per_entry.c
    return (select(e.account_id, e.day, e.code, e.inflow, func.count().label("entries"),
                   func.sum(e.amount).label("amount"), func.min(e.entry_id).label("first_entry_id"))
            .group_by(e.account_id, e.day, e.code, e.inflow))


def rebuild_days(box_id: int) -> None:
    """The box's kept days worked out again from its postings, in its own box write: for books
    whose postings were inserted directly (the bench's builder), not through post()."""
    with uow.box_transaction(box_id):
        kept = select(LedgerAccount.id).where(LedgerAccount.box_id == box_id, LedgerAccount.subject_kind == KEPT_PER_DAY[0],
                                              LedgerAccount.purpose == KEPT_PER_DAY[1])
        db.session.execute(CASH_DAY.delete().where(CASH_DAY.c.account_id.in_(kept)))
        derived = _derived_days(box_id).subquery()
        db.session.execute(CASH_DAY.insert().from_select([c.name for c in derived.c], select(derived)))


def accounts_of(box_id: int, *, subject: tuple[str, int | Iterable[int] | None] | None = None,
                types: Iterable[str] | None = None, purposes: Iterable[str] | None = None) -> list[LedgerAccount]:
    """The box's accounts, by id: of one subject (kind, id), of several (kind, [ids]) or of every
    subject of a kind (kind, None); of the given types and purposes when those are named."""
    query = select(LedgerAccount).where(LedgerAccount.box_id == box_id).order_by(LedgerAccount.id)
    if subject is not None:
        kind, ids = subject
        query = query.where(LedgerAccount.subject_kind == kind)
        if isinstance(ids, int):
            query = query.where(LedgerAccount.subject_id == ids)
        elif ids is not None:
            query = query.where(LedgerAccount.subject_id.in_(list(ids)))
    if types is not None:
        query = query.where(LedgerAccount.type.in_(list(types)))
    if purposes is not None:
        query = query.where(LedgerAccount.purpose.in_(list(purposes)))
    return list(db.session.scalars(query))


class Totals(dict):
    """{type: {purpose: balance}} of a box, each on its normal side (an asset's debits positive, a
    liability's credits positive); total(type) adds a type's purposes. Absent ones are 0."""

    def total(self, type: str) -> int:
        return sum(self.get(type, {}).values())

    def of(self, type: str, purpose: str) -> int:
        return self.get(type, {}).get(purpose, 0)


def balances_by_type(box_id: int, as_of: date | None = None) -> Totals:
    """The box's balances summed per account type and purpose in one query: the cached balances,
    less, for a past day, the postings of entries effective after it (what a report ending last
    month reads is the entries since, not the box's whole history)."""
    parts = [select(LedgerAccount.type, LedgerAccount.purpose, LedgerAccount.balance.label("amount"))
             .where(LedgerAccount.box_id == box_id)]
    if as_of is not None:
        parts.append(select(LedgerAccount.type, LedgerAccount.purpose, (-Posting.amount).label("amount"))
                     .join(Posting, Posting.account_id == LedgerAccount.id)
                     .join(Entry, Entry.id == Posting.entry_id)
                     .where(LedgerAccount.box_id == box_id, Entry.effective_date > as_of))
    rows = union_all(*parts).subquery()
    totals = Totals()
    for type_, purpose, raw in db.session.execute(
            select(rows.c.type, rows.c.purpose, func.sum(rows.c.amount)).group_by(rows.c.type, rows.c.purpose)):
        totals.setdefault(type_, {})[purpose] = _normal(type_, raw)
    return totals


def _normal(type_: str, raw) -> int:
    """A sum of signed balances on its type's normal side (a liability's credit is positive)."""
    return int(raw or 0) * (1 if type_ in DEBIT_TYPES else -1)


def balances_by_box(box_ids) -> dict[int, Totals]:
    """Each box's cached balances summed per account type and purpose, in one query for them all
    (a page of boxes in a list)."""
    out = {box_id: Totals() for box_id in box_ids}
    for box_id, type_, purpose, raw in db.session.execute(
            select(LedgerAccount.box_id, LedgerAccount.type, LedgerAccount.purpose, func.sum(LedgerAccount.balance))
            .where(LedgerAccount.box_id.in_(list(out) or [0]))
            .group_by(LedgerAccount.box_id, LedgerAccount.type, LedgerAccount.purpose)):
        out[box_id].setdefault(type_, {})[purpose] = _normal(type_, raw)
    return out


@dataclass
class CheckReport:
    entries: int = 0
    accounts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check() -> CheckReport:
    """Recompute every balance, every entry's sum and every kept cash day from the postings."""
    report = CheckReport()
    report.entries = db.session.scalar(select(func.count(Entry.id)))
    report.accounts = db.session.scalar(select(func.count(LedgerAccount.id)))
    sums = (
        select(Posting.account_id, func.sum(Posting.amount).label("total"))
        .group_by(Posting.account_id)
        .subquery()
    )
    for account_id, code, cached, computed in db.session.execute(
        select(LedgerAccount.id, LedgerAccount.code, LedgerAccount.balance, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
        .order_by(LedgerAccount.id)
    ):
        if int(cached) != int(computed):
            report.problems.append(
                f"account {account_id} ({code}): cached balance {cached} but postings sum to {computed}"
            )
    for entry_id, currency, total in db.session.execute(
        select(Posting.entry_id, Posting.currency, func.sum(Posting.amount))
        .group_by(Posting.entry_id, Posting.currency)
        .having(func.sum(Posting.amount) != 0)
    ):
        report.problems.append(f"entry {entry_id}: {currency} postings sum to {total}, not 0")
    for entry_id, count in db.session.execute(
        select(Entry.id, func.count(Posting.id))
        .outerjoin(Posting, Posting.entry_id == Entry.id)
        .group_by(Entry.id)
        .having(func.count(Posting.id) < 2)
    ):
        report.problems.append(f"entry {entry_id}: {count} posting(s), needs at least 2")
    for posting_id, entry_id in db.session.execute(
        select(Posting.id, Posting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(LedgerAccount.currency != Posting.currency)
    ):
        report.problems.append(f"posting {posting_id} of entry {entry_id}: currency differs from its account")
    report.problems.extend(_days_problems())
    return report


def _days_problems() -> list[str]:
    """Every kept day (CashDay) against the same day derived from the postings, one line per difference."""
    columns = ("entries", "amount", "first_entry_id")
    kept = {tuple(row[:4]): tuple(row[4:]) for row in db.session.execute(
        select(CashDay.account_id, CashDay.day, CashDay.code, CashDay.inflow, *(getattr(CashDay, c) for c in columns)))}
    derived = {(row[0], row[1], row[2], bool(row[3])): tuple(map(int, row[4:]))
               for row in db.session.execute(_derived_days())}

    def said(values) -> str:
        return ", ".join(f"{c} {v}" for c, v in zip(columns, values)) if values else "no line"

    problems = []
    for key in sorted(kept.keys() | derived.keys()):
        account_id, day, code, inflow = key
        if kept.get(key) != derived.get(key):
            problems.append(f"account {account_id}: {code} {'in' if inflow else 'out'} on {day.isoformat()} kept as "
                            f"{said(kept.get(key))}, but the postings give {said(derived.get(key))}")
    return problems
