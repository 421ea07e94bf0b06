"""A pool's repayments (and loans) are numbered per box: #1 is a new box's first, whatever other boxes hold, in the
API, on the pages and in the CSV export (never a database id)."""
from datetime import date

from hamyan.blueprints.moneypool import services as pool
from hamyan.extensions import db
from tests.conftest import login
from tests.listing.test_cashbox_lists import records_of
from tests.moneypool.conftest import key


def test_a_new_pools_first_repayment_is_number_one(client, pool_factory, api_token, app, clock):
    box, manager, savers = pool_factory(members=2, require_no_arrears=False, guarantors_required=0)
    clock.today = date(2025, 3, 1)
    other = pool.create_pool(manager, "Other", "USD", "1000", date(2025, 1, 5), my_shares=0)
    db.session.commit()
    for target in (box, other):
        saver = savers[0] if target is box else pool.add_member(manager, other.id, "Cy", None, 1, date(2025, 1, 5))
        pool.record_contribution(manager, target.id, saver.id, "9000", date(2025, 1, 5), key())
        loan = pool.request_loan(manager, target.id, "1200", 3, key(), member_id=saver.id)
        pool.approve(manager, target.id, loan.id)
        pool.disburse(manager, target.id, loan.id, date(2025, 3, 1))
        if target is box:
            pool.repay(manager, box.id, loan.id, "100", date(2025, 3, 1), key())
    db.session.commit()
    r = client.post(f"/api/v1/pools/{other.id}/loans/{loan.id}/repayments", json={"amount": "400", "paid_on": "2025-03-01"},
                    headers=api_token(manager) | {"Idempotency-Key": "r1"})
    assert r.status_code == 201 and r.json["number"] == 1 and loan.number == 1, r.json
    web = login(app.test_client(), "boss@example.com")
    page = web.get(f"/pools/{other.id}/loans/{loan.id}").get_data(as_text=True)
    assert '<td data-label="No.">#1</td>' in page
    rows = records_of(web.get(f"/pools/{other.id}/repayments?export=csv"))
    assert [(row["No."], row["Loan"]) for row in rows] == [("1", "1")]
    loans = records_of(web.get(f"/pools/{other.id}/loans?export=csv"))
    assert [row["Loan"] for row in loans] == ["1"]
