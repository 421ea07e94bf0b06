"""Fixing mistakes over the JSON API (/api/v1/boxes): the same services, rules and reasons as the
pages; another box answers 404, a member 403, bad input 422 on its field."""
import pytest
from sqlalchemy import select

from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from tests.test_api import assert_error


@pytest.fixture
def api(client, make_user, api_token):
    manager, member, outsider = (make_user(f"{n}@example.com", n.title()) for n in ("manager", "member", "outsider"))
    box = boxes.create_box(manager, "moneypool", "صندوق خانواده", "IRR")
    target = boxes.add_member(manager, box.id, "رضا احمدی", "member@example.com")
    theirs = boxes.create_box(outsider, "cashbox", "Their box", "IRR")
    db.session.commit()

    def call(method, path, who=manager, **kwargs):
        return client.open(f"/api/v1/boxes/{path}", method=method, headers=api_token(who), **kwargs)

    call.box, call.target, call.theirs, call.member, call.outsider = box, target, theirs, member, outsider
    return call


def test_rename_archive_restore_and_read_the_box(api):
    box = api.box
    r = api("PATCH", f"{box.id}", json={"name": "  صندوق تازه  "})
    assert r.status_code == 200 and r.json["name"] == "صندوق تازه" and r.json["locale"] == box.locale
    assert api("PATCH", f"{box.id}", json={"locale": "fa_IR"}).json == {**r.json, "locale": "fa_IR"}
    archived = api("POST", f"{box.id}/archive")
    assert archived.status_code == 200 and archived.json["archived_at"].endswith("+00:00")
    assert api("POST", f"{box.id}/archive").status_code == 200  # a retry changes nothing
    assert_error(api("PATCH", f"{box.id}", json={"name": "Again"}), 409, "box_archived")
    assert api("POST", f"{box.id}/restore").json["archived_at"] is None
    assert api("GET", f"{box.id}", who=api.member).json["name"] == "صندوق تازه"  # members read it


def test_box_errors_every_field_at_once_and_scoped(api):
    box = api.box
    error = assert_error(api("PATCH", f"{box.id}", json={"name": " ", "locale": "xx_nonsense"}), 422,
                         "validation_error", ["name", "locale"])
    assert error["fields"]["name"]
    assert_error(api("PATCH", f"{box.id}", json={"name": "x" * 121}), 422, "validation_error", ["name"])
    assert_error(api("PATCH", f"{box.id}", json={"name": 7}), 422, "validation_error", ["name"])
    assert_error(api("PATCH", f"{box.id}", json={"name": "Mine"}, who=api.member), 403, "forbidden")
    for method, path in (("PATCH", ""), ("POST", "/archive"), ("POST", "/restore"), ("DELETE", ""), ("GET", "")):
        assert_error(api(method, f"{api.theirs.id}{path}", json={"name": "Mine"} if method == "PATCH" else None), 404,
                     "not_found")
    assert db.session.get(Box, api.theirs.id).name == "Their box"


def test_delete_only_an_empty_box(api, app):
    from hamyan.core import uow
    from hamyan.ledger import service as ledger

    assert_error(api("DELETE", f"{api.box.id}", who=api.member), 403, "forbidden")
    box = api.box
    with uow.box_transaction(box.id):
        cash = ledger.open_account(box.id, "cash", "Cash", "IRR", type="asset", subject=("box", None), purpose="cash")
        income = ledger.open_account(box.id, "income", "Income", "IRR", type="income", subject=("box", None),
                                     purpose="income")
        ledger.post("test", [(cash, 100), (income, -100)], idempotency_key="k1", box_id=box.id)
    error = assert_error(api("DELETE", f"{box.id}"), 409, "conflict")
    assert "Archive it instead" in error["message"]
    mine = boxes.create_box(api.outsider, "aptbox", "Empty", "IRR", manager_role="board")
    db.session.commit()
    assert api("DELETE", f"{mine.id}", who=api.outsider).status_code == 204
    db.session.expire_all()
    assert db.session.get(Box, mine.id) is None
    assert_error(api("DELETE", f"{mine.id}", who=api.outsider), 404, "not_found")


def test_edit_a_member_name_email_and_role(api):
    box, target = api.box, api.target
    r = api("PATCH", f"{box.id}/members/{target.id}", json={"display_name": "رضا احمدی‌نژاد", "role": "manager"})
    assert r.status_code == 200, r.json
    assert r.json == {"id": target.id, "display_name": "رضا احمدی‌نژاد", "email": "member@example.com",
                      "role": "manager", "has_account": True, "left_at": None}
    error = assert_error(api("PATCH", f"{box.id}/members/{target.id}", json={"display_name": "Manager"}), 409,
                         "same_name", ["display_name"])
    assert "another person" in error["message"]
    r = api("PATCH", f"{box.id}/members/{target.id}", json={"display_name": "manager", "same_name_ok": True})
    assert r.json["display_name"] == "manager"


