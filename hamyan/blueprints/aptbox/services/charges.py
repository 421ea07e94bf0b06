"""Issuing charges: a month of the plan, or a special assessment's installments. Each issue is one
ChargeRun (unique per building and reference, so issuing the same month twice writes nothing) with
a Charge row per unit keeping its formula, and one ledger entry debiting each unit's receivable."""
import json
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hamyan import money as money_module
from hamyan.blueprints.aptbox.models import BASES, Assessment, Building, Charge, ChargeRun
from hamyan.boxes.access import SYSTEM
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, ValidationError
from hamyan.dues.calendar import add_months
from hamyan.extensions import db
from hamyan.i18n import Month, box_language, box_text, show_day, show_month, writing_in
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET

from .common import (PAGE_SIZE, account, by, day_in_month, manage, month_of, page_of, parse_month, post, request_hash,
                     request_key, same_request)
from .plan import compute, parse_mix, plan_parts
from .units import units_of

MAX_INSTALLMENTS = 36


def month_reference(year: int, month: int) -> str:
    return f"month:{year:04d}-{month:02d}"


def unit_accounts(box, unit_ids) -> dict[int, object]:
    """Each unit's receivable account, read in one query and opened where missing."""
    found = {a.subject_id: a for a in ledger.accounts_of(box.id, subject=("unit", None), types=[ASSET])}
    for unit_id in unit_ids:
        if unit_id not in found:
            found[unit_id] = account(box, f"apt:unit:{unit_id}")
    return found


def _issue(box, actor, reference: str, title: str, due: date, lines: list, income: str,
           assessment_id: int | None = None) -> ChargeRun:
    """One run: lines are (unit id, amount, owner part, detail list)."""
    lines = [line for line in lines if line[1] > 0]
    if not lines:
        raise ValidationError(_("This would charge no unit anything."), field="month")
    total = sum(line[1] for line in lines)
    accounts = unit_accounts(box, [line[0] for line in lines])
    legs = [(accounts[unit_id].id, amount) for unit_id, amount, _, _ in lines]
    legs.append((account(box, income).id, -total))
    entry = post(box, actor, "charge", legs, f"run:{reference}", due, title)
    run = ChargeRun(box_id=box.id, reference=reference, title=title, due_date=due, total=total,
                    assessment_id=assessment_id, entry_id=entry.id, created_by_id=by(actor))
    db.session.add(run)
    db.session.flush()
    db.session.add_all([Charge(box_id=box.id, run_id=run.id, unit_id=unit_id, amount=amount, owner_part=owner,
                               due_date=due, detail=json.dumps(detail, ensure_ascii=False))
                        for unit_id, amount, owner, detail in lines])
    db.session.flush()
    return run


def _refuse_issued(box, reference: str, what: str) -> None:
    run = db.session.scalar(select(ChargeRun).filter_by(box_id=box.id, reference=reference))
    if run is not None:
        raise Conflict(_("%(what)s was already issued (%(day)s); nothing was charged again.", what=what,
                         day=show_day(run.created_at.date(), box)), field="month")


@uow.box_write
def issue_month(actor, box_id, month) -> ChargeRun:
    """Charge every unit its share of the plan for a month of the building's calendar."""
    acc = manage(actor, box_id)
    box, building = acc.box, acc.building
    year, number = parse_month(box, month)
    reference = month_reference(year, number)
    label = show_month(year, number, box.calendar, box)
    _refuse_issued(box, reference, label)
    parts = plan_parts(box.id)
    if not parts:
        raise ValidationError(_("The charge plan is empty: add what the building pays for first."), field="month")
    units = units_of(box.id)
    if not units:
        raise ValidationError(_("Add the building's units first."), field="month")
    with writing_in(box_language(box)):  # each unit's explanation is kept in the building's words
        computed = compute(box, building, units, parts)
    due = day_in_month(box, year, number, building.due_day)
    title = box_text(box, _l("Charges for %(month)s"), month=Month(year, number, box.calendar))
    run = _issue(box, actor, reference, title, due, [(c.unit.id, c.amount, c.owner_part, c.lines) for c in computed],
                 "apt:income:charges")
    from .summary import refresh

    refresh(box, [c.unit.id for c in computed])
    return run


def issue_due_month(box_id: int) -> ChargeRun | None:
    """This month's charges (the building's calendar), issued by the daily job where the board asked
    for it (issue_monthly): once whatever the runs, since issuing a month is unique; not when this
    month or a later one was issued already (the board issued ahead), nor from an empty plan."""
    building = db.session.get(Building, box_id)
    if not building.issue_monthly:
        return None
    box = building.box
    year, month = month_of(box, clock.today(box))
    latest = db.session.scalar(select(ChargeRun.reference).where(
        ChargeRun.box_id == box_id, ChargeRun.reference.like("month:%")).order_by(ChargeRun.reference.desc()).limit(1))
    if (latest and latest >= month_reference(year, month)) or not plan_parts(box_id) or not units_of(box_id):
        return None
    return issue_month(SYSTEM, box_id, f"{year:04d}-{month:02d}")


