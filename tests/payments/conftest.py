"""A running cashbox whose member Ann has an account and may pay online through the sandbox."""
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.payments import services
from hamyan.ledger.models import Entry
from hamyan.extensions import db
from tests.cashbox.helpers import first_round, make_box
from tests.conftest import login


@dataclass
class Setup:
    box: object
    manager: object
    ann: object  # Ann's membership
    ann_user: object
    bob: object


def entries(box_id: int) -> int:
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.box_id == box_id))


@pytest.fixture
def cashbox(make_user):
    manager = make_user("boss@example.com", "Boss")
    ann_user = make_user("ann@example.com", "Ann")
    box = make_box(manager, shares=2, contribution="100")
    ann = cb.add_member(manager, box.id, "Ann", "ann@example.com")
    bob = cb.add_member(manager, box.id, "Bob")
    r = first_round(box)
    cb.set_holders(manager, box.id, r.id, 1, [(ann.id, "1")])
    cb.set_holders(manager, box.id, r.id, 2, [(bob.id, "1")])
    cb.start_round(manager, box.id, r.id)
    services.update_settings(manager, box.id, True, "member")
    assert ann.user_id == ann_user.id
    return Setup(box, manager, ann, ann_user, bob)


@pytest.fixture
def ann_client(app, cashbox):
    return login(app.test_client(), "ann@example.com")
