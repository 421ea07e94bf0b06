"""Nudges go to members who never paid in and to people who stopped coming, each once: the job run
twice (or by two processes) sends nothing twice; a new absence is a new nudge."""
from datetime import date, datetime

from sqlalchemy import select

from hamyan.analytics.models import UsageEvent
from hamyan.blueprints.moneypool import services
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.hamyar import nudges
from hamyan.notify.models import OutboxMessage
from tests.hamyar.conftest import key


def told():
    return sorted((m.user_id, m.box_id, m.channel) for m in db.session.scalars(
        select(OutboxMessage).filter_by(kind="nudge")))


def test_first_payment_nudge_once(pool_factory, clock):
    clock.today = date(2025, 6, 1)
    box, boss, savers = pool_factory(members=2)
    services.record_contribution(boss, box.id, savers[0].id, "1000", date(2025, 5, 1), key())
    assert nudges.run()[0] == 0  # joined today: too soon
    clock.today = date(2025, 6, 10)
    assert nudges.run()[0] == 1
    user = savers[1].membership.user_id
    assert [(u, b) for u, b, _ in told() if b] == [(user, box.id), (user, box.id)]  # email and in-app
    assert nudges.run()[0] == 0
    assert len([t for t in told() if t[1]]) == 2


def test_coming_back_nudge_once_per_absence(pool_factory, clock):
    clock.today = date(2025, 6, 1)
    box, boss, savers = pool_factory(members=1)
    services.record_contribution(boss, box.id, savers[0].id, "1000", date(2025, 5, 1), key())
    clock.today = date(2025, 7, 15)
    assert nudges.run()[1] == 2  # the manager and the member
    assert nudges.run()[1] == 0
    member = savers[0].membership.user_id
    with uow.transaction():  # the member comes back, then stays away again
        db.session.add(UsageEvent(name="signed_in", user_id=member, at=datetime(2025, 7, 20)))
    clock.today = date(2025, 8, 10)
    assert nudges.run()[1] == 0
    clock.today = date(2025, 8, 25)
    assert nudges.run()[1] == 1
    assert [u for u, b, c in told() if b is None and c == "inapp"].count(member) == 2


def test_a_nudge_speaks_the_members_language(pool_factory, clock):
    from hamyan.blueprints.auth.models import User

    clock.today = date(2025, 6, 1)
    box, boss, savers = pool_factory(members=2)
    persian, english = (db.session.get(User, s.membership.user_id) for s in savers)
    persian.language = "fa"
    db.session.commit()
    clock.today = date(2025, 6, 10)
    assert nudges.run()[0] == 2
    said = {m.user_id: m for m in db.session.scalars(select(OutboxMessage).filter_by(kind="nudge", channel="email"))}
    assert said[persian.id].subject == "Neighbours: نخستین پرداخت شما" and "سلام" in said[persian.id].body
    assert said[english.id].subject == "Neighbours: your first payment"
