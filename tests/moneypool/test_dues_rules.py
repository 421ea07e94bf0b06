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


def test_a_loan_installment_is_late_only_after_the_grace_days(pool_factory, clock, app):
    from tests.conftest import login
    from tests.moneypool.conftest import key
    from tests.moneypool.test_loans import _fund, _user

    box, manager, savers = pool_factory(members=2, require_no_arrears=False, grace_days=5)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "4000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    first = min(loan.installments, key=lambda i: i.number)
    statuses = {}
    for day in (first.due_date, date.fromordinal(first.due_date.toordinal() + 5),
                date.fromordinal(first.due_date.toordinal() + 6)):
        statuses[day] = services.installment_statuses(loan, 5, day)[first.number]
    assert list(statuses.values()) == ["due", "due", "late"]
    clock.today = first.due_date
    services.repay(manager, box.id, loan.id, "100", first.due_date, key())
    assert services.installment_statuses(loan, 5, first.due_date)[first.number] == "partly paid"
    page = app.test_client()
    login(page, "boss@example.com")
    html = page.get(f"/pools/{box.id}/loans/{loan.id}").get_data(as_text=True)
    assert ">partly paid</span>" in html and "part paid" not in html and ">late</span>" not in html
