"""The box report of a long round is a job that answers at once, and its PDF lists the cash a line
per day and kind of entry (not per payment), with totals that match the ledger to the unit."""
from datetime import date, timedelta

from bench.build import CONTRIBUTION, build_cashbox
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.ledger.models import LedgerAccount
from hamyan.money import format_money, format_plain
from tests.test_reports import report_over_api


def test_the_report_of_a_long_round_is_a_job_with_a_line_per_day(app, user_client, api_token):
    manager = user_client("manager@example.com", "Manager")
    box_id, _ = build_cashbox(manager.user, "Long round", 40)  # 40 members x 40 weekly periods, inserted
    box = db.session.get(Box, box_id)
    payments = db.session.query(Payment).join(Payment.membership).filter_by(box_id=box_id).count()
    cash = db.session.query(LedgerAccount).filter_by(box_id=box_id, code="cash").one().balance
    headers = api_token(manager.user)
    start, end = date.today() - timedelta(weeks=60), date.today()
    reader, text = report_over_api(app.test_client(), box_id, headers, start, end)
    assert payments > 1000 and len(reader.pages) <= 8  # one line per payment would be some 40 pages (the grid: 2)
    assert f"Closing balance {format_money(cash, box.currency, box.locale)}" in text
    assert "40 entries" in text  # a due date's payments on one line
    assert f"Total in {format_money(payments * CONTRIBUTION, box.currency, box.locale)}" in text

    # Every account with a balance on either day is listed with both; those at zero on both are counted.
    _, rows = cb.manager_report(box, start, end)
    idle = [label for label, opening, closing in rows if not opening and not closing]
    assert 40 <= len(idle) < len(rows) and f"{len(idle)} accounts at zero on both days are not listed." in text
    for label, opening, closing in rows:
        line = f"{label} {format_plain(opening, box.currency, box.locale)} {format_plain(closing, box.currency, box.locale)}"
        assert (line in text) == (label not in idle), line
