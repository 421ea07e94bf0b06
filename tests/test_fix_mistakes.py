"""Fixing mistakes, the same for every product: rename/archive/restore/delete a box, edit, remove and
bring back a member, the shared confirm step, refusals shown inside the box."""
import pytest
from sqlalchemy import func, select

from hamyan.audit.models import AuditEvent
from hamyan.blueprints import PRODUCTS
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core.errors import BoxArchived, Conflict, ValidationError
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from tests.conftest import login


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(app, make_user):
    manager = make_user("manager@example.com", "Manager")
    member = make_user("member@example.com", "Member")
    outsider = make_user("outsider@example.com", "Outsider")
    clients = {u.name.lower(): login(app.test_client(), u.email) for u in (manager, member, outsider)}
    return manager, member, outsider, clients


def _box(manager, kind="cashbox", name="صندوق خانواده"):
    roles = next(p.roles for p in PRODUCTS if p.kind == kind)
    box = boxes.create_box(manager, kind, name, "IRR", manager_role=roles[0])
    boxes.add_member(manager, box.id, "Member", "member@example.com", roles[-1])
    db.session.commit()
    return box


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- the box

@pytest.mark.parametrize("kind", [p.kind for p in PRODUCTS])
def test_rename_archive_restore_delete_for_every_product(people, kind):
    manager, member, outsider, clients = people
    box = _box(manager, kind)
    boxes.update_box(manager, box.id, "  صندوق تازه  ", "fa_IR")
    assert (box.name, box.locale) == ("صندوق تازه", "fa_IR")
    boxes.archive(manager, box.id)
    boxes.archive(manager, box.id)  # a double click: still archived, no error
    assert box.archived_at is not None
    with pytest.raises(BoxArchived):
        boxes.update_box(manager, box.id, "Again", "en")
    boxes.restore(manager, box.id)
    assert box.archived_at is None
    assert boxes.delete_box(manager, box.id) == "صندوق تازه"
    db.session.expire_all()
    assert db.session.get(Box, box.id) is None and _count(Membership, Membership.box_id == box.id) == 0
    # every write left its audit row; the box's ones stay, no longer tied to it
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-4:] == ["boxes.services.update_box", "boxes.services.archive", "boxes.services.restore",
                            "boxes.services.delete_box"]
    assert _count(AuditEvent, AuditEvent.box_id == box.id) == 0


def test_update_box_shows_every_error_at_once(people):
    manager, *_ = people
    box = _box(manager)
    with pytest.raises(ValidationError) as caught:
        boxes.update_box(manager, box.id, "", "xx_nonsense_locale")
    assert set(caught.value.fields) == {"name", "locale"}
    with pytest.raises(ValidationError) as caught:
        boxes.update_box(manager, box.id, "x" * 121, "en")
    assert set(caught.value.fields) == {"name"}
    assert db.session.get(Box, box.id).name == "صندوق خانواده"


def test_a_box_with_ledger_entries_cannot_be_deleted(people):
    from hamyan.core import uow

    manager, *_ = people
    box = _box(manager)
    with uow.box_transaction(box.id):
        cash = ledger.open_account(box.id, "cash", "Cash", "IRR", type="asset", subject=("box", None), purpose="cash")
        income = ledger.open_account(box.id, "income", "Income", "IRR", type="income", subject=("box", None),
                                     purpose="income")
        ledger.post("test", [(cash, 100), (income, -100)], idempotency_key="k1", box_id=box.id)
    with pytest.raises(Conflict, match="Archive it instead"):
        boxes.delete_box(manager, box.id)
    assert db.session.get(Box, box.id) is not None


def test_archived_box_refuses_writes_and_jobs_pass_it_over(people):
    from hamyan.scheduling import for_each_box

    manager, *_ = people
    box = _box(manager)
    boxes.archive(manager, box.id)
    with pytest.raises(BoxArchived, match="read-only"):
        boxes.edit_member(manager, box.id, boxes_member(box).id, "Member 2", None, "member")
    assert for_each_box([box.id], lambda box_id: 1) == []


def boxes_member(box, name="Member") -> Membership:
    return db.session.scalar(select(Membership).filter_by(box_id=box.id, display_name=name))


