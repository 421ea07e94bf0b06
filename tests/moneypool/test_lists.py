"""Find and export (issue 8) on the money pool: contributions, loans and fines (late fees and loan
penalties) filter, search, paginate and export as CSV; members see only their own; another pool's
manager gets 404."""
from datetime import date

from hamyan.blueprints.auth.models import User
from hamyan.blueprints.moneypool import services
from hamyan.extensions import db
from tests.conftest import login
from tests.listing.test_cashbox_lists import rows_of
from tests.moneypool.conftest import count_queries, key


def test_contributions_filter_and_export(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=3, users=1, late_fee="5", grace_days=0)
    clock.today = date(2025, 3, 20)
    services.record_contribution(manager, box.id, savers[0].id, "1000", date(2025, 1, 5), key())
    services.record_contribution(manager, box.id, savers[1].id, "2000", date(2025, 2, 5), key())
    wrong = services.record_contribution(manager, box.id, savers[2].id, "300", date(2025, 3, 1), key())
    services.reverse_contribution(manager, box.id, wrong.id, "ثبت اشتباه")
    boss = login(app.test_client(), "boss@example.com")
    url = f"/pools/{box.id}/contributions"
    assert "3 found" in boss.get(url).text
    assert "1 found" in boss.get(url, query_string={"member": "member 1"}).text
    assert "2 found" in boss.get(url, query_string={"start": "2025-02-01"}).text
    assert "1 found" in boss.get(url, query_string={"status": "undone"}).text
    assert "1 found" in boss.get(url, query_string={"q": "اشتباه"}).text
    rows = rows_of(boss.get(url, query_string={"end": "2025-02-28", "export": "csv"}))
    assert rows[0][:3] == ["Paid on", "Member", "Amount (USD)"]
    assert [r[:3] for r in rows[1:]] == [["2025-02-05", "Member 1", "2000.00"], ["2025-01-05", "Member 0", "1000.00"]]
    # a member sees their own; another pool's manager gets 404
    member = login(app.test_client(), "m0@example.com")
    assert [r[1] for r in rows_of(member.get(url + "?export=csv"))[1:]] == ["Member 0"]
    assert "Member 1" not in member.get(url).text


def test_loans_and_fines_lists(app, pool_factory, clock, make_user):
    box, manager, savers = pool_factory(members=3, users=1, late_fee="5", grace_days=0, require_no_arrears=False,
                                        one_open_loan=False)
    clock.today = date(2025, 3, 20)
    services.assess(box.id, history=True)
    loan = services.request_loan(manager, box.id, "100", 3, key(), member_id=savers[1].id, purpose="تعمیر خانه")
    services.approve(manager, box.id, loan.id)
    services.request_loan(manager, box.id, "50", 2, key(), member_id=savers[2].id)
    boss = login(app.test_client(), "boss@example.com")
    loans = f"/pools/{box.id}/loans"
    assert "2 found" in boss.get(loans).text
    assert "1 found" in boss.get(loans, query_string={"status": "approved"}).text
    assert "1 found" in boss.get(loans, query_string={"q": "تعمیر"}).text
    rows = rows_of(boss.get(loans, query_string={"member": "Member 1", "export": "csv"}))
    assert len(rows) == 2 and rows[1][1:4] == ["Member 1", "100.00", "3"] and rows[1][-1] == "تعمیر خانه"
    assert "0 found" in boss.get(loans, query_string={"start": "2025-03-21"}).text
    fines = f"/pools/{box.id}/fines"
    rows = rows_of(boss.get(fines, query_string={"export": "csv"}))
    assert len(rows) > 3 and {r[1] for r in rows[1:]} == {"Member 0", "Member 1", "Member 2"}
    assert all(r[2] == "5.00" and r[4] == "charged" for r in rows[1:])
    assert "0 found" in boss.get(fines, query_string={"status": "waived"}).text
    make_user("other@example.com", "Other")
    other = login(app.test_client(), "other@example.com")
    for path in ("loans", "fines", "contributions", "fines?export=csv", "loans?export=csv"):
        assert other.get(f"/pools/{box.id}/{path}").status_code == 404, path


