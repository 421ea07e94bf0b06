"""The demo data includes a running cashbox; seeding again changes nothing. The tests read the
session's demo (seeded once for every test that reads it) rather than seeding their own."""
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.demo import NAME, seed_cashbox
from hamyan.boxes.models import Box
from hamyan.blueprints import product
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import Entry


def test_demo_cashbox(demo_users):
    assert product("cashbox").demo == "hamyan.blueprints.cashbox.demo:seed_cashbox"
    entries = db.session.query(Entry).count()
    seed_cashbox(demo_users)
    assert db.session.query(Entry).count() == entries > 0
    box = db.session.query(Box).filter_by(name=NAME).one()
    r = cb.current_round(box.id)
    assert r.status == "active"
    state = cb.round_state(r)
    assert state.drawn == 2 and state.total_arrears > 0
    late = next(s for s in state.members if s.membership.display_name == "Late Leila")
    assert late.fines_unpaid > 0 and late.cells[2].status == "late"
    mine = next(s for s in state.members if s.membership.user_id == demo_users["member"].id)
    assert [n for n, _ in mine.holdings] == [1, 3]
    assert check().ok


def test_the_demo_has_a_persian_cashbox_too(demo_users):
    from hamyan.blueprints.cashbox.demo import PERSIAN_NAME

    box = db.session.query(Box).filter_by(name=PERSIAN_NAME).one()
    assert (box.locale, box.calendar, box.show_toman) == ("fa_IR", "persian", True)
    state = cb.round_state(cb.current_round(box.id))
    assert state.drawn == 2 and any(s.membership.display_name == "لیلا مرادی" and s.fines_unpaid for s in state.members)
