"""Cashbox figures (`python -m bench.cashbox`): payments recorded per second, the box
dashboard's render time for 10 and 200 members, the pages and API calls of a 200 x 200 round with
its history, and the manager report of that round and of a 50 x 50 one (pages, size,
seconds for its data and its PDF, seconds per page), on a fresh SQLite database. Printed, not asserted."""
import time
from datetime import date, timedelta

from bench import page_latency, product_app, report_figures
from bench.build import build_cashbox
from hamyan.blueprints.auth.services import create_api_token
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.reports import render_manager_report
from hamyan.boxes.models import Box
from hamyan.extensions import db


def _box(manager, size: int):
    box = cb.create_cashbox(manager, f"Bench {size}", "USD", "10", size, "weekly",
                            date.today() - timedelta(days=1), "random")
    r = cb.current_round(box.id)
    members = [cb.add_member(manager, box.id, f"Member {i:03d}") for i in range(size)]
    for number, m in enumerate(members, 1):
        cb.set_holders(manager, box.id, r.id, number, [(m.id, "1")])
    cb.start_round(manager, box.id, r.id)
    start = time.perf_counter()
    for m in members:
        cb.record_payment(manager, box.id, m.id, "10")
    rate = size / (time.perf_counter() - start)
    cb.draw(manager, box.id)
    return box, rate


def main() -> None:
    with product_app() as (manager, client):
        print("cashbox (SQLite, Flask test client, one process)")
        for size in (10, 200):
            box, rate = _box(manager, size)
            print(f"  {size:>3} members: {rate:6.0f} payments/s recorded; dashboard "
                  f"{page_latency(client, f'/cashbox/{box.id}')}")
        box_id, member_id = build_cashbox(manager, "Bench report", 200)
        box = db.session.get(Box, box_id)
        _, secret = create_api_token(manager, "bench")
        token = {"Authorization": f"Bearer {secret}"}
        print("  200 members x 200 weekly periods, 150 due and paid (inserted history):")
        for label, url, headers in (("dashboard", f"/cashbox/{box_id}", None),
                                    ("member page", f"/cashbox/{box_id}/members/{member_id}", None),
                                    ("API member", f"/api/v1/cashboxes/{box_id}/members/{member_id}", token),
                                    ("API grid", f"/api/v1/cashboxes/{box_id}/grid", token),
                                    ("API list cashboxes", "/api/v1/cashboxes", token)):
            print(f"    {label:<20} {page_latency(client, url, headers=headers)}")
        print(f"  manager report, 200 x 200 round: {_report(client, box)}")
        small = db.session.get(Box, build_cashbox(manager, "Bench report 50", 50)[0])
        print(f"  manager report, 50 x 50 round: {_report(client, small)}")


def _report(client, box) -> str:
    """The manager report of the box's whole history (its cash, balances, winners and member x period grid)."""
    return report_figures(client, render_manager_report, box, date.today() - timedelta(days=5 * 365), date.today())

if __name__ == "__main__":
    main()
