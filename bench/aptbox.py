"""Aptbox figures (`python -m bench.aptbox`): month end of a 200-unit Jalali building with eleven
months of history (charges and payments through the services): issuing the month's charges
(target < 1 s), then rendering the month's 200 unit statements and the board's monthly statement (target
< 30 s in all), with seconds per page; and the units page. Printed, not asserted."""
import time
from datetime import date, datetime

from bench import page_latency, product_app
from hamyan.blueprints.aptbox import reports, services
from hamyan.blueprints.aptbox.models import Charge, Unit
from hamyan.core import clock
from hamyan.extensions import db

UNITS = 200


def _csv() -> str:
    rows = ["number,floor,area,occupants,parking,occupied"]
    for i in range(UNITS):
        rows.append(f"{i + 1},{i // 8},{round(55.25 + (i * 7.31) % 90, 2)},{i % 6},{i % 3},{'no' if i % 11 == 0 else 'yes'}")
    return "\n".join(rows) + "\n"


def _timed(render, box, params) -> tuple[bytes, int]:
    """The PDF and its page count (told by the renderer's progress)."""
    seen = {}
    pdf = render(box, params, lambda percent, pages=None: seen.update(pages=pages or seen.get("pages")))
    return pdf, seen.get("pages") or 0


def main() -> None:
    with product_app() as (board, client):
        print(f"aptbox (SQLite, Flask test client, one process): month end of a {UNITS}-unit building")
        with clock.frozen(datetime(2025, 3, 25, 12)):  # 1404/01/05
            box = services.create_building(board, "Bench tower", "IRR", "Asia/Tehran", "fa_IR", "persian",
                                           round_to="1000", vacancy_discount="30", floor_factors="0=0.5")
            services.import_units(board, box.id, _csv())
            services.add_component(board, box.id, name="Caretaker", amount="600000000", basis="mix",
                                   mix={"area": 60, "occupants": 40})
            services.add_component(board, box.id, name="Lift", amount="90000000", basis="equal", use_floor_factor=True)
            services.add_component(board, box.id, name="Water", amount="120000000", basis="area")
            services.add_component(board, box.id, name="Reserve", amount="1000000", basis="fixed", payer="owner")
        units = db.session.query(Unit).filter_by(box_id=box.id).all()
        for month in range(1, 12):
            day = services.common.day_in_month(box, 1404, month, 6)
            with clock.frozen(datetime(day.year, day.month, day.day, 12)):
                run = services.issue_month(board, box.id, f"1404-{month:02d}")
                amounts = {c.unit_id: c.amount for c in db.session.query(Charge).filter_by(run_id=run.id)}
                for unit in units:
                    if unit.id % 7:
                        services.record_payment(board, box.id, unit.id, str(amounts[unit.id]), None, f"R{month}",
                                                key=f"{month}-{unit.id}")
        day = services.common.day_in_month(box, 1404, 12, 6)
        with clock.frozen(datetime(day.year, day.month, day.day, 12)):
            start = time.perf_counter()
            run = services.issue_month(board, box.id, "1404-12")
            issued = time.perf_counter() - start
            print(f"  issue the month's charges: {issued:.2f} s for {UNITS} units (target < 1 s: "
                  f"{'met' if issued < 1 else 'NOT met'})")
            print(f"  units page {page_latency(client, f'/buildings/{box.id}/units', times=10)}")
            first, last = reports.month_bounds(box, 1404, 12)
            month = {"start": first.isoformat(), "end": last.isoformat()}
            with client.application.test_request_context():
                start, cpu = time.perf_counter(), time.process_time()
                one = _timed(reports.render_unit_statements, box, month)[1]
                unit_seconds, unit_cpu = time.perf_counter() - start, time.process_time() - cpu
                start, cpu = time.perf_counter(), time.process_time()
                board_pages = _timed(reports.render_board_statement, box, month)[1]
                board_seconds, board_cpu = time.perf_counter() - start, time.process_time() - cpu
                start = time.perf_counter()
                reports.unit_statement_pdf(box, units[0], date(2025, 3, 21), last)
                single = time.perf_counter() - start
        total = unit_seconds + board_seconds
        print(f"  {UNITS} unit statements of the month (one PDF, a report job): {unit_seconds:.1f} s "
              f"({unit_cpu:.1f} s CPU), {one} pages, {unit_seconds / max(one, 1):.2f} s per page")
        print(f"  one unit's statement of the year on its page (instant): {single:.2f} s")
        print(f"  board statement: {board_seconds:.1f} s ({board_cpu:.1f} s CPU), {board_pages} pages, "
              f"{board_seconds / max(board_pages, 1):.2f} s per page")
        print(f"  statements in all: {total:.1f} s (target < 30 s: {'met' if total < 30 else 'NOT met'})")


if __name__ == "__main__":
    main()