def next_month(box) -> str:
    """The month to issue next: the one after the latest issued, or this month."""
    latest = db.session.scalar(select(ChargeRun.reference).where(
        ChargeRun.box_id == box.id, ChargeRun.reference.like("month:%")).order_by(ChargeRun.reference.desc()).limit(1))
    if latest is None:
        year, month = month_of(box, clock.today(box))
    else:
        year, month = (int(p) for p in latest.removeprefix("month:").split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


@uow.box_write
def create_assessment(actor, box_id, title: str, total, basis: str, mix=None, installments=1,
                      first_month=None, key: str | None = None) -> Assessment:
    """A one-off cost split by a basis (no exemptions; vacancy discount applies), each unit's share
    in equal installments due on the building's due day of consecutive months; the first
    installment's rounding remainder goes to the first installments (largest remainder). A retry
    with the same `key` returns the first assessment; the same key with anything different is 409."""
    acc = manage(actor, box_id)
    box, building = acc.box, acc.building
    if key:
        key = request_key(key)
        digest = request_hash(title=title, total=str(total), basis=basis, mix=mix, installments=installments,
                              first_month=first_month)
        existing = db.session.scalar(select(Assessment).filter_by(box_id=box.id, request_key=key))
        if existing is not None:
            same_request(existing, digest)
            return existing
    errors = {}
    values = {}
    for name, parser in (("title", lambda: parse.text(title, "title", label=_("Title"), limit=120)),
                         ("total", lambda: parse.amount(total, box.currency, "total")),
                         ("basis", lambda: parse.choice(basis, [b for b in BASES if b != "fixed"], "basis", _("Basis"))),
                         ("installments", lambda: parse.whole(installments, "installments", 1, MAX_INSTALLMENTS,
                                                              _("Installments"))),
                         ("month", lambda: parse_month(box, first_month or next_month(box)))):
        try:
            values[name] = parser()
        except ValidationError as error:
            errors.update(error.fields)
    if values.get("basis") == "mix":
        try:
            values["mix"] = parse_mix(mix)
        except ValidationError as error:
            errors.update(error.fields)
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)
    mix_values = values.get("mix", {})
    year, month = values["month"]
    first_due = day_in_month(box, year, month, building.due_day)
    assessment = Assessment(box_id=box.id, title=values["title"], total=values["total"], basis=values["basis"],
                            mix=json.dumps(mix_values), installments=values["installments"], first_due=first_due,
                            created_by_id=by(actor), request_key=key, request_hash=digest if key else None)
    db.session.add(assessment)
    db.session.flush()
    units = units_of(box.id)
    if not units:
        raise ValidationError(_("Add the building's units first."), field="title")
    with writing_in(box_language(box)):  # each unit's explanation is kept in the building's words
        computed = compute(box, building, units, [(assessment.title, assessment.total, assessment.basis, mix_values,
                                                   "owner", False, {})])
    n = assessment.installments
    per_unit = {c.unit.id: (money_module.allocate(c.amount, [1] * n) if c.amount else [0] * n, c) for c in computed}
    for k in range(n):
        due = add_months(first_due, k, box.calendar)
        lines = []
        for unit_id, (parts, c) in per_unit.items():
            why = c.lines[0]["why"] if c.lines else ""
            if n > 1:
                why = box_text(box, _l("%(why)s; installment %(number)s of %(count)s"), why=why, number=k + 1, count=n)
            lines.append((unit_id, parts[k], parts[k],
                          [{"name": assessment.title, "basis": c.lines[0]["basis"] if c.lines else "", "payer": "owner",
                            "amount": parts[k], "why": why}]))
        label = box_text(box, _l("%(title)s (%(number)s/%(count)s)"), title=assessment.title, number=k + 1,
                         count=n) if n > 1 else assessment.title
        _issue(box, actor, f"assessment:{assessment.id}:{k + 1}", label, due, lines, "apt:income:assessments",
               assessment.id)
    from .summary import refresh

    refresh(box, list(per_unit))
    return assessment


def runs(box_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[ChargeRun], int]:
    """One page of the charges issued, the latest due first, and how many there are."""
    return page_of(select(ChargeRun).filter_by(box_id=box_id).order_by(ChargeRun.due_date.desc(), ChargeRun.id.desc()),
                   page, size)


def charges_of(unit_id: int) -> list[Charge]:
    return list(db.session.scalars(select(Charge).filter_by(unit_id=unit_id).order_by(Charge.due_date, Charge.id)))


def latest_charge(unit_id: int, today: date) -> Charge | None:
    """The charge "why is my charge X" explains: the latest monthly one due by today, else the next."""
    query = select(Charge).join(ChargeRun, ChargeRun.id == Charge.run_id).where(
        Charge.unit_id == unit_id, ChargeRun.reference.like("month:%"))
    return (db.session.scalar(query.where(Charge.due_date <= today).order_by(Charge.due_date.desc()).limit(1))
            or db.session.scalar(query.order_by(Charge.due_date).limit(1)))
