"""The ROSCA pages and the API grid run as many queries for 12 members as for 240: they read the
member summaries and one page of members, never every member's payments."""
from datetime import timedelta

import pytest
from sqlalchemy import insert

from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import Seat, SeatHolding
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from tests.cashbox.test_queries import count_queries
from tests.conftest import login
from tests.rosca.helpers import make_rosca, utc_today


def running_rosca(manager, members: int):
    """12 seats shared by `members` members (inserted directly), started, one period paid out."""
    box = make_rosca(manager, seats=12, contribution="10", first_due=utc_today() - timedelta(days=1))
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Member {i:04d}", role="member")
                                            for i in range(members)])
    people = db.session.query(Membership).filter_by(box_id=box.id, role="member").order_by(Membership.id).all()
    seats = [s.id for s in db.session.query(Seat).filter_by(box_id=box.id).order_by(Seat.number)]
    per_seat = members // 12
    db.session.execute(insert(SeatHolding), [
        dict(seat_id=seats[i // per_seat], membership_id=m.id, numerator=1, denominator=per_seat, position=i % per_seat)
        for i, m in enumerate(people)])
    db.session.commit()
    db.session.expire_all()
    rs.start(manager, box.id)
    for m in people[:5]:
        rs.record_payment(manager, box.id, m.id, "0.5")
    return box


@pytest.mark.parametrize("page", ["", "/periods", "/seats", "/market", "/pricing"])
def test_page_queries_flat_in_members(app, make_user, page):
    counts = []
    for n, members in enumerate((12, 240)):
        user = make_user(f"m{n}@example.com", "Manager")
        box = running_rosca(user, members)
        client = login(app.test_client(), f"m{n}@example.com")
        client.get(f"/rosca/{box.id}{page}")  # the day's summaries already kept: warm
        with count_queries() as seen:
            assert client.get(f"/rosca/{box.id}{page}").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_api_grid_queries_flat_in_members(app, make_user, api_token):
    counts = []
    for n, members in enumerate((12, 240)):
        user = make_user(f"a{n}@example.com", "Manager")
        box = running_rosca(user, members)
        headers = api_token(user)
        client = app.test_client()
        with count_queries() as seen:
            r = client.get(f"/api/v1/roscas/{box.id}/grid", headers=headers)
            assert r.status_code == 200 and len(r.json["members"]) == min(members, 25)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
