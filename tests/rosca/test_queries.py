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


def running_rosca(manager, members: int, seats: int = 12):
    """`seats` seats (so periods) and `members` members (inserted directly), started, with a few
    payments: with more members than seats each seat is shared by members // seats of them, with
    fewer each member holds several whole seats."""
    box = make_rosca(manager, seats=seats, contribution="10", first_due=utc_today() - timedelta(days=1))
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Member {i:04d}", role="member")
                                            for i in range(members)])
    people = db.session.query(Membership).filter_by(box_id=box.id, role="member").order_by(Membership.id).all()
    seat_ids = [s.id for s in db.session.query(Seat).filter_by(box_id=box.id).order_by(Seat.number)]
    if members >= seats:
        per_seat = members // seats
        rows = [dict(seat_id=seat_ids[i // per_seat], membership_id=m.id, numerator=1, denominator=per_seat,
                     position=i % per_seat) for i, m in enumerate(people[:per_seat * seats])]
    else:
        rows = [dict(seat_id=seat_id, membership_id=people[i % members].id, numerator=1, denominator=1, position=0)
                for i, seat_id in enumerate(seat_ids)]
    db.session.execute(insert(SeatHolding), rows)
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


def test_the_period_grid_stays_a_page_from_ten_to_a_thousand_members_and_at_the_most_periods(app, make_user):
    """The grid pages by members (25 a page) and by periods (12): the same queries and about the same
    page at 60 members and 10 periods as at 1,000 members or 200 periods (the most seats a round
    has), its period links a handful, not one per dozen periods."""
    counts, sizes = {}, {}
    for n, (members, seats) in enumerate(((60, 10), (1000, 10), (60, 200))):
        user = make_user(f"g{n}@example.com", "Manager")
        box = running_rosca(user, members, seats)
        client = login(app.test_client(), f"g{n}@example.com")
        url = f"/rosca/{box.id}/periods?periods=9&page=2"
        client.get(url)  # the day's summaries already kept: warm
        with count_queries() as seen:
            page = client.get(url)
        assert page.status_code == 200
        counts[members, seats] = len(seen)
        sizes[members, seats] = len(page.data)
        period_links = page.data.split(b'aria-label="Period pages"')[-1].split(b"</nav>")[0]
        assert period_links.count(b'class="page-link"') <= 9, (members, seats)
    assert len(set(counts.values())) == 1, counts
    assert max(sizes.values()) < 1.5 * min(sizes.values()), sizes
