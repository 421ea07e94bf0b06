"""The manager report of a big pool is a job that answers at once; its PDF sums the savers (each
saver's lines are in their own statement) and lists the cash a line per day and kind of entry, with
totals that match the ledger to the unit."""
from datetime import date

from sqlalchemy import func, select

from bench.build import build_pool
from hamyan.blueprints.moneypool import reports
from hamyan.blueprints.moneypool.models import Contribution, Pool
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.money import format_money
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
