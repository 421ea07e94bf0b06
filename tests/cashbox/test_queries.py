"""Pages and API calls run the same number of queries for 10 members as for 200: they read the
member summaries and one page of members, never the whole round."""
from contextlib import contextmanager

from sqlalchemy import event, insert

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Holding, Share
from hamyan.boxes.models import Membership
from hamyan.extensions import db
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


def running_box(manager, size):
    """A started round of `size` shares and members, every other share split in halves. Members
    and holdings are inserted directly; the round is started, paid and drawn by the services."""
    box = make_box(manager, shares=size, contribution="10", draw_mode="random")
    r = first_round(box)
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Member {i:03d}", role="member")
                                            for i in range(size)])
    members = db.session.query(Membership).filter_by(box_id=box.id, role="member").order_by(Membership.id).all()
    shares = {s.number: s.id for s in db.session.query(Share).filter_by(round_id=r.id)}
    rows = []
    for number, m in enumerate(members, 1):
        if number % 2:
            rows.append(dict(share_id=shares[number], membership_id=m.id, numerator=1, denominator=1, position=0))
        else:
            rows += [dict(share_id=shares[number], membership_id=m.id, numerator=1, denominator=2, position=0),
                     dict(share_id=shares[number], membership_id=members[number - 2].id, numerator=1, denominator=2,
                          position=1)]
    db.session.execute(insert(Holding), rows)
    db.session.commit()
    db.session.expire_all()
    cb.start_round(manager, box.id, r.id)
    for m in members[:10]:
        cb.record_payment(manager, box.id, m.id, "5")
    cb.draw(manager, box.id, override_reason="test")
    return box, members


def _queries(client, headers, box, members):
    member = members[3].id
    urls = [("page", f"/cashbox/{box.id}"), ("page", f"/cashbox/{box.id}?q=Member+00"),
            ("page", f"/cashbox/{box.id}/members/{member}"), ("page", f"/cashbox/{box.id}/payments"),
            ("api", "/api/v1/cashboxes"), ("api", f"/api/v1/cashboxes/{box.id}/members/{member}"),
            ("api", f"/api/v1/cashboxes/{box.id}/grid?per_page=5")]
    for kind, url in urls:  # warm-up: the first request loads the user and caches
        client.get(url, headers=headers if kind == "api" else None)
    counts = []
    for kind, url in urls:
        db.session.expire_all()
        with count_queries() as seen:
            response = client.get(url, headers=headers if kind == "api" else None)
        assert response.status_code == 200, url
        counts.append(len(seen))
    return counts


def test_queries_do_not_grow_with_members(user_client, api_token):
    c = user_client("manager@example.com", "Manager")
    headers = api_token(c.user)
    small = _queries(c, headers, *running_box(c.user, 10))
    large = _queries(c, headers, *running_box(c.user, 200))
    print(f"queries (dashboard, search, member, payments, API list, API member, API grid): "
          f"10 members {small}, 200 members {large}")
    assert small == large
