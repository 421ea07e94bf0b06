"""Moneypool savings follow hamyan.dues' one set of rules, as Cashbox does: arrears count today's
due date; a due date's status is the dues vocabulary ("partly paid", "late" only after the grace
days), not Moneypool's own ("part paid", "unpaid")."""
from datetime import date

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Pool
from hamyan.extensions import db


def test_arrears_count_todays_due_date_and_statuses_use_the_dues_vocabulary(pool_factory, clock):
    box, manager, (saver,) = pool_factory(members=1, grace_days=3)
    pool = db.session.get(Pool, box.id)
    clock.today = date(2025, 1, 5)  # the first due date
    assert services.positions(box, pool, [saver])[0].arrears == 1000_00
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["due"]
    services.record_contribution(manager, box.id, saver.id, "400", date(2025, 1, 5), "part")
    clock.today = date(2025, 1, 8)  # the last day of grace
    assert services.positions(box, pool, [saver])[0].arrears == 600_00
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["partly paid"]
    clock.today = date(2025, 1, 9)
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["late"]
    services.record_contribution(manager, box.id, saver.id, "600", date(2025, 1, 9), "rest")
    assert services.positions(box, pool, [saver])[0].arrears == 0
    assert [d["status"] for d in services.member_dues(box, pool, saver)] == ["paid"]
