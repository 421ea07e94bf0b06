"""The ROSCA's lists as hamyan.web.listing specs: payments in (contributions, deposits, covers,
netted) and late charges, found by member, date, kind and search, and exported as CSV."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hamyan.blueprints.rosca.models import RoscaPayment
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Membership
from hamyan.dues.lists import fines_spec
from hamyan.web.listing import Column, ListSpec

KINDS = ("contribution", "deposit", "cover", "netted")

PAYMENTS = ListSpec(
    name="payments",
    rows=lambda box: (select(RoscaPayment).join(Membership, Membership.id == RoscaPayment.membership_id)
                      .where(RoscaPayment.box_id == box.id)),
    people=lambda box: boxes.people(box.id, past_too=True),
    member=RoscaPayment.membership_id,
    day=RoscaPayment.paid_on,
    search=(Membership.display_name, RoscaPayment.reference),
    statuses={kind: (lambda box, kind=kind: RoscaPayment.kind == kind) for kind in KINDS},
    order=(RoscaPayment.paid_on.desc(), RoscaPayment.id.desc()),
    options=(joinedload(RoscaPayment.membership),),
    columns=(
        Column(_l("No."), lambda p: p.number, "number"),
        Column(_l("Paid on"), lambda p: p.paid_on, "day"),
        Column(_l("Member"), lambda p: p.membership.display_name, "name"),
        Column(_l("Kind"), lambda p: p.kind, "status"),
        Column(_l("Amount"), lambda p: p.amount, "money"),
        Column(_l("Method"), lambda p: p.method, "status"),
        Column(_l("Reference"), lambda p: p.reference, "code"),
        Column(_l("Entry"), lambda p: p.entry.number, "number"),
    ),
)

FINES = fines_spec()
