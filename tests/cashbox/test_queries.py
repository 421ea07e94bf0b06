"""Pages and API calls run the same number of queries for 10 members as for 1,000, and for 10
periods as for 200: they read the member summaries, one page of members and a window of period
cells, never the whole round or a member's whole payment history."""
import re
from contextlib import contextmanager

from sqlalchemy import event, insert, select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Holding, Period, Share
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from hamyan.ledger.models import Posting
from tests.cashbox.helpers import first_round, make_box


@contextmanager
def count_queries():
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def running_box(manager, members, periods=None):
    """A started round of `periods` shares (so periods) and `members` members: with more members
    than shares each share is split between members // periods holders, with fewer each member
    holds several whole shares. Members and holdings are inserted directly; the round is started,
    paid and drawn by the services."""
    periods = periods or members
    box = make_box(manager, shares=periods, contribution="10", draw_mode="random")
    r = first_round(box)
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Member {i:04d}", role="member")
                                            for i in range(members)])
    people = db.session.query(Membership).filter_by(box_id=box.id, role="member").order_by(Membership.id).all()
    shares = [s.id for s in db.session.query(Share).filter_by(round_id=r.id).order_by(Share.number)]
    rows = []
    if members >= periods:
        per_share = members // periods
        for i, m in enumerate(people[:per_share * periods]):
            rows.append(dict(share_id=shares[i // per_share], membership_id=m.id, numerator=1, denominator=per_share,
                             position=i % per_share))
    else:
        for i, share_id in enumerate(shares):
            rows.append(dict(share_id=share_id, membership_id=people[i % members].id, numerator=1, denominator=1,
                             position=0))
    db.session.execute(insert(Holding), rows)
    db.session.commit()
    db.session.expire_all()
    cb.start_round(manager, box.id, r.id)
    for m in people[:10]:
        cb.record_payment(manager, box.id, m.id, "0.5")
    cb.draw(manager, box.id, override_reason="test")
    return box, people


def _queries(client, headers, box, members):
    member = members[3].id
    urls = [("page", f"/cashbox/{box.id}"), ("page", f"/cashbox/{box.id}?q=Member+00"),
            ("page", f"/cashbox/{box.id}/members/{member}"), ("page", f"/cashbox/{box.id}/payments"),
            ("page", f"/cashbox/{box.id}/names?q=member+00"),
            ("api", "/api/v1/cashboxes"), ("api", f"/api/v1/cashboxes/{box.id}/members/{member}"),
            ("api", f"/api/v1/cashboxes/{box.id}/grid?per_page=5"), ("api", f"/api/v1/cashboxes/{box.id}/draws"),
            ("api", f"/api/v1/cashboxes/{box.id}/payments")]
    for kind, url in urls:  # warm-up: the first request loads the user and caches
        client.get(url, headers=headers if kind == "api" else None)
    counts = []
    for kind, url in urls:
        db.session.expire_all()
        with count_queries() as seen:
            response = client.get(url, headers=headers if kind == "api" else None)
        assert response.status_code == 200, url
        # A page reads summaries and a window of cells, never a member's whole payment history.
        assert all("LIMIT" in q or q.startswith("SELECT count(") for q in seen if "FROM cashbox_payment" in q), url
        # Nor every member: a query of members is a page, a name, a count, by id or the viewer's own, or
        # the others of the page's names (a picker tells people of one name apart).
        assert all("LIMIT" in q or "count(" in q or "membership.id = " in q or "membership.id IN" in q
                   or "membership.user_id = " in q or "lower(membership.display_name) IN" in q
                   for q in seen if "FROM membership" in q and "JOIN" not in q), \
            (url, [q for q in seen if "FROM membership" in q])
        if "/members/" in url:  # a member's page reads a page of periods and those of their fines, never all
            assert all(" IN (" in q or "cashbox_period.number >= " in q
                       for q in seen if re.search(r"FROM cashbox_period\s", q)), \
                (url, [q for q in seen if re.search(r"FROM cashbox_period\s", q)])
        counts.append(len(seen))
    return counts


def test_queries_do_not_grow_with_members_or_periods(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)
    counts = {size: _queries(c, headers, *running_box(c.user, *size)) for size in ((10, 10), (200, 10), (10, 200))}
    print(f"queries (dashboard, search, member, payments, names, API list, API member, API grid, API draws, "
          f"API payments) by (members, periods): "
          f"{counts}")
    assert counts[(10, 10)] == counts[(200, 10)] == counts[(10, 200)]
    # Counted so that one more statement fails (the member page: its box authorized once; the dashboard:
    # its two period windows read together, its member count taken from the totals, its progress in two
    # reads; the member page: its shares with their holders and its periods in one read each; the draws:
    # what is still owed of the payouts in one read).
    assert counts[(10, 10)] == [18, 19, 14, 6, 5, 6, 12, 11, 8, 5]


def test_queries_do_not_grow_up_to_a_thousand_members(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)
    small, large = (_queries(c, headers, *running_box(c.user, *size)) for size in ((10, 10), (1000, 10)))
    print(f"queries: 10 members {small}, 1,000 members {large}")
    assert small == large


def test_the_member_page_and_api_show_a_page_of_periods(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    box, people = running_box(c.user, 3, 30)  # each member holds ten shares of a 30-period round
    member = people[0].id
    first = c.get(f"/cashbox/{box.id}/members/{member}").get_data(as_text=True)
    second = c.get(f"/cashbox/{box.id}/members/{member}?page=2").get_data(as_text=True)
    row = '<tr><td data-label="Period">{}</td>'.format  # a period's row (cells labelled for the phone cards)
    assert row(24) in first and row(25) not in first
    assert row(25) in second and row(30) in second and row(24) not in second
    out = c.get(f"/api/v1/cashboxes/{box.id}/members/{member}?periods_page=2&periods_per_page=10",
                headers=api_token(c.user)).json
    assert [cell["period"] for cell in out["cells"]] == list(range(11, 21))
    assert (out["periods_page"], out["periods_pages"], out["shares"]) == (2, 3, [str(n) for n in range(1, 31, 3)])
    assert out["cells"][0]["due"] == 10 * 1000  # ten shares of 10.00 a period


@contextmanager
def postings_loaded():
    """The ledger postings the ORM loads while the block runs."""
    loaded = []

    def note(target, context):
        loaded.append(target)

    event.listen(Posting, "load", note)
    try:
        yield loaded
    finally:
        event.remove(Posting, "load", note)


def _pay(client, headers, box, member) -> None:
    """A payment of 0.10 through the API, the session's rows expired first (as a new request finds them)."""
    db.session.expire_all()
    response = client.post(f"/api/v1/cashboxes/{box.id}/payments", json={"membership_id": member, "amount": "0.1"},
                           headers=headers)
    assert response.status_code == 201, response.json


def test_a_payment_and_the_payments_list_read_no_legs_of_earlier_payments(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)
    box, people = running_box(c.user, 10)
    member = people[0].id

    def pay():
        with postings_loaded() as loaded:
            _pay(c, headers, box, member)
        return len(loaded)

    first = pay()
    for _ in range(10):
        pay()
    assert pay() == first  # the new entry's legs (its receipt), never the member's history
    db.session.expire_all()
    with postings_loaded() as loaded:
        assert c.get(f"/api/v1/cashboxes/{box.id}/payments", headers=headers).status_code == 200
    assert loaded == []


def test_the_draws_list_is_a_page_of_periods_with_the_shared_pager(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    box, _ = running_box(c.user, 3, 200)
    page = c.get(f"/cashbox/{box.id}").get_data(as_text=True)
    draws = page[page.index('<div id="draws">'):]
    draws = draws[:draws.index("</nav>")]
    assert "Period 12<" in draws and "Period 13<" not in draws
    # The shared pager: the first pages and the last, not a link for every twelve periods.
    assert draws.count('class="page-link"') <= 6 and "draws=17" in draws and "draws=9" not in draws
    assert 'hx-target="#draws"' in draws
    swapped = c.get(f"/cashbox/{box.id}?draws=9&block=draws", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert swapped.strip().startswith('<div id="draws">') and "</html>" not in swapped
    assert "Period 97<" in swapped and "Period 108<" in swapped and "Period 96<" not in swapped
    out = c.get(f"/api/v1/cashboxes/{box.id}/draws?page=2&per_page=10", headers=api_token(c.user)).get_json()
    assert [p["number"] for p in out] == list(range(11, 21))


def test_a_payment_through_the_api_sends_as_many_queries_whatever_the_box_or_the_member_history(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)

    def pay(box, member):
        with count_queries() as seen:
            _pay(c, headers, box, member)
        return len(seen)

    c.get("/api/v1/cashboxes", headers=headers)  # the token's first use notes it (once in a while)
    counts = []
    for size in (10, 200):
        box, people = running_box(c.user, size, 10)
        counts.append(pay(box, people[0].id))
        for _ in range(10):
            pay(box, people[0].id)
        counts.append(pay(box, people[0].id))
    print(f"queries of a payment (10 members, then after 10 more payments; 200 members, the same): {counts}")
    assert len(set(counts)) == 1, counts


def test_a_payment_derives_its_member_once(user_client, api_token):
    """The write derives the member's round state to check the payment, then brings that state up to date with
    it for the summaries: their payments are read once, not again after the write."""
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)
    box, people = running_box(c.user, 10)
    with count_queries() as seen:
        _pay(c, headers, box, people[0].id)
    history = [q for q in seen if q.startswith("SELECT") and "FROM cashbox_payment" in q
               and "cashbox_payment.membership_id IN" in q]
    assert len(history) == 1, history
    assert "ledger_entry AS" not in history[0]  # days and amounts, not the entries pages show with them
    assert cb.reconcile() == []


def test_a_payment_reads_no_row_it_already_holds(user_client, api_token):
    """The receipt finds whom the entry concerns from its legs as loaded (with their accounts) and its box in the
    session; the cash balance is read only when a payout is owed; the access log line names the API caller
    without loading them again after the commit."""
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)
    box, people = running_box(c.user, 10)
    # A payer who did not win the random draw: the winner's payout paid their arrears, so 95 would be more
    # than they still owe for the round (422 whenever share 1 was drawn).
    winner = db.session.scalar(select(Holding.membership_id).join(Period, Period.winner_share_id == Holding.share_id))
    member = next(p.id for p in people if p.id != winner)
    # the first payment brings in what the drawn winner is still owed, and hands it over
    assert c.post(f"/api/v1/cashboxes/{box.id}/payments", json={"membership_id": member, "amount": "95"},
                  headers=headers).status_code == 201
    assert cb.payouts_owed(box.id) == []
    with count_queries() as seen:
        _pay(c, headers, box, member)
    selects = [" ".join(q.split()) for q in seen if q.startswith("SELECT")]
    assert sum("FROM ledger_posting" in q for q in selects) == 1
    assert not any("FROM box WHERE box.id IN" in q for q in selects)
    # the cash and the member's account, which the entry posts to
    assert sum("FROM ledger_account WHERE ledger_account.box_id = " in q for q in selects) == 2
    # once after the write's first commit (its rule reads the caller), not again for the log line
    assert sum("FROM user WHERE user.id = " in q for q in selects) == 1
