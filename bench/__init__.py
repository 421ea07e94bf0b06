"""Benchmarks run by `make bench` (`python -m bench`). They print figures and targets beside the
machine they ran on; nothing here asserts a timing."""
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def product_app():
    """For a product's bench: a fresh SQLite app, a manager, and a test client signed in as them."""
    from hamyan import create_app
    from hamyan.blueprints.auth import services as auth
    from hamyan.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite'}", "SECRET_KEY": "bench",
                          "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING", "TESTING": True,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            manager = auth.signup("bench@example.com", "Bench", "bench-password-1")
            client = app.test_client()
            client.post("/login", data={"email": "bench@example.com", "password": "bench-password-1"})
            yield manager, client
            db.session.remove()
            db.engine.dispose()


def page_latency(client, url: str, times: int = 30, headers: dict | None = None) -> str:
    """p50 and p95 of GET url through the test client, as printed by the product benches."""
    timings = []
    for _ in range(times):
        start = time.perf_counter()
        assert client.get(url, headers=headers).status_code == 200
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return f"p50 {statistics.median(timings):6.1f} ms, p95 {timings[int(len(timings) * .95) - 1]:6.1f} ms"


def report_figures(client, render, box, start, end) -> str:
    """A product's manager report rendered as its job does: pages, size, seconds for the data and
    for the PDF (WeasyPrint), seconds a page."""
    seen = {}

    def progress(percent, pages=None):
        seen.setdefault(percent, (time.perf_counter(), pages))

    with client.application.test_request_context():
        started = time.perf_counter()
        pdf = render(box, {"start": start.isoformat(), "end": end.isoformat()}, progress)
    done = time.perf_counter()
    data_done, _ = seen[30]
    _, pages = seen[80]
    return (f"{pages} pages ({len(pdf) // 1024} KB) in {done - started:.1f} s (data {data_done - started:.1f} s, "
            f"PDF {done - data_done:.1f} s): {(done - started) / pages:.2f} s a page")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {cores}, {model}, load average {load}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")
