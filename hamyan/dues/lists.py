"""The fines (late charges) list of a box, one spec for every product (hamyan.web.listing): a
product says who owes each charge (a member, or a unit of a building) and how to name them."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hamyan.boxes.models import Membership
from hamyan.dues.models import LateCharge
from hamyan.web.listing import Column, ListSpec


def _members(box):
    return select(Membership.id, Membership.display_name).where(Membership.box_id == box.id)


def fines_spec(kinds=("membership",), who=Membership, on=None, name=Membership.display_name,
               people=_members, member=Membership.id, member_label=_l("Member")) -> ListSpec:
    """The box's late charges of these subject kinds, each with the name of who owes it: `who`
    joined `on` (by default the member the charge's subject is), named by `name`."""
    on = Membership.id == LateCharge.subject_id if on is None else on

    def rows(box):
        return (select(LateCharge, name.label("who")).join(who, on)
                .where(LateCharge.box_id == box.id, LateCharge.subject_kind.in_(kinds)))

    return ListSpec(
        name="fines",
        rows=rows,
        people=people,
        member=member,
        member_label=member_label,
        day=LateCharge.due_date,
        search=(name, LateCharge.waived_reason),
        statuses={"charged": lambda box: LateCharge.waiver_entry_id.is_(None),
                  "waived": lambda box: LateCharge.waiver_entry_id.is_not(None)},
        order=(LateCharge.due_date.desc(), LateCharge.id.desc()),
        options=(joinedload(LateCharge.entry),),
        columns=(
            Column(_l("Late on"), lambda r: r.LateCharge.due_date, "day"),
            Column(member_label, lambda r: r.who),
            Column(_l("Amount"), lambda r: r.LateCharge.amount, "money"),
            Column(_l("Charged on"), lambda r: r.LateCharge.charged_on, "day"),
            Column(_l("Status"), lambda r: "waived" if r.LateCharge.waived else "charged", "status"),
            Column(_l("Why waived"), lambda r: r.LateCharge.waived_reason or ""),
        ),
    )
