"""ROSCA late fees through hamyan.dues.late: charged once per member and period unpaid past the
grace days (the job and the manager's button, any number of runs), paid before the dues by the
next contribution, waived by a reversal while unpaid; the ledger and the summaries agree."""
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from hamyan import ledger
from hamyan.blueprints.rosca import jobs
from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import MemberSummary, Rosca
from hamyan.core.errors import Forbidden, NotFound, ValidationError
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from tests.conftest import login
from tests.i18n import latin_digits
from tests.rosca.helpers import make_rosca


@pytest.fixture
def late_round(make_user, clock):
    """Three seats of 100 from 2 March, a 5.00 late fee after 2 grace days; today is 7 March."""
    clock.set(datetime(2026, 3, 1, 12))
    manager = make_user("m@example.com", "مدیر")
    make_user("ali@example.com", "علی")
    box = make_rosca(manager, seats=3, contribution="100", grace_days=2, late_fee_kind="fixed",
                     late_fee_value="5", first_due=date(2026, 3, 2))
    ali = rs.add_member(manager, box.id, "علی", "ali@example.com")
    others = [rs.add_member(manager, box.id, name) for name in ("سارا", "رضا")]
    for number, member in enumerate([ali, *others], 1):
        rs.assign_seat(manager, box.id, number, [(member.id, "1")])
    rs.start(manager, box.id)
    clock.set(datetime(2026, 3, 7, 12))
    return manager, box, ali, others


def clean():
    assert ledger.check().ok and rs.reconcile() == []


def fees() -> int:
    return db.session.scalar(select(func.count(LateCharge.id)))


def test_charged_once_paid_first_and_reconciled(late_round):
    manager, box, ali, others = late_round
    rs.record_payment(manager, box.id, others[0].id, "100")  # Sara pays today: late, so fined too
    assert rs.assess_late_fees(manager, box.id) == 3
    assert rs.assess_late_fees(manager, box.id) == 0
    jobs.late_fees()
    assert fees() == 3
    owed, rows = rs.late_fees_of(db.session.get(Rosca, box.id), ali.id)
    assert owed == 500 and [(r.reference, r.amount) for r in rows] == [("period:1", 500)]
    clean()
    # Ali's 100 pays the fee first, then 95 of the period's 100
    payment = rs.record_payment(manager, box.id, ali.id, "100")
    assert payment.late_fees == 500
    db.session.expire_all()
    assert db.session.scalar(select(MemberSummary.arrears).filter_by(membership_id=ali.id)) == 500
    assert rs.late_fees_of(db.session.get(Rosca, box.id), ali.id)[0] == 0
    clean()


def test_a_percent_fee_and_bad_rules(make_user):
    manager = make_user("m@example.com", "Manager")
    box = make_rosca(manager, seats=2, contribution="100", late_fee_kind="percent", late_fee_value="2.5")
    assert (db.session.get(Rosca, box.id).late_fee_kind, db.session.get(Rosca, box.id).late_fee_value) == ("percent", 250)
    for kind, value, field in (("monthly", "5", "late_fee_kind"), ("fixed", "-5", "late_fee_value"),
                               ("percent", "0", "late_fee_value"), ("percent", "101", "late_fee_value"),
                               ("fixed", "1e9", "late_fee_value")):
        with pytest.raises(ValidationError) as error:
            rs.set_late_fee(manager, box.id, kind, value)
        assert set(error.value.fields) == {field}
    rs.set_late_fee(manager, box.id, "none")
    assert db.session.get(Rosca, box.id).late_fee_kind == "none"


