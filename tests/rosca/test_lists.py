"""Find and export (issue 8) in a ROSCA: payments filter by member, date, kind and search and
export as CSV; members see their own; another box's manager gets 404."""
from hamyan.blueprints.rosca import services as rs
from hamyan.extensions import db
from tests.listing.test_cashbox_lists import rows_of
from tests.rosca.helpers import fill, make_rosca


def test_rosca_payments_list(user_client):
    manager = user_client("manager@example.com", "Manager")
    box = make_rosca(manager.user, seats=3)
    members = fill(manager.user, box, ["نرگس", "Omid", "Lale"])
    rs.start(manager.user, box.id)
    rs.record_payment(manager.user, box.id, members[0].id, "100", "bank", "کارت-۷")
    rs.record_payment(manager.user, box.id, members[1].id, "50")
    url = f"/rosca/{box.id}/payments"
    assert "2 found" in manager.get(url).text
    assert "1 found" in manager.get(url, query_string={"member": "نرگس"}).text
    assert "1 found" in manager.get(url, query_string={"q": "کارت"}).text
    assert "0 found" in manager.get(url, query_string={"status": "deposit"}).text
    rows = rows_of(manager.get(url, query_string={"export": "csv", "status": "contribution"}))
    assert rows[0][:5] == ["No.", "Paid on", "Member", "Kind", "Amount (USD)"]
    assert sorted(r[2] for r in rows[1:]) == ["Omid", "نرگس"] and "100.00" in [r[4] for r in rows[1:]]
    assert manager.get(f"/rosca/{box.id}/fines").status_code == 200
    member = user_client("member@example.com", "Member")
    members[1].user_id = member.user.id
    db.session.commit()
    assert [r[2] for r in rows_of(member.get(url + "?export=csv"))[1:]] == ["Omid"]
    other = user_client("other@example.com", "Other")
    assert other.get(url).status_code == 404 and other.get(f"/rosca/{box.id}/fines?export=csv").status_code == 404


def test_rosca_lists_queries_do_not_grow(user_client):
    from datetime import date

    from sqlalchemy import insert

    from hamyan.blueprints.rosca.models import RoscaPayment
    from tests.moneypool.conftest import count_queries

    manager = user_client("manager@example.com", "Manager")
    box = make_rosca(manager.user, seats=3)
    members = fill(manager.user, box, ["A", "B", "C"])
    rs.start(manager.user, box.id)
    first = rs.record_payment(manager.user, box.id, members[0].id, "10")
    box_id, ids, entry_id = box.id, [m.id for m in members], first.entry_id
    paths = [f"/rosca/{box_id}/payments?status=contribution", f"/rosca/{box_id}/payments?export=csv",
             f"/rosca/{box_id}/fines"]
    few = [count_queries(manager, p) for p in paths]
    db.session.execute(insert(RoscaPayment), [dict(box_id=box_id, number=i + 2, membership_id=ids[i % 3], kind="contribution",
                                                   amount=1, paid_on=date(2026, 1, 1), entry_id=entry_id)
                                              for i in range(60)])
    db.session.commit()
    assert [count_queries(manager, p) for p in paths] == few