def test_contribution_list_queries_do_not_grow(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=3, users=1)
    box_id, ids = box.id, [s.id for s in savers]
    clock.today = date(2025, 3, 20)
    boss = login(app.test_client(), "boss@example.com")
    url = f"/pools/{box_id}/contributions?q=member&status=recorded"
    services.record_contribution(manager, box_id, ids[0], "10", date(2025, 1, 5), key())
    few = count_queries(boss, url), count_queries(boss, f"/pools/{box_id}/fines")
    manager = db.session.scalar(db.select(User).filter_by(email="boss@example.com"))  # count_queries dropped it
    for i in range(30):
        services.record_contribution(manager, box_id, ids[i % 3], "10", date(2025, 1, 5), key())
    services.assess(box_id, history=True)
    assert (count_queries(boss, url), count_queries(boss, f"/pools/{box_id}/fines")) == few


def test_bulk_period_entry(app, pool_factory, clock):
    """The pool's bulk entry: every saver with what they owe by the next due date; one submit writes
    one contribution each (a double submit nothing more); a bad row writes nothing."""
    from tests.cashbox.test_bulk import _form

    box, manager, savers = pool_factory(members=3, users=1)
    clock.today = date(2025, 2, 1)  # January's 1000 is late, February's falls due on the 5th
    services.record_contribution(manager, box.id, savers[2].id, "1000", date(2025, 1, 5), key())
    boss = login(app.test_client(), "boss@example.com")
    url = f"/pools/{box.id}/collect"
    page = boss.get(url).text
    data = _form(page)
    assert data[f"amount-{savers[0].id}"] == "2,000.00" and data[f"amount-{savers[2].id}"] == "1,000.00"
    bad = {**data, f"amount-{savers[1].id}": "-5"}
    assert "Nothing was recorded" in boss.post(url, data=bad).text
    assert services.contributions(box, None, 1)[1] == 1
    assert boss.post(url, data=data).status_code == 302
    assert boss.post(url, data=data).status_code == 302  # submitted twice
    rows, total = services.contributions(box, None, 1)
    assert total == 4 and sorted(r.amount for r in rows) == [100000, 100000, 200000, 200000]
    member = login(app.test_client(), "m0@example.com")
    assert member.get(url).status_code == 403


def test_repayments_list(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=2, users=1, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    services.record_contribution(manager, box.id, savers[1].id, "5000", date(2025, 1, 5), key())
    loan = services.request_loan(manager, box.id, "3000", 3, key(), member_id=savers[0].id)
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    clock.today = date(2025, 3, 1)
    services.repay(manager, box.id, loan.id, "1000", date(2025, 2, 10), key())
    services.repay(manager, box.id, loan.id, "500", date(2025, 2, 20), key())
    boss = login(app.test_client(), "boss@example.com")
    url = f"/pools/{box.id}/repayments"
    assert "2 found" in boss.get(url).text
    assert "1 found" in boss.get(url, query_string={"start": "2025-02-15"}).text
    rows = rows_of(boss.get(url, query_string={"export": "csv", "member": "Member 0"}))
    assert rows[0][:5] == ["No.", "Paid on", "Borrower", "Loan", "Amount (USD)"]
    assert [r[4] for r in rows[1:]] == ["500.00", "1000.00"] and {r[2] for r in rows[1:]} == {"Member 0"}
    assert [r[0] for r in rows[1:]] == ["2", "1"] and {r[3] for r in rows[1:]} == {str(loan.number)}
    assert "0 found" in boss.get(url, query_string={"status": "undone"}).text
    # each repayment's loan, and each loan of the reports page's book, opens the loan's page
    loan_page = f'<a href="/pools/{box.id}/loans/{loan.id}">{loan.number}</a>'
    assert boss.get(url).text.count(loan_page) == 2
    assert boss.get(f"/pools/{box.id}/reports").text.count(loan_page) == 1
    assert boss.get(loan_page.split('"')[1]).status_code == 200
    member = login(app.test_client(), "m0@example.com")  # the borrower sees their own
    assert len(rows_of(member.get(url + "?export=csv"))) == 3
    assert loan_page in member.get(url).text
