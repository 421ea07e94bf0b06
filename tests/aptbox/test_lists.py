"""Find and export (issue 8) in a building: payments, charges issued and late fees filter by unit
(its number), date range (Jalali in a Jalali building), status and search, export as CSV; a
resident sees their own unit's rows; another building's board gets 404."""
from datetime import date

from hamyan.blueprints.aptbox import services
from tests.aptbox.test_charges import planned
from tests.conftest import login
from tests.listing.test_cashbox_lists import rows_of


def test_building_lists(building, today, app, make_user):
    box, board, units = planned(building, calendar="persian", grace_days="5", late_fee_kind="fixed",
                                late_fee_value="10000")
    services.issue_month(board, box.id, "1404-10")
    services.issue_month(board, box.id, "1404-11")
    today(date(2026, 3, 1))
    services.record_payment(board, box.id, units["3"].id, "50000", "1404/11/20", "فیش-۱", payer="کامران", key="a")
    services.record_payment(board, box.id, units["1"].id, "70000", "1404-12-05", "FIS-2", key="b")
    services.assess_late_fees(board, box.id)
    client = login(app.test_client(), "board@example.com")
    base = f"/buildings/{box.id}"
    assert "2 found" in client.get(f"{base}/payments").text
    assert "1 found" in client.get(f"{base}/payments", query_string={"member": "3"}).text
    assert "1 found" in client.get(f"{base}/payments", query_string={"q": "کامران"}).text
    assert "2 found" in client.get(f"{base}/payments", query_string={"q": "رضا"}).text  # owner of 1, resident of 3
    assert "1 found" in client.get(f"{base}/payments", query_string={"start": "1404/12/01"}).text
    assert "no such day" in client.get(f"{base}/payments", query_string={"end": "1404/12/30"}).text
    assert "No unit here is called" in client.get(f"{base}/payments", query_string={"member": "99"}).text
    rows = rows_of(client.get(f"{base}/payments", query_string={"export": "csv"}))
    assert rows[0] == ["No.", "Paid on", "Unit", "Payer", "Amount (IRR)", "Reference", "Entry"]
    assert rows[1][1:6] == ["1404/12/05", "1", "", "70000", "FIS-2"] and rows[2][5] == "فیش-۱"
    charges = rows_of(client.get(f"{base}/charges/all", query_string={"member": "2", "export": "csv"}))
    assert len(charges) == 3 and {r[1] for r in charges[1:]} == {"2"}
    assert "0 found" in client.get(f"{base}/charges/all", query_string={"status": "assessment"}).text
    fees = rows_of(client.get(f"{base}/late-fees", query_string={"export": "csv"}))
    assert len(fees) > 1 and all(r[2] == "10000" for r in fees[1:])
    # a resident sees only their unit's rows; another building's board nothing
    make_user("res@example.com", "Res")
    services.add_person(board, box.id, units["3"].id, "Res", "res@example.com", "resident")
    resident = login(app.test_client(), "res@example.com")
    assert {r[2] for r in rows_of(resident.get(f"{base}/payments?export=csv"))[1:]} == {"3"}
    assert {r[1] for r in rows_of(resident.get(f"{base}/charges/all?export=csv"))[1:]} == {"3"}
    make_user("other@example.com", "Other")
    other = login(app.test_client(), "other@example.com")
    for path in ("payments", "charges/all", "late-fees", "payments?export=csv"):
        assert other.get(f"{base}/{path}").status_code == 404, path


def test_bulk_payments_of_units(building, today, app):
    """The building's bulk entry: every unit with what it owes; one submit records one payment per
    ticked unit (twice: nothing more), a missing reference writes nothing."""
    from tests.cashbox.test_bulk import _form

    box, board, units = planned(building, calendar="persian")
    services.issue_month(board, box.id, "1404-12")
    client = login(app.test_client(), "board@example.com")
    url = f"/buildings/{box.id}/collect"
    page = client.get(url).text
    assert "Unit 1 · رضا احمدی" in page
    data = _form(page)
    assert len([k for k in data if k.startswith("pay-")]) == 3
    response = client.post(url, data=data)
    assert "Bank reference" in response.text and "is-invalid" in response.text
    assert "0 found" in client.get(f"/buildings/{box.id}/payments").text
    data["reference"] = "فیش جمعی ۱۲"
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302  # a double submit
    rows = rows_of(client.get(f"/buildings/{box.id}/payments?export=csv"))
    assert len(rows) == 4 and {r[5] for r in rows[1:]} == {"فیش جمعی ۱۲"}
    assert not services.period_lines(box)[0].owed  # paid up


def test_building_lists_queries_do_not_grow(building, today, app):
    from sqlalchemy import insert, select

    from hamyan.blueprints.aptbox.models import UnitPayment
    from hamyan.extensions import db
    from tests.moneypool.conftest import count_queries

    box, board, units = planned(building)
    services.issue_month(board, box.id, "2026-02")
    first = services.record_payment(board, box.id, units["1"].id, "10", "2026-02-10", "R0", key="k0")
    box_id, unit_ids, entry_id = box.id, [u.id for u in units.values()], first.entry_id
    client = login(app.test_client(), "board@example.com")
    paths = [f"/buildings/{box_id}/{p}" for p in ("payments?q=R", "charges/all", "late-fees", "payments?export=csv")]
    few = [count_queries(client, p) for p in paths]
    db.session.execute(insert(UnitPayment), [
        dict(box_id=box_id, number=1000 + i, unit_id=unit_ids[i % 3], amount=5, paid_on=date(2026, 2, 11), reference=f"R{i}",
             request_key=f"x{i}", request_hash="", entry_id=entry_id) for i in range(1, 60)])
    db.session.commit()
    assert [count_queries(client, p) for p in paths] == few
    assert db.session.scalar(select(db.func.count()).select_from(UnitPayment)) == 60
