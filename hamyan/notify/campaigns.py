"""Campaigns: a manager messages every member of a box, an admin every user (see models.Campaign).

The request only writes the campaign (never blocks on 10,000 members); `expand` writes the outbox
rows in batches of BATCH members, each batch one commit with its recipients' dedupe keys
("camp:<id>:<user>"), so an expansion cut off by a restart resumes without telling anyone twice.
Members added without an account but with an email address get it by email, like reminders.
The text may say {name} (the member's name) and {box} (the box's name); `preview` shows it filled in."""
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from hamyan.blueprints.auth.models import User
from hamyan.boxes.access import MANAGE, Principal, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import NotFound, ValidationError
from hamyan.extensions import db
from hamyan.notify import services
from hamyan.notify.models import QUEUED, SENDING, Campaign, ChannelPreference, NotifyProfile, OutboxMessage

log = logging.getLogger(__name__)
BATCH = 500
ORPHANED_AFTER = timedelta(minutes=2)  # still queued this long after it was asked for: its thread is gone
KIND = "campaign"


def fill(text: str, name: str, box_name: str) -> str:
    return text.replace("{name}", name).replace("{box}", box_name)


def _check(actor, box_id: int | None) -> Box | None:
    if box_id is None:
        if not Principal.of(actor).is_admin:
            raise NotFound()
        return None
    return authorize(actor, box_id, MANAGE).box


def preview(actor, box_id: int | None, subject: str, body: str) -> tuple[str, str]:
    """The subject and body as the first recipient would read them (fields checked as on send)."""
    box = _check(actor, box_id)
    subject = parse.text(subject, "subject", label=_("The subject"), limit=200)
    body = _body(body)
    name = Principal.of(actor).user.name if Principal.of(actor).user else _("Member")
    box_name = box.name if box else _("Hamyan")
    return fill(subject, name, box_name), fill(body, name, box_name)


def _body(body: str) -> str:
    # A message has lines: check each line as free text (no control or invisible characters).
    lines = [parse.text(line, "body", label=_("The message"), limit=2000, required=False)
             for line in str(body or "").replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip()
    if not text:
        raise ValidationError(_("Write the message."), field="body")
    if len(text) > 5000:
        raise ValidationError(_("The message has at most 5,000 characters."), field="body")
    return text


def start(actor, box_id: int | None, subject: str, body: str) -> Campaign:
    """Queue a campaign; its recipients' messages are written in the background once this commits."""
    _check(actor, box_id)
    subject = parse.text(subject, "subject", label=_("The subject"), limit=200)
    body = _body(body)
    with uow.transaction():
        campaign = Campaign(box_id=box_id, author_id=Principal.of(actor).user_id, subject=subject, body=body)
        db.session.add(campaign)
        db.session.flush()
        campaign_id = campaign.id
        app = current_app._get_current_object()
        uow.after_commit(lambda: _thread(app, campaign_id))
    return campaign


def _thread(app, campaign_id: int) -> None:
    def work():
        with app.app_context():
            try:
                expand(campaign_id)
            except Exception:  # the notify.campaigns job resumes it
                log.exception("campaign %s expansion failed", campaign_id)
            finally:
                db.session.remove()

    threading.Thread(target=work, name=f"campaign-{campaign_id}", daemon=True).start()


def _recipients(campaign: Campaign, after: int):
    query = select(User).where(User.id > after).order_by(User.id).limit(BATCH)
    if campaign.box_id is not None:
        query = query.join(Membership, Membership.user_id == User.id).where(
            Membership.box_id == campaign.box_id, Membership.left_at.is_(None))
    return db.session.scalars(query).all()


def expand(campaign_id: int) -> int:
    """Write the campaign's outbox rows, BATCH members a commit; returns the members reached."""
    with uow.transaction():
        claimed = db.session.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.status == QUEUED)
                                     .values(status="expanding", started_at=clock.now())).rowcount
    if not claimed:
        return 0
    campaign = db.session.get(Campaign, campaign_id)
    box = db.session.get(Box, campaign.box_id) if campaign.box_id else None
    reached, after = 0, 0
    while True:
        users = _recipients(campaign, after)
        if not users:
            break
        after = users[-1].id
        ids = [u.id for u in users]
        with uow.transaction():
            done = set(db.session.scalars(select(OutboxMessage.user_id).where(
                OutboxMessage.campaign_id == campaign_id, OutboxMessage.user_id.in_(ids))))
            prefs = {p.user_id: p for p in db.session.scalars(select(ChannelPreference).where(
                ChannelPreference.box_id == campaign.box_id, ChannelPreference.user_id.in_(ids)))} \
                if campaign.box_id else {}
            people = {p.user_id: p for p in db.session.scalars(select(NotifyProfile).where(NotifyProfile.user_id.in_(ids)))}
            for user in users:
                if user.id in done:
                    continue
                with services.speaking(user, box):  # the manager's words; "Hamyan" in the member's
                    box_name = box.name if box else _("Hamyan")
                    subject, body = fill(campaign.subject, user.name, box_name), fill(campaign.body, user.name, box_name)
                made = services.notify_member(
                    user, campaign.box_id, subject, body, kind=KIND, dedupe_key=f"camp:{campaign_id}:{user.id}",
                    checked=True, prefs=prefs.get(user.id) or services.DEFAULT_PREFERENCE,
                    person=people.get(user.id) or services.NO_PROFILE, campaign_id=campaign_id)
                reached += bool(made)
            db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                               .values(recipients=Campaign.recipients + sum(1 for u in users if u.id not in done)))
    if box is not None:
        reached += _expand_without_accounts(campaign, box)
    with uow.transaction():
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                           .values(status="queued_all", queued_at=clock.now()))
    return reached


