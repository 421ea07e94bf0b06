"""Units, the charge plan and issuing a month: through the services and pages, with bad input
answered by clear errors and no writes."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Charge, ChargeRun, Unit, UnitPayment
from hamyan.core.errors import Conflict, ValidationError
from hamyan.dues import calendar
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry
from tests.conftest import login

CSV = """number,floor,area,occupants,parking,occupied,owner,resident
1,0,78.5,2,1,yes,رضا احمدی,رضا احمدی
2,1,64,0,0,no,مریم کریمی,
3,2,92.25,4,1,yes,علی رضایی,علی رضایی
"""


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def planned(building, **rules):
    box, board = building(**rules)
    services.import_units(board, box.id, CSV)
    services.add_component(board, box.id, name="Cleaning", amount="1000000", basis="mix",
                           mix={"area": 60, "occupants": 40})
    services.add_component(board, box.id, name="Lift", amount="300000", basis="equal", use_floor_factor=True)
    return box, board, {u.number: u for u in db.session.scalars(select(Unit).filter_by(box_id=box.id))}


def test_csv_with_one_bad_row_imports_nothing_and_names_each_row(building):
    box, board = building()
    bad = CSV + "4,3,-12,1,0,yes,x,y\n5,3,abc,1,0,maybe,x,y\n1,0,50,1,0,yes,a,b\n"
    with pytest.raises(services.ImportError_) as caught:
        services.import_units(board, box.id, bad)
    lines = dict(caught.value.rows)
    assert set(lines) == {5, 6, 7}
    assert "Area must be more than 0" in lines[5] and "yes or no" in lines[6] and "line 2" in lines[7]
    assert count(Unit) == 0


def test_a_unit_number_in_persian_or_latin_digits_is_one_unit(building):
    """۱ and 1 are the same unit (a Persian page shows both as ۱): a second is refused one by one, in
    a CSV and when a unit is renumbered; typing a unit's own number in the other digits is no change."""
    box, board = building()
    services.import_units(board, box.id, CSV)
    with pytest.raises(Conflict, match="already exists"):
        services.add_unit(board, box.id, number="۲", area="50")
    with pytest.raises(services.ImportError_) as caught:
        services.import_units(board, box.id, "number,area\n۳,50\n۷,60\n7,70\n")
    assert set(dict(caught.value.rows)) == {2, 4}
    fourth = services.add_unit(board, box.id, number="۴", area="50")
    with pytest.raises(Conflict, match="already exists"):
        services.update_unit(board, box.id, fourth.id, number="1", area="50")
    services.update_unit(board, box.id, fourth.id, number="4", area="55")
    assert count(Unit) == 4 and fourth.area == 55


def test_negative_area_one_by_one_is_refused(building):
    box, board = building()
    with pytest.raises(ValidationError) as caught:
        services.add_unit(board, box.id, number="1", area="-50")
    assert "area" in caught.value.fields
    assert count(Unit) == 0


def test_issue_a_month_sums_exactly_explains_each_unit_and_twice_does_nothing(building):
    box, board, units = planned(building, round_to="1000", remainder_unit="", floor_factors="0=0.5",
                                vacancy_discount="50")
    run = services.issue_month(board, box.id, "2026-03")
    charges = db.session.scalars(select(Charge).filter_by(run_id=run.id)).all()
    assert run.total == 1_300_000 == sum(c.amount for c in charges)
    assert run.due_date == date(2026, 3, 5)
    entries = count(Entry)
    with pytest.raises(Conflict) as caught:
        services.issue_month(board, box.id, "2026-03")
    assert "already issued" in caught.value.message
    assert count(Entry) == entries and count(ChargeRun) == 1
    acc = services.access(board, box.id)
    latest = services.latest_charge(units["1"].id, date(2026, 3, 10))
    assert "78.5 of" in latest.detail and "floor 0" in latest.detail
    assert "remainder" in latest.detail  # unit 1 is the first unit sharing the cost
    assert services.totals(acc.box).owed == 0  # not due yet on 1 March


