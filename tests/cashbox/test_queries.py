"""The box dashboard runs the same number of queries for 10 members as for 200."""
from contextlib import contextmanager

from sqlalchemy import event

from hamyan.blueprints.cashbox import services as cb
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


def _running_box(manager, size):
    box = make_box(manager, shares=size, contribution="10", draw_mode="random")
    r = first_round(box)
    members = [cb.add_member(manager, box.id, f"Member {i:03d}") for i in range(size)]
    for number, m in enumerate(members, 1):
        # Every other share is split, so sub-shares are part of the picture.
        holders = [(m.id, "1")] if number % 2 else [(m.id, "1/2"), (members[number - 2].id, "1/2")]
        cb.set_holders(manager, box.id, r.id, number, holders)
    cb.start_round(manager, box.id, r.id)
    for m in members[:10]:
        cb.record_payment(manager, box.id, m.id, "5")
    cb.draw(manager, box.id, override_reason="test")
    return box


def _dashboard_queries(client, box):
    for url in (f"/cashbox/{box.id}", f"/cashbox/{box.id}/me", f"/cashbox/{box.id}/payments"):
        client.get(url)  # warm-up: the first request loads the user and caches
    counts = []
    for url in (f"/cashbox/{box.id}", f"/cashbox/{box.id}?page=2", f"/cashbox/{box.id}/payments"):
        db.session.expire_all()
        with count_queries() as seen:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(seen))
    return counts


def test_dashboard_queries_do_not_grow_with_members(user_client):
    c = user_client("manager@example.com", "Manager")
    small = _dashboard_queries(c, _running_box(c.user, 10))
    large = _dashboard_queries(c, _running_box(c.user, 200))
    print(f"queries per page (dashboard, grid page, payments): 10 members {small}, 200 members {large}")
    assert small == large