def _expand_without_accounts(campaign: Campaign, box: Box) -> int:
    """Email the members the managers added without an account but with an address (as reminders
    and receipts do), BATCH a commit, each once by its dedupe key; returns how many were told."""
    told, after = 0, 0
    while True:
        members = db.session.scalars(select(Membership).where(
            Membership.box_id == box.id, Membership.user_id.is_(None), Membership.email.is_not(None),
            Membership.email != "", Membership.left_at.is_(None), Membership.id > after)
            .order_by(Membership.id).limit(BATCH)).all()
        if not members:
            return told
        after = members[-1].id
        keys = {m.id: f"camp:{campaign.id}:m{m.id}:email" for m in members}
        with uow.transaction():
            done = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_(list(keys.values())))))
            fresh = [m for m in members if keys[m.id] not in done]
            for membership in fresh:
                subject = fill(campaign.subject, membership.display_name, box.name)
                body = fill(campaign.body, membership.display_name, box.name)
                services.notify(membership.email, subject, body, box_id=box.id, kind=KIND,
                                dedupe_key=keys[membership.id], campaign_id=campaign.id)
            db.session.execute(update(Campaign).where(Campaign.id == campaign.id)
                               .values(recipients=Campaign.recipients + len(fresh)))
        told += len(fresh)


def resume_orphaned() -> int:
    """Expand campaigns whose thread never ran or died: queued too long, or cut off mid-expansion."""
    stale = clock.now() - ORPHANED_AFTER
    with uow.transaction():
        db.session.execute(update(Campaign).where(Campaign.status == "expanding", Campaign.started_at < stale)
                           .values(status=QUEUED))
    ids = db.session.scalars(select(Campaign.id).where(Campaign.status == QUEUED, Campaign.created_at < stale)).all()
    for campaign_id in ids:
        expand(campaign_id)
    return len(ids)


@dataclass
class Progress:
    campaign: Campaign
    by_channel: dict  # channel -> {status: count}
    delivered: int  # SMS the gateway reported delivered

    @property
    def total(self) -> int:
        return sum(sum(s.values()) for s in self.by_channel.values())

    def count(self, status: str) -> int:
        return sum(s.get(status, 0) for s in self.by_channel.values())

    @property
    def waiting(self) -> int:
        return self.count(QUEUED) + self.count(SENDING)

    @property
    def finished(self) -> bool:
        return self.campaign.status == "queued_all" and self.waiting == 0

    @property
    def percent(self) -> int:
        if self.campaign.status != "queued_all":
            return 0
        return 100 if not self.total else int(100 * (self.total - self.waiting) / self.total)


def progress(actor, box_id: int | None, campaign_id: int) -> Progress:
    _check(actor, box_id)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.box_id != box_id:
        raise NotFound()
    by_channel: dict = {}
    for channel, status, count in db.session.execute(
            select(OutboxMessage.channel, OutboxMessage.status, func.count(OutboxMessage.id))
            .where(OutboxMessage.campaign_id == campaign_id).group_by(OutboxMessage.channel, OutboxMessage.status)):
        by_channel.setdefault(channel, {})[status] = count
    delivered = db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.campaign_id == campaign_id, OutboxMessage.delivery == "delivered"))
    return Progress(campaign, by_channel, delivered)


def recent(actor, box_id: int | None, limit: int = 20) -> list[Campaign]:
    _check(actor, box_id)
    return db.session.scalars(select(Campaign).where(Campaign.box_id.is_(None) if box_id is None else
                                                     Campaign.box_id == box_id)
                              .order_by(Campaign.id.desc()).limit(limit)).all()

