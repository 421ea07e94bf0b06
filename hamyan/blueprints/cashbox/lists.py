"""The cashbox's lists as hamyan.web.listing specs: payments and fines (with filters and CSV)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from hamyan.blueprints.cashbox.models import Payment, Round
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Membership
from hamyan.dues.lists import fines_spec
from hamyan.ledger.models import Entry
from hamyan.web.listing import Column, ListSpec

_undone = exists().where(Entry.reverses_id == Payment.entry_id)

PAYMENTS = ListSpec(
    name="payments",
    rows=lambda box: (select(Payment).join(Round, Round.id == Payment.round_id)
                      .join(Membership, Membership.id == Payment.membership_id).where(Round.box_id == box.id)),
    people=lambda box: boxes.people(box.id, past_too=True),
    member=Payment.membership_id,
    day=Payment.paid_on,
    search=(Membership.display_name, Payment.reference),
    statuses={"recorded": lambda box: ~_undone, "undone": lambda box: _undone},
    order=(Payment.paid_on.desc(), Payment.id.desc()),
    options=(joinedload(Payment.membership),),
    columns=(
        Column(_l("Paid on"), lambda p: p.paid_on, "day"),
        Column(_l("Member"), lambda p: p.membership.display_name, "name"),
        Column(_l("Contribution"), lambda p: p.amount, "money"),
        Column(_l("Fines"), lambda p: p.fine_amount, "money"),
        Column(_l("Method"), lambda p: p.method, "status"),
        Column(_l("Reference"), lambda p: p.reference, "code"),
        Column(_l("Entry"), lambda p: p.entry.number, "number"),
        Column(_l("Status"), lambda p: "undone" if p.reversal else "recorded", "status"),
    ),
)

FINES = fines_spec()
