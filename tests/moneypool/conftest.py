"""Moneypool fixtures: a clock the services read, and a small pool with savers."""
from datetime import date, datetime
from itertools import count

import pytest
from sqlalchemy import event

from hamyan.blueprints.moneypool import services
from hamyan.extensions import db

_keys = count()


def key() -> str:
    return f"k{next(_keys)}"


class Clock:
    """`clock.today = day` holds the one clock (core.clock) at noon UTC of that day: "today" in
    the tests' pools, which keep time in UTC."""

    def __init__(self, control, today: date):
        self._control = control
        self.today = today

    @property
    def today(self) -> date:
        return self._today

    @today.setter
    def today(self, day: date) -> None:
        self._today = day
        self._control.set(datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def clock(clock):
    return Clock(clock, date(2026, 1, 1))


@pytest.fixture
def pool_factory(make_user, clock):
    """pool_factory(members=3, **policy) -> (box, manager, [PoolMember...]); member i signs in as mi@example.com."""
    def make(members=3, share="1000", first_due=date(2025, 1, 5), currency="USD", users=None, **policy):
        manager = make_user("boss@example.com", "Boss")
        defaults = {"max_term": 24, "interest_method": "none", "queue_policy": "fifo", "require_no_arrears": True,
                    "one_open_loan": True}
        defaults.update(policy)
        box = services.create_pool(manager, "Neighbours", currency, share, first_due, my_shares=0, **defaults)
        savers = []
        for i in range(members):
            # Password hashing is slow on purpose: only the first `users` members get an account.
            email = make_user(f"m{i}@example.com", f"Member {i}").email if users is None or i < users else None
            savers.append(services.add_member(manager, box.id, f"Member {i}", email, 1, first_due))
        return box, manager, savers

    return make


def count_queries(client, url: str, headers: dict | None = None) -> int:
    """Statements one cold GET of url sends to the database (the test's identity map is dropped first)."""
    db.session.expunge_all()
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url, headers=headers).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def assert_queries_flat(client, url: str, manager, box_id: int, more: int = 15) -> None:
    """A GET of url sends as many statements after `more` savers with Persian names join and save."""
    from datetime import date

    small = count_queries(client, url)
    manager = db.session.merge(manager)
    for i in range(more):
        m = services.add_member(manager, box_id, f"زهرا احمدی {i}", None, 1, date(2025, 1, 5))
        services.record_contribution(manager, box_id, m.id, "500", date(2025, 1, 5), key())
    assert count_queries(client, url) == small


def book_loans(box, as_of=None) -> list[tuple[int, int, int]]:
    """The loan book's loans on `as_of` (today when None), oldest first: (outstanding, overdue, days overdue)."""
    from hamyan.blueprints.moneypool import lists, reports
    from hamyan.core import clock as today
    from hamyan.web import listing

    as_of = as_of or today.today(box)
    page = listing.page_of(lists.book_spec(as_of), box, listing.Filters(), per_page=100)
    return [(int(r.outstanding), int(r.overdue), reports.days_overdue(as_of, r.oldest)) for r in reversed(page.items)]


def report_cash_lines(box, start, end) -> tuple[int, list[tuple]]:
    """The manager report's cash over [start, end]: its opening balance and its lines as (day, first
    entry, code, entries, amount, memo, entry number)."""
    from hamyan.blueprints.moneypool import reports
    from hamyan.blueprints.moneypool.models import Pool

    cash = reports.manager_report(box, db.session.get(Pool, box.id), start, end).cash
    return cash.opening, [(m.day, m.entry_id, m.code, m.count, m.amount, m.memo, m.entry_number) for m in cash.movements]


def cash_lines_from_postings(box, start, end) -> tuple[int, list[tuple]]:
    """The same worked out here from the pool's cash postings one by one: each entry's net on the
    cash, those netting to zero left out, the rest a line per day, code and direction in the order
    they were posted, a line of one entry with its memo and number."""
    from collections import defaultdict

    from sqlalchemy import select

    from hamyan.ledger.models import Entry, LedgerAccount, Posting

    cash = db.session.scalar(select(LedgerAccount.id).filter_by(box_id=box.id, code="mp:cash"))
    net, entries = defaultdict(int), {}
    for posting, entry in db.session.execute(select(Posting, Entry).join(Entry, Entry.id == Posting.entry_id)
                                             .where(Posting.account_id == cash)):
        net[entry.id] += posting.amount
        entries[entry.id] = entry
    opening = sum(amount for entry_id, amount in net.items() if entries[entry_id].effective_date < start)
    lines = defaultdict(list)
    for entry_id in sorted(net):
        entry = entries[entry_id]
        if net[entry_id] and start <= entry.effective_date <= end:
            lines[entry.effective_date, entry.code, net[entry_id] > 0].append(entry)
    out = []
    for (day, code, _), group in lines.items():
        one = len(group) == 1
        out.append((day, group[0].id, code, len(group), sum(net[e.id] for e in group), group[0].memo if one else "",
                    group[0].number if one else None))
    return opening, sorted(out, key=lambda line: line[:2])
