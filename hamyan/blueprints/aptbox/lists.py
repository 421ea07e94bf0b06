"""The building's lists as hamyan.web.listing specs: payments, charges and late fees, found by
unit (its number), date, status and search, and exported as CSV."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import Charge, ChargeRun, Unit, UnitPayment
from hamyan.dues.lists import fines_spec
from hamyan.dues.models import LateCharge
from hamyan.web.listing import Column, ListSpec


def _units(box):
    """The building's units as (id, number): the unit filter is a unit number."""
    return select(Unit.id, Unit.number).where(Unit.box_id == box.id)


def _unit_rows(model):
    return lambda box: select(model, Unit).join(Unit, Unit.id == model.unit_id).where(model.box_id == box.id)


PAYMENTS = ListSpec(
    name="payments",
    rows=_unit_rows(UnitPayment),
    people=_units,
    member=UnitPayment.unit_id,
    member_label=_l("Unit"),
    day=UnitPayment.paid_on,
    search=(UnitPayment.reference, UnitPayment.payer, Unit.owner_name, Unit.resident_name),
    order=(UnitPayment.paid_on.desc(), UnitPayment.id.desc()),
    columns=(
        Column(_l("No."), lambda r: r.UnitPayment.number, "number"),
        Column(_l("Paid on"), lambda r: r.UnitPayment.paid_on, "day"),
        Column(_l("Unit"), lambda r: r.Unit.number),
        Column(_l("Payer"), lambda r: r.UnitPayment.payer),
        Column(_l("Amount"), lambda r: r.UnitPayment.amount, "money"),
        Column(_l("Reference"), lambda r: r.UnitPayment.reference, "code"),
        Column(_l("Entry"), lambda r: r.UnitPayment.entry.number, "number"),
    ),
)

CHARGES = ListSpec(
    name="charges",
    rows=lambda box: (select(Charge, Unit).join(Unit, Unit.id == Charge.unit_id)
                      .join(ChargeRun, ChargeRun.id == Charge.run_id).where(Charge.box_id == box.id)),
    people=_units,
    member=Charge.unit_id,
    member_label=_l("Unit"),
    day=Charge.due_date,
    search=(ChargeRun.title, Unit.owner_name, Unit.resident_name),
    statuses={"monthly": lambda box: ChargeRun.assessment_id.is_(None),
              "assessment": lambda box: ChargeRun.assessment_id.is_not(None)},
    order=(Charge.due_date.desc(), Charge.id.desc()),
    columns=(
        Column(_l("Due"), lambda r: r.Charge.due_date, "day"),
        Column(_l("Unit"), lambda r: r.Unit.number),
        Column(_l("For"), lambda r: r.Charge.run.title),
        Column(_l("Amount"), lambda r: r.Charge.amount, "money"),
        Column(_l("Owner's part"), lambda r: r.Charge.owner_part, "money"),
        Column(_l("Resident"), lambda r: r.Unit.resident_name),
        Column(_l("Owner"), lambda r: r.Unit.owner_name),
    ),
)

FINES = fines_spec(kinds=("unit",), who=Unit, on=Unit.id == LateCharge.subject_id, name=Unit.number,
                   people=_units, member=Unit.id, member_label=_l("Unit"))


def own_units(spec: ListSpec, unit_ids) -> list:
    """What a resident or owner (not the board) may list: their units' rows."""
    return [spec.member.in_(list(unit_ids) or [0])]
