"""The audit log's pages: a box's activity for its managers (a tab of every box), every box's for
admins (/admin/activity). Newest first, 50 a page, filterable by box for admins."""
import json
from dataclasses import dataclass

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlalchemy import select

from hamyan.audit.models import AuditEvent
from hamyan.boxes.access import MANAGE, authorize
from hamyan.core import parse
from hamyan.web import render
from hamyan.web.listing import paged, requested_page
from hamyan.web.nav import box_nav

bp = Blueprint("audit", __name__)
PER_PAGE = 50


@dataclass(frozen=True)
class Line:
    event: AuditEvent
    who: str
    changes: list  # [{table, op, id, fields}] as recorded


def _who(event: AuditEvent) -> str:
    if event.user is not None:
        return f"{event.user.name} <{event.user.email}>"
    return event.actor_label or event.actor_kind


def page_of(box_id: int | None, page: int):
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if box_id is not None:
        query = query.where(AuditEvent.box_id == box_id)
    pager = paged(query, page, PER_PAGE)
    return pager, [Line(e, _who(e), json.loads(e.changes)) for e in pager.items]


@bp.route("/boxes/<int:box_id>/activity")
@login_required
def box_activity(box_id):
    access = authorize(current_user, box_id, MANAGE)
    pager, lines = page_of(access.box.id, requested_page())
    return render("audit/box.html", "events", partials=("events",), box=access.box, events_page=pager, lines=lines,
                  nav=box_nav(access.box, access.membership, access.can_manage))


@bp.route("/admin/activity")
@login_required
def all_activity():
    if not current_user.is_admin:
        abort(404)
    box_id = parse.record_id(request.args.get("box"))  # past any id, like a word: no filter
    pager, lines = page_of(box_id, requested_page())
    return render("audit/all.html", "events", partials=("events",), events_page=pager, lines=lines, box_id=box_id)
