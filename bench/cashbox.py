"""Cashbox figures (`python -m bench.cashbox`): payments recorded per second, and the box
dashboard's render time for 10 and 200 members, on a fresh SQLite database. Printed, not asserted."""
import time
from datetime import date, timedelta

from bench import page_latency, product_app
from hamyan.blueprints.cashbox import services as cb


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


if __name__ == "__main__":
    main()
