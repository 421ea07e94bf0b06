"""What each unit's people owe, for the shared reminders job: every unpaid charge and late fee of
the unit, told to each person linked to it for their part (owners the owner-paid part, residents
the rest; a unit with only owners or only residents linked: all of it). Someone with an account is
told on the channels they keep on, someone known only by email by email. The stage is decided and
remembered per unit and obligation (dues.reminders)."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import Building, Unit, UnitPerson
from hamyan.boxes.models import Box
from hamyan.dues.reminders import Owed
from hamyan.extensions import db

from .summary import UNIT, derive


def owed(box_id: int, today: date) -> list[Owed]:
    box, building = db.session.get(Box, box_id), db.session.get(Building, box_id)
    if building is None:
        return []
    units = {u.id: u for u in db.session.scalars(select(Unit).filter_by(box_id=box_id))}
    people = {}  # unit id -> relation -> {(user id, email)}
    for person in db.session.scalars(select(UnitPerson).where(UnitPerson.unit_id.in_(list(units) or [0]))):
        m = person.membership
        email = m.email or (m.user.email if m.user else None)
        if m.left_at is None and (m.user_id or email):
            people.setdefault(person.unit_id, {}).setdefault(person.relation, set()).add((m.user_id, email))
    found = []
    for unit_id, pos in derive(box, building, [u for u in units if u in people], today).items():
        linked = people[unit_id]
        for relation, persons in linked.items():
            parts = [(o, o.unpaid if len(linked) == 1 else (
                o.owner_unpaid if relation == "owner" else o.unpaid - o.owner_unpaid)) for o in pos.obligations]
            # past due, and every late fee charged (a late fee is an obligation of its own, due when charged)
            overdue = sum(part for o, part in parts if o.due_date < today or o.reference.startswith("late:"))
            found.extend(Owed((UNIT, unit_id), o.reference, o.due_date, part,
                              _l("Unit %(number)s: %(charge)s", number=units[unit_id].number, charge=o.label), user_id=user_id,
                              email=None if user_id else email, grace_days=building.grace_days,
                              link=f"/buildings/{box_id}/units/{unit_id}", overdue=overdue)
                         for o, part in parts for user_id, email in sorted(persons, key=str) if part > 0)
    return found
