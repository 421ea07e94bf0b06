"""Pages: every page renders for the right people, forms show errors inline, scoping answers 404,
and the dashboard's query count does not grow with the number of members."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Contribution, Loan, PoolMember
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from hamyan.statements import jobs
from tests.conftest import login
from tests.moneypool.conftest import count_queries, key
from tests.test_reports import wait_until_finished


@pytest.fixture
def pool(pool_factory, clock, app):
    box, manager, savers = pool_factory(members=3, require_no_arrears=False, guarantors_required=0)
    clock.today = date(2025, 3, 1)
    for m in savers:
        services.record_contribution(manager, box.id, m.id, "2000", date(2025, 1, 5), key())
    return box, manager, savers


def _client(app, email):
    return login(app.test_client(), email)


def test_manager_pages_render(app, pool):
    box, _manager, savers = pool
    c = _client(app, "boss@example.com")
    loan = services.request_loan(savers[0].membership.user, box.id, "1000", 4, key())
    for url in (f"/pools/{box.id}", f"/pools/{box.id}/rules", f"/pools/{box.id}/settings",
                f"/pools/{box.id}/members/new", f"/pools/{box.id}/members/{savers[0].id}", f"/pools/{box.id}/loans",
                f"/pools/{box.id}/loans/new", f"/pools/{box.id}/loans/{loan.id}", f"/pools/{box.id}/reports",
                "/pools/new", f"/pools/{box.id}?page=2&block=members", f"/pools/{box.id}/loans?status=requested"):
        response = c.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])
    assert "$6,000.00" in c.get(f"/pools/{box.id}").get_data(as_text=True)


def test_a_pool_before_its_first_due_date_says_what_a_share_saves(app, make_user, clock):
    """The share amount is in force from the first due date: before it, the dashboard and the rules
    said a share saves $0.00."""
    clock.today = date(2025, 3, 1)
    boss = make_user("boss@example.com", "Boss")
    box = services.create_pool(boss, "Savers", "USD", "25", date(2025, 3, 10), my_shares=2, interest_method="none")
    c = _client(app, "boss@example.com")
    assert "$50.00" in c.get(f"/pools/{box.id}").get_data(as_text=True)  # two shares
    rules = c.get(f"/pools/{box.id}/rules").get_data(as_text=True)
    assert "One share saves <strong>$25.00</strong>" in rules, rules


def test_full_loan_cycle_through_pages(app, pool):
    box, _manager, savers = pool
    member = _client(app, "m0@example.com")
    boss = _client(app, "boss@example.com")
    response = member.post(f"/pools/{box.id}/loans/new", data={"amount": "1200", "term": "3", "purpose": "Books",
                                                               "member_id": savers[0].id, "key": "abc"})
    assert response.status_code == 302
    loan = db.session.execute(select(Loan)).scalar_one()
    assert member.post(f"/pools/{box.id}/loans/new", data={"amount": "1200", "term": "3", "purpose": "Books",
                                                            "member_id": savers[0].id, "key": "abc"}).status_code == 302
    assert db.session.scalar(select(func.count(Loan.id))) == 1  # double submit
    base = f"/pools/{box.id}/loans/{loan.id}"
    assert member.post(f"{base}/approve").status_code == 403
    assert boss.post(f"{base}/approve").status_code == 302
    asked = boss.post(f"{base}/disburse", data={"on": "2025-03-01"}, headers={"HX-Request": "true"})
    assert "Yes, pay it out" in asked.get_data(as_text=True) and asked.headers["HX-Retarget"] == "#confirm-dialog"
    assert boss.post(f"{base}/disburse", data={"on": "2025-03-01", "confirmed": "1"}).status_code == 302
    page = member.get(base).get_data(as_text=True)
    assert 'id="schedule"' in page and "400.00" in page
    response = boss.post(f"{base}/repay", data={"amount": "-3", "paid_on": "2025-03-01", "mode": "advance", "key": "r1"})
    assert response.status_code == 200 and "more than zero" in response.get_data(as_text=True)
    response = boss.post(f"{base}/repay", data={"amount": "400", "paid_on": "2025-03-01", "mode": "advance", "key": "r1"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == base
    response = boss.post(f"{base}/write-off", data={"reason": "", "confirmed": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Give a reason" in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)  # just the form, swapped in place


def test_contribution_form_errors_inline(app, pool):
    box, _manager, savers = pool
    boss = _client(app, "boss@example.com")
    before = db.session.scalar(select(func.count(Contribution.id)))
    for amount, message in (("abc", "Enter a number"), ("0", "more than zero"), ("-5", "more than zero"),
                            ("1.234", "decimal places")):
        response = boss.post(f"/pools/{box.id}/contributions", data={
            "member_id": savers[0].id, "amount": amount, "paid_on": "2025-02-05", "key": key()},
            headers={"HX-Request": "true"})
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Contribution.id))) == before


def test_scoping(app, pool, make_user):
    box, _manager, savers = pool
    loan = services.request_loan(savers[0].membership.user, box.id, "100", 3, key())
    other = _client(app, "m1@example.com")
    assert other.get(f"/pools/{box.id}/loans/{loan.id}").status_code == 404
    assert other.get(f"/pools/{box.id}/members/{savers[0].id}").status_code == 404
    assert other.get(f"/pools/{box.id}/settings").status_code == 403
    assert other.get(f"/pools/{box.id}/reports").status_code == 403
    assert f"#{loan.id}" not in other.get(f"/pools/{box.id}/loans").get_data(as_text=True)
    make_user("out@example.com", "Outsider")
    outsider = _client(app, "out@example.com")
    for url in (f"/pools/{box.id}", f"/pools/{box.id}/loans/{loan.id}", f"/pools/{box.id}/rules"):
        assert outsider.get(url).status_code == 404


def test_a_statement_asked_for_a_day_that_is_not_one_says_what_is_wrong(app, pool):
    box, _manager, _savers = pool
    member = _client(app, "m0@example.com")
    response = member.get(f"/pools/{box.id}/statement.pdf?start=2025-02-30&end=2025-03-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose the first and last day of the statement." in page
    assert "From: " in page, page  # the field, and what is wrong with what was typed


def test_statement_pdfs(app, pool):
    from io import BytesIO

    from pypdf import PdfReader

    box, _manager, savers = pool
    member = _client(app, "m0@example.com")
    response = member.get(f"/pools/{box.id}/statement.pdf?start=2025-01-01&end=2025-03-01")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "2,000.00" in text and "Member 0" in text
    assert member.get(f"/pools/{box.id}/statement.pdf?start=2025-01-01&end=2025-03-01&member_id={savers[1].id}"
                      ).status_code == 404
    period = {"start": "2025-01-01", "end": "2025-03-01"}
    assert member.post(f"/boxes/{box.id}/reports/manager", data=period).status_code == 403
    boss = _client(app, "boss@example.com")
    assert "/reports/manager" in boss.get(f"/pools/{box.id}/reports").get_data(as_text=True)
    response = boss.post(f"/boxes/{box.id}/reports/manager", data=period)
    assert response.status_code == 302 and "/reports/jobs/" in response.headers["Location"]  # a job, at once
    job = wait_until_finished(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == "done", job.error
    text = "".join(p.extract_text() for p in PdfReader(jobs.file_of(job)).pages)
    assert "6,000.00" in text and "Loan book" in text


def test_dashboard_queries_do_not_grow_with_members(app, pool_factory, clock):
    box, manager, _savers = pool_factory(members=3, users=1)
    box_id, manager_id = box.id, manager.id
    boss = _client(app, "boss@example.com")
    small = count_queries(boss, f"/pools/{box_id}")
    from hamyan.blueprints.auth.models import User

    manager = db.session.get(User, manager_id)
    for i in range(25):
        m = services.add_member(manager, box_id, f"Extra {i}", None, 2, date(2025, 1, 5))
        services.record_contribution(manager, box_id, m.id, "500", date(2025, 1, 5), key())
    assert count_queries(boss, f"/pools/{box_id}") == small
    page = boss.get(f"/pools/{box_id}?page=2&block=members", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'hx-get="/pools/{box_id}?page=1&amp;block=members"' in page and "<html" not in page  # shared pager

def test_settings_validate_and_save(app, pool):
    box, _manager, _savers = pool
    boss = _client(app, "boss@example.com")
    form = {"which": "policy", "grace_days": "5", "late_fee": "0.00", "max_loan": "0", "savings_multiple": "",
            "min_term": "2", "max_term": "12", "repayment_months": "1", "interest_method": "annuity",
            "annual_rate": "0", "service_fee_percent": "0", "penalty_percent": "1.5", "min_membership_months": "0",
            "guarantors_required": "0", "queue_policy": "lottery", "require_no_arrears": "y"}
    response = boss.post(f"/pools/{box.id}/settings", data=form, headers={"HX-Request": "true"})
    assert "Give the yearly interest rate" in response.get_data(as_text=True)
    response = boss.post(f"/pools/{box.id}/settings", data={**form, "annual_rate": "12.5", "penalty_percent": "1.555"})
    assert "at most 2 decimal places" in response.get_data(as_text=True)
    assert boss.post(f"/pools/{box.id}/settings", data={**form, "annual_rate": "12.5"}).status_code == 302
    acc = services.access(_manager, box.id)
    assert (acc.pool.interest_method, str(acc.pool.annual_rate), acc.pool.queue_policy) == ("annuity", "12.500", "lottery")
    assert not acc.pool.one_open_loan and acc.pool.late_fee == 0
    response = boss.post(f"/pools/{box.id}/settings", data={"which": "share", "amount": "150",
                                                            "effective_from": "2025-04-01"})
    assert response.status_code == 302
    assert services.share_amount_on(box, date(2025, 4, 5)) == 150_00


def test_manager_undoes_a_payment_from_the_member_page(app, pool):
    box, _manager, savers = pool
    row = db.session.execute(select(Contribution).filter_by(member_id=savers[0].id)).scalar_one()
    boss = _client(app, "boss@example.com")
    page = boss.get(f"/pools/{box.id}/members/{savers[0].id}").get_data(as_text=True)
    assert f"/contributions/{row.id}/undo" in page and 'hx-target="#confirm-dialog"' in page
    undo = f"/pools/{box.id}/contributions/{row.id}/undo"
    ask = boss.post(undo, data={"reason": "Wrong <member>"}).get_data(as_text=True)  # the confirm page, no JS
    assert "Undo <bdi>Member 0</bdi>&#39;s payment?" in ask and "The payment of $2,000.00 from <bdi>Member 0</bdi> on" in ask
    assert f"(entry #{row.entry.number})" in ask and "savings go down by $2,000.00" in ask
    assert "“<bdi>Wrong &lt;member&gt;</bdi>”" in ask and 'id="confirm-yes"' in ask
    db.session.refresh(row)
    assert row.reversed_at is None  # nothing written before the yes
    dialog = boss.post(undo, data={"reason": "Wrong member"}, headers={"HX-Request": "true"})
    assert dialog.headers["HX-Retarget"] == "#confirm-dialog" and "<html" not in dialog.get_data(as_text=True)
    response = boss.post(undo, data={"reason": "Wrong member", "confirmed": "1"})
    assert response.status_code == 302
    page = boss.get(f"/pools/{box.id}/members/{savers[0].id}").get_data(as_text=True)
    assert "undone" in page and "is undone" in page
    blocked = boss.post(undo, data={"reason": "again"}).get_data(as_text=True)
    assert "already undone" in blocked and 'id="confirm-yes"' not in blocked
    member = _client(app, "m0@example.com")
    assert member.post(f"/pools/{box.id}/contributions/{row.id}/undo", data={"reason": "x"}).status_code == 403


def test_manager_undoes_a_repayment_after_a_confirm_step(app, pool):
    box, manager, savers = pool
    loan = services.request_loan(manager, box.id, "1200", 3, key(), member_id=savers[0].id)
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 3, 1))
    row = services.repay(manager, box.id, loan.id, "400", date(2025, 3, 1), key())
    boss = _client(app, "boss@example.com")
    page = boss.get(f"/pools/{box.id}/loans/{loan.id}").get_data(as_text=True)
    undo = f"/pools/{box.id}/loans/{loan.id}/repayments/{row.id}/undo"
    assert f'hx-post="{undo}" hx-target="#confirm-dialog"' in page
    ask = boss.post(undo, data={"reason": "Cheque bounced"}).get_data(as_text=True)
    assert f"Undo this repayment of loan #{loan.number}?" in ask and "The repayment of $400.00 on" in ask
    assert "It paid $400.00 of principal, $0.00 of interest and $0.00 of penalties: <bdi>Member 0</bdi> owes" in ask
    assert "“<bdi>Cheque bounced</bdi>”" in ask and 'id="confirm-yes"' in ask
    db.session.refresh(row)
    assert row.reversed_at is None
    assert boss.post(undo, data={"reason": "Cheque bounced", "confirmed": "1"}).status_code == 302
    db.session.refresh(row)
    assert row.reversed_at is not None and row.reversal_reason == "Cheque bounced"
    other = _client(app, "m1@example.com")
    assert other.post(undo, data={"reason": "x"}).status_code == 403
    assert boss.post(f"/pools/{box.id}/loans/{loan.id}/repayments/999999/undo", data={"reason": "x"}).status_code == 404


def test_loan_list_queries_do_not_grow_with_loans(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=3, users=1, require_no_arrears=False, one_open_loan=False)
    box_id = box.id
    clock.today = date(2025, 1, 10)
    services.record_contribution(manager, box_id, savers[0].id, "9000", date(2025, 1, 5), key())
    boss = _client(app, "boss@example.com")

    from hamyan.blueprints.auth.models import User

    def add_loans(n):
        manager = db.session.execute(select(User).filter_by(email="boss@example.com")).scalar_one()
        for m in services.active_members(services.access(manager, box_id).box)[:n]:
            loan = services.request_loan(manager, box_id, "100", 3, key(), member_id=m.id)
            services.approve(manager, box_id, loan.id)

    add_loans(1)
    few = count_queries(boss, f"/pools/{box_id}/loans"), count_queries(boss, f"/pools/{box_id}")
    add_loans(3)
    add_loans(3)
    assert (count_queries(boss, f"/pools/{box_id}/loans"), count_queries(boss, f"/pools/{box_id}")) == few


def test_htmx_gets_only_the_partial(app, pool):
    box, _manager, savers = pool
    services.request_loan(savers[0].membership.user, box.id, "100", 3, key())
    boss = _client(app, "boss@example.com")
    response = boss.get(f"/pools/{box.id}/loans?status=requested&block=list", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="list">') and "Member 0" in body
    body = boss.get(f"/pools/{box.id}?page=1&block=members", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.lstrip().startswith('<div class="card mb-4" id="members">') and "<html" not in body
    body = boss.get(f"/pools/{box.id}/members/{savers[0].id}?page=1&block=payments",
                    headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="payments">') and "2,000.00" in body
    page = boss.get(f"/pools/{box.id}/members/{savers[0].id}").get_data(as_text=True)
    assert 'id="settlement"' in page and "Paid out to them" in page
    owed = page[page.index('id="settlement"'):].split("</dl>")[0]
    assert "−" not in owed, owed  # nothing owed is 0, not −0


def test_payment_from_the_member_page_comes_back_there(app, pool):
    box, _manager, savers = pool
    boss = _client(app, "boss@example.com")
    back = f"/pools/{box.id}/members/{savers[0].id}"
    data = {"member_id": savers[0].id, "paid_on": "2025-02-05", "next": back, "key": key()}
    response = boss.post(f"/pools/{box.id}/contributions", data={**data, "amount": "-1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert "Payment not recorded: The amount must be more than zero." in boss.get(back).get_data(as_text=True)
    response = boss.post(f"/pools/{box.id}/contributions", data={**data, "amount": "5", "next": "//evil.example"})
    assert response.headers["Location"].endswith(f"/pools/{box.id}")


def test_guarantor_sees_the_loan_they_guarantee(app, pool):
    box, _manager, savers = pool
    loan = services.request_loan(savers[0].membership.user, box.id, "1000", 3, key(), guarantor_ids=[savers[1].id])
    guarantor = _client(app, "m1@example.com")
    page = guarantor.get(f"/pools/{box.id}").get_data(as_text=True)
    assert "Loans you guarantee" in page and f"loan #{loan.number}" in page
    assert guarantor.get(f"/pools/{box.id}/loans/{loan.id}").status_code == 200
    assert _client(app, "m2@example.com").get(f"/pools/{box.id}/loans/{loan.id}").status_code == 404
    # Seeing the loan gives no say over it, nor a look at the borrower's savings.
    assert guarantor.post(f"/pools/{box.id}/loans/{loan.id}/cancel").status_code == 403
    assert guarantor.get(f"/pools/{box.id}/members/{savers[0].id}").status_code == 404
    db.session.refresh(loan)
    assert loan.status == "requested"


def test_overview_says_plainly_when_approved_loans_can_be_paid_and_what_write_offs_cost(app, pool):
    box, manager, savers = pool  # cash $6,000
    small = services.request_loan(manager, box.id, "1000", 4, key(), member_id=savers[0].id)
    large = services.request_loan(manager, box.id, "5500", 4, key(), member_id=savers[1].id)
    for loan in (small, large):
        services.approve(manager, box.id, loan.id)
    page = _client(app, "boss@example.com").get(f"/pools/{box.id}").get_data(as_text=True)
    queue = page[page.index('id="queue"'):]
    assert "<h2 class=\"h5\">Approved loans</h2>" in queue
    assert "the pool has the cash: ready to pay out" in queue  # the first: $1,000 of $6,000
    assert "waits for cash, enough by" in queue  # the second: $6,500 in all
    assert queue.count(">Pay out</a>") == 1
    assert "Approved loans waiting to be paid out need $6,500.00" in page  # no service fee in this pool

    services.disburse(manager, box.id, small.id, date(2025, 3, 1))
    services.cancel(manager, box.id, large.id)
    services.write_off(manager, box.id, small.id, "Moved away")
    page = _client(app, "boss@example.com").get(f"/pools/{box.id}").get_data(as_text=True)
    assert 'id="queue"' not in page
    assert "Less $1,000.00 written off: a net loss of $1,000.00." in page


def test_loan_page_says_whether_an_approved_loan_can_be_paid_now(app, pool):
    box, manager, savers = pool  # cash $6,000
    first = services.request_loan(manager, box.id, "1000", 4, key(), member_id=savers[0].id)
    second = services.request_loan(manager, box.id, "2000", 4, key(), member_id=savers[1].id)
    third = services.request_loan(manager, box.id, "5000", 4, key(), member_id=savers[2].id)
    for loan in (first, second, third):
        services.approve(manager, box.id, loan.id)
    boss = _client(app, "boss@example.com")
    texts = [boss.get(f"/pools/{box.id}/loans/{loan.id}").get_data(as_text=True) for loan in (first, second, third)]
    assert "The pool has the cash: ready to pay out." in texts[0]
    assert "the one approved before it, which is paid out first" in texts[1]
    assert "Place <strong>3</strong> in the queue for cash" in texts[2] and "Cash should be enough by" in texts[2]
    assert "<h3 class=\"h5\">Repayments</h3>" not in texts[0]  # nothing to repay before the payout


def test_double_submits_of_the_new_pool_and_add_saver_forms_create_one(app, pool):
    box, _manager, _savers = pool
    boss = _client(app, "boss@example.com")
    data = {"name": "Twice", "currency": "USD", "timezone": "UTC", "locale": "en", "calendar": "gregorian",
            "period_months": "1", "first_due": "2025-03-05", "share_amount": "10", "my_shares": "0",
            "grace_days": "7", "min_term": "1", "max_term": "12", "repayment_months": "1", "interest_method": "none",
            "annual_rate": "0", "service_fee_percent": "0", "penalty_percent": "0", "min_membership_months": "0",
            "guarantors_required": "0", "queue_policy": "fifo"}
    assert boss.post("/pools/new", data=data).status_code == 302
    response = boss.post("/pools/new", data=data)
    assert response.status_code == 200 and "You already have a pool with this name" in response.get_data(as_text=True)
    member = {"display_name": "Dara", "shares": "1", "joined_on": "2025-03-01"}
    assert boss.post(f"/pools/{box.id}/members/new", data=member).status_code == 302
    response = boss.post(f"/pools/{box.id}/members/new", data={**member, "display_name": " dara "})
    # a double submit (or a second Dara) is warned about: adding them needs a yes
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Dara is already a member of this box" in page and 'id="confirm-yes"' in page
    assert db.session.scalar(select(func.count(PoolMember.id)).where(PoolMember.box_id == box.id)) == 4
    yes = boss.post(f"/pools/{box.id}/members/new", data={**member, "display_name": "dara", "confirmed": "1"})
    assert yes.status_code == 302
    assert db.session.scalar(select(func.count(PoolMember.id)).where(PoolMember.box_id == box.id)) == 5


def test_someone_of_the_box_starts_saving_by_name(app, pool):
    from hamyan.boxes import services as boxes
    from hamyan.core import uow

    box, manager, _ = pool
    with uow.box_transaction(box.id):  # added on the shared members page: not saving yet
        boxes.add_member(manager, box.id, "Nasrin Rahimi", None)
    boss = _client(app, "boss@example.com")
    page = boss.get(f"/pools/{box.id}/members/new").get_data(as_text=True)
    form = page[page.index('id="add-member-form"'):]
    form = form[:form.index("</form>")]
    assert "<option" not in form and f"/pools/{box.id}/members/new/people" in form
    assert "Nasrin Rahimi" in boss.get(f"/pools/{box.id}/members/new/people?q=nas").get_data(as_text=True)
    wrong = boss.post(f"/pools/{box.id}/members/new", data={"person": "Nobody", "shares": "1", "joined_on": "2025-03-01"})
    assert wrong.status_code == 200 and "No person here is called “Nobody”" in wrong.get_data(as_text=True)
    right = boss.post(f"/pools/{box.id}/members/new", data={"person": "nasrin rahimi", "shares": "1",
                                                           "joined_on": "2025-03-01"})
    assert right.status_code == 302
    assert db.session.scalar(select(func.count(PoolMember.id)).join(Membership).where(
        Membership.display_name == "Nasrin Rahimi")) == 1


def test_member_page_shows_todays_due_date_as_due_not_unpaid(app, pool, clock):
    box, _manager, savers = pool  # paid through February
    clock.today = date(2025, 3, 5)
    page = _client(app, "m0@example.com").get(f"/pools/{box.id}/members/{savers[0].id}").get_data(as_text=True)
    assert "due today" in page and ">unpaid<" not in page


def test_members_see_their_place_in_the_queue_but_not_others_amounts(app, pool):
    box, manager, savers = pool  # cash $6,000
    theirs = services.request_loan(manager, box.id, "5500", 4, key(), member_id=savers[1].id)
    mine = services.request_loan(manager, box.id, "1000", 4, key(), member_id=savers[0].id)
    for loan in (theirs, mine):
        services.approve(manager, box.id, loan.id)
    page = _client(app, "m0@example.com").get(f"/pools/{box.id}").get_data(as_text=True)
    queue = page[page.index('id="queue"'):]
    assert "Another member's loan" in queue and "Your loan" in queue
    assert "$5,500.00" not in page and "$1,000.00" in queue


def _add_savers(box_id, names, joined_on=date(2025, 1, 5)):
    """Savers inserted directly (one share each): big pools without a unit of work per member."""
    from hamyan.blueprints.moneypool.models import ShareChange
    from hamyan.boxes.models import Membership

    for name in names:
        membership = Membership(box_id=box_id, display_name=name, role="member")
        db.session.add(membership)
        db.session.flush()
        member = PoolMember(box_id=box_id, membership_id=membership.id, joined_on=joined_on)
        db.session.add(member)
        db.session.flush()
        db.session.add(ShareChange(member_id=member.id, effective_from=joined_on, shares=1))
    db.session.commit()
    services.summary.rebuild(box_id)


def test_dashboard_pages_and_searches_savers_in_queries_that_do_not_grow(app, pool_factory, clock):
    box, manager, _ = pool_factory(members=0)
    box_id = box.id
    clock.today = date(2025, 3, 1)
    _add_savers(box_id, [f"Saver {i:03}" for i in range(10)])
    services.record_contribution(manager, box_id, db.session.execute(
        select(PoolMember.id).filter_by(box_id=box_id).order_by(PoolMember.id.desc())).scalar(), "1000",
        date(2025, 1, 5), key())
    boss = _client(app, "boss@example.com")
    few = count_queries(boss, f"/pools/{box_id}"), count_queries(boss, f"/pools/{box_id}?q=saver")
    _add_savers(box_id, [f"Saver {i:03}" for i in range(10, 200)])
    assert (count_queries(boss, f"/pools/{box_id}"), count_queries(boss, f"/pools/{box_id}?q=saver")) == few

    def members_block(query):
        return boss.get(f"/pools/{box_id}?block=members&{query}", headers={"HX-Request": "true"}).get_data(as_text=True)

    names = [f"Saver {i:03}" for i in range(200)]
    page = members_block("page=2")
    assert names[25] in page and names[24] not in page and names[50] not in page  # 25 a page
    page = members_block("q=VER+19")  # any case
    assert "Saver 190" in page and "Saver 199" in page and "Saver 019" not in page
    assert 'page=2&amp;q=VER+1"' in members_block("q=VER+1")  # the pager keeps the search
    assert "name contains “<bdi>nobody%</bdi>”" in members_block("q=nobody%25")  # % is a character, not a wildcard


def test_the_payment_form_finds_the_saver_by_name_without_listing_every_saver(app, pool, make_user):
    box, _manager, savers = pool
    boss = _client(app, "boss@example.com")
    page = boss.get(f"/pools/{box.id}").get_data(as_text=True)
    assert 'list="member-names"' in page and "<option" not in page[page.index('id="contribution-form"'):]
    options = boss.get(f"/pools/{box.id}/savers?member=ber+1&field=member&block=names", headers={"HX-Request": "true"})
    assert options.get_data(as_text=True) == '<option value="Member 1"></option>'
    assert "Member 2" in boss.get(f"/pools/{box.id}/savers?q=member").get_data(as_text=True)  # without JS
    before = db.session.scalar(select(func.count(Contribution.id)))
    response = boss.post(f"/pools/{box.id}/contributions", data={
        "member": "Nobody", "amount": "10", "paid_on": "2025-02-05", "key": key()})
    assert response.status_code == 200 and "No saver here is called “Nobody”" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Contribution.id))) == before
    response = boss.post(f"/pools/{box.id}/contributions", data={
        "member": " member 2 ", "amount": "10", "paid_on": "2025-02-05", "key": key()})
    assert response.status_code == 302
    assert db.session.execute(select(Contribution).order_by(Contribution.id.desc())).scalars().first().member_id \
        == savers[2].id
    assert _client(app, "m0@example.com").get(f"/pools/{box.id}/savers?q=m").status_code == 200  # guarantors
    make_user("stranger@example.com", "Stranger")
    assert _client(app, "stranger@example.com").get(f"/pools/{box.id}/savers?q=m").status_code == 404


def test_loan_request_names_the_borrower_and_guarantors(app, pool_factory, clock):
    """The loan request form names savers like the payment form (typed, offered as you type): the
    borrower (managers) and as many guarantors as asked for; unknown names and a borrower among
    the guarantors are inline errors and nothing is written."""
    box, manager, savers = pool_factory(members=4, require_no_arrears=False, guarantors_required=2, users=1)
    clock.today = date(2025, 3, 1)
    for m in savers:
        services.record_contribution(manager, box.id, m.id, "2000", date(2025, 1, 5), key())
    boss = _client(app, "boss@example.com")
    url = f"/pools/{box.id}/loans/new"
    page = boss.get(url).get_data(as_text=True)
    assert 'name="guarantors-0"' in page and 'name="guarantors-1"' in page and "<option" not in page
    page = boss.post(url, data={"member": "Member 1", "guarantors-0": "", "guarantors-1": "", "more": "guarantors"})
    assert 'name="guarantors-2"' in page.get_data(as_text=True)  # one more name, nothing checked or written
    asked = {"amount": "100", "term": "3", "key": key()}
    page = boss.post(url, data={**asked, "member": "Nobody", "guarantors-0": "Member 2", "guarantors-1": "Ghost"})
    text = page.get_data(as_text=True)
    assert "No saver here is called “Nobody”" in text and "No saver here is called “Ghost”" in text
    page = boss.post(url, data={**asked, "member": "Member 1", "guarantors-0": "member 1", "guarantors-1": "Member 2"})
    assert "You cannot guarantee your own loan." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Loan.id))) == 0
    assert boss.post(url, data={**asked, "member": "member 1", "guarantors-0": "Member 2",
                                "guarantors-1": "Member 3"}).status_code == 302
    loan = db.session.execute(select(Loan)).scalar_one()
    assert loan.member_id == savers[1].id and sorted(g.member_id for g in loan.guarantees) == [savers[2].id, savers[3].id]
    member = _client(app, "m0@example.com")  # a member asks for themself; the lookup serves them too
    assert 'name="member"' not in member.get(url).get_data(as_text=True)
    options = member.get(f"/pools/{box.id}/savers?guarantors-0=ber+3&field=guarantors-0&block=names",
                         headers={"HX-Request": "true"})
    assert options.get_data(as_text=True) == '<option value="Member 3"></option>'


def test_the_dashboard_shows_the_first_places_of_a_long_queue(app, pool_factory, clock):
    """Ten places of the loan queue, the viewer's own and a link to all: the page does not grow
    with the number of loans waiting."""
    box, manager, savers = pool_factory(members=12, require_no_arrears=False, guarantors_required=0)
    clock.today = date(2025, 3, 1)
    for m in savers:
        services.record_contribution(manager, box.id, m.id, "1000", date(2025, 1, 5), key())
    for m in savers:
        loan = services.request_loan(m.membership.user, box.id, "2500", 4, key())
        services.approve(manager, box.id, loan.id)
    page = _client(app, "boss@example.com").get(f"/pools/{box.id}").get_data(as_text=True)
    queue = page[page.index('id="queue"'):].split("</ol>")[0]
    assert queue.count("<li") == 10 and "All 12 approved loans waiting" in page
    page = _client(app, "m11@example.com").get(f"/pools/{box.id}").get_data(as_text=True)
    queue = page[page.index('id="queue"'):].split("</ol>")[0]
    assert queue.count("<li") == 11 and "Your loan" in queue  # the member's own, twelfth in line
