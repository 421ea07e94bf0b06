"""Announcements from the board (on the building's overview and by email through the outbox) and
polls: one vote per unit, counted one each or by area as the board chose, with a quorum; the result
and who voted are shown to every member once the poll closes."""
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from hamyan.blueprints.aptbox.models import WEIGHTINGS, Announcement, Poll, Unit, Vote
from hamyan.boxes.models import Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import calendar
from hamyan.extensions import db
from hamyan.i18n import number as num, show_day
from hamyan.notify.services import notify, speaking

from .common import PAGE_SIZE, access, by, fields, manage, page_of, row_of

MAX_OPTIONS = 10


@uow.box_write
def announce(actor, box_id, title: str, body: str) -> Announcement:
    """Post an announcement and email every member with an address (after the write commits)."""
    acc = manage(actor, box_id)
    values = fields(("title", lambda: parse.text(title, "title", label=_("Title"), limit=160)),
                         ("body", lambda: parse.text(body, "body", label=_("Message"), limit=5000, multiline=True)))
    row = Announcement(box_id=acc.box.id, created_by_id=by(actor), **values)
    db.session.add(row)
    for email, _user in recipients(acc.box.id):  # the board's own words: in their language
        notify(email, f"{acc.box.name}: {values['title']}", values["body"])
    return row


def recipients(box_id: int) -> list[tuple]:
    """(email, user or None) of each member with an address, each address once."""
    found = {}
    for membership in db.session.scalars(select(Membership).where(Membership.box_id == box_id,
                                                                  Membership.left_at.is_(None))):
        email = membership.email or (membership.user.email if membership.user else None)
        if email and found.get(email) is None:
            found[email] = membership.user
    return sorted(found.items(), key=lambda pair: pair[0])


def announcements(box_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Announcement], int]:
    """One page of the announcements, newest first, and how many there are."""
    return page_of(select(Announcement).filter_by(box_id=box_id)
                   .order_by(Announcement.created_at.desc(), Announcement.id.desc()), page, size)


def _options(value) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").splitlines()
    items = [str(i).strip() for i in items if str(i).strip()]
    if not 2 <= len(items) <= MAX_OPTIONS or len(set(items)) != len(items):
        raise ValidationError(_("Give 2 to %(most)s different choices, one a line.", most=num(MAX_OPTIONS)), field="options")
    return [parse.text(i, "options", label=_("A choice"), limit=120) for i in items]


def _closing(box, value):
    closes_on = calendar.parse_day(value, box.calendar, "closes_on", _("Closes on"))
    if closes_on < clock.today(box):
        raise ValidationError(_("The poll cannot close before today."), field="closes_on")
    return closes_on


@uow.box_write
def create_poll(actor, box_id, question: str, options, weighting: str = "unit", quorum_percent="50",
                closes_on=None) -> Poll:
    acc = manage(actor, box_id)
    box = acc.box
    values = fields(("question", lambda: parse.text(question, "question", label=_("Question"), limit=300)),
                    ("options", lambda: json.dumps(_options(options), ensure_ascii=False)),
                    ("weighting", lambda: parse.choice(weighting, WEIGHTINGS, "weighting", _("Votes count"))),
                    ("quorum_percent", lambda: parse.whole(quorum_percent, "quorum_percent", 0, 100, _("Quorum"))),
                    ("closes_on", lambda: _closing(box, closes_on)))
    poll = Poll(box_id=box.id, created_by_id=by(actor), **values)
    db.session.add(poll)
    db.session.flush()
    for email, user in recipients(box.id):
        with speaking(user, box):
            subject = _("%(box)s: a vote", box=box.name)
            body = values["question"] + "\n\n" + _("Vote on the building's page until %(day)s.",
                                                    day=show_day(values["closes_on"], box))
        notify(email, subject, body)
    return poll


def poll_of(box_id: int, poll_id) -> Poll:
    return row_of(Poll, box_id, poll_id, _("No such poll in this building."))


def is_closed(box, poll: Poll) -> bool:
    return poll.closed_at is not None or clock.today(box) > poll.closes_on


