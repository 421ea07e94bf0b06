"""Aptbox fixtures: a frozen clock, a building with a board member, and a direct-insert builder
for big buildings (the flows themselves go through the services)."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Unit
from hamyan.core import uow
from hamyan.extensions import db


@pytest.fixture
def today(clock):
    """Set the one clock to noon UTC of a day (the tests' buildings keep time in UTC)."""
    def set_day(day: date) -> date:
        clock.set(datetime(day.year, day.month, day.day, 12))
        return day

    set_day(date(2026, 3, 1))
    return set_day


@pytest.fixture
def building(make_user, today):
    """building(calendar="gregorian", **rules) -> (box, board user)."""
    def make(calendar="gregorian", currency="IRR", name="Yas", **rules):
        board = make_user("board@example.com", "Board")
        box = services.create_building(board, name, currency, "UTC", "en", calendar, **rules)
        return box, board

    return make


def insert_units(box, rows) -> list[Unit]:
    """Units inserted directly (number, floor, area, occupants, parking, occupied), for scale."""
    with uow.box_transaction(box.id):
        units = [Unit(box_id=box.id, number=str(n), floor=f, area=Decimal(str(a)), occupants=o, parking=p, occupied=occ)
                 for n, f, a, o, p, occ in rows]
        db.session.add_all(units)
        db.session.flush()
        services.refresh(box, [u.id for u in units])
    return units


def awkward(count: int) -> list[tuple]:
    """`count` units with odd areas, some with no occupants, every fifth vacant, floors 0.."""
    return [(i + 1, i // 4, round(47.37 + (i * 13.91) % 97, 2), (i * 7) % 5, i % 3, i % 5 != 4) for i in range(count)]
