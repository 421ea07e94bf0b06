"""A member can reconcile every amount they paid from their statement."""
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from hamyan.blueprints.moneypool import reports, services
from tests.moneypool.conftest import key
from tests.moneypool.test_loans import _fund, _user


def test_statement_lists_principal_interest_and_penalties_and_nets_what_was_undone(pool_factory, clock):
    box, manager, savers = pool_factory(members=1, interest_method="annuity", annual_rate="12",
                                        service_fee_percent="1", require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    mistake = services.record_contribution(manager, box.id, savers[0].id, "700", date(2025, 1, 10), key())
    services.reverse_contribution(manager, box.id, mistake.id, "Counted twice")
    loan = services.request_loan(_user(savers[0]), box.id, "1200", 12, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    clock.today = date(2025, 3, 10)
    first = services.repay(manager, box.id, loan.id, "106.62", date(2025, 2, 10), key())
    bounced = services.repay(manager, box.id, loan.id, "106.62", date(2025, 3, 10), key())
    services.undo_repayment(manager, box.id, loan.id, bounced.id, "Cheque bounced")

    st = reports.member_statement(box, savers[0], date(2025, 1, 1), date(2025, 3, 31))
    assert st.paid_savings == 5000_00  # the undone 700 is listed but not counted
    [mine] = st.loans
    assert (mine.paid, mine.paid_principal, mine.paid_interest) == (106_62, first.principal, 12_00)
    assert mine.paid_principal + mine.paid_interest + mine.paid_penalty == mine.paid
    assert mine.fee == 12_00 and len(mine.repayments) == 2

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(
        reports.member_statement_pdf(box, savers[0], date(2025, 1, 1), date(2025, 3, 31)))).pages)
    for shown in ("of which interest", "12.00", "Service fee kept at payout", "Cheque bounced", "Counted twice",
                  "5,000.00", "106.62", f"{first.principal / 100:,.2f}"):
        assert shown in text, shown
