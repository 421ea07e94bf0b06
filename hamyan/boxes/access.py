"""Who may act on a box: `authorize(principal, box_id, action)`.

A principal is a signed-in user (or an API token's user), a partner business's key (its own boxes
only), or the system itself (the payment gateway's callback, scheduled jobs), so the same rules
serve a click, an API call, a gateway callback and a job.

Rules:
- the system may do everything;
- an admin may see and manage every box;
- a member (any role) may VIEW their box (the summary and their own records); the box's managing
  roles (manager; board for an apartment fund) may also MANAGE it;
- a partner key may VIEW the boxes it was granted, and MANAGE them when granted that action;
- anyone else gets NotFound, never Forbidden, so whether a box exists does not leak; a member asking
  for a manager's action gets Forbidden."""
from dataclasses import dataclass, field

from sqlalchemy import select

from hamyan.boxes.models import Box, Membership
from hamyan.core.errors import Forbidden, NotFound
from hamyan.core.parse import record_id
from hamyan.extensions import db

VIEW, MANAGE = "view", "manage"
ACTIONS = (VIEW, MANAGE)


@dataclass(frozen=True)
class Principal:
    kind: str  # "user", "partner" or "system"
    user: object = None  # the User for kind "user"
    box_ids: frozenset = field(default_factory=frozenset)  # a partner key's granted boxes
    actions: frozenset = frozenset(("view", "manage"))  # what a partner key was granted there
    key_id: int | None = None  # the partner key's id (hamyan.partners)
    label: str = ""  # who the audit log names: the partner key's name

    @classmethod
    def of(cls, actor) -> "Principal":
        """A Principal as is, or a User made into one."""
        return actor if isinstance(actor, Principal) else cls("user", user=actor)

    @property
    def user_id(self) -> int | None:
        """Who a row or an entry records as its author (None for the system and partners)."""
        return self.user.id if self.user is not None else None

    @property
    def is_admin(self) -> bool:
        return self.kind == "system" or bool(self.user is not None and self.user.is_admin)


SYSTEM = Principal("system")


@dataclass(frozen=True)
class Access:
    principal: Principal
    box: Box
    membership: Membership | None  # the user's own, when they belong to the box
    can_manage: bool


def membership_of(user, box_id: int) -> Membership | None:
    return db.session.execute(
        select(Membership).filter_by(box_id=box_id, user_id=user.id).where(Membership.left_at.is_(None))
    ).scalar_one_or_none()


def authorize(actor, box_id, action: str = VIEW, kind: str | None = None) -> Access:
    """The box and what the principal (or user) may do there, or NotFound / Forbidden."""
    principal = Principal.of(actor)
    number = record_id(box_id)
    box = membership = None
    if number and principal.kind == "user":  # the box and the user's membership of it, in one query
        box, membership = db.session.execute(
            select(Box, Membership).where(Box.id == number)
            .outerjoin(Membership, (Membership.box_id == Box.id) & (Membership.user_id == principal.user.id)
                       & Membership.left_at.is_(None))).first() or (None, None)
    elif number:
        box = db.session.get(Box, number)
    if box is None or (kind is not None and box.kind != kind):
        raise NotFound()
    if principal.kind == "user":
        if membership is None and not principal.is_admin:
            raise NotFound()
        can_manage = principal.is_admin or membership.is_managing
    elif principal.kind == "partner":
        if box.id not in principal.box_ids:
            raise NotFound()
        can_manage = MANAGE in principal.actions
    else:
        can_manage = True
    if action == MANAGE and not can_manage:
        raise Forbidden("Only the box's managers can do this.")
    return Access(principal, box, membership, can_manage)
