"""Usage events are written by the unit of work of the action itself, hold no personal data, and
vanish with an action that rolls back."""
import pytest
from sqlalchemy import select

from hamyan.analytics.models import UsageEvent
from hamyan.blueprints.moneypool import services
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from tests.conftest import login
from tests.hamyar.conftest import key


def names(**filters):
    return [e.name for e in db.session.scalars(select(UsageEvent).filter_by(**filters).order_by(UsageEvent.id))]


def test_key_actions_become_events(busy_pool, client):
    box, boss, savers = busy_pool
    assert names(name="signed_up", user_id=boss.id) == ["signed_up"]
    assert names(box_id=box.id, name="box_created") == ["box_created"]
    assert db.session.scalar(select(UsageEvent.detail).filter_by(name="box_created")) == "moneypool"
    assert names(box_id=box.id, name="member_joined").count("member_joined") >= 3
    assert names(box_id=box.id, name="payment_made") == ["payment_made"] * 3  # two contributions, a repayment
    assert names(box_id=box.id, name="loan_requested") == ["loan_requested"]
    assert names(box_id=box.id, name="loan_disbursed") == ["loan_disbursed"]
    login(client, "m0@example.com")
    assert names(name="signed_in") == ["signed_in"]


def test_no_personal_data_in_events(busy_pool):
    for event in db.session.scalars(select(UsageEvent)):
        assert "@" not in event.detail and "Member" not in event.detail and not any(c.isdigit() for c in event.detail)


def test_a_refused_action_leaves_no_event(busy_pool):
    box, boss, savers = busy_pool
    before = db.session.scalar(select(db.func.count(UsageEvent.id)))
    with pytest.raises(ValidationError):
        services.request_loan(boss, box.id, "999999999", 6, key(), member_id=savers[2].id)
    assert db.session.scalar(select(db.func.count(UsageEvent.id))) == before
