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
    loans waiting (inserted directly)."""
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
