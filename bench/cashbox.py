"""Cashbox figures (`python -m bench.cashbox`): payments recorded per second, and the box
dashboard's render time for 10 and 200 members, on a fresh SQLite database. Printed, not asserted."""
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from hamyan import create_app
from hamyan.blueprints.auth import services as auth
from hamyan.blueprints.cashbox import services as cb
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
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite'}", "SECRET_KEY": "bench",
                          "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING", "TESTING": True,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            manager = auth.signup("bench@example.com", "Bench", "bench-password-1")
            client = app.test_client()
            client.post("/login", data={"email": "bench@example.com", "password": "bench-password-1"})
            print("cashbox (SQLite, Flask test client, one process)")
            for size in (10, 200):
                box, rate = _box(manager, size)
                timings = []
                for _ in range(30):
                    start = time.perf_counter()
                    assert client.get(f"/cashbox/{box.id}").status_code == 200
                    timings.append((time.perf_counter() - start) * 1000)
                timings.sort()
                print(f"  {size:>3} members: {rate:6.0f} payments/s recorded; dashboard p50 "
                      f"{statistics.median(timings):6.1f} ms, p95 {timings[int(len(timings) * .95) - 1]:6.1f} ms")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