def test_waive_while_unpaid_never_charged_again(late_round, make_user):
    manager, box, ali, others = late_round
    rs.assess_late_fees(manager, box.id)
    with pytest.raises(NotFound):
        rs.waive_late_fee(manager, box.id, ali.id, 2, "no fee for period 2")
    rs.waive_late_fee(manager, box.id, ali.id, 1, "بیمار بود")
    assert rs.late_fees_of(db.session.get(Rosca, box.id), ali.id)[0] == 0
    assert rs.assess_late_fees(manager, box.id) == 0  # waived counts as charged
    clean()
    # Reza's fee, paid by his contribution, cannot be waived
    rs.record_payment(manager, box.id, others[1].id, "100")
    with pytest.raises(ValidationError, match="already paid"):
        rs.waive_late_fee(manager, box.id, others[1].id, 1, "too late")
    with pytest.raises(Forbidden):
        rs.assess_late_fees(db.session.get(type(manager), ali.user_id), box.id)
    clean()


def test_the_api_sets_charges_lists_and_waives(late_round, client, api_token, make_user):
    manager, box, ali, others = late_round
    headers = api_token(manager)
    put = client.put(f"/api/v1/roscas/{box.id}/late-fee", json={"late_fee_kind": "fixed", "late_fee_value": "10"},
                     headers=headers)
    assert put.status_code == 200 and put.json["late_fee_value"] == 1000
    assert client.put(f"/api/v1/roscas/{box.id}/late-fee", json={"late_fee_kind": "fixed", "late_fee_value": "x"},
                      headers=headers).status_code == 422
    assert client.post(f"/api/v1/roscas/{box.id}/late-fees", headers=headers).json == {"count": 3}
    mine = client.get(f"/api/v1/roscas/{box.id}/members/{ali.id}/late-fees",
                      headers=api_token(db.session.get(type(manager), ali.user_id)))
    assert mine.status_code == 200 and mine.json["owed"] == 1000 and mine.json["fees"][0]["period"] == 1
    assert client.get(f"/api/v1/roscas/{box.id}/members/{others[0].id}/late-fees",
                      headers=api_token(db.session.get(type(manager), ali.user_id))).status_code == 404
    waived = client.post(f"/api/v1/roscas/{box.id}/members/{ali.id}/late-fees/1/waive", json={"reason": "ok"},
                         headers=headers)
    assert waived.status_code == 200 and waived.json["waived"] is True
    make_user("eve@example.com", "Eve")
    assert client.post(f"/api/v1/roscas/{box.id}/late-fees",
                       headers=api_token(make_user("eve2@example.com", "Eve"))).status_code == 404
    clean()


def test_the_member_sees_what_they_owe_in_late_fees(late_round, app):
    manager, box, ali, others = late_round
    rs.assess_late_fees(manager, box.id)
    page = login(app.test_client(), "ali@example.com").get(f"/rosca/{box.id}/mine").get_data(as_text=True)
    assert 'id="late-owed"' in page and "period 1" in page


def test_my_seats_writes_a_late_fees_period_in_the_pages_digits(late_round, app):
    """Its period came straight from the fee's reference ("period:1"): 'دوره 1' on a Persian page."""
    manager, box, ali, others = late_round
    rs.assess_late_fees(manager, box.id)
    page = login(app.test_client(), "ali@example.com").get(f"/rosca/{box.id}/mine", headers={
        "Accept-Language": "fa"}).get_data(as_text=True)
    owed = re.search('id="late-owed">(.*?)</dd>', page, re.S).group(1)
    assert "دورهٔ ۱:" in owed and not latin_digits(owed), owed


def test_periods_already_late_when_the_round_started_are_not_charged(make_user, clock):
    clock.set(datetime(2026, 3, 20, 12))
    manager = make_user("m@example.com", "Manager")
    box = make_rosca(manager, seats=2, contribution="100", grace_days=2, late_fee_kind="fixed", late_fee_value="5",
                     first_due=date(2026, 3, 2), period_kind="weekly")
    members = [rs.add_member(manager, box.id, name) for name in ("A", "B")]
    for number, member in enumerate(members, 1):
        rs.assign_seat(manager, box.id, number, [(member.id, "1")])
    rs.start(manager, box.id)
    assert rs.assess_late_fees(manager, box.id) == 0
