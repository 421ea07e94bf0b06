"""`make bench`: ledger postings per second (SQLite, MariaDB/MySQL), the demo dashboard vs /healthz,
each product's own figures, then every page at size (bench/pages.py; BENCH_SIZES=10,100 and
BENCH_BACKENDS=sqlite limit it)."""
import importlib
import os
import pkgutil
import tempfile
from pathlib import Path

import bench
from bench import build
from bench import ledger as ledger_bench
from bench import machine
from bench import pages as pages_bench
from bench import web as web_bench

TARGET_POSTINGS = 5000  # per second on SQLite
TARGET_RATIO = 5  # dashboard p95 within 5x of /healthz p95
TARGET_BARE = 2  # MariaDB: ledger.post() within 2x of the same writes done bare
PLATFORM = {"ledger", "web", "build", "pages", "__main__"}


def main() -> None:
    print("Hamyan benchmarks (figures only; nothing is asserted)")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="hamyan-bench-") as tmp:
        tmp = Path(tmp)
        os.environ["HAMYAN_INSTANCE_PATH"] = str(tmp / "instance")

        print("\nLedger: ledger.post() of two-leg entries through the app's session, then `ledger check`")
        sqlite = ledger_bench.measure(f"sqlite:///{tmp / 'ledger.sqlite'}", {1: 1000, 100: 4000})
        ledger_bench.print_results("SQLite", sqlite)
        server = build.default_server()
        url, drop, version = ledger_bench.mysql_database(server)
        if url is None:
            print(f"  MariaDB/MySQL skipped: no server answers at {server} ({version})")
        else:
            try:
                mariadb = ledger_bench.measure(url, {1: 500, 100: 2000})
                ledger_bench.print_results("MariaDB", mariadb)
                print(f"  (server {version})")
            finally:
                drop()
            batch = next(r for r in mariadb if r[0] == 100)
            ratio = min(batch[2]) / min(batch[4])
            print(f"  target MariaDB post() within {TARGET_BARE}x of the same writes bare, 100 entries per commit: "
                  f"{'met' if ratio <= TARGET_BARE else 'NOT met'} (x{ratio:.1f})")
        best = ledger_bench.best_rate(sqlite)
        print(f"  target >= {TARGET_POSTINGS:,} postings/s on SQLite: "
              f"{'met' if best >= TARGET_POSTINGS else 'NOT met'} ({best:,.0f} at best)")

        print(f"\nWeb: gunicorn, 2 workers, SQLite with demo data; {web_bench.CLIENTS} concurrent clients on "
              f"loopback, {web_bench.REQUESTS} requests per endpoint after {web_bench.WARM_UP} warm-up")
        results = web_bench.measure(tmp / "web")
        for label, r in results.items():
            print(f"  {label:15} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  mean {r['mean']:7.1f} ms  "
                  f"{r['rps']:6.0f} req/s")
        health, dashboard = results["/healthz"], results["/ (dashboard)"]
        ratio = dashboard["p95"] / health["p95"]
        print(f"  dashboard / healthz: p50 x{dashboard['p50'] / health['p50']:.2f}, p95 x{ratio:.2f}; "
              f"target p95 within {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")

        # Each product's own figures: every other module here with a main() (bench/<product>.py).
        for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
            if module not in PLATFORM:
                print()
                importlib.import_module(f"bench.{module}").main()
        print()
    pages_bench.main()
    print(f"\nmachine after the run: {machine()}")


if __name__ == "__main__":
    main()
