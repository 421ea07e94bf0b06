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


def test_a_manager_previews_the_messages_the_box_sends_by_itself(box, user_client):
    """The reminders (before, on the day, late) and the monthly statement's email, as a member would
    read them, from the same composers the jobs use; members 403, strangers 404."""
    box_id, manager, add_members = box
    html = manager.get(f"/boxes/{box_id}/messages/templates").get_data(as_text=True)
    for words in ("Hello Boss,", "is due on", "due today", "is overdue", "3 days before",
                  "Your statement of Fund for February 2026 is attached.", "Fund: your statement for February 2026"):
        assert words in html, words
    assert f'href="/boxes/{box_id}/messages/templates"' in manager.get(f"/boxes/{box_id}/messages").get_data(as_text=True)
    member = user_client("mina@example.com", "Mina")
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=member.user.id, display_name="Mina",
                                                  role="member", created_at=T0))
    db.session.rollback()
    assert member.get(f"/boxes/{box_id}/messages/templates").status_code == 403
    assert user_client("x@example.com", "X").get(f"/boxes/{box_id}/messages/templates").status_code == 404


def test_members_without_an_account_are_told_by_email_once(box, clock, monkeypatch):
    """A member the manager added without an account but with an email gets the campaign by email
    (as they get reminders and receipts); one with no email cannot be told; a resumed expansion
    tells nobody twice."""
    box_id, manager, add_members = box
    add_members(2)
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Membership), [
            dict(box_id=box_id, user_id=None, display_name="Parvin", email="parvin@example.com", role="member", created_at=T0),
            dict(box_id=box_id, user_id=None, display_name="No mail", email=None, role="member", created_at=T0)])
    db.session.rollback()
    campaign = campaigns.start(manager.user, box_id, "Hi {name}", "Hello {name} of {box}")
    assert campaigns.expand(campaign.id) == 4
    told = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "parvin@example.com")).all()
    assert [(m.channel, m.subject, m.body, m.campaign_id) for m in told] == [
        ("email", "Hi Parvin", "Hello Parvin of Fund", campaign.id)]
    with db.engine.begin() as conn:  # as if cut off after the outbox rows were written
        conn.execute(sa.update(Campaign).values(status="queued"))
    db.session.rollback()
    campaigns.expand(campaign.id)
    assert outbox_count(recipient="parvin@example.com") == 1
    assert outbox_count(campaign_id=campaign.id, channel="email") == 4
