"""Reading the roster of a box, and the manager's add / invite actions (one unit of work each)."""
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from hamyan.core import uow
from hamyan.blueprints.auth.models import User
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, VIEW, authorize
from hamyan.boxes.models import Box, Invitation, Membership, role_name
from hamyan.core.errors import NotFound, ValidationError
from hamyan.extensions import db
from hamyan.blueprints import product
from hamyan.web import listing


PER_PAGE = 25
INVITATIONS_SHOWN = 25  # the newest open invitations; the rest are counted


def _managers(box):
    return Membership.role == product(box.kind).roles[0]


MEMBERS = listing.ListSpec(
    name="members",
    rows=lambda box: select(Membership).where(Membership.box_id == box.id),
    day=Membership.created_at,
    search=(Membership.display_name,),
    statuses={"current": lambda box: Membership.left_at.is_(None), "left": lambda box: Membership.left_at.is_not(None),
              "managers": _managers, "without an account": lambda box: Membership.user_id.is_(None)},
    order=(Membership.display_name, Membership.id),
    columns=(
        listing.Column(_l("Name"), lambda m: m.display_name, "name"),
        listing.Column(_l("Role"), lambda m: role_name(m.role)),
        listing.Column(_l("Joined"), lambda m: m.created_at, "time"),
        listing.Column(_l("Left"), lambda m: m.left_at, "time"),
        listing.Column(_l("Has an account"), lambda m: _("yes") if m.user_id else _("no")),
    ),
)
# What managers also see, and export: how to reach each member.
MEMBERS_FOR_MANAGERS = replace(MEMBERS, columns=(*MEMBERS.columns, listing.Column(_l("Email"), lambda m: m.email or "")))


def export(actor, box_id: int, args):
    """The members that pass the filters, as CSV (emails for managers only)."""
    access = authorize(actor, box_id, VIEW)
    spec = MEMBERS_FOR_MANAGERS if access.can_manage else MEMBERS
    filters = listing.read_filters(spec, access.box, args)
    current = [] if filters.status == "left" else [Membership.left_at.is_(None)]
    return listing.csv_response(spec, access.box, filters, *current)


@dataclass
class Row:
    membership: Membership
    invited_at: object  # datetime of the latest open invitation, or None
    unverified: bool = False  # an account uses the member's email but has not verified it yet

    @property
    def status(self) -> str:
        if self.membership.user_id is not None:
            return "active"
        if self.unverified:
            return "unverified"
        return "invited" if self.invited_at else "no account"


@dataclass
class Roster:
    box: Box
    membership: Membership | None  # the viewer's own, None for an admin outside the box
    can_manage: bool
    rows: list[Row]
    total: int
    page: int
    pages: int
    filters: listing.Filters
    open_invitations: list[Invitation]  # the newest not accepted yet (managers only)
    more_invitations: int  # open ones not shown
    links: dict  # invitation id -> its link, to copy into a messenger


def roster(actor, box_id: int, args) -> Roster:
    """One page of the box's members that pass the filters in `args` (hamyan.web.listing: name,
    joined between, status; current members unless "left" is asked for). Outsiders get NotFound.
    A fixed number of queries and rows per page, however many members the box has."""
    access = authorize(actor, box_id, VIEW)
    box, membership, can_manage = access.box, access.membership, access.can_manage
    filters = listing.read_filters(MEMBERS, box, args)
    current = [] if filters.status == "left" else [Membership.left_at.is_(None)]
    listed = listing.page_of(MEMBERS, box, filters, *current, per_page=PER_PAGE)
    members = listed.items
    invited = dict(db.session.execute(
        boxes.open_invitations().with_only_columns(Invitation.membership_id, func.max(Invitation.created_at))
        .where(Invitation.membership_id.in_([m.id for m in members])).group_by(Invitation.membership_id)
    ).all()) if members else {}
    emails = [m.email for m in members if m.user_id is None and m.email]
    unverified = set(db.session.execute(
        select(User.email).where(User.email.in_(emails), User.email_verified_at.is_(None))).scalars()) if emails else set()
    open_invitations, more_invitations = [], 0
    if can_manage:
        open_ones = boxes.open_invitations().where(Invitation.box_id == box.id)
        open_invitations = db.session.execute(
            open_ones.order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(INVITATIONS_SHOWN)
            .options(selectinload(Invitation.membership))
        ).scalars().all()
        if len(open_invitations) == INVITATIONS_SHOWN:
            more_invitations = db.session.scalar(select(func.count()).select_from(open_ones.subquery())) \
                - INVITATIONS_SHOWN
    rows = [Row(m, invited.get(m.id), m.email in unverified) for m in members]
    links = {i.id: boxes.invitation_link(boxes.invitation_token(i)) for i in open_invitations}
    return Roster(box, membership, can_manage, rows, listed.total, listed.page, listed.pages, filters, open_invitations,
                  more_invitations, links)


def without_account(box_id: int) -> Select:
    """Members added without an account: whom an invitation may be for (hamyan.web.picker)."""
    return boxes.people(box_id).where(Membership.user_id.is_(None))


@uow.box_write
def add(actor, box_id: int, display_name: str, email: str | None, role: str, same_name_ok: bool = False) -> Membership:
    return boxes.add_member(actor, box_id, display_name, email, role, same_name_ok)


edit, remove, rejoin = boxes.edit_member, boxes.remove_member, boxes.rejoin


@dataclass
class MemberSheet:
    """One member as the manager's edit page shows them, with why they cannot be removed yet."""
    box: Box
    membership: Membership
    blockers: list[str]


def sheet(actor, box_id: int, membership_id) -> MemberSheet:
    box = authorize(actor, box_id, MANAGE).box
    membership = boxes.member_of(box, membership_id)
    return MemberSheet(box, membership, boxes.why_not_remove(box, membership) if membership.left_at is None else [])



@uow.write
def invite(actor, box_id: int, email: str, role: str, membership_id: int | None = None) -> Invitation:
    invitation, _ = boxes.invite(actor, box_id, email, role, membership_id)
    return invitation


def revoke_invitation(actor, box_id: int, invitation_id: int) -> Invitation:
    return boxes.revoke_invitation(actor, box_id, invitation_id)


def invite_added_member(actor, box_id: int, membership_id: int) -> Invitation:
    """(Re)send an invitation to someone added with an email but no account yet."""
    authorize(actor, box_id, MANAGE)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.box_id != box_id:
        raise NotFound()
    if not membership.email:
        raise ValidationError("Add an email for this member first: use the invite form.", field="email")
    return invite(actor, box_id, membership.email, membership.role, membership.id)
