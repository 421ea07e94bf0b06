"""What the walk found on the loan request form and on approval: the limit shown is the named
borrower's, the guarantors' lookup leaves the borrower out, a member who cannot borrow is told why
without a form, and approving says what happens next as it is."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Contribution, Loan, Pool, PoolMember
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage as Outbox
from tests.conftest import login
from tests.moneypool.conftest import key


@pytest.fixture
def pool(make_user, clock):
    """The boss saves 500 (limit 1,500 at 3x savings); Member 1 saves 2,000 (limit 6,000)."""
    clock.today = date(2025, 1, 1)
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "Neighbours", "USD", "100", date(2025, 1, 5), my_shares=1,
                               require_no_arrears=False, guarantors_required=1, savings_multiple="3",
                               one_open_loan=True, interest_method="none", max_term=24)
    savers = [services.add_member(manager, box.id, f"Member {i}", make_user(f"m{i}@example.com", f"Member {i}").email
                                  if i < 2 else None, 1, date(2025, 1, 5)) for i in range(3)]
    boss = db.session.scalar(select(PoolMember).where(PoolMember.box_id == box.id).order_by(PoolMember.id))
    clock.today = date(2025, 3, 1)
    for m, amount in ((boss, "500"), (savers[0], "2000"), (savers[1], "2000"), (savers[2], "2000")):
        services.record_contribution(manager, box.id, m.id, amount, date(2025, 1, 5), key())
    return box, manager, savers


def text(response):
    return response.get_data(as_text=True)


def test_the_limit_shown_is_the_named_borrowers(app, pool):
    box, _, savers = pool
    boss = login(app.test_client(), "boss@example.com")
    url = f"/pools/{box.id}/loans/new"
    assert "You can borrow up to $1,500.00" in text(boss.get(url))  # the boss's own, named first
    page = text(boss.get(url, query_string={"member": "Member 1", "amount": "700", "see": "limit"}))
    assert "<bdi>Member 1</bdi> can borrow up to $6,000.00" in page and "$1,500.00" not in page
    assert 'value="700"' in page  # what was typed stays
    page = text(boss.post(url, data={"member": "Member 1", "amount": "9000", "term": "3", "key": key(),
                                     "guarantors-0": "Member 2"}, headers={"HX-Request": "true"}))
    limit = page[page.index('id="loan-limit"'):].split("</p>")[0]
    assert "<bdi>Member 1</bdi> can borrow up to $6,000.00" in limit, limit  # the swapped form too


def test_the_guarantors_lookup_leaves_out_the_borrower(app, pool):
    box, _, _ = pool
    member = login(app.test_client(), "m0@example.com")
    page = text(member.get(f"/pools/{box.id}/loans/new"))
    assert f"/pools/{box.id}/savers?borrower=Member+0" in page
    options = text(member.get(f"/pools/{box.id}/savers?borrower=Member+0&guarantors-0=member&field=guarantors-0"
                              "&block=names", headers={"HX-Request": "true"}))
    assert "Member 1" in options and "Member 0" not in options
    assert "Ctrl" not in page and "Cmd" not in page  # names are typed, not picked from a multi-select


def test_a_member_with_an_open_request_is_shown_it_not_the_form(app, pool):
    box, _, savers = pool
    loan = services.request_loan(savers[0].membership.user, box.id, "1000", 3, key(), guarantor_ids=[savers[1].id])
    member = login(app.test_client(), "m0@example.com")
    url = f"/pools/{box.id}/loans/new"
    page = text(member.get(url))
    assert 'id="loan-request-form"' not in page
    assert page.count("You already have an open loan or request.") == 1
    assert f'href="/pools/{box.id}/loans/{loan.id}"' in page
    page = text(member.post(url, data={"amount": "100", "term": "3", "key": key(), "guarantors-0": "Member 1"},
                            follow_redirects=True))
    assert page.count("You already have an open loan or request.") == 1
    assert db.session.scalar(select(func.count(Loan.id))) == 1


def test_approving_says_what_happens_next_as_it_is(app, pool):
    box, manager, savers = pool
    boss = login(app.test_client(), "boss@example.com")
    loan = services.request_loan(savers[0].membership.user, box.id, "1000", 3, key(), guarantor_ids=[savers[1].id])
    page = text(boss.post(f"/pools/{box.id}/loans/{loan.id}/approve", follow_redirects=True))
    assert "The pool has the cash: ready to pay out." in page
    assert "when the pool has the cash" not in page
    mail = db.session.scalars(select(Outbox).where(Outbox.subject.contains("approved"))).one()
    assert "the manager pays it out next" in mail.body and "queue" not in mail.body
    # One approved before it: paid out first. Then one the cash cannot pay: it waits, and says so.
    second = services.request_loan(savers[1].membership.user, box.id, "1500", 3, key(), guarantor_ids=[savers[2].id])
    services.approve(manager, box.id, second.id)
    mail = db.session.scalars(select(Outbox).where(Outbox.subject.contains(f"#{second.number} approved"))).one()
    assert "The pool has the cash; 1 loan(s) approved before it are paid out first." in mail.body
    policy = db.session.get(Pool, box.id)  # a builder's shortcut: no pledge to cover, a second loan allowed
    policy.guarantors_required, policy.one_open_loan = 0, False
    db.session.commit()
    big = services.request_loan(manager, box.id, "5000", 3, key(), member_id=savers[0].id)
    services.approve(manager, box.id, big.id)
    mail = db.session.scalars(select(Outbox).where(Outbox.subject.contains(f"#{big.number} approved"))).one()
    assert "It is paid out when the pool has the cash; your loan's page shows when that should be." in mail.body


def test_loans_and_entries_are_numbered_per_box(app, pool, api_token):
    """A new pool's first loan is #1 and its first entry #1, whatever other boxes hold: in pages,
    the PDF statement's rows and the API (which keeps ids for its URLs)."""
    box, manager, savers = pool
    earlier = services.request_loan(savers[0].membership.user, box.id, "100", 3, key(), guarantor_ids=[savers[1].id])
    assert earlier.number == 1
    other = services.create_pool(manager, "Second fund", "USD", "100", date(2025, 1, 5), my_shares=0,
                                 require_no_arrears=False, guarantors_required=0)
    saver = services.add_member(manager, other.id, "Neda", None, 1, date(2025, 1, 5))
    paid = services.record_contribution(manager, other.id, saver.id, "300", date(2025, 1, 5), key())
    first = services.request_loan(manager, other.id, "100", 3, key(), member_id=saver.id)
    assert first.number == 1 and first.id > 1
    assert db.session.get(Contribution, paid.id).entry.number == 1
    boss = login(app.test_client(), "boss@example.com")
    page = text(boss.get(f"/pools/{other.id}/loans/{first.id}"))
    assert "Loan #1 · <bdi>Neda</bdi>" in page and f"#{first.id} " not in page
    assert "#1" in text(boss.get(f"/pools/{other.id}/loans"))
    loan = app.test_client().get(f"/api/v1/pools/{other.id}/loans/{first.id}", headers=api_token(manager)).get_json()
    assert loan["id"] == first.id and loan["number"] == 1


def test_a_manager_asking_for_a_saver_is_not_told_to_wait_for_the_manager(app, pool):
    box, _, savers = pool
    boss = login(app.test_client(), "boss@example.com")
    page = text(boss.post(f"/pools/{box.id}/loans/new", follow_redirects=True, data={
        "member": "Member 1", "amount": "700", "term": "3", "key": key(), "guarantors-0": "Member 2"}))
    assert "Request recorded for <bdi>Member 1</bdi>: approve or reject it here." in page
    assert "is with the manager" not in page
    member = login(app.test_client(), "m0@example.com")
    page = text(member.post(f"/pools/{box.id}/loans/new", follow_redirects=True, data={
        "amount": "700", "term": "3", "key": key(), "guarantors-0": "Member 2"}))
    assert "Your request is with the manager." in page