def test_a_jalali_building_issues_jalali_months(building, today):
    box, board, units = planned(building, calendar="persian")
    today(date(2026, 3, 1))  # 1404/12/10
    run = services.issue_month(board, box.id, "۱۴۰۴-۱۲")
    assert run.due_date == date(2026, 2, 24)  # 1404/12/05
    assert run.title == "Charges for Esfand 1404"
    assert services.next_month(box) == "1405-01"
    assert calendar.day_text(date(2026, 3, 1), box.calendar) == "1404/12/10"
    assert calendar.parse_day("۱۴۰۴-۱۲-۱۰", box.calendar, "paid_on") == date(2026, 3, 1)
    with pytest.raises(ValidationError):
        calendar.parse_day("1404-12-31", box.calendar, "paid_on")  # Esfand 1404 has 29 days


def test_payments_settle_the_oldest_first_and_overpayment_is_credit(building, today):
    box, board, units = planned(building, grace_days="5", late_fee_kind="percent", late_fee_value="10")
    services.issue_month(board, box.id, "2026-01")
    services.issue_month(board, box.id, "2026-02")
    today(date(2026, 3, 1))
    unit = units["3"]
    owed = sum(c.amount for c in services.charges_of(unit.id))
    january = services.charges_of(unit.id)[0].amount
    services.record_payment(board, box.id, unit.id, str(january + 10), "2026-02-20", "FIS-1", key="a")
    assert services.assess_late_fees(board, box.id) == 5  # Feb for 3 units + Jan for units 1, 2
    again = services.assess_late_fees(board, box.id)
    assert again == 0
    pos = services.position(box, services.access(board, box.id).building, unit.id)
    fee = [o for o in pos.obligations if o.label == "Late fee"][0]
    assert fee.amount == round((owed - january - 10) / 10)
    assert pos.values["arrears"] == owed - january - 10 + fee.amount
    with pytest.raises(ValidationError):
        services.waive_late_fee(board, box.id, unit.id, fee.reference[5:], "")
    other = [o for o in services.position(box, services.access(board, box.id).building, units["1"].id).obligations
             if o.label == "Late fee"][0]
    assert services.waive_late_fee(board, box.id, units["1"].id, other.reference[5:], "first time, forgiven")
    assert not services.waive_late_fee(board, box.id, units["1"].id, other.reference[5:], "first time, forgiven")
    assert services.assess_late_fees(board, box.id) == 0  # a waived fee is never charged again
    services.record_payment(board, box.id, unit.id, str(owed - january - 10 + fee.amount + 500), "2026-03-01", "FIS-2", key="b")
    pos = services.position(box, services.access(board, box.id).building, unit.id)
    assert pos.values["balance"] == -500 and pos.values["arrears"] == 0 and pos.values["status"] == "paid"
    ledger_lines = services.unit_ledger(box, unit)
    assert ledger_lines[-1].balance == -500
    assert ledger.check().ok and services.reconcile() == []


def test_a_retried_payment_writes_once_and_a_changed_one_is_refused(building):
    box, board, units = planned(building)
    first = services.record_payment(board, box.id, units["1"].id, "1000", None, "R1", key="k1")
    assert services.record_payment(board, box.id, units["1"].id, "1000", None, "R1", key="k1").id == first.id
    with pytest.raises(Conflict):
        services.record_payment(board, box.id, units["1"].id, "2000", None, "R1", key="k1")
    assert count(UnitPayment) == 1


def test_bad_plan_input_writes_nothing(building):
    box, board, units = planned(building)
    before = len(services.components(box.id))
    with pytest.raises(ValidationError) as caught:
        services.add_component(board, box.id, name="Mixed", amount="1000", basis="mix", mix="area=60, occupants=30")
    assert "100%" in caught.value.fields["mix"]
    with pytest.raises(ValidationError):
        services.add_component(board, box.id, name="Neg", amount="-5", basis="area")
    assert len(services.components(box.id)) == before