@uow.box_write
def vote(actor, box_id, poll_id, unit_id, choice) -> Vote:
    """The unit's one vote, cast by one of its people; a second vote for the unit is refused."""
    acc = access(actor, box_id)
    poll = poll_of(acc.box.id, poll_id)
    number = parse.record_id(unit_id)
    unit = db.session.get(Unit, number) if number else None
    if unit is None or unit.box_id != acc.box.id or acc.membership is None or unit.id not in acc.unit_ids:
        raise NotFound(_("You vote for your own unit only."))
    if is_closed(acc.box, poll):
        raise Conflict(_("This poll is closed."), field="choice")
    options = json.loads(poll.options)
    if not parse.normalize(choice):  # the form sent with no choice ticked
        raise ValidationError(_("Tick one of the choices, then vote."), field="choice")
    index = parse.whole(choice, "choice", 0, len(options) - 1, _("Choice"))
    if db.session.scalar(select(Vote.id).filter_by(poll_id=poll.id, unit_id=unit.id)) is not None:
        raise Conflict(_("Unit %(number)s has already voted; a unit votes once.", number=unit.number), field="choice")
    row = Vote(poll_id=poll.id, unit_id=unit.id, choice=index, membership_id=acc.membership.id,
               weight=Decimal(1) if poll.weighting == "unit" else unit.area)
    db.session.add(row)
    db.session.flush()
    return row


@uow.box_write
def close_poll(actor, box_id, poll_id) -> Poll:
    acc = manage(actor, box_id)
    poll = poll_of(acc.box.id, poll_id)
    if poll.closed_at is not None:
        raise Conflict(_("This poll is already closed."), field="poll")
    poll.closed_at = clock.now()
    return poll


@dataclass
class Result:
    poll: Poll
    options: list[str]
    closed: bool
    totals: list  # per option: weight
    cast: Decimal  # weight of the votes cast
    possible: Decimal  # weight of every unit
    units_voted: int
    quorum_met: bool
    winners: list[str]
    voters: list  # (unit number, name, choice) once closed
    my_units: list  # (unit id, number, choice index or None): the viewer's units


def result(acc, poll: Poll) -> Result:
    return results(acc, [poll])[0]


def results(acc, polls: list[Poll]) -> list[Result]:
    """Each poll's result, the votes of them all read at once."""
    votes = defaultdict(list)
    for row in db.session.execute(select(Vote, Unit.number, Membership.display_name)
                                  .join(Unit, Unit.id == Vote.unit_id)
                                  .join(Membership, Membership.id == Vote.membership_id)
                                  .where(Vote.poll_id.in_([p.id for p in polls])).order_by(Unit.number)):
        votes[row[0].poll_id].append(row)
    units, area = db.session.execute(select(func.count(Unit.id), func.sum(Unit.area)).filter_by(box_id=acc.box.id)).one()
    my_units = db.session.execute(select(Unit.id, Unit.number).where(Unit.id.in_(list(acc.unit_ids) or [0]))
                                  .order_by(Unit.number)).all() if polls else []
    return [_result(acc, poll, votes[poll.id], Decimal(units or 0) if poll.weighting == "unit" else Decimal(area or 0),
                    my_units) for poll in polls]


def _result(acc, poll: Poll, votes: list, possible: Decimal, my_units: list) -> Result:
    options = json.loads(poll.options)
    totals = [Decimal(0)] * len(options)
    for v, _, _ in votes:
        totals[v.choice] += v.weight
    cast = sum(totals, Decimal(0))
    quorum = possible > 0 and cast * 100 >= possible * poll.quorum_percent
    closed = is_closed(acc.box, poll)
    top = max(totals) if totals and cast else None
    mine = {v.unit_id: v.choice for v, _, _ in votes if v.unit_id in acc.unit_ids}
    return Result(poll, options, closed, totals, cast, possible, len(votes), quorum,
                  [o for o, t in zip(options, totals) if top is not None and t == top] if quorum else [],
                  [(number, name, options[v.choice]) for v, number, name in votes] if closed else [],
                  [(unit_id, number, mine.get(unit_id)) for unit_id, number in my_units])


def open_polls(box, limit: int) -> list[Poll]:
    """The polls still taking votes, closing soonest first: however many newer ones have closed."""
    return list(db.session.scalars(select(Poll).filter_by(box_id=box.id, closed_at=None)
                                   .where(Poll.closes_on >= clock.today(box))
                                   .order_by(Poll.closes_on, Poll.id).limit(limit)))


def polls(box_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Poll], int]:
    """One page of the polls, newest first, and how many there are."""
    return page_of(select(Poll).filter_by(box_id=box_id).order_by(Poll.id.desc()), page, size)