def test_member_edit_refusals_name_their_field(api):
    box, target = api.box, api.target
    me = db.session.scalar(select(Membership).filter_by(box_id=box.id, role="manager"))
    assert_error(api("PATCH", f"{box.id}/members/{me.id}", json={"role": "member"}), 422, "validation_error", ["role"])
    assert_error(api("PATCH", f"{box.id}/members/{target.id}", json={"display_name": "", "role": "boss"}), 422,
                 "validation_error", ["display_name", "role"])
    assert_error(api("PATCH", f"{box.id}/members/{target.id}", json={"email": "new@example.com"}), 422,
                 "validation_error", ["email"])  # they sign in with their own account
    plain = boxes.add_member(me.user, box.id, "Sara", None)
    db.session.commit()
    assert_error(api("PATCH", f"{box.id}/members/{plain.id}", json={"email": "not an email"}), 422,
                 "validation_error", ["email"])
    assert api("PATCH", f"{box.id}/members/{plain.id}", json={"email": "sara@example.com"}).json["email"] == \
        "sara@example.com"
    assert_error(api("PATCH", f"{box.id}/members/{target.id}", json={"role": "member"}, who=api.member), 403,
                 "forbidden")
    assert_error(api("PATCH", f"{box.id}/members/999999", json={"role": "member"}), 404, "not_found")
    other = db.session.scalar(select(Membership).filter_by(box_id=api.theirs.id))
    assert_error(api("PATCH", f"{box.id}/members/{other.id}", json={"role": "member"}), 404, "not_found")
    assert_error(api("PATCH", f"{api.theirs.id}/members/{other.id}", json={"role": "member"}), 404, "not_found")


def test_remove_a_member_and_bring_them_back(api):
    box, target = api.box, api.target
    assert_error(api("DELETE", f"{box.id}/members/{target.id}", who=api.member), 403, "forbidden")
    r = api("DELETE", f"{box.id}/members/{target.id}")
    assert r.status_code == 200 and r.json["left_at"]
    assert api("DELETE", f"{box.id}/members/{target.id}").status_code == 200  # a retry
    assert_error(api("PATCH", f"{box.id}/members/{target.id}", json={"role": "member"}), 404, "not_found")
    boxes.add_member(_manager(box).user, box.id,
                     "رضا احمدی", None)
    db.session.commit()
    assert_error(api("POST", f"{box.id}/members/{target.id}/rejoin", json={}), 409, "same_name", ["display_name"])
    r = api("POST", f"{box.id}/members/{target.id}/rejoin", json={"same_name_ok": True})
    assert r.status_code == 200 and r.json["left_at"] is None
    me = _manager(box)
    error = assert_error(api("DELETE", f"{box.id}/members/{me.id}"), 409, "conflict")
    assert "only manager" in error["message"]
    other = db.session.scalar(select(Membership).filter_by(box_id=api.theirs.id))
    assert_error(api("DELETE", f"{box.id}/members/{other.id}"), 404, "not_found")


def _manager(box):
    return db.session.scalar(select(Membership).filter_by(box_id=box.id, role="manager"))


def test_a_member_holding_a_share_is_told_why_they_cannot_be_removed(client, make_user, api_token):
    from tests.cashbox.helpers import fill_shares, make_box

    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=3, contribution="100")
    members = fill_shares(manager, box, ["A", "B", "C"])
    db.session.commit()
    r = client.delete(f"/api/v1/boxes/{box.id}/members/{members[1].id}", headers=api_token(manager))
    error = assert_error(r, 409, "conflict")
    assert "hold share 2 of the draft round 1" in error["message"]


def test_the_openapi_document_describes_the_box_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/boxes/{box_id}"]) >= {"get", "patch", "delete"}
    assert "post" in paths["/api/v1/boxes/{box_id}/archive"] and "post" in paths["/api/v1/boxes/{box_id}/restore"]
    member = paths["/api/v1/boxes/{box_id}/members/{membership_id}"]
    assert set(member) >= {"patch", "delete"}
    assert {"200", "422", "default"} <= set(member["patch"]["responses"])


@pytest.mark.parametrize("kind", ["cashbox", "rosca", "moneypool"])
def test_adding_a_member_by_a_name_another_has_needs_same_name_ok(kind, client, make_user, api_token):
    """Every product's member-add route warns of a name another member has (409 same_name, nothing
    written) and adds the second person when the client says it is another person of that name."""
    from datetime import date

    from hamyan.blueprints.moneypool import services as pool
    from tests.cashbox.helpers import make_box
    from tests.rosca.helpers import make_rosca

    manager = make_user("manager@example.com", "Manager")
    box, path, extra = {"cashbox": lambda: (make_box(manager), "cashboxes", {}),
                        "rosca": lambda: (make_rosca(manager), "roscas", {}),
                        "moneypool": lambda: (pool.create_pool(manager, "Neighbours", "USD", "1000", date(2025, 1, 5),
                                                               my_shares=0), "pools", {"shares": 1})}[kind]()
    db.session.commit()
    url, h = f"/api/v1/{path}/{box.id}/members", api_token(manager)
    assert client.post(url, json={"display_name": "علی رضایی", **extra}, headers=h).status_code == 201
    count = db.session.scalar(select(db.func.count(Membership.id)).filter_by(box_id=box.id))
    assert_error(client.post(url, json={"display_name": " علی رضایی ", **extra}, headers=h), 409, "same_name",
                 ["display_name"])
    assert_error(client.post(url, json={"display_name": "علی رضایی", "same_name_ok": "perhaps", **extra}, headers=h),
                 422, "validation_error", ["same_name_ok"])
    assert db.session.scalar(select(db.func.count(Membership.id)).filter_by(box_id=box.id)) == count
    r = client.post(url, json={"display_name": "علی رضایی", "same_name_ok": True, **extra}, headers=h)
    assert r.status_code == 201, r.json
    assert db.session.scalar(select(db.func.count(Membership.id)).filter_by(box_id=box.id)) == count + 1
    schema = client.get("/api/v1/openapi.json").json
    body = schema["paths"][f"/api/v1/{path}/{{box_id}}/members"]["post"]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][ref]["properties"]["same_name_ok"]["type"] == "boolean"
