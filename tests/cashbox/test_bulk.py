"""The bulk period entry (issue 8): every holder with what they owe for the period; one submit
writes one payment per ticked member through record_payment, a double submit writes nothing twice,
a bad row shows its error and nothing is written; another box's manager and members get 404/403."""
from datetime import date, timedelta

from sqlalchemy import func, select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment, PeriodCell
from hamyan.core import clock as core_clock
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.cashbox.helpers import fill_shares, first_round
from tests.cashbox.test_queries import count_queries

TODAY = date(2026, 3, 10)
NAMES = ["مریم احمدی", "علی رضایی", "Sara Khan"]


def _box(manager, **settings):
    with core_clock.frozen(TODAY):
        box = cb.create_cashbox(manager.user, "صندوق", "IRR", "1000000", 3, "monthly", TODAY - timedelta(days=5),
                                "predefined", **settings)
        members = fill_shares(manager.user, box, NAMES)
        cb.start_round(manager.user, box.id, first_round(box).id)
    return box, members


def _form(page: str) -> dict:
    """The form's fields as a browser would send them (ticked boxes only)."""
    import re
    data = dict(re.findall(r'name="(amount-\d+|key|paid_on|reference)" id="[^"]*" value="([^"]*)"', page))
    data.update(re.findall(r'name="(key)" value="([^"]*)"', page))
    data.update({name: "1" for name in re.findall(r'name="(pay-\d+)" id="[^"]*" value="1" checked', page)})
    data["paid_on"] = re.search(r'name="paid_on" value="([^"]*)"', page).group(1)
    data["method"] = "cash"
    return data


def payments():
    return db.session.scalar(select(func.count()).select_from(Payment))


def test_bulk_period_entry_records_each_once(user_client):
    manager = user_client("manager@example.com", "Manager")
    box, members = _box(manager, calendar="persian", locale="fa_IR", timezone="Asia/Tehran")
    url = f"/cashbox/{box.id}/collect"
    with core_clock.frozen(TODAY):
        cb.record_payment(manager.user, box.id, members[2].id, "1000000")  # Sara paid already
        page = manager.get(url).text
        assert all(name in page for name in NAMES) and "Period 1" in page
        data = _form(page)
        assert data["paid_on"] == "1404/12/19"  # today in the box's calendar
        assert sorted(k for k in data if k.startswith("pay-")) == sorted(f"pay-{m.id}" for m in members[:2])
        data[f"amount-{members[1].id}"] = "۵۰۰٬۰۰۰"  # adjusted, in Persian digits
        entries = db.session.scalar(select(func.count()).select_from(Entry))
        response = manager.post(url, data=data)
        assert response.status_code == 302 and payments() == 3
        again = manager.post(url, data=data, follow_redirects=True)  # a double submit
        assert again.status_code == 200 and payments() == 3
        assert db.session.scalar(select(func.count()).select_from(Entry)) == entries + 2
        paid = {p.membership_id: p.amount for p in db.session.scalars(select(Payment))}
    assert paid == {members[0].id: 1000000, members[1].id: 500000, members[2].id: 1000000}


def test_a_bad_row_writes_nothing(user_client):
    manager = user_client("manager@example.com", "Manager")
    box, members = _box(manager, calendar="persian", locale="fa_IR", timezone="Asia/Tehran")
    url = f"/cashbox/{box.id}/collect"
    with core_clock.frozen(TODAY):
        data = _form(manager.get(url).text)
        for field, value, message in ((f"amount-{members[0].id}", "1e9", "amount"),
                                      (f"amount-{members[1].id}", "99000000", "more than"),
                                      (f"amount-{members[1].id}", "", "amount"),
                                      ("paid_on", "1404/12/30", "no such day in the Persian calendar"),
                                      ("paid_on", "1405/01/20", "future"),
                                      ("key", "not-a-key", "out of date")):
            response = manager.post(url, data={**data, field: value})
            assert response.status_code == 200 and message in response.text, (field, value)
            assert payments() == 0
        # a bank transfer without a reference: the shared field shows it, nothing is written
        response = manager.post(url, data={**data, "method": "bank"})
        assert "needs its reference" in response.text and payments() == 0
        nothing = {k: v for k, v in data.items() if not k.startswith("pay-")}
        assert "Tick at least one" in manager.post(url, data=nothing).text
        # a forged row of another box's member is ignored
        assert manager.post(url, data={**nothing, "pay-99999": "1", "amount-99999": "5"}).status_code == 200
        assert payments() == 0


def test_bulk_entry_is_for_this_boxs_managers(user_client):
    manager = user_client("manager@example.com", "Manager")
    box, members = _box(manager)
    other = user_client("other@example.com", "Other")
    with core_clock.frozen(TODAY):
        assert other.get(f"/cashbox/{box.id}/collect").status_code == 404
        assert other.post(f"/cashbox/{box.id}/collect", data={"key": "0" * 32}).status_code == 404
        member = user_client("member@example.com", "Member")
        members[0].user_id = member.user.id
        db.session.commit()
        assert member.get(f"/cashbox/{box.id}/collect").status_code == 403
        assert manager.get(f"/cashbox/{box.id}/collect?period=999999999999").status_code == 200


def test_bulk_page_queries_do_not_grow(user_client):
    manager = user_client("manager@example.com", "Manager")
    box, members = _box(manager)
    with core_clock.frozen(TODAY):
        db.session.expire_all()
        with count_queries() as few:
            manager.get(f"/cashbox/{box.id}/collect")
    big = user_client("big@example.com", "Big")
    with core_clock.frozen(TODAY):
        box2 = cb.create_cashbox(big.user, "Big", "IRR", "1000", 12, "monthly", TODAY - timedelta(days=5), "predefined")
        fill_shares(big.user, box2, [f"Member {i}" for i in range(12)])
        cb.start_round(big.user, box2.id, first_round(box2).id)
        manager.get(f"/cashbox/{box.id}/collect")
        db.session.expire_all()
        with count_queries() as many:
            assert "Member 11" in big.get(f"/cashbox/{box2.id}/collect").text
    assert len(many) <= len(few)


def test_the_suggested_amount_leaves_the_period_entered_paid(user_client):
    """A payment settles the oldest periods first: for a member behind on period 1, entering
    period 2 suggests what clears periods 1 and 2 (and says so), and recording it leaves period 2 paid."""
    manager = user_client("manager@example.com", "Manager")
    box, members = _box(manager)
    behind = members[0]
    with core_clock.frozen(TODAY + timedelta(days=31)):  # period 2 is due; nobody paid period 1
        for m in members[1:]:
            cb.record_payment(manager.user, box.id, m.id, "1000000")
        page = manager.get(f"/cashbox/{box.id}/collect?period=2").text
        data = _form(page)
        assert data[f"amount-{behind.id}"] == "2,000,000" and data[f"amount-{members[1].id}"] == "1,000,000"
        assert "Includes IRR" in page and "owed from before this period, which a payment settles first" in page
        assert manager.post(f"/cashbox/{box.id}/collect?period=2", data=data).status_code == 302
        cb.fresh(first_round(box))
    cells = db.session.scalars(select(PeriodCell).filter_by(round_id=first_round(box).id, membership_id=behind.id)
                               .where(PeriodCell.number <= 2)).all()
    assert len(cells) == 2 and all(c.paid == c.due for c in cells)
