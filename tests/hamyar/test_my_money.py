"""My money is the ledger: every figure a balance of the member's own accounts, the totals equal to
the sums of their postings, and the page costs the same queries for 1 box or many."""
from sqlalchemy import func, or_, select

from hamyan.blueprints.moneypool.models import Loan, PoolMember
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from hamyan.hamyar.mymoney import my_money
from hamyan.ledger.models import LedgerAccount, Posting
from tests.conftest import login
from tests.moneypool.conftest import count_queries


def ledger_net(user_id):
    """Directly from the postings: per currency, what the box owes the user (their liability accounts)
    less what they owe it (their asset accounts), over their memberships and loans."""
    memberships = [m.id for m in db.session.scalars(select(Membership).filter_by(user_id=user_id))]
    loans = list(db.session.scalars(select(Loan.id).join(PoolMember).where(PoolMember.membership_id.in_(memberships))))
    rows = db.session.execute(select(LedgerAccount.currency, func.sum(Posting.amount))
                              .join(Posting, Posting.account_id == LedgerAccount.id)
                              .where(or_(LedgerAccount.subject_id.in_(memberships) & (LedgerAccount.subject_kind == "membership"),
                                         LedgerAccount.subject_id.in_(loans) & (LedgerAccount.subject_kind == "loan")))
                              .group_by(LedgerAccount.currency))
    return {currency: -int(total) for currency, total in rows}  # liabilities are credits: minus is theirs


def test_my_money_equals_the_ledger(busy_pool, client):
    box, boss, savers = busy_pool
    borrower = savers[0].membership.user
    money = my_money(borrower.id)
    assert {c: money.held.get(c, 0) - money.owed.get(c, 0) for c in money.held | money.owed} == ledger_net(borrower.id)
    for b in money.boxes:
        assert b.held_total == sum(line.amount for line in b.held) and b.owed_total == sum(line.amount for line in b.owed)
    assert money.held["USD"] > 0 and money.owed["USD"] > 0  # savings, and the loan's principal
    login(client, "m0@example.com")
    page = client.get("/my-money").get_data(as_text=True)
    assert "Neighbours" in page and "Loan principal" in page and "Savings" in page


def test_my_money_queries_do_not_grow_with_boxes(pool_factory, client, clock, make_user):
    from datetime import date

    from hamyan.blueprints.moneypool import services
    from tests.hamyar.conftest import key

    box, boss, savers = pool_factory(members=1)
    clock.today = date(2025, 6, 1)
    services.record_contribution(boss, box.id, savers[0].id, "10", date(2025, 5, 1), key())
    login(client, "m0@example.com")
    few = count_queries(client, "/my-money")
    boss = db.session.merge(boss)
    for n in range(3):
        other = services.create_pool(boss, f"صندوق {n}", "IRR", "1000", date(2025, 1, 5), my_shares=0,
                                     max_term=24, interest_method="none", queue_policy="fifo")
        saver = services.add_member(boss, other.id, "Member 0", "m0@example.com", 1, date(2025, 1, 5))
        services.record_contribution(boss, other.id, saver.id, "1000", date(2025, 5, 1), key())
    assert count_queries(client, "/my-money") == few
    assert set(my_money(db.session.merge(savers[0]).membership.user_id).held) == {"USD", "IRR"}


def test_coming_up_lists_dues_and_payouts(busy_pool, client, make_user):
    from hamyan.blueprints.cashbox import services as cb
    from tests.cashbox.helpers import make_box

    box, boss, savers = busy_pool
    borrower = savers[0].membership.user
    cashbox = make_box(boss, shares=2)
    r = cb.current_round(cashbox.id)
    mine = cb.add_member(boss, cashbox.id, "Member 0", "m0@example.com")
    other = cb.add_member(boss, cashbox.id, "دیگری")
    cb.set_holders(boss, cashbox.id, r.id, 1, [(other.id, "1")])
    cb.set_holders(boss, cashbox.id, r.id, 2, [(mine.id, "1")])
    cb.start_round(boss, cashbox.id, r.id)
    money = my_money(borrower.id)
    labels = {b.box.name: [i.label for i in b.next] for b in money.boxes}
    assert "Next contribution" in labels["Neighbours"] and "Next loan installment" in labels["Neighbours"]
    assert any(label.startswith("Payout to share 2") for label in labels[cashbox.name])
    login(client, "m0@example.com")
    assert "Payout to share 2" in client.get("/my-money").get_data(as_text=True)
    persian = client.get("/my-money", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "دریافتی سهم ۲ (دوره ۲)" in persian and "قسط بعدی" in persian  # the products' labels, in Persian


def test_rosca_seat_holder_sees_the_next_contribution_and_payout(make_user):
    from hamyan.blueprints.rosca import services as rs
    from tests.rosca.helpers import make_rosca

    boss = make_user("boss@example.com", "Boss")
    saver = make_user("saver@example.com", "زهرا")
    box = make_rosca(boss, seats=2, contribution="100")
    mine = rs.add_member(boss, box.id, "زهرا", "saver@example.com")
    other = rs.add_member(boss, box.id, "Other")
    rs.assign_seat(boss, box.id, 1, [(other.id, "1")])
    rs.assign_seat(boss, box.id, 2, [(mine.id, "1")])
    rs.start(boss, box.id)
    items = my_money(saver.id).boxes[0].next
    assert [(i.label, i.amount) for i in items if not i.payout][0] == ("Next contribution", 10000)
    assert [i.label for i in items if i.payout] == ["Payout to seat 2"]


def test_my_money_in_persian(busy_pool, client, monkeypatch):
    from hamyan.hamyar import mymoney
    from tests.i18n import persian_page

    # "Coming up" lines are the products' own words (their `upcoming` hooks), translated in their areas.
    monkeypatch.setattr(mymoney, "upcoming", lambda memberships, today: {})
    login(client, "m0@example.com")
    html = persian_page(client, "/my-money")
    assert "اصل وام" in html and "پس‌انداز" in html and "<bdi>Neighbours</bdi>" in html