def test_box_settings_pages(people):
    manager, member, outsider, clients = people
    box = _box(manager)
    m, url = clients["manager"], f"/boxes/{box.id}/settings"
    assert "Box settings" in text(m.get(url))
    assert clients["outsider"].get(url).status_code == 404
    assert clients["member"].get(url).status_code == 403
    assert clients["outsider"].post(f"/boxes/{box.id}/archive").status_code == 404
    r = m.post(url, data={"name": "", "locale": "zz-not"})
    page = text(r)
    assert r.status_code == 200 and "A name is required" in page and "Unknown locale" in page
    r = m.post(url, data={"name": "خانواده 🙂", "locale": "fa_IR"})
    assert r.status_code == 302 and db.session.get(Box, box.id).name == "خانواده 🙂"
    # archive: hidden from the dashboard (listed apart), read-only banner, refusals inside the box
    assert m.post(f"/boxes/{box.id}/archive").status_code == 302
    assert m.post(f"/boxes/{box.id}/archive").status_code == 302  # double submit
    home = text(m.get("/"))
    assert "Archived boxes (1)" in home
    page = text(m.get(f"/boxes/{box.id}/members"))
    assert "archived-banner" in page
    r = m.post(f"/boxes/{box.id}/members/add", data={"add-display_name": "Someone", "add-role": "member"})
    assert "read-only" in text(r) and _count(Membership, Membership.box_id == box.id) == 2  # on the form
    r = m.post(f"/boxes/{box.id}/members/{boxes_member(box).id}/remove", data={"confirmed": "1"},
               headers={"Referer": f"http://localhost/boxes/{box.id}/members"})
    page = text(r)
    assert r.status_code == 409 and "read-only" in page and "box-nav" in page and "Back to my boxes" not in page
    assert f'href="http://localhost/boxes/{box.id}/members"' in page
    assert m.post(f"/boxes/{box.id}/restore").status_code == 302
    assert "Archived boxes" not in text(m.get("/"))


def test_delete_asks_first_then_deletes(people):
    manager, member, outsider, clients = people
    box = _box(manager)
    m = clients["manager"]
    r = m.post(f"/boxes/{box.id}/delete")
    assert r.status_code == 200 and "Yes, delete the box" in text(r) and 'name="confirmed"' in text(r)
    assert db.session.get(Box, box.id) is not None
    r = m.post(f"/boxes/{box.id}/delete", headers={"HX-Request": "true", "HX-Target": "confirm-dialog"})
    assert "confirm-step" in text(r) and "<html" not in text(r)  # the dialog's content only
    assert m.post(f"/boxes/{box.id}/delete", data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Box, box.id) is None
    assert m.post(f"/boxes/{box.id}/delete", data={"confirmed": "1"}).status_code == 404


# ---------------------------------------------------------------- members

def test_edit_member_name_email_role(people):
    manager, member, outsider, clients = people
    box = _box(manager)
    added = boxes.add_member(manager, box.id, "Reza", None)
    db.session.commit()
    boxes.edit_member(manager, box.id, added.id, "رضا رضایی", "reza@example.com", "manager")
    assert (added.display_name, added.email, added.role) == ("رضا رضایی", "reza@example.com", "manager")
    with pytest.raises(ValidationError) as caught:
        boxes.edit_member(manager, box.id, added.id, "", "not-an-email", "king")
    assert set(caught.value.fields) == {"display_name", "email", "role"}
    with pytest.raises(boxes.SameName):
        boxes.edit_member(manager, box.id, added.id, " member ", None, "member")
    boxes.edit_member(manager, box.id, added.id, "Member", None, "member", same_name_ok=True)
    assert added.display_name == "Member"


def test_the_last_manager_keeps_the_role(people):
    manager, *_ = people
    box = _box(manager)
    own = boxes_member(box, "Manager")
    with pytest.raises(ValidationError, match="needs a manager"):
        boxes.edit_member(manager, box.id, own.id, "Manager", None, "member")
    assert "only manager" in "; ".join(boxes.why_not_remove(box, own))


def test_remove_and_bring_back(people):
    manager, member, outsider, clients = people
    box = _box(manager)
    target = boxes_member(box)
    boxes.remove_member(manager, box.id, target.id)
    boxes.remove_member(manager, box.id, target.id)  # double submit
    assert target.left_at is not None
    assert clients["member"].get(f"/boxes/{box.id}/members").status_code == 404  # no longer in the box
    boxes.rejoin(manager, box.id, target.id)
    assert target.left_at is None
    assert clients["member"].get(f"/boxes/{box.id}/members").status_code == 200


