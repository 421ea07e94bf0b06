"""Small builders shared by the cashbox tests."""
import itertools
from datetime import timedelta

from hamyan.blueprints.cashbox import services as cb
from hamyan.core import clock
from hamyan.extensions import db

_numbers = itertools.count(1)


def utc_today():
    """Today in the test boxes' time zone (UTC), wherever the server's clock is set."""
    return clock.today_in("UTC")


def make_box(manager, shares=3, contribution="100", draw_mode="predefined", first_due=None, **rules):
    # A manager's cashboxes have distinct names.
    return cb.create_cashbox(manager, f"Test cashbox {next(_numbers)}", "USD", contribution, shares, "monthly",
                             first_due or utc_today() - timedelta(days=1), draw_mode, **rules)


def first_round(box):
    return cb.current_round(box.id)


def fill_shares(manager, box, names):
    """One member per share, named names[i]; returns the memberships."""
    r = first_round(box)
    members = [cb.add_member(manager, box.id, name) for name in names]
    for number, m in enumerate(members, 1):
        cb.set_holders(manager, box.id, r.id, number, [(m.id, "1")])
    return members


def count_rows(model):
    return db.session.query(model).count()
