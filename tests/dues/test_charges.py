"""dues' late charges and reminders: one charge per (box, subject, obligation), however often the
daily job runs; a waiver is a reversal that leaves the row, so it is never charged again; boxes
never see each other's; the percent rule rounds half up once."""
from datetime import date

import pytest
import sqlalchemy as sa

from hamyan import ledger
from hamyan.boxes.models import Box
from hamyan.core import uow
from hamyan.core.errors import Conflict
from hamyan.dues import late, reminders
from hamyan.dues.models import LateCharge
from hamyan.extensions import db

DUE = date(2026, 3, 1)


def make_box(name: str) -> Box:
    box = Box(kind="cashbox", name=name, currency="USD")
    db.session.add(box)
    db.session.commit()
    return box


def accounts(box: Box, member: int):
    owed = ledger.open_account(box.id, f"fines:{member}", "Fines", "USD", type=ledger.ASSET,
                               subject=("membership", member), purpose="fines")
    income = ledger.open_account(box.id, "fine_income", "Fine income", "USD", type=ledger.INCOME,
                                 subject=("box", box.id), purpose="fine_income")
    return owed, income


def daily_job(box: Box, members: list[int], references: list[str], amount: int = 300) -> int:
    """What a product's job does: charge every (member, obligation) not charged yet."""
    with uow.box_transaction(box.id):
        done = late.charged(box.id, "membership", references)
        count = 0
        for member in members:
            owed, income = accounts(box, member)
            for ref in references:
                if (member, ref) in done:
                    continue
                late.charge(box.id, ("membership", member), ref, DUE, amount, code="fine", owed_account=owed,
                            income_account=income, idempotency_key=f"test:{box.id}:{member}:{ref}",
                            effective_date=DUE, memo="late")
                count += 1
        return count


def test_the_daily_job_charges_each_obligation_once():
    box = make_box("A")
    assert daily_job(box, [1, 2], ["period:1", "period:2"]) == 4
    assert daily_job(box, [1, 2], ["period:1", "period:2"]) == 0  # a re-run charges nothing
    assert daily_job(box, [1, 2], ["period:1", "period:2", "period:3"]) == 2
    assert db.session.scalar(sa.select(sa.func.count(LateCharge.id))) == 6
    owed, income = accounts(box, 1)
    assert owed.balance == 900 and income.balance == -1800
    assert ledger.check().ok


def test_the_table_refuses_a_second_charge_of_one_obligation():
    box = make_box("A")
    daily_job(box, [1], ["period:1"])
    with pytest.raises(sa.exc.IntegrityError):
        with uow.box_transaction(box.id):
            owed, income = accounts(box, 1)
            late.charge(box.id, ("membership", 1), "period:1", DUE, 300, code="fine", owed_account=owed,
                        income_account=income, idempotency_key="another key", effective_date=DUE, memo="again")
            db.session.flush()


def test_a_waiver_reverses_the_charge_and_is_never_charged_again():
    box = make_box("A")
    daily_job(box, [1], ["period:1"])
    row = db.session.scalar(sa.select(LateCharge))
    with uow.box_transaction(box.id):
        late.waive(row, "bank closed", today=date(2026, 3, 5), idempotency_key="waive:1", memo="Waived: bank closed",
                   by_id=None)
    row = db.session.get(LateCharge, row.id)
    assert row.waived and row.waived_reason == "bank closed"
    assert row.waiver.reverses_id == row.entry_id and row.waiver.effective_date == date(2026, 3, 5)
    owed, income = accounts(box, 1)
    assert owed.balance == 0 and income.balance == 0
    assert late.unwaived(box.id, "membership", ["period:1"]) == []
    assert daily_job(box, [1], ["period:1"]) == 0
    with pytest.raises(Conflict):
        with uow.box_transaction(box.id):
            late.waive(row, "again", today=date(2026, 3, 6), idempotency_key="waive:2", memo="again", by_id=None)
    assert ledger.check().ok


def test_boxes_do_not_see_each_others_charges_or_reminders():
    a, b = make_box("A"), make_box("B")
    daily_job(a, [1], ["period:1"])
    assert late.charged(b.id, "membership", ["period:1"]) == set()
    assert daily_job(b, [1], ["period:1"], amount=500) == 1  # same subject id and reference, other box
    assert late.unwaived(a.id, "membership", ["period:1"]) == [(1, "period:1", 300)]
    assert late.unwaived(b.id, "membership", ["period:1"]) == [(1, "period:1", 500)]
    assert late.charged(a.id, "loan", ["period:1"]) == set()  # another kind of subject
    with uow.box_transaction(a.id):
        reminders.record(a.id, ("membership", 1), "period:1", reminders.DUE)
    assert reminders.told(a.id, ["period:1"]) == {("membership", 1, "period:1", "due")}
    assert reminders.told(b.id, ["period:1"]) == set()


def test_a_reminder_is_recorded_once_per_stage():
    box = make_box("A")
    with uow.box_transaction(box.id):
        reminders.record(box.id, ("membership", 1), "period:1", reminders.DUE)
        reminders.record(box.id, ("membership", 1), "period:1", "late1")
    with pytest.raises(sa.exc.IntegrityError):
        with uow.box_transaction(box.id):
            reminders.record(box.id, ("membership", 1), "period:1", reminders.DUE)
            db.session.flush()


def test_the_amount_of_a_late_charge():
    assert late.amount_for(late.FIXED, 300, 12345) == 300
    assert late.amount_for(late.PERCENT, 250, 1000) == 25  # 2.5 %
    assert late.amount_for(late.PERCENT, 250, 1020) == 26  # 25.5 rounds half up, once
    assert late.amount_for(late.PERCENT, 250, 1019) == 25  # 25.475
    assert late.amount_for(late.PERCENT, 1, 49) == 0  # nothing to charge: callers skip a zero
    assert late.amount_for("none", 300, 1000) == 0


def test_the_reminder_an_obligation_calls_for():
    due = date(2026, 3, 10)
    stage = reminders.stage
    assert stage(due, date(2026, 3, 6), 3, (1, 7)) is None  # four days ahead
    assert stage(due, date(2026, 3, 7), 3, (1, 7)) == reminders.BEFORE
    assert stage(due, due, 3, (1, 7)) == reminders.DUE
    assert stage(due, date(2026, 3, 12), 3, (1, 7), grace_days=2) is None  # in the grace days
    assert stage(due, date(2026, 3, 13), 3, (1, 7), grace_days=2) == "late1"
    assert stage(due, date(2026, 3, 17), 3, (1, 7), grace_days=2) == "late7"
