"""Who may do what: members cannot act as managers (403); other boxes answer 404, pages and API."""
import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment
from hamyan.boxes import services as boxes
from hamyan.core.errors import Forbidden
from hamyan.extensions import db
from tests.cashbox.helpers import fill_shares, first_round, make_box


@pytest.fixture
def setup(user_client, api_token):
    manager = user_client("manager@example.com", "Manager")
    member = user_client("member@example.com", "Member")
    stranger = user_client("stranger@example.com", "Stranger")
    box = make_box(manager.user, shares=2)
    joined = boxes.add_member(manager.user, box.id, "Member", "member@example.com")
    other = fill_shares(manager.user, box, ["Other"])[0]
    cb.set_holders(manager.user, box.id, first_round(box).id, 2, [(joined.id, "1")])
    cb.start_round(manager.user, box.id, first_round(box).id)
    return dict(box=box, manager=manager, member=member, stranger=stranger, joined=joined, other=other,
                member_api=api_token(member.user), stranger_api=api_token(stranger.user))


def test_member_pages(setup):
    box, member = setup["box"], setup["member"]
    for url in (f"/cashbox/{box.id}", f"/cashbox/{box.id}/me", f"/cashbox/{box.id}/payments",
                f"/cashbox/{box.id}/statement.pdf?start=2026-01-01&end=2026-12-31"):
        assert member.get(url).status_code == 200, url
    page = member.get(f"/cashbox/{box.id}").get_data(as_text=True)
    assert "Record a payment" not in page and "Member" in page
    assert member.get(f"/cashbox/{box.id}/setup").status_code == 403
    for url, data in ((f"/boxes/{box.id}/reports/manager", {"start": "2026-01-01", "end": "2026-12-31"}),
                      (f"/cashbox/{box.id}/payments", {"membership_id": setup["joined"].id, "amount": "1"}),
                      (f"/cashbox/{box.id}/draw", {}), (f"/cashbox/{box.id}/fines", {}),
                      (f"/cashbox/{box.id}/setup", {"what": "start"})):
        assert member.post(url, data=data).status_code == 403, url
    # A member sees their own record, not another member's.
    assert member.get(f"/cashbox/{box.id}/members/{setup['other'].id}").status_code == 404
    assert db.session.query(Payment).count() == 0


def test_member_api(setup, client):
    box, h = setup["box"], setup["member_api"]
    base = f"/api/v1/cashboxes/{box.id}"
    assert client.get(base, headers=h).status_code == 200
    me = client.get(f"{base}/me", headers=h).get_json()
    assert me["name"] == "Member" and me["next_payment"]["amount"] == 10000  # period 1 is past due: period 2
    for url, body in ((f"{base}/payments", {"membership_id": setup["joined"].id, "amount": "1"}),
                      (f"{base}/draws", {}), (f"{base}/fines", None), (f"{base}/members", {"display_name": "X"})):
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden", url
    assert client.get(f"{base}/members/{setup['other'].id}", headers=h).status_code == 404
    assert client.post(f"/api/v1/boxes/{box.id}/reports/manager", json={"start": "2026-01-01", "end": "2026-12-31"},
                       headers=h).status_code == 403


def test_other_boxes_are_not_found(setup, client):
    box, stranger, h = setup["box"], setup["stranger"], setup["stranger_api"]
    for url in (f"/cashbox/{box.id}", f"/cashbox/{box.id}/me", f"/cashbox/{box.id}/setup", f"/cashbox/{box.id}/payments",
                f"/cashbox/{box.id}/members/{setup['joined'].id}",
                f"/cashbox/{box.id}/statement.pdf?start=2026-01-01&end=2026-12-31"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/cashbox/{box.id}/draw").status_code == 404
    for url in (f"/api/v1/cashboxes/{box.id}", f"/api/v1/cashboxes/{box.id}/draws", f"/api/v1/cashboxes/{box.id}/me"):
        assert client.get(url, headers=h).status_code == 404, url
    with pytest.raises(Forbidden):
        cb.record_payment(setup["member"].user, box.id, setup["joined"].id, "1")


def test_ids_beyond_bigint_are_not_found(setup, client):
    manager, h = setup["manager"], setup["member_api"]
    huge = "9" * 25
    for url in (f"/cashbox/{huge}", f"/cashbox/{setup['box'].id}/rounds/{huge}/setup",
                f"/cashbox/{setup['box'].id}/members/{huge}", f"/cashbox/{setup['box'].id}/payments?round={huge}"):
        assert manager.get(url).status_code == 404, url
    # the member filter is a name: one nobody has is an error on the filter, not a 404
    assert "No member here is called" in manager.get(f"/cashbox/{setup['box'].id}/payments?member={huge}").text
    assert client.get(f"/api/v1/cashboxes/{huge}", headers=h).status_code == 404
    r = client.post(f"/api/v1/cashboxes/{setup['box'].id}/payments", headers=h,
                    json={"membership_id": int(huge), "amount": "1"})
    assert r.status_code in (403, 422)


def test_other_boxes_ids_in_this_boxs_urls(setup, client, api_token):
    """A manager of two boxes passes box B's member, round and payment ids into box A's URLs."""
    manager, member, box = setup["manager"], setup["member"], setup["box"]
    other_box = make_box(manager.user, shares=1)
    stranger = fill_shares(manager.user, other_box, ["Elsewhere"])[0]
    cb.start_round(manager.user, other_box.id, first_round(other_box).id)
    payment = cb.record_payment(manager.user, other_box.id, stranger.id, "10")
    h, period = api_token(manager.user), "start=2026-01-01&end=2026-12-31"
    for url in (f"/cashbox/{box.id}/members/{stranger.id}", f"/cashbox/{box.id}/statement.pdf?{period}&membership_id={stranger.id}",
                f"/cashbox/{box.id}/rounds/{first_round(other_box).id}/setup", f"/cashbox/{box.id}?round={first_round(other_box).id}"):
        assert manager.get(url).status_code == 404, url
    base = f"/api/v1/cashboxes/{box.id}"
    for url in (f"{base}/members/{stranger.id}", f"{base}/statement?{period}&membership_id={stranger.id}",
                f"{base}/grid?round_id={first_round(other_box).id}"):
        assert client.get(url, headers=h).status_code == 404, url
    assert client.get(f"{base}/payments?membership_id={stranger.id}", headers=h).get_json()["items"] == []
    assert client.post(f"{base}/payments/{payment.id}/reverse", json={"reason": "x"}, headers=h).status_code == 404
    r = client.post(f"{base}/payments", json={"membership_id": stranger.id, "amount": "1"}, headers=h)
    assert r.status_code == 422 and "membership_id" in r.get_json()["error"]["fields"]
    # A member asking for another member's statement gets 404, not their own under another name.
    other = setup["other"].id
    assert member.get(f"/cashbox/{box.id}/statement.pdf?{period}&membership_id={other}").status_code == 404
    r = client.get(f"{base}/statement?{period}&membership_id={other}", headers=setup["member_api"])
    assert r.status_code == 404
    assert member.get(f"/cashbox/{box.id}/statement.pdf?{period}&membership_id={setup['joined'].id}").status_code == 200
    assert db.session.query(Payment).count() == 1
