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
