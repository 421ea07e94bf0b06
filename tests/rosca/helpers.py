"""Builders shared by the ROSCA tests."""
import itertools
from datetime import timedelta

from hamyan.blueprints.rosca import services as rs
from hamyan.core import clock
from hamyan.extensions import db

_numbers = itertools.count(1)


def utc_today():
    return clock.today_in("UTC")


def make_rosca(manager, seats=4, contribution="100", pricing="fair", rate="2", first_due=None, **kwargs):
    kwargs.setdefault("timezone", "UTC")
    kwargs.setdefault("locale", "en")
    kwargs.setdefault("calendar", "gregorian")
    return rs.create_rosca(manager, f"Test ROSCA {next(_numbers)}", kwargs.pop("currency", "USD"), seats,
                           contribution, kwargs.pop("period_kind", "monthly"),
                           first_due or utc_today() - timedelta(days=1), pricing, rate=rate, **kwargs)


def rosca_of(box):
    return db.session.get(rs.Rosca, box.id)


def fill(manager, box, names):
    """One member per seat, named names[i]; returns the memberships."""
    members = [rs.add_member(manager, box.id, name) for name in names]
    for number, m in enumerate(members, 1):
        rs.assign_seat(manager, box.id, number, [(m.id, "1")])
    return members


def started_rosca(manager, names=("Ann", "Bob")):
    """A ROSCA whose every seat is held and whose round has started."""
    box = make_rosca(manager, seats=len(names))
    fill(manager, box, list(names))
    rs.start(manager, box.id)
    return box
