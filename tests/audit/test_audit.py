"""Request ids, the access log and the audit log of every write."""
import json
import logging

import pytest

from hamyan.audit.models import AuditEvent
from hamyan.blueprints.cashbox import services as cb
from hamyan.boxes.access import SYSTEM
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from tests.cashbox.helpers import fill_shares, first_round, make_box


def running_box(manager, names=("Ann",)):
    box = make_box(manager, shares=len(names))
    members = fill_shares(manager, box, list(names))
    cb.start_round(manager, box.id, first_round(box).id)
    return box, members


def test_request_id_taken_when_sane_else_generated_and_echoed(client, caplog):
    caplog.set_level(logging.INFO, logger="hamyan.access")
    sane = client.get("/login", headers={"X-Request-ID": "proxy-42.a:b"})
    assert sane.headers["X-Request-ID"] == "proxy-42.a:b"
    forged = client.get("/login", headers={"X-Request-ID": 'x" status=200'})
    assert forged.headers["X-Request-ID"] != 'x" status=200' and len(forged.headers["X-Request-ID"]) == 16
    plain = client.get("/login")
    assert plain.headers["X-Request-ID"] not in (sane.headers["X-Request-ID"], forged.headers["X-Request-ID"])
    lines = [r for r in caplog.records if r.name == "hamyan.access"]
    assert [r.request_id for r in lines] == [sane.headers["X-Request-ID"], forged.headers["X-Request-ID"],
                                             plain.headers["X-Request-ID"]]
    access = json.loads(lines[0].getMessage())
    assert access["request_id"] == "proxy-42.a:b" and access["status"] == 200 and access["method"] == "GET"
    assert access["path"] == "/login" and access["ms"] >= 0 and "agent" in access


def test_signed_in_access_line_names_the_user_never_the_session_key(user_client, caplog):
    c = user_client("who@example.com")
    caplog.set_level(logging.INFO, logger="hamyan.access")
    c.get("/")
    line = json.loads([r for r in caplog.records if r.name == "hamyan.access"][-1].getMessage())
    assert line["user"] == c.user.id


def test_box_write_leaves_one_audit_row_with_who_where_and_what(user_client):
    manager = user_client("boss@example.com")
    box, (member,) = running_box(manager.user)
    before = db.session.query(AuditEvent).count()
    response = manager.post(f"/cashbox/{box.id}/payments", data={"membership_id": member.id, "amount": "100",
                                                                     "method": "cash", "request_id": "r1"},
                            headers={"User-Agent": "Phone/1.0", "X-Request-ID": "req-1"})
    assert response.status_code == 302, [l for l in response.get_data(as_text=True).splitlines() if "invalid" in l or "alert" in l]
    events = db.session.query(AuditEvent).order_by(AuditEvent.id).all()[before:]
    assert len(events) == 1
    event = events[0]
    assert (event.box_id, event.user_id, event.actor_kind) == (box.id, manager.user.id, "user")
    assert event.action == "cashbox.services.payments.record_payment"
    assert (event.request_id, event.device, event.ip) == ("req-1", "Phone/1.0", "127.0.0.1")
    changes = json.loads(event.changes)
    tables = {(c["table"], c["op"]) for c in changes}
    assert ("ledger_entry", "insert") in tables and ("cashbox_payment", "insert") in tables
    entry = next(c for c in changes if c["table"] == "ledger_entry")
    assert entry["fields"]["code"] == "contribution"


def test_refused_write_leaves_no_audit_row(user_client):
    manager = user_client("boss@example.com")
    box, (member,) = running_box(manager.user)
    before = db.session.query(AuditEvent).count()
    with pytest.raises(ValidationError):
        cb.record_payment(manager.user, box.id, member.id, "1000000")
    assert db.session.query(AuditEvent).count() == before


def test_system_and_secrets(make_user):
    user = make_user("secret@example.com")
    signup = db.session.query(AuditEvent).filter(AuditEvent.changes.like('%"table": "user"%')).one()
    assert signup.actor_kind == "anonymous" and str(user.id) in signup.changes
    assert "password" not in signup.changes and user.password_hash not in signup.changes
    box, (member,) = running_box(user)
    cb.record_payment(SYSTEM, box.id, member.id, "100")
    last = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert (last.actor_kind, last.user_id, last.box_id) == ("system", None, box.id)


def test_activity_pages_managers_for_their_box_admins_for_all(user_client):
    manager = user_client("boss@example.com")
    box = make_box(manager.user, shares=1)
    member_user = user_client("ann@example.com")
    fill_shares(manager.user, box, ["Ann"])
    other = make_box(user_client("other@example.com").user, shares=1)
    page = manager.get(f"/boxes/{box.id}/activity")
    assert page.status_code == 200 and "create_cashbox" in page.get_data(as_text=True)
    assert f'href="/boxes/{box.id}/activity"' in manager.get(f"/boxes/{box.id}/members").get_data(as_text=True)
    assert manager.get(f"/boxes/{other.id}/activity").status_code == 404
    assert member_user.get(f"/boxes/{box.id}/activity").status_code == 404  # not a member of it
    assert manager.get("/admin/activity").status_code == 404
    admin = user_client("admin@example.com", is_admin=True)
    everything = admin.get("/admin/activity").get_data(as_text=True)
    assert f"· box {box.id}</div>" in everything and f"· box {other.id}</div>" in everything
    only = admin.get(f"/admin/activity?box={other.id}").get_data(as_text=True)
    assert f"· box {other.id}</div>" in only and f"· box {box.id}</div>" not in only
