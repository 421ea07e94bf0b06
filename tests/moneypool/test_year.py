"""A year of a 30-member pool: share changes, loans, a prepayment, a late payer, a write-off.
Runs on whichever database the leg uses (SQLite, or MariaDB with HAMYAN_TEST_DATABASE_URL)."""
from datetime import date, timedelta

from sqlalchemy import func, select

from hamyan.blueprints.moneypool import reports, services
from hamyan.dues.calendar import add_months
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry
from tests.moneypool.conftest import book_loans, key


def test_a_year_of_a_pool(pool_factory, clock):
    box, manager, savers = pool_factory(
        members=30, users=4, share="100", interest_method="annuity", annual_rate="12", penalty_percent="2", late_fee="5",
        grace_days=5, savings_multiple="3", min_membership_months=1, require_no_arrears=True, max_term=12)
    late_payer, defaulter, prepayer = savers[0], savers[1], savers[2]
    for m in savers[3:10]:
        services.set_shares(manager, box.id, m.id, 2, date(2025, 1, 5))
    services.set_share_amount(manager, box.id, "120", date(2025, 7, 1))
    services.set_shares(manager, box.id, savers[10].id, 3, date(2025, 4, 1))
    loans = {}
    for month in range(12):
        due = add_months(date(2025, 1, 5), month)
        clock.today = due
        acc = services.access(manager, box.id)
        owed = {p.member.id: p.owed - p.paid for p in services.positions(box, acc.pool, savers)}
        for m in savers:
            if m is late_payer and month % 3 != 2:
                continue  # pays only every third month, catching up
            if owed[m.id] > 0:
                services.record_contribution(manager, box.id, m.id, f"{owed[m.id] / 100:.2f}", due, key())
        if month == 2:
            clock.today = due + timedelta(days=1)
            for borrower in (defaulter, prepayer, savers[3]):
                loan = services.request_loan(borrower.membership.user, box.id, "500", 10, key())
                services.approve(manager, box.id, loan.id)
                services.disburse(manager, box.id, loan.id, due + timedelta(days=1))
                loans[borrower.id] = loan
        clock.today = due + timedelta(days=10)
        services.assess(box.id, history=True)
        for borrower_id, loan in loans.items():
            if loan.status != "active" or borrower_id == defaulter.id and month >= 4:
                continue
            for inst in loan.installments:
                if inst.due_date <= clock.today and inst.unpaid:
                    services.repay(manager, box.id, loan.id, f"{inst.unpaid / 100:.2f}", clock.today, key())
        if month == 6:
            services.repay(manager, box.id, loans[prepayer.id].id, "200", clock.today, key(), mode="shorten")
        if month == 10:
            services.write_off(manager, box.id, loans[defaulter.id].id, "Stopped paying after job loss")

    assert loans[defaulter.id].status == "written_off"
    assert loans[prepayer.id].status in ("active", "closed")
    report = ledger.check()
    assert report.ok, report.problems
    sheet = reports.balance_sheet(box)
    assert sheet.balanced, sheet
    assert sheet.interest > 0 and sheet.penalties > 0 and sheet.written_off > 0
    acc = services.access(manager, box.id)
    positions = services.positions(box, acc.pool, savers)
    assert sum(p.total_savings for p in positions) == sheet.savings
    late_fees = db.session.scalar(select(func.count(Entry.id)).filter_by(code="late_fee"))
    assert late_fees >= 6  # the late payer misses two months in three
    # Statements agree with the ledger: a member's closing savings, the pool's closing cash.
    for p in positions[:5]:
        st = reports.member_statement(box, p.member, date(2025, 1, 1), clock.today)
        assert st.savings.opening == 0 and st.savings.closing == p.total_savings
    report = reports.manager_report(box, acc.pool, date(2025, 3, 1), clock.today)
    assert report.cash.closing == sheet.cash and report.closing.balanced and report.opening.balanced
    assert report.cash.opening == reports.balance_sheet(box, date(2025, 2, 28)).cash
    paid = sum(services.contributed(box).values()) - sum(services.contributed(box, as_of=date(2025, 2, 28)).values())
    assert (report.savers.count, report.savers.paid) == (30, paid) and report.closing.savings == sheet.savings
    assert report.savers.behind.late_count >= 1 and report.savers.owed > 0
    book = reports.loan_book(box)
    assert book.outstanding == sheet.loans
    for month in range(2, 12):  # the book as of any past day agrees with that day's balance sheet
        day = add_months(date(2025, 1, 20), month)
        assert reports.loan_book(box, day).outstanding == reports.balance_sheet(box, day).loans
    assert any(days > 90 for _, _, days in book_loans(box, date(2025, 11, 1)))
    assert reports.loan_book(box, date(2025, 11, 1)).bucket_total("over 90 days") > 0
