"""Monthly statements by email: on the first days of a month every member of every box whose
product names `monthly_statement` in its descriptor gets last month's statement as a PDF attachment
(unless they turned statements off for that box; one added without an account, at the email the
manager gave), and each manager the box's report.

Months are the box's calendar's: a Persian box gets a statement per Jalali month (1 Azar to 30 Azar,
keyed 1405-09), sent in the first days of the next Jalali month.

A PDF is rendered outside any lock (a box of 500 members takes minutes), kept under
instance/statements/<box>/<month>/, and enqueued in its own short write with the dedupe key
"stmt:<box>:<membership>:<YYYY-MM>", so every send is recorded in the outbox and none happens twice,
whatever the re-runs, restarts or processes."""
import logging
import os
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, uow
from hamyan.dues import calendar
from hamyan.extensions import db
from hamyan.i18n import show_month
from hamyan.notify import services as notify
from hamyan.notify.models import OutboxMessage

log = logging.getLogger(__name__)
KIND = "statement"
SEND_DAYS = 5  # statements go out in the first days of the month (late runs included)


@dataclass(frozen=True)
class Month:
    start: date
    end: date
    key: str  # "2026-01", "1405-09": the dedupe keys' and files' month
    calendar: str

    def title(self, box=None) -> str:
        """"January 2026", "آذر ۱۴۰۵": what the emails say, in the language and digits being written
        (Latin ones if `box` chose them)."""
        return show_month(*calendar.month_of(self.start, self.calendar), self.calendar, box)


def last_month(today: date, calendar_name: str = "gregorian") -> Month:
    """The month of the calendar before the one `today` falls in."""
    year, month = calendar.previous_month(today, calendar_name)
    return Month(*calendar.month_bounds(year, month, calendar_name), calendar.month_key(year, month), calendar_name)


def day_of_month(today: date, calendar_name: str) -> int:
    return (today - calendar.month_bounds(*calendar.month_of(today, calendar_name), calendar_name)[0]).days + 1


def _sent(keys: list[str]) -> set[str]:
    return {key.rsplit(":", 1)[0] for key in db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_([f"{k}:email" for k in keys])))} if keys else set()


def _keep(box: Box, month: str, name: str, pdf: bytes) -> str:
    relative = os.path.join("statements", str(box.id), month, name)
    target = os.path.join(current_app.instance_path, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as out:
        out.write(pdf)
    return relative


def email(box: Box, name: str, period: Month) -> tuple[str, str]:
    """The subject and body of a member's statement email, in the language being spoken."""
    return (_("%(box)s: your statement for %(month)s", box=box.name, month=period.title(box)),
            _("Hello %(name)s,\n\nYour statement of %(box)s for %(month)s is attached.\n\n"
              "You can turn monthly statements off in your notification settings.",
              name=name, box=box.name, month=period.title(box)))


def send_box(box_id: int, render_member, render_report=None) -> int:
    """Last month's statements of one box (and its report to its managers); returns the emails queued."""
    box = db.session.get(Box, box_id)
    period = last_month(clock.today(box), box.calendar)
    start, end, month = period.start, period.end, period.key
    # Members with an account, and those added without one but with an email address.
    rows = db.session.execute(select(Membership, User).outerjoin(User, User.id == Membership.user_id).where(
        Membership.box_id == box_id, Membership.left_at.is_(None),
        or_(Membership.user_id.is_not(None), Membership.email > "")).order_by(Membership.id)).all()
    keys = {m.id: f"stmt:{box_id}:{m.id}:{month}" for m, _ in rows}
    reports = {u.id: f"boxrep:{box_id}:{u.id}:{month}" for m, u in rows if m.is_managing and u is not None}
    done = _sent(list(keys.values()) + list(reports.values()))
    queued = 0
    for membership, user in rows:
        if keys[membership.id] in done or (user is not None and not notify.preference(user.id, box_id).statements):
            continue
        try:
            with notify.speaking(user, box):  # the statement in its reader's language
                pdf = render_member(box, membership, start, end)
        except Exception:  # one member's statement must not stop the others; logged and tried next run
            log.exception("statement of membership %s failed", membership.id)
            continue
        if pdf is None:  # not someone this product keeps a statement for (a manager who does not save)
            continue
        path = _keep(box, month, f"member-{membership.id}.pdf", pdf)
        with notify.speaking(user, box):
            subject, body = email(box, user.name if user else membership.display_name, period)
        with uow.transaction():
            if user is None:
                queued += bool(notify.notify(membership.email, subject, body, box_id=box_id, kind=KIND,
                                             dedupe_key=f"{keys[membership.id]}:email", attachment_path=path,
                                             attachment_name=f"statement-{month}.pdf"))
            else:
                queued += bool(notify.notify_member(
                    user, box_id, subject, body, kind=KIND, dedupe_key=keys[membership.id],
                    attachment=(path, f"statement-{month}.pdf"), channels=("email", "inapp")))
    if render_report is not None and any(key not in done for key in reports.values()):
        pdf = render_report(box, {"start": start.isoformat(), "end": end.isoformat()}, lambda *a, **k: None)
        path = _keep(box, month, "box-report.pdf", pdf)
        for membership, user in rows:
            key = reports.get(user.id) if user is not None else None
            if key is None or key in done:
                continue
            with notify.speaking(user, box):
                subject = _("%(box)s: box report for %(month)s", box=box.name, month=period.title(box))
                body = _("Hello %(name)s,\n\nThe report of %(box)s for %(month)s is attached.", name=user.name,
                         box=box.name, month=period.title(box))
            with uow.transaction():
                queued += bool(notify.notify_member(
                    user, box_id, subject, body, kind="box_report", dedupe_key=key, attachment=(path, f"box-report-{month}.pdf"),
                    channels=("email",)))
    return queued


def send_all() -> str:
    """Every product's boxes, box by box; a box that fails is retried by the next tick (the job fails)."""
    from hamyan.blueprints import PRODUCTS

    queued, failed = 0, []
    for product in PRODUCTS:
        if not product.monthly_statement:
            continue
        render_member = product.load("monthly_statement")
        managing = product.roles[0]  # the managing role's report: a manager's, a building board's
        render_report = product.load_path(product.reports[managing]) if managing in product.reports else None
        for box_id in db.session.scalars(select(Box.id).where(Box.kind == product.kind).order_by(Box.id)).all():
            box = db.session.get(Box, box_id)
            if day_of_month(clock.today(box), box.calendar) > SEND_DAYS:
                continue
            try:
                queued += send_box(box_id, render_member, render_report)
            except Exception as exc:  # one bad box must not stop the others
                db.session.rollback()
                log.exception("monthly statements of box %s failed", box_id)
                failed.append(f"box {box_id}: {exc!r}")
    summary = f"{queued} statement email(s) queued"
    if failed:
        raise RuntimeError(summary + "; " + "; ".join(failed))
    return summary
