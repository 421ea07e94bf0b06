"""The header every box page shares (templates/box/_layout.html): the box, its kind, the viewer's
role and the pages the product's descriptor declares (Product.nav), kept to those the viewer may
open, then the shared members and activity (audit log) pages. The decisions are made here; the layout only prints them."""
from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from hamyan.blueprints import product
from hamyan.core.product import NavLink

MEMBERS = NavLink(_l("Members"), "members.index")
MESSAGES = NavLink(_l("Messages"), "campaigns.index", audience="managers", also=("campaigns.show",))
# The platform's pages of every box, after the product's own.
PLATFORM = (MEMBERS, MESSAGES, NavLink(_l("Reported payments"), "payments.reported"),
            NavLink(_l("Online payments"), "payments.manage", audience="managers"),
            NavLink(_l("Charts"), "analytics.box", audience="managers"),
            NavLink(_l("Activity"), "audit.box_activity", audience="managers"),
            NavLink(_l("Box settings"), "box.settings", audience="managers"))
# "you are <phrase>" per role
ROLE_PHRASES = {"manager": _l("a manager"), "member": _l("a member"), "board": _l("on the board"),
                "resident": _l("a resident"), "admin": _l("an admin")}


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class BoxNav:
    box: object
    kind: str  # what a box of this product is called
    role: str  # the viewer's role in the box ("admin" for an admin who is not a member)
    tabs: tuple[Tab, ...]
    payee: object = None  # on the box's first page, for a member: the card or account to pay to

    @property
    def role_phrase(self) -> str:
        """The header's "you are ..." in words: a board is a group one sits on, not a thing one is."""
        return str(ROLE_PHRASES[self.role])


def box_nav(box, membership, can_manage: bool) -> BoxNav:
    """The navigation of `box` for a viewer with this membership (None for an admin who is not a
    member) and this right to manage it."""
    descriptor = product(box.kind)
    shown = {"all": True, "managers": can_manage, "members": membership is not None}
    tabs = []
    for link in (*descriptor.nav, *PLATFORM):
        if shown[link.audience]:
            url = url_for(link.endpoint, box_id=box.id)
            tabs.append(Tab(link.label, url, request.path == url or request.endpoint in link.also))
    payee = None
    if membership is not None and tabs[0].current:
        from hamyan.blueprints.payments.reports import payee_of

        payee = payee_of(box.id)
    return BoxNav(box, descriptor.name, membership.role if membership is not None else "admin", tuple(tabs), payee)
