"""The manager report of a big pool is a job that answers at once; its PDF sums the savers (each
saver's lines are in their own statement) and lists the cash a line per day and kind of entry, with
totals that match the ledger to the unit."""
from datetime import date

from sqlalchemy import event, func, select

from bench.build import build_pool
from hamyan import statements
from hamyan.blueprints.moneypool import reports, services
from hamyan.blueprints.moneypool.models import Contribution, Pool
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.ledger.models import LedgerAccount
from hamyan.money import format_money
from tests.moneypool.conftest import cash_lines_from_postings, key, report_cash_lines
from tests.test_reports import report_over_api


def test_the_report_of_a_big_pool_is_a_job_that_sums_the_savers(app, user_client, api_token):
    manager = user_client("manager@example.com", "Manager")
    box_id = build_pool(manager.user, "Big pool", 300)  # 300 savers, 40 months of history, inserted
    box, pool = db.session.get(Box, box_id), db.session.get(Pool, box_id)
    start, end = pool.first_due, date.today()
    payments, paid = db.session.execute(select(func.count(), func.sum(Contribution.amount - Contribution.fees))
                                        .where(Contribution.box_id == box_id)).one()
    sheet = reports.balance_sheet(box, end)
    money = lambda amount: format_money(amount, box.currency, box.locale)  # noqa: E731
    headers = api_token(manager.user)

    reader, text = report_over_api(app.test_client(), box_id, headers, start, end)
    assert payments > 10_000 and len(reader.pages) <= 10  # a line per saver or payment: hundreds of pages
    assert "Savers in the pool during the period 300" in text
    assert f"Savings paid in the period {money(paid)}" in text
    assert f"Savings on {end.strftime('%b')}" in text and money(sheet.savings) in text
    assert f"Closing balance {money(sheet.cash)}" in text
    assert "entries" in text  # a due date's payments on one line


def test_the_report_s_cash_lines_are_those_of_the_postings(pool_factory, clock):
    """The report reads the cash a line per day from the ledger's kept days, not the postings: the
    same lines as the postings give, with payments on one day, a back-dated one on its own day and
    then undone, a loan paid out, repaid (back-dated too) and a repayment undone; over the whole
    history and over a period starting after some of it (its opening balance)."""
    clock.today = date(2025, 1, 5)
    box, manager, savers = pool_factory(members=3, require_no_arrears=False)
    for saver in savers:
        services.record_contribution(manager, box.id, saver.id, "1000", clock.today, key())
    clock.today = date(2025, 2, 20)
    services.record_contribution(manager, box.id, savers[1].id, "1000", clock.today, key())
    late = services.record_contribution(manager, box.id, savers[0].id, "1000", date(2025, 2, 5), key())
    services.reverse_contribution(manager, box.id, late.id, "recorded twice")
    loan = services.request_loan(manager, box.id, "1200", 3, key(), member_id=savers[2].id)
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    clock.today = date(2025, 4, 1)
    services.repay(manager, box.id, loan.id, "400", date(2025, 3, 20), key())
    wrong = services.repay(manager, box.id, loan.id, "100", clock.today, key())
    services.undo_repayment(manager, box.id, loan.id, wrong.id, "wrong loan")
    for start, end in ((date(2025, 1, 1), clock.today), (date(2025, 2, 6), date(2025, 3, 31))):
        assert report_cash_lines(box, start, end) == cash_lines_from_postings(box, start, end)
    opening, lines = report_cash_lines(box, date(2025, 1, 1), clock.today)
    assert opening == 0 and [(day, code, count, amount) for day, _, code, count, amount, *_ in lines] == [
        (date(2025, 1, 5), "contribution", 3, 3000_00), (date(2025, 2, 5), "contribution", 1, 1000_00),
        (date(2025, 2, 5), "reversal", 1, -1000_00), (date(2025, 2, 20), "contribution", 1, 1000_00),
        (date(2025, 2, 20), "disbursement", 1, -1200_00), (date(2025, 3, 20), "repayment", 1, 400_00),
        (date(2025, 4, 1), "repayment", 1, 100_00), (date(2025, 4, 1), "reversal", 1, -100_00)]
    assert report_cash_lines(box, date(2025, 2, 6), date(2025, 3, 31))[0] == 3000_00
    cash, seen = db.session.scalar(select(LedgerAccount).filter_by(box_id=box.id, code="mp:cash")), []

    def listener(*args):
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        statements.cash_statement("Pool cash", box, cash, date(2025, 1, 1), clock.today)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert seen and not [q for q in seen if "ledger_posting" in q]
