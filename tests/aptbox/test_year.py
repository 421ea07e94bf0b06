"""A year of a 24-unit Jalali building through the services: charges, partial payments, late
fees, an assessment in installments, expenses with receipts, a fund transfer; the ledger checks
clean, every product reconciles and the board statement's totals equal the ledger."""
from datetime import date, timedelta

from sqlalchemy import select

from hamyan.blueprints.aptbox import reports, services
from hamyan.blueprints.aptbox.models import Unit
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET, EXPENSE, INCOME
from tests.aptbox.conftest import awkward

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 200


def test_a_year_of_a_24_unit_building(building, today):
    today(date(2025, 3, 21))  # 1404/01/01
    box, board = building(calendar="persian", round_to="1000", late_fee_kind="percent", late_fee_value="2",
                          vacancy_discount="30", floor_factors="0=0.5", grace_days="7")
    rows = awkward(24)
    services.import_units(board, box.id, "number,floor,area,occupants,parking,occupied\n" + "".join(
        f"{n},{f},{a},{o},{p},{'yes' if occ else 'no'}\n" for n, f, a, o, p, occ in rows))
    services.add_component(board, box.id, name="Caretaker", amount="48000000", basis="mix",
                           mix={"area": 60, "occupants": 40})
    services.add_component(board, box.id, name="Lift", amount="7000000", basis="equal", use_floor_factor=True)
    services.add_component(board, box.id, name="Reserve", amount="500000", basis="fixed", payer="owner")
    units = list(db_units(box))
    services.set_rule(board, box.id, services.components(box.id)[1].id, units[0].id, "exempt", reason="ground")
    for month in range(1, 13):
        first = services.common.day_in_month(box, 1404, month, 1)
        today(first)
        services.issue_month(board, box.id, f"1404-{month:02d}")
        if month == 4:
            services.create_assessment(board, box.id, "Roof", "120000000", "area", installments="3",
                                       first_month="1404-05")
        today(first + timedelta(days=20))
        for i, unit in enumerate(units):
            pos = services.position(box, services.access(board, box.id).building, unit.id)
            owed = pos.values["balance"]
            if owed <= 0 or (i % 6 == 5 and month > 8):
                continue
            part = owed if i % 4 else owed // 2 + 1
            services.record_payment(board, box.id, unit.id, str(part), None, f"R{month}-{i}", key=f"{month}-{i}")
        services.assess_late_fees(board, box.id)
        services.add_expense(board, box.id, "30000000", "caretaker", None, "Caretaker", "",
                             receipt=services.Receipt(PNG, "r.png"))
        if month == 6:
            services.transfer(board, box.id, "20000000", "operating", "reserve", None, "half-year", key="t1")
        if month == 9:
            services.add_expense(board, box.id, "15000000", "elevator", None, "Lift Co", "", fund="reserve",
                                 receipt=services.Receipt(b"%PDF-1.4 x", "invoice.pdf"))
    report = ledger.check()
    assert report.ok, report.problems
    assert services.reconcile() == []
    start, end = date(2025, 3, 21), services.common.day_in_month(box, 1404, 12, 29)
    statement = reports.board_statement(box, start, end)
    totals = ledger.balances_by_type(box.id, end)
    assert statement.total_income == totals.total(INCOME)
    assert statement.total_expenses == totals.total(EXPENSE)
    assert statement.closing == {"operating": totals.of(ASSET, "operating"), "reserve": totals.of(ASSET, "reserve")}
    assert statement.receivable == totals.of(ASSET, "receivable")
    assert statement.closing["operating"] + statement.closing["reserve"] + statement.receivable == \
        statement.total_income - statement.total_expenses
    assert statement.arrears and statement.arrears[0][2] >= statement.arrears[-1][2]


def db_units(box):
    from hamyan.extensions import db

    return sorted(db.session.scalars(select(Unit).filter_by(box_id=box.id)), key=lambda u: int(u.number))
