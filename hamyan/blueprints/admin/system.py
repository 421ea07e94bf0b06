"""Admin pages over the whole operation: boxes of every product (search, kind, members, entries,
money held, last movement), the notification outbox, and system health."""
import shutil
import time
from datetime import timedelta

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from hamyan.backup import service as backup_service
from hamyan.blueprints import PRODUCTS
from hamyan.blueprints.admin import bp, queries
from hamyan.blueprints.auth.models import User
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.notify.models import CHANNELS, FAILED, QUEUED, OutboxMessage
from hamyan.partners.models import WebhookDelivery
from hamyan.scheduling import JobRun
from hamyan.scheduling.models import FAILED as RUN_FAILED, PARTIAL
from hamyan.web import render
from hamyan.web.listing import paged, requested_page

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")
OUTBOX_STATUS_NAMES = {"queued": _l("queued"), "sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed")}
CHANNEL_NAMES = {"email": _l("email"), "sms": _l("SMS"), "inapp": _l("in the app")}
# A part's state on the Health page; any other value is a detail of what is wrong, shown as it is.
PART_STATES = {"ok": _l("ok"), "error": _l("error"), "not used": _l("not used")}


@bp.route("/boxes")
def boxes():
    q = queries.search_text(request.args.get("q"))
    kinds = [p.kind for p in PRODUCTS]
    kind = request.args.get("kind") if request.args.get("kind") in kinds else ""
    pager, rows = queries.boxes_page(q, kind, requested_page())
    return render("admin/boxes.html", partials=("boxes",), boxes_page=pager, rows=rows, q=q, kind=kind,
                  products=PRODUCTS, quiet_after=queries.QUIET_AFTER.days, kind_name=queries.kind_name,
                  status_names=queries.BOX_STATUS_NAMES)


@bp.route("/outbox")
def outbox():
    """Every message the app sent or will send, newest first; by status, channel and recipient."""
    q = queries.search_text(request.args.get("q"))
    status = request.args.get("status") if request.args.get("status") in OUTBOX_STATUSES else ""
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else ""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if q:
        query = query.where(OutboxMessage.recipient.contains(q, autoescape=True))
    if status:
        query = query.where(OutboxMessage.status == status)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    pager = paged(query, requested_page(), queries.PER_PAGE)
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render("admin/outbox.html", partials=("messages",), messages_page=pager, q=q, status=status,
                  channel=channel, counts=counts, statuses=OUTBOX_STATUSES, channels=CHANNELS,
                  status_names=OUTBOX_STATUS_NAMES, channel_names=CHANNEL_NAMES)


@bp.route("/health")
def health():
    """What needs the operator's eye: the database and migrations, the scheduler, failed jobs, the
    outbox and webhooks backlog, the newest backup and the disk."""
    from hamyan.blueprints.home.views import readiness

    started = time.perf_counter()
    db.session.execute(text("SELECT 1"))
    latency_ms = (time.perf_counter() - started) * 1000
    now = clock.now()
    day_ago = now - timedelta(days=1)
    outbox_counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_((QUEUED, FAILED)))
        .group_by(OutboxMessage.status)).all())
    oldest_queued = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                                      .where(OutboxMessage.status == QUEUED))
    webhooks = dict(db.session.execute(
        select(WebhookDelivery.status, func.count()).where(WebhookDelivery.status.in_(("pending", "failed")))
        .group_by(WebhookDelivery.status)).all())
    failed_runs = db.session.scalar(select(func.count(JobRun.id)).where(
        JobRun.status.in_((RUN_FAILED, PARTIAL)), JobRun.started_at >= day_ago))
    backups = backup_service.all_backups()
    disk = shutil.disk_usage(current_app.instance_path)
    figures = {
        _l("Users"): db.session.scalar(select(func.count(User.id))),
        _l("Disabled users"): db.session.scalar(select(func.count(User.id)).where(User.disabled_at.is_not(None))),
    }
    return render("admin/health.html", parts=readiness(), latency_ms=latency_ms, outbox=outbox_counts,
                  oldest_queued=oldest_queued, webhooks=webhooks, failed_runs=failed_runs,
                  newest_backup=backups[0] if backups else None, disk=disk, figures=figures, now=now,
                  part_states=PART_STATES)
