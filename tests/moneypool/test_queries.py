"""The pool's pages and API lists send the same number of queries for 10 savers as for 1,000: they
read the member summaries, one page of savers and cached balances, never every saver."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.views import QUEUE_SHOWN
from hamyan.blueprints.moneypool.models import Loan, PoolMember, ShareChange
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from tests.moneypool.conftest import count_queries, key

FIRST_DUE = date(2025, 1, 5)


def big_pool(manager, size):
    """A pool of `size` savers inserted directly (one share each, nothing paid: all late), three of
    them funded by the services, one loan paid out and one waiting for cash, then `size // 10` more
    loans waiting (inserted directly), and one request waiting for a decision."""
    box = services.create_pool(manager, f"Pool {size}", "USD", "100", FIRST_DUE, my_shares=0,
                               require_no_arrears=False, one_open_loan=False, min_membership_months=0)
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Saver {i:04d}", role="member")
                                            for i in range(size)])
    # people of the box who do not save (yet): the add-a-saver form names them, never lists them
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Person {i:04d}", role="member")
                                            for i in range(size // 10)])
    ids = db.session.scalars(select(Membership.id).filter_by(box_id=box.id, role="member")
                             .where(Membership.display_name.like("Saver %")).order_by(Membership.id)).all()
    db.session.execute(insert(PoolMember), [dict(box_id=box.id, membership_id=i, joined_on=FIRST_DUE) for i in ids])
    members = db.session.scalars(select(PoolMember.id).filter_by(box_id=box.id).order_by(PoolMember.id)).all()
    db.session.execute(insert(ShareChange), [dict(member_id=m, effective_from=FIRST_DUE, shares=1) for m in members])
    db.session.commit()
    services.summary.rebuild(box.id)
    for m in members[:3]:
        services.record_contribution(manager, box.id, m, "2000", FIRST_DUE, key())
    paid = services.request_loan(manager, box.id, "1000", 4, key(), member_id=members[0])
    services.approve(manager, box.id, paid.id)
    services.disburse(manager, box.id, paid.id, date(2025, 1, 10))
    waits = services.request_loan(manager, box.id, "9000", 4, key(), member_id=members[1])
    services.approve(manager, box.id, waits.id)
    services.request_loan(manager, box.id, "1000", 4, key(), member_id=members[2])  # the dashboard lists requests
    db.session.execute(insert(Loan), [dict(
        box_id=box.id, number=m, member_id=m, request_key=f"big-{m}", status="approved", amount=100_000, term=4,
        period_months=1, interest_method="flat", annual_rate=0, approved_at=datetime(2025, 2, 1) + timedelta(minutes=i))
        for i, m in enumerate(members[3:3 + size // 10])])
    db.session.commit()
    return box


def box_size(box):
    return db.session.scalar(select(func.count()).select_from(PoolMember).filter_by(box_id=box.id))


def _counts(client, headers, box):
    urls = [(f"/pools/{box.id}", None), (f"/pools/{box.id}?q=saver+000", None),
            (f"/pools/{box.id}/savers?q=saver+1", None), (f"/pools/{box.id}/loans/new", None),
            (f"/pools/{box.id}/members/new", None),
            ("/api/v1/pools", headers), (f"/api/v1/pools/{box.id}/queue", headers),
            (f"/api/v1/pools/{box.id}/balance-sheet", headers), (f"/api/v1/pools/{box.id}/members?page=1", headers)]
    for url, h in urls:  # warm-up: the day's summaries, the user, caches
        client.get(url, headers=h)
    # The forms name savers by typing (a lookup as you type), never in a list of every saver.
    for url, form in ((f"/pools/{box.id}", "contribution-form"), (f"/pools/{box.id}/loans/new", "loan-request-form"),
                      (f"/pools/{box.id}/members/new", "add-member-form")):
        page = client.get(url).get_data(as_text=True)
        page = page[page.index(f'id="{form}"'):]
        assert "<option" not in page[:page.index("</form>")], url
    # The queue is paged: the dashboard shows its first places and links to the rest.
    waiting = 1 + box_size(box) // 10
    page = client.get(f"/pools/{box.id}").get_data(as_text=True)
    queue = page[page.index('id="queue"'):]
    assert queue[:queue.index("</ol>")].count("<li") == min(waiting, QUEUE_SHOWN)
    assert (f"All {waiting} approved loans waiting" in queue) == (waiting > QUEUE_SHOWN)
    places = client.get(f"/api/v1/pools/{box.id}/queue?per_page=7&page=2", headers=headers).get_json()
    assert [p["place"] for p in places] == list(range(8, min(waiting, 14) + 1))
    return [count_queries(client, url, h) for url, h in urls]


def test_pool_pages_and_api_lists_do_not_grow_with_savers(user_client, api_token, clock):
    clock.today = date(2025, 3, 1)
    counts = []
    for size in (10, 1000):  # a manager each: the API's list of pools holds one pool
        c = user_client(f"manager{size}@example.com", "Manager")
        counts.append(_counts(c, api_token(c.user), big_pool(c.user, size)))
    small, large = counts
    print(f"queries (dashboard, search, saver search, loan request, API pools, queue, balance sheet, members): "
          f"10 savers {small}, 1,000 savers {large}")
    assert small == large
    # Counted so that one more statement fails: the totals row read once, no loan's schedule, guarantees or
    # share changes loaded for a list that shows none of them (the queue, the requests); the share amounts
    # read once a dashboard (its forecast and the share shown).
    assert small == [18, 19, 7, 5, 8, 6, 12, 6, 7]


def test_the_list_of_pools_sends_the_same_queries_for_two_pools_as_for_eight(user_client, api_token, clock):
    """Each pool's rules, totals and the caller's own position are read for the whole page at once."""
    clock.today = date(2025, 3, 1)
    counts = []
    for size in (2, 8):
        c = user_client(f"manager{size}@example.com", "Manager")
        for i in range(size):  # the manager saves in every other pool
            services.create_pool(c.user, f"Pool {i}", "USD", "100", FIRST_DUE, my_shares=i % 2)
        headers = api_token(c.user)
        pools = c.get("/api/v1/pools?per_page=10", headers=headers).get_json()  # warm-up: the day's summaries
        assert [(p["name"], p["me"] is not None) for p in pools] == [(f"Pool {i}", i % 2 == 1) for i in range(size)]
        counts.append(count_queries(c, "/api/v1/pools?per_page=10", headers))
    print(f"queries of the list of pools: 2 pools {counts[0]}, 8 pools {counts[1]}")
    assert counts[0] == counts[1]


def loans_out(box, count):
    """`count` loans paid out on 2025-01-10 (inserted directly) to the pool's savers, 1,000.00 each
    on the ledger in one balanced entry; one installment each, due 2025-02-10: every other loan has
    no repayment (overdue), the rest nothing due yet."""
    from hamyan.blueprints.moneypool.models import Installment
    from hamyan.ledger.models import ASSET, Entry, LedgerAccount, Posting

    members = db.session.scalars(select(PoolMember.id).filter_by(box_id=box.id).order_by(PoolMember.id)).all()[:count]
    # numbered after the box's loans (big_pool numbers its waiting loans by their member's id)
    first = db.session.scalar(select(func.max(Loan.number)).filter_by(box_id=box.id)) + 1
    db.session.execute(insert(Loan), [dict(
        box_id=box.id, number=first + i, member_id=m, request_key=f"out-{m}", status="active", amount=100_000, term=1,
        period_months=1, interest_method="flat", annual_rate=0, disbursed_on=date(2025, 1, 10))
        for i, m in enumerate(members)])
    loans = db.session.scalars(select(Loan.id).filter_by(box_id=box.id, status="active")
                               .where(Loan.request_key.like("out-%")).order_by(Loan.id)).all()
    db.session.execute(insert(Installment), [dict(loan_id=loan, number=1, principal=100_000, interest=0,
                                                  due_date=date(2025, 2, 10) if i % 2 else date(2025, 4, 10))
                                             for i, loan in enumerate(loans)])
    db.session.execute(insert(LedgerAccount), [dict(
        box_id=box.id, code=f"out:{loan}:principal", name=f"Loan {loan}", currency="USD", type=ASSET,
        subject_kind="loan", subject_id=loan, purpose="principal", balance=100_000) for loan in loans])
    accounts = db.session.scalars(select(LedgerAccount.id).filter_by(box_id=box.id).where(
        LedgerAccount.code.like("out:%"))).all()
    cash = db.session.scalar(select(LedgerAccount.id).filter_by(box_id=box.id, purpose="cash"))
    entry = Entry(box_id=box.id, code="payout", effective_date=date(2025, 1, 10), idempotency_key=f"out-{box.id}",
                  fingerprint="-")
    db.session.add(entry)
    db.session.flush()
    db.session.execute(insert(Posting), [dict(entry_id=entry.id, account_id=a, amount=100_000, currency="USD")
                                         for a in accounts] + [dict(entry_id=entry.id, account_id=cash,
                                                                    amount=-100_000 * len(accounts), currency="USD")])
    db.session.commit()


def test_the_loan_book_pages_its_loans_and_sums_the_whole_book(user_client, api_token, clock):
    """The reports page showed every loan of the book on one page (1,667 at 10,000 savers); now a
    page of them, found by the borrower, with the book's totals summed in the database."""
    clock.today = date(2025, 3, 1)
    counts = []
    for size in (10, 1000):
        c = user_client(f"manager{size}@example.com", "Manager")
        box = big_pool(c.user, size)
        loans_out(box, size)
        headers = api_token(c.user)
        urls = [(f"/pools/{box.id}/reports", None), (f"/pools/{box.id}/reports?q=saver+000&page=2", None),
                (f"/pools/{box.id}/reports?as_of=2025-02-20&page=2", None),
                (f"/api/v1/pools/{box.id}/loan-book?page=2&per_page=5", headers)]
        for url, h in urls:  # warm-up
            c.get(url, headers=h)
        counts.append([count_queries(c, url, h) for url, h in urls])
        page = c.get(f"/pools/{box.id}/reports").get_data(as_text=True)
        table = page[page.index('id="loan-book-table"'):]
        assert table[table.index("<tbody>"):table.index("</tbody>")].count("<tr>") == min(size + 1, 25)  # a page, however big the book
        book = c.get(f"/api/v1/pools/{box.id}/loan-book?per_page=5&page=2", headers=headers).get_json()
        # the first loan paid out by the services (1,000.00, 4 installments from 2025-02-10) and the inserted ones
        assert book["total"] == size + 1 and len(book["loans"]) == 5 and book["page"] == 2
        overdue = (size + 1) // 2 + 1  # every other inserted loan and the first one, unpaid since 2025-02-10
        assert {b["label"]: b["loans"] for b in book["buckets"]} == {
            "current": size + 1 - overdue, "1–30 days": overdue, "31–60 days": 0, "61–90 days": 0, "over 90 days": 0}
        assert book["outstanding"] == 100_000 * (size + 1) == c.get(
            f"/api/v1/pools/{box.id}/balance-sheet", headers=headers).get_json()["loans"]
        csv = c.get(f"/pools/{box.id}/reports?export=csv").get_data(as_text=True)
        assert len(csv.strip().splitlines()) == size + 2  # the heading and every loan of the book
        found = c.get(f"/pools/{box.id}/reports?q=saver+0007").get_data(as_text=True)
        found = found[found.index('id="loan-book-table"'):]
        found = found[found.index("<tbody>"):found.index("</tbody>")]
        assert found.count("<tr>") == 1 and "Saver 0007" in found
    small, large = counts
    print(f"queries of the loan book (page, search, past day, API): 10 loans {small}, 1,000 loans {large}")
    assert small == large
