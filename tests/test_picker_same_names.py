"""Two members of one name (the manager confirmed it is another person): the name pickers and a
ROSCA's member select tell them apart (the email half hidden, else the day they were added), the
bare name is refused as naming several people, and the told-apart label names the right one."""
from datetime import date

from sqlalchemy import select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment
from hamyan.blueprints.moneypool import services as pool
from hamyan.blueprints.moneypool.models import Contribution
from hamyan.blueprints.rosca import services as rs
from hamyan.dues.calendar import format_day
from hamyan.extensions import db
from tests.cashbox.helpers import first_round, make_box
from tests.rosca.helpers import make_rosca

HX = {"HX-Request": "true"}


def test_a_cashbox_payment_names_the_right_one_of_two_alis(user_client, clock):
    c = user_client("manager@example.com", "Manager")
    box = make_box(c.user, shares=3)
    mail = cb.add_member(c.user, box.id, "Ali Rezaei", "ali.rezaei@example.com")
    plain = cb.add_member(c.user, box.id, "ali rezaei", same_name_ok=True)
    other = cb.add_member(c.user, box.id, "Sara")
    r = first_round(box)
    for number, m in enumerate((mail, plain, other), 1):
        cb.set_holders(c.user, box.id, r.id, number, [(m.id, "1")])
    cb.start_round(c.user, box.id, r.id)
    db.session.commit()
    added = "added " + format_day(plain.created_at.date(), "gregorian", "en")

    offers = c.get(f"/cashbox/{box.id}/names?q=ali&block=names", headers=HX).get_data(as_text=True)
    assert '<option value="Ali Rezaei (al•••@example.com)">' in offers and f'<option value="ali rezaei ({added})">' in offers
    page = c.get(f"/cashbox/{box.id}/names?q=Sar").get_data(as_text=True)
    assert ">Sara</li>" in page  # a name only one person has is offered as it is

    payments = f"/cashbox/{box.id}/payments"
    refused = c.post(payments, data={"member": "Ali Rezaei", "amount": "100", "method": "cash"}).get_data(as_text=True)
    assert "Several people here are called “Ali Rezaei”" in refused
    assert db.session.scalar(select(db.func.count(Payment.id))) == 0
    assert c.post(payments, data={"member": f"ali rezaei ({added})", "amount": "100", "method": "cash"}).status_code == 302
    assert c.post(payments, data={"member": "Ali Rezaei (al•••@example.com)", "amount": "40", "method": "cash"}).status_code == 302
    paid = dict(db.session.execute(select(Payment.membership_id, Payment.amount)).all())
    assert paid == {plain.id: 100_00, mail.id: 40_00}
    unknown = c.post(payments, data={"member": "Ali Rezaei (zz•••@example.com)", "amount": "1", "method": "cash"}).get_data(as_text=True)
    assert "No member here is called" in unknown


def test_the_pool_pickers_and_a_roscas_select_tell_them_apart(user_client, clock):
    c = user_client("manager@example.com", "Manager")
    box = pool.create_pool(c.user, "Neighbours", "USD", "1000", date(2025, 1, 5), my_shares=0)
    pool.add_member(c.user, box.id, "Reza", "reza.a@example.com", 1)
    second = pool.add_member(c.user, box.id, "Reza", "mr.reza@example.org", 1, same_name_ok=True)
    rosca = make_rosca(c.user)
    for email in ("reza.a@example.com", "mr.reza@example.org"):
        rs.add_member(c.user, rosca.id, "Reza", email, same_name_ok=True)
    db.session.commit()
    offers = c.get(f"/pools/{box.id}/savers?q=re&block=names", headers=HX).get_data(as_text=True)
    assert '<option value="Reza (re•••@example.com)">' in offers and '<option value="Reza (mr•••@example.org)">' in offers
    form = {"member": "Reza", "amount": "1000", "paid_on": "2025-01-05", "key": "k1"}
    assert "Several people here are called “Reza”" in c.post(f"/pools/{box.id}/contributions", data=form).get_data(as_text=True)
    assert c.post(f"/pools/{box.id}/contributions", data={**form, "member": "Reza (mr•••@example.org)"}).status_code == 302
    assert db.session.scalars(select(Contribution.member_id)).all() == [second.id]
    html = c.get(f"/rosca/{rosca.id}").get_data(as_text=True)
    assert ">Reza (re•••@example.com)</option>" in html and ">Reza (mr•••@example.org)</option>" in html


def test_told_apart_in_persian(user_client, clock):
    """On a Persian page the day a person was added is Jalali, in Persian words and digits."""
    c = user_client("manager@example.com", "Manager")
    box = make_box(c.user, shares=2)
    alis = [cb.add_member(c.user, box.id, "علی"), cb.add_member(c.user, box.id, "علی", same_name_ok=True)]
    r = first_round(box)
    for number, m in enumerate(alis, 1):
        cb.set_holders(c.user, box.id, r.id, number, [(m.id, "1")])
    cb.start_round(c.user, box.id, r.id)
    db.session.commit()
    offers = c.get(f"/cashbox/{box.id}/names?q=علی&block=names", headers={**HX, "Accept-Language": "fa"})
    html = offers.get_data(as_text=True)
    assert html.count('<option value="علی (افزوده در ') == 2 and not any(d in html for d in "0123456789"), html
    refused = c.post(f"/cashbox/{box.id}/payments", data={"member": "علی", "amount": "1", "method": "cash"},
                     headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "چند نفر در اینجا «علی» نام دارند" in refused
