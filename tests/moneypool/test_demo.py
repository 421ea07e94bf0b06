"""The demo pool's loans were asked for on their own days, before they were decided and paid out,
and each loan's history reads in order. The test reads the session's demo (seeded once for every
test that reads it) rather than seeding its own."""
from sqlalchemy import select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Loan
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.ledger import check


def test_demo_loans_have_their_own_days_and_an_ordered_history(demo_users):
    loans = list(db.session.scalars(select(Loan).order_by(Loan.id)))
    assert len(loans) == 10
    asked = [loan.requested_at.date() for loan in loans]
    assert len(set(asked)) >= 8 and all(day < clock.now().date() for day in asked)  # not all "today"
    for loan in loans:
        if loan.disbursed_on is not None:
            assert loan.requested_at.date() <= loan.disbursed_on, loan.purpose
        events = services.loan_events(loan)
        assert events[0].kind == "requested"
        assert [e.at for e in events] == sorted(e.at for e in events), (loan.purpose, [(e.kind, e.at) for e in events])
    assert check().ok
