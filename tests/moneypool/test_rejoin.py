"""A saver who left the pool comes back: nothing falls due while they were away, their history
stays, they may leave again (its own settlement entry)."""
from datetime import date

import pytest

from hamyan.blueprints.moneypool import reports, services
from hamyan.core.errors import ValidationError
from hamyan.ledger import service as ledger
from tests.conftest import login
from tests.moneypool.conftest import key


def test_a_saver_who_left_rejoins_and_leaves_again(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=2, share="1000", first_due=date(2025, 1, 5))
    saver = savers[0]
    clock.today = date(2025, 1, 10)
    services.record_contribution(manager, box.id, saver.id, "1000", date(2025, 1, 5), key())
    services.leave(manager, box.id, saver.id)
    clock.today = date(2025, 4, 10)  # away for Feb, Mar and Apr's due dates
    with pytest.raises(ValidationError) as caught:
        services.rejoin(manager, box.id, saver.id, "-1", date(2025, 1, 1))
    assert set(caught.value.fields) == {"shares"}  # every field checked: the date alone is fine
    with pytest.raises(ValidationError, match="after they left"):
        services.rejoin(manager, box.id, saver.id, "2", date(2025, 1, 10))
    services.rejoin(manager, box.id, saver.id, "2", date(2025, 4, 20))
    services.rejoin(manager, box.id, saver.id, "2", date(2025, 4, 20))  # a double submit
    assert saver.left_on is None
    position = services.positions(box, box_pool(box), [saver])[0]
    assert position.arrears == 0  # nothing fell due while they were away
    clock.today = date(2025, 5, 10)
    position = services.positions(box, box_pool(box), [saver])[0]
    assert position.arrears == 2000_00  # May 5: two shares
    services.record_contribution(manager, box.id, saver.id, "2000", date(2025, 5, 10), key())
    services.leave(manager, box.id, saver.id)  # a second settlement, its own entry
    assert saver.left_on == date(2025, 5, 10)
    assert services._accounts(box)[f"mp:member:{saver.id}:savings"].natural_balance == 0
    assert reports.balance_sheet(box).balanced and ledger.check().ok


def test_rejoin_from_the_member_page(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=2)
    clock.today = date(2025, 1, 10)
    services.leave(manager, box.id, savers[1].id)
    boss = login(app.test_client(), "boss@example.com")
    url = f"/pools/{box.id}/members/{savers[1].id}"
    page = boss.get(url).get_data(as_text=True)
    assert 'id="rejoin-form"' in page and 'id="leave-form"' not in page
    r = boss.post(url, data={"which": "rejoin", "shares": "abc", "on": "2025-01-10"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="rejoin-form"' in r.get_data(as_text=True) and savers[1].left_on
    assert boss.post(url, data={"which": "rejoin", "shares": "1", "on": "2025-01-11"}).status_code == 302
    assert 'id="leave-form"' in boss.get(url).get_data(as_text=True)
    member = login(app.test_client(), "m0@example.com")
    assert member.post(url, data={"which": "rejoin", "shares": "1", "on": "2025-01-11"}).status_code == 404


def box_pool(box):
    from hamyan.blueprints.moneypool.models import Pool
    from hamyan.extensions import db

    return db.session.get(Pool, box.id)