def test_a_member_holding_a_share_cannot_be_removed(people):
    from hamyan.blueprints.cashbox import services as cb
    from tests.cashbox.helpers import fill_shares, first_round, make_box

    manager, *_ = people
    box = make_box(manager, shares=3, contribution="100")
    members = fill_shares(manager, box, ["A", "B", "C"])
    with pytest.raises(Conflict, match="hold share 2 of the draft round 1"):
        boxes.remove_member(manager, box.id, members[1].id)
    cb.start_round(manager, box.id, first_round(box).id)
    with pytest.raises(Conflict, match="B cannot be removed yet: they hold share 2 of the running round 1"):
        boxes.remove_member(manager, box.id, members[1].id)
    assert members[1].left_at is None


def test_member_pages(people):
    manager, member, outsider, clients = people
    box = _box(manager)
    target = boxes_member(box)
    m = clients["manager"]
    url = f"/boxes/{box.id}/members/{target.id}/edit"
    assert clients["outsider"].get(url).status_code == 404
    assert clients["member"].get(url).status_code == 403
    page = text(m.get(url))
    assert "Remove <bdi>Member</bdi>" in page
    r = m.post(url, data={"edit-display_name": "", "edit-role": "boss", "edit-email": "member@example.com"})
    page = text(r)
    assert r.status_code == 200 and "This field is required" in page and "Not a valid choice" in page
    r = m.post(url, data={"edit-display_name": "Manager", "edit-role": "member", "edit-email": "member@example.com"})
    assert "another person of that name" in text(r)  # the warning and its tick box
    r = m.post(url, data={"edit-display_name": "Manager", "edit-role": "member", "edit-email": "member@example.com",
                          "edit-same_name": "y"})
    assert r.status_code == 302 and target.display_name == "Manager"
    r = m.post(url, data={"edit-display_name": "م" * 121, "edit-role": "member", "edit-email": ""})
    assert "at most 120" in text(r) or "longer than 120" in text(r)
    # remove: a confirm step first, then gone; brought back from the list
    r = m.post(f"/boxes/{box.id}/members/{target.id}/remove")
    assert "Yes, remove them" in text(r) and target.left_at is None
    assert m.post(f"/boxes/{box.id}/members/{target.id}/remove", data={"confirmed": "1"}).status_code == 302
    db.session.refresh(target)
    assert target.left_at is not None
    page = text(m.get(f"/boxes/{box.id}/members?status=left"))
    assert "Removed " in page and "Bring back Manager" in page  # the member renamed above
    assert m.post(f"/boxes/{box.id}/members/{target.id}/rejoin").status_code == 200  # same name as the manager: asks
    assert m.post(f"/boxes/{box.id}/members/{target.id}/rejoin", data={"confirmed": "1"}).status_code == 302
    db.session.refresh(target)
    assert target.left_at is None


def test_add_with_a_taken_name_asks_to_confirm(people):
    manager, member, outsider, clients = people
    box = _box(manager)
    m = clients["manager"]
    r = m.post(f"/boxes/{box.id}/members/add", data={"add-display_name": "member", "add-role": "member"})
    assert "already a member" in text(r) and "another person of that name" in text(r)
    assert _count(Membership, Membership.box_id == box.id) == 2
    r = m.post(f"/boxes/{box.id}/members/add", data={"add-display_name": "member", "add-role": "member",
                                                     "add-same_name": "y"})
    assert r.status_code == 302 and _count(Membership, Membership.box_id == box.id) == 3


def test_a_dry_run_writes_nothing_and_tells_the_refusal(people):
    from hamyan.core import uow

    manager, *_ = people
    box = _box(manager)
    audits = _count(AuditEvent)
    result, error = uow.dry_run(boxes.update_box, manager, box.id, "Renamed", "fa_IR")
    assert error is None and result is not None
    db.session.expire_all()
    assert db.session.get(Box, box.id).name == "صندوق خانواده" and _count(AuditEvent) == audits
    result, error = uow.dry_run(boxes.update_box, manager, box.id, "", "en")
    assert result is None and "name" in error.fields
    boxes.update_box(manager, box.id, "Renamed", "en")  # the session works on as usual
    assert db.session.get(Box, box.id).name == "Renamed"


def test_forms_show_every_error_at_once(people):
    from tests.cashbox.helpers import make_box

    manager, member, outsider, clients = people
    box = make_box(manager)
    db.session.commit()
    page = text(clients["manager"].get(f"/cashbox/{box.id}/statement.pdf?start=&end="))
    assert page.count('class="invalid-feedback"') >= 2  # from and to, both at once
    r = clients["manager"].post(f"/boxes/{box.id}/reports/manager", data={"start": "", "end": ""})
    assert r.status_code == 422 and "box-nav" in text(r)
    assert text(r).count("Enter a date.") == 2
