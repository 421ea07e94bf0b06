"""Campaigns: a manager previews and sends a message to every member; the request writes only the
campaign, the background expansion writes the outbox in batches (resumable without duplicates),
the page shows progress and the delivery report; members get 403, strangers 404, admins message
every user from /admin/messages."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from hamyan.notify import campaigns, dispatch
from hamyan.notify.models import Campaign, OutboxMessage

T0 = datetime(2026, 3, 1, 9)


@pytest.fixture
def box(user_client, clock, monkeypatch):
    """A box with a manager (client) and `members` more members with accounts, inserted directly."""
    clock.set(T0)
    monkeypatch.setattr(campaigns, "_thread", lambda app, campaign_id: None)  # the test expands by hand
    manager = user_client("boss@example.com", "Boss")
    from hamyan.blueprints.auth.models import User

    with db.engine.begin() as conn:
        box_id = conn.execute(sa.insert(Box).values(kind="moneypool", name="Fund", currency="USD", timezone="UTC",
                                                    locale="en", calendar="gregorian",
                                                    created_at=T0)).inserted_primary_key[0]
        conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=manager.user.id, display_name="Boss",
                                                  role="manager", created_at=T0))
    db.session.rollback()  # the pages read in the test's session: a fresh snapshot (MariaDB)

    def add_members(count):
        with db.engine.begin() as conn:
            start = conn.execute(sa.select(sa.func.count(User.id))).scalar_one()
            conn.execute(sa.insert(User), [dict(email=f"m{start + i}@example.com", name=f"Member {start + i}",
                                                password_hash="x", is_admin=False, session_version=1, created_at=T0)
                                           for i in range(count)])
            ids = conn.execute(sa.select(User.id).where(User.id > 0).order_by(User.id.desc()).limit(count)).scalars().all()
            conn.execute(sa.insert(Membership), [dict(box_id=box_id, user_id=uid, display_name="x", role="member",
                                                      created_at=T0) for uid in ids])
        db.session.rollback()

    return box_id, manager, add_members


def outbox_count(**where):
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).filter_by(**where))


def test_manager_previews_sends_and_watches_it_go(box):
    box_id, manager, add_members = box
    add_members(3)
    url = f"/boxes/{box_id}/messages"
    page = manager.get(url).get_data(as_text=True)
    assert "Send to every member of <bdi>Fund</bdi>" in page and 'href="/boxes/%d/messages"' % box_id in page  # the tab

    shown = manager.post(url, data={"subject": "Meeting in {box}", "body": "Dear {name},\nsee you Friday.",
                                    "action": "preview"}).get_data(as_text=True)
    assert "Meeting in Fund" in shown and "Dear Boss,\nsee you Friday." in shown
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0

    sent = manager.post(url, data={"subject": "Meeting in {box}", "body": "Dear {name},\nsee you Friday.",
                                   "action": "send"})
    assert sent.status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert outbox_count() == 0  # the request wrote the campaign only
    page = manager.get(sent.location).get_data(as_text=True)
    assert "Preparing the messages" in page and 'hx-trigger="every 2s"' in page

    assert campaigns.expand(campaign.id) == 4
    assert outbox_count(campaign_id=campaign.id, channel="email") == 4
    part = manager.get(f"{sent.location}?block=progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.strip().startswith('<div id="campaign-progress"') and "Sending: 0 of 8" in part
    dispatch.drain()
    done = manager.get(sent.location).get_data(as_text=True)
    assert "Done" in done and "hx-trigger" not in done and re.search(r"Email</td>\s*<td[^>]*>4</td>", done)
    subjects = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.channel == "email")).all()
    assert "Dear Member 1,\nsee you Friday." in subjects


def test_bad_input_is_shown_on_the_form(box):
    box_id, manager, _ = box
    page = manager.post(f"/boxes/{box_id}/messages", data={"subject": "", "body": "x\u202ey", "action": "send"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "The subject is required" in text
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0


def test_only_managers_and_admins(box, user_client):
    box_id, manager, _ = box
    member = user_client("member@example.com", "Mem")
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=member.user.id, display_name="Mem",
                                                  role="member", created_at=T0))
    db.session.rollback()
    stranger = user_client("stranger@example.com", "Str")
    assert member.get(f"/boxes/{box_id}/messages").status_code == 403
    assert member.post(f"/boxes/{box_id}/messages", data={"subject": "a", "body": "b"}).status_code == 403
    assert stranger.get(f"/boxes/{box_id}/messages").status_code == 404
    assert manager.get("/admin/messages").status_code == 404
    admin = user_client("admin@example.com", "Ada", is_admin=True)
    assert admin.post("/admin/messages", data={"subject": "Hello all", "body": "News", "action": "send"}).status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert campaign.box_id is None
    assert campaigns.expand(campaign.id) == 4  # every user: boss, member, stranger, admin


def test_an_expansion_cut_off_resumes_without_telling_anyone_twice(box, clock, monkeypatch):
    box_id, manager, add_members = box
    add_members(1_199)
    campaign = campaigns.start(manager.user, box_id, "Hi", "Hello {name}")
    real, calls = campaigns.services.notify_member, []

    def crash_later(*args, **kwargs):
        calls.append(1)
        if len(calls) == 700:
            raise RuntimeError("process killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(campaigns.services, "notify_member", crash_later)
    with pytest.raises(RuntimeError):
        campaigns.expand(campaign.id)
    assert outbox_count(campaign_id=campaign.id, channel="email") == campaigns.BATCH  # the first batch committed
    monkeypatch.setattr(campaigns.services, "notify_member", real)
    assert campaigns.resume_orphaned() == 0  # maybe still running: not yet
    clock.set(T0 + timedelta(minutes=3))
    assert campaigns.resume_orphaned() == 1
    assert outbox_count(campaign_id=campaign.id, channel="email") == 1_200
    emails = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.channel == "email")).all()
    assert len(set(emails)) == 1_200
    db.session.refresh(campaign)
    assert (campaign.status, campaign.recipients) == ("queued_all", 1_200)
