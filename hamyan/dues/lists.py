"""The fines (late charges) list of a box, one spec for every product (hamyan.web.listing): a
product says which member owes each charge, as an SQL expression of the membership id."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hamyan.boxes.models import Membership
from hamyan.dues.models import LateCharge
from hamyan.web.listing import Column, ListSpec

MEMBERSHIP = LateCharge.subject_id  # a charge to a member (cashbox and moneypool late fees)


def fines_spec(kinds=("membership",), membership_id=MEMBERSHIP) -> ListSpec:
    """The box's late charges of these subject kinds, each with the name of the member who owes it."""
    def rows(box):
        return (select(LateCharge, Membership.display_name.label("member"))
                .join(Membership, Membership.id == membership_id)
                .where(LateCharge.box_id == box.id, LateCharge.subject_kind.in_(kinds)))

    return ListSpec(
        name="fines",
        rows=rows,
        people=lambda box: select(Membership.id, Membership.display_name).where(Membership.box_id == box.id),
        member=Membership.id,
        day=LateCharge.due_date,
        search=(Membership.display_name, LateCharge.waived_reason),
        statuses={"charged": lambda box: LateCharge.waiver_entry_id.is_(None),
                  "waived": lambda box: LateCharge.waiver_entry_id.is_not(None)},
        order=(LateCharge.due_date.desc(), LateCharge.id.desc()),
        options=(joinedload(LateCharge.entry),),
        columns=(
            Column("Late on", lambda r: r.LateCharge.due_date, "day"),
            Column("Member", lambda r: r.member),
            Column("Amount", lambda r: r.LateCharge.amount, "money"),
            Column("Charged on", lambda r: r.LateCharge.charged_on, "day"),
            Column("Status", lambda r: "waived" if r.LateCharge.waived else "charged"),
            Column("Why waived", lambda r: r.LateCharge.waived_reason or ""),
        ),
    )