def test_board_pages_run_a_month_end(client, building):
    box, board, units = planned(building)
    login(client, "board@example.com")
    page = client.get(f"/buildings/{box.id}/charges").get_data(as_text=True)
    assert "Next month under this plan" in page and "1,300,000" in page and "60% by area + 40% by occupants" in page
    unconfirmed = client.post(f"/buildings/{box.id}/charges", data={"which": "issue", "month": "2026-03"})
    asked = unconfirmed.get_data(as_text=True)  # the confirm step: what every unit is charged
    assert "Yes, issue the charges" in asked and "1,300,000" in asked and not services.runs(box.id)[0]
    response = client.post(f"/buildings/{box.id}/charges", data={"which": "issue", "month": "2026-03", "confirmed": "1"})
    assert response.status_code == 302
    for month in ("abc", "-۵", "۱۴۰۵/۱۳"):  # a month that cannot be read is the form's error, asked nothing
        unread = client.post(f"/buildings/{box.id}/charges", data={"which": "issue", "month": month}).get_data(as_text=True)
        assert "is-invalid" in unread and "Yes, issue" not in unread and "Issue the charges of" not in unread, month
    again = client.post(f"/buildings/{box.id}/charges", data={"which": "issue", "month": "2026-03"})
    assert "already issued" in again.get_data(as_text=True) and "Yes, issue" not in again.get_data(as_text=True)
    response = client.post(f"/buildings/{box.id}/units/{units['3'].id}",
                           data={"which": "payment", "amount": "500,000", "paid_on": "2026-03-01",
                                 "reference": "FIS-77", "key": "x1"})
    assert response.status_code == 302
    page = client.get(f"/buildings/{box.id}/units/{units['3'].id}").get_data(as_text=True)
    assert "Why is my charge" in page and "92.25" in page and "FIS-77" in page
    response = client.post(f"/buildings/{box.id}/units/import", data={"file": (__import__("io").BytesIO(
        b"number,area\n9,-1\n"), "units.csv")}, content_type="multipart/form-data")
    assert "Nothing was imported" in response.get_data(as_text=True)


