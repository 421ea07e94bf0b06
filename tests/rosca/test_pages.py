"""Every ROSCA page renders for the manager and a member, before and during the round; other
boxes answer 404; a member cannot manage."""
from hamyan.blueprints.rosca import services as rs
from tests.rosca.helpers import fill, make_rosca


def _running(user_client):
    manager = user_client("m@example.com", "Manager")
    box = make_rosca(manager.user, seats=3, contribution="100")
    members = fill(manager.user, box, ["Ali", "Sara", "Reza"])
    return manager, box, members


PAGES = ("", "/pricing", "/seats", "/periods", "/market", "/mine")


def test_pages_render_for_manager(user_client):
    manager, box, members = _running(user_client)
    for page in PAGES:
        r = manager.get(f"/rosca/{box.id}{page}")
        assert r.status_code == 200, (page, r.get_data(as_text=True)[:2000])
    rs.start(manager.user, box.id)
    rs.record_payment(manager.user, box.id, members[0].id, "100")
    for page in PAGES:
        r = manager.get(f"/rosca/{box.id}{page}")
        assert r.status_code == 200, (page, r.get_data(as_text=True)[:2000])
    assert "payout-chart" in manager.get(f"/rosca/{box.id}/pricing").get_data(as_text=True)
    quote = manager.get(f"/rosca/{box.id}/market?earlier=2&later=3").get_data(as_text=True)
    assert 'id="quote"' in quote and "Ask to trade" in quote


def test_new_box_page(user_client):
    c = user_client()
    assert c.get("/rosca/new").status_code == 200
    r = c.post("/rosca/new", data={"name": "Friends", "currency": "IRR", "timezone": "Asia/Tehran", "locale": "fa_IR",
                                   "calendar": "persian", "seat_count": "6", "contribution": "1000000",
                                   "period_kind": "monthly", "first_due": "2026-12-20", "pricing": "fair",
                                   "rate": "2", "fee": "0", "grace_days": "3"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    bad = c.post("/rosca/new", data={"name": "Bad", "currency": "IRR", "timezone": "Asia/Tehran", "locale": "fa_IR",
                                     "calendar": "persian", "seat_count": "6", "contribution": "1000000",
                                     "period_kind": "monthly", "first_due": "2026-12-20", "pricing": "fair",
                                     "rate": "75", "fee": "0"})
    assert bad.status_code == 200 and "from 0 to 50" in bad.get_data(as_text=True)


def test_other_boxes_answer_404(user_client):
    manager, box, _ = _running(user_client)
    stranger = user_client("s@example.com", "Stranger")
    for page in PAGES:
        assert stranger.get(f"/rosca/{box.id}{page}").status_code == 404
    assert stranger.post(f"/rosca/{box.id}/start").status_code == 404
    assert stranger.post(f"/rosca/{box.id}/seats/1/take").status_code == 404


def test_giving_back_a_seat_asks_first_saying_what_it_collects(user_client):
    manager = user_client("m@example.com", "Manager")
    box = make_rosca(manager.user, seats=3, contribution="100")
    rs.take_seat(manager.user, box.id, 2)
    ask = manager.post(f"/rosca/{box.id}/seats/2/leave").get_data(as_text=True)
    assert "Give back seat 2?" in ask and "the seat that collects" in ask and 'id="confirm-yes"' in ask
    r = manager.post(f"/rosca/{box.id}/seats/2/leave", data={"confirmed": "1"}, follow_redirects=True)
    assert "You gave back seat 2." in r.get_data(as_text=True)
    again = manager.post(f"/rosca/{box.id}/seats/2/leave").get_data(as_text=True)
    assert "You hold no part of seat 2." in again and 'id="confirm-yes"' not in again


def test_a_second_member_of_the_same_name_is_added_after_a_yes(user_client):
    from hamyan.boxes.models import Membership
    from hamyan.extensions import db

    manager = user_client("m@example.com", "Manager")
    box = make_rosca(manager.user, seats=3, contribution="100")
    assert manager.post(f"/rosca/{box.id}/members", data={"display_name": "علی رضایی"}).status_code == 302
    ask = manager.post(f"/rosca/{box.id}/members", data={"display_name": " علی رضایی "}).get_data(as_text=True)
    assert "علی رضایی is already a member of this box" in ask and 'id="confirm-yes"' in ask
    count = lambda: db.session.query(Membership).filter_by(box_id=box.id, display_name="علی رضایی").count()  # noqa: E731
    assert count() == 1
    r = manager.post(f"/rosca/{box.id}/members", data={"display_name": "علی رضایی", "confirmed": "1"})
    assert r.status_code == 302 and count() == 2
