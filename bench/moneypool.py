"""Money pool figures (`python -m bench.moneypool`): schedules built per second, savings payments and
loan repayments recorded per second, the pool dashboard's render time for 10 and 300 savers, and
the manager report of a pool of 1,000 savers with its history (seconds for its data and its PDF,
seconds per page), on a fresh SQLite database. Printed, not asserted."""
import os
import time
from datetime import date, timedelta
from decimal import Decimal

from bench import page_latency, product_app, report_figures
from bench.build import POOL_MONTHS, build_pool
from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Pool
from hamyan.blueprints.moneypool.reports import render_manager_report
from hamyan.extensions import db
from hamyan.lending import schedules


REPORT_SAVERS = 1000  # BENCH_POOL_REPORT=10000 for the size (a build of some minutes)


def _schedules() -> None:
    for method in schedules.METHODS:
        start, n = time.perf_counter(), 2000
        for i in range(n):
            schedules.amounts(10_000_000 + i, Decimal("18.5"), 60, 1, method)
        print(f"  {method:16} {n / (time.perf_counter() - start):8.0f} schedules/s (60 installments)")


def _pool(manager, size: int):
    start_day = date.today() - timedelta(days=90)
    box = services.create_pool(manager, f"Bench {size}", "USD", "100", start_day, my_shares=0,
                               interest_method="annuity", annual_rate="12", require_no_arrears=False)
    members = [services.add_member(manager, box.id, f"Saver {i:03d}", None, 1 + i % 3, start_day)
               for i in range(size)]
    start = time.perf_counter()
    for i, m in enumerate(members):
        services.record_contribution(manager, box.id, m.id, "300", date.today(), f"bench:{size}:{i}")
    payments = size / (time.perf_counter() - start)
    loans = []
    for i, m in enumerate(members[: max(size // 10, 1)]):
        loan = services.request_loan(manager, box.id, "500", 12, f"bench-loan:{size}:{i}", member_id=m.id)
        services.approve(manager, box.id, loan.id)
        services.disburse(manager, box.id, loan.id, date.today() - timedelta(days=40))
        loans.append(loan)
    start = time.perf_counter()
    for i, loan in enumerate(loans):
        services.repay(manager, box.id, loan.id, "44.42", date.today(), f"bench-repay:{size}:{i}")
    repayments = len(loans) / (time.perf_counter() - start)
    return box, payments, repayments


def main() -> None:
    print("moneypool schedules (pure Decimal arithmetic)")
    _schedules()
    with product_app() as (manager, client):
        print("moneypool (SQLite, Flask test client, one process)")
        for size in (10, 300):
            box, payments, repayments = _pool(manager, size)
            print(f"  {size:>3} savers: {payments:5.0f} savings payments/s, {repayments:5.0f} repayments/s; "
                  f"dashboard {page_latency(client, f'/pools/{box.id}')}")
        size = int(os.environ.get("BENCH_POOL_REPORT", REPORT_SAVERS))
        started = time.perf_counter()
        box_id = build_pool(manager, "Bench report", size)
        pool = db.session.get(Pool, box_id)
        print(f"  manager report, {size:,} savers, {POOL_MONTHS} months (inserted in {time.perf_counter() - started:.0f} s):"
              f" {report_figures(client, render_manager_report, pool.box, pool.first_due, date.today())}")


if __name__ == "__main__":
    main()