def test_owner_and_resident_parts_of_what_is_owed(building, today):
    box, board, units = planned(building)
    services.add_component(board, box.id, name="Reserve", amount="100000", basis="fixed", payer="owner")
    services.issue_month(board, box.id, "2026-02")
    unit = units["3"]
    charge = services.charges_of(unit.id)[0]
    assert charge.owner_part == 100_000
    services.record_payment(board, box.id, unit.id, str(charge.amount // 2), None, "R", key="half")
    pos = services.position(box, services.access(board, box.id).building, unit.id)
    owed = services.owed_by(pos, date(2026, 3, 1))
    # a payment for the whole unit settles the oldest charge, the owner's part of it first
    assert owed == {"owner": 0, "resident": pos.values["balance"]}
    with pytest.raises(ValidationError) as error:
        services.record_payment(board, box.id, unit.id, "1000", None, "R", key="bad", part="tenant")
    assert set(error.value.fields) == {"part"}


def test_the_unit_rule_form_saves_a_rule_and_answers_bad_input_on_the_form(client, building):
    """The charges page's "a unit pays a fixed amount / is exempt" form (its charge picked from the plan)."""
    box, board, units = planned(building)
    lift = next(c for c in services.components(box.id) if c.name == "Lift")
    login(client, "board@example.com")
    url = f"/buildings/{box.id}/charges"
    for bad in ({"unit": "۹۹", "amount": "100"}, {"unit": "1", "amount": "-۵"}, {"unit": "1", "amount": "۹" * 30},
                {"unit": "1", "amount": "abc", "component_id": "99999"}):
        data = {"which": "rule", "component_id": str(lift.id), "kind": "override", "reason": "قرار هیئت مدیره"} | bad
        page = client.post(url, data=data, headers={"Accept-Language": "fa"})
        assert page.status_code == 200 and "is-invalid" in page.get_data(as_text=True), bad
        assert not services.rules_of([lift.id]), bad
    saved = client.post(url, data={"which": "rule", "component_id": str(lift.id), "unit": "۱", "kind": "exempt",
                                   "amount": "", "reason": "طبقهٔ همکف"})  # unit 1, typed in Persian digits
    assert saved.status_code == 302 and services.rules_of([lift.id])
    assert services.update_rules(board, box.id, remainder_unit="۳").remainder_unit_id == units["3"].id


def test_the_daily_job_issues_each_month_where_the_building_asks_for_it(building, today):
    """Issue 12: the monthly issue of charges where the building asks for it (issue_monthly), once a
    month of the building's calendar whatever the runs; a building that did not ask is left alone,
    and a month the board issued already (or ahead) is not issued again."""
    from hamyan.scheduling import run_job

    box, board, _units = planned(building, issue_monthly=True)
    other = services.create_building(board, "Other", "IRR", "UTC", "en", "gregorian")
    services.import_units(board, other.id, CSV)
    services.add_component(board, other.id, name="Cleaning", amount="1000000", basis="equal")
    months = lambda b: db.session.scalars(select(ChargeRun.reference).filter_by(box_id=b.id)  # noqa: E731
                                          .order_by(ChargeRun.reference)).all()
    run_job("aptbox.daily", "t1")
    run_job("aptbox.daily", "t2")
    assert months(box) == ["month:2026-03"] and months(other) == []
    assert db.session.scalar(select(ChargeRun.created_by_id).filter_by(box_id=box.id)) is None  # the system's
    services.issue_month(board, box.id, "2026-04")  # the board issued April ahead
    today(date(2026, 4, 2))
    run_job("aptbox.daily", "t3")
    today(date(2026, 5, 1))
    run_job("aptbox.daily", "t4")
    assert months(box) == ["month:2026-03", "month:2026-04", "month:2026-05"]
    services.update_rules(board, box.id, issue_monthly=False)
    today(date(2026, 6, 1))
    run_job("aptbox.daily", "t5")
    assert months(box)[-1] == "month:2026-05"


def test_a_building_asks_for_the_monthly_issue_on_its_rules_form(building, client):
    box, board, _units = planned(building)
    login(client, "board@example.com")
    page = client.get(f"/buildings/{box.id}/charges").get_data(as_text=True)
    assert 'name="issue_monthly"' in page
    form = {"which": "settings", "due_day": "5", "grace_days": "10", "late_fee_kind": "none", "late_fee_value": "0",
            "vacancy_discount": "0", "floor_factors": "", "round_to": "1", "remainder_unit": "",
            "issue_monthly": "y"}
    answer = client.post(f"/buildings/{box.id}/charges", data=form)
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:500]
    db.session.expire_all()
    from hamyan.blueprints.aptbox.models import Building
    assert db.session.get(Building, box.id).issue_monthly


def test_the_rules_form_shows_the_rules_as_typed_and_saving_it_unchanged_changes_nothing(building, client):
    """The form shows each rule as the board typed it (a late fee of 2 percent as 2, floor factors as
    floor=factor), not as stored (basis points, JSON), so saving it unchanged keeps every rule."""
    import re

    from hamyan.blueprints.aptbox.models import Building

    box, board, _units = planned(building, late_fee_kind="percent", late_fee_value="2", floor_factors="0=0.5",
                                 round_to="1000")
    before = {c: getattr(db.session.get(Building, box.id), c) for c in ("late_fee_value", "floor_factors", "round_to")}
    login(client, "board@example.com")
    page = client.get(f"/buildings/{box.id}/charges").get_data(as_text=True)
    form = page[page.index('id="settings-form"'):]
    form = form[:form.index("</form>")]
    shown = {name: value for name, value in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form)}
    assert shown["late_fee_value"] == "2" and shown["floor_factors"] == "0=0.5", shown
    answer = client.post(f"/buildings/{box.id}/charges", data={**shown, "which": "settings", "late_fee_kind": "percent"})
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert {c: getattr(db.session.get(Building, box.id), c) for c in before} == before
