"""Fast at real size (issue 17): p50/p95 of every page and API call at N = 10 ... 10,000 members,
each beside /healthz measured in the same run, under gunicorn with 2 workers, on the databases
bench/build.py builds (SQLite, and MariaDB when a server answers).

`python -m bench.pages [--sizes 10,100] [--backends sqlite,mysql] [--write bench/AFTER.md]`
(BENCH_SIZES and BENCH_BACKENDS work too). Prints a table per backend, whether each target is met
(printed, never asserted), and the figures recorded in bench/BEFORE.md beside today's."""
import argparse
import http.client
import json
import os
import re
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from pypdf import PdfReader

from bench import build, machine, web
from hamyan.blueprints import product

REQUESTS = 20  # samples per page and size, unless the budget runs out first
BUDGET = 6.0  # seconds of requests per page and size
MIN_SAMPLES = 3
SLOW = 2.0  # seconds: a page this slow is sampled twice
JOB_TIMEOUT = 120  # seconds a report job may take before the bench gives up on it (twice the target)
TARGET_JOB = 60  # seconds: the manager report job at the largest N
HEALTH_SAMPLES = 40
TARGET_RATIO = 5  # p95 within 5x /healthz at the largest N
FLAT = 2.0  # "flat in N": p95 at the largest N within 2x of the smallest N's
BEFORE = Path(__file__).with_name("BEFORE.md")


def pages(b: build.Built) -> list[tuple[str, str, str, bytes]]:
    """(label, path, who: session|token|job, what the body must hold). A manager report is asked
    for as a job where the product renders it as one, else as the PDF request it was."""
    pool, box, member = b.pool_id, b.cashbox_id, b.member_id
    start, end = b.facts["since"], date.today().isoformat()

    def report(kind: str, box_id: int, pdf: str) -> tuple[str, str, bytes]:
        if "manager" in product(kind).reports:
            return f"/boxes/{box_id}/reports/manager", "job", b"%PDF"
        return f"{pdf}?start={start}&end={end}", "session", b"%PDF"

    return [
        ("pool dashboard", f"/pools/{pool}", "session", b"</html>"),
        ("pool members list", f"/boxes/{pool}/members", "session", b"</html>"),
        ("pool loan request form", f"/pools/{pool}/loans/new", "session", b"</html>"),
        ("pool queue (API)", f"/api/v1/pools/{pool}/queue", "token", b"["),
        ("pool balance sheet (API)", f"/api/v1/pools/{pool}/balance-sheet", "token", b"{"),
        ("pool report PDF", *report("moneypool", pool, f"/pools/{pool}/report.pdf")),
        ("cashbox dashboard (grid)", f"/cashbox/{box}", "session", b"</html>"),
        ("cashbox member page", f"/cashbox/{box}/members/{member}", "session", b"</html>"),
        ("cashbox member (API)", f"/api/v1/cashboxes/{box}/members/{member}", "token", b"{"),
        ("cashbox report PDF", *report("cashbox", box, f"/cashbox/{box}/report.pdf")),
        ("API list cashboxes", "/api/v1/cashboxes", "token", b"["),
        ("API list pools", "/api/v1/pools", "token", b"["),
    ]


def _job(port: int, session: dict, path: str, start: str, end: str) -> dict:
    """A report asked for as a job: the request's time, then the job's until its PDF is ready
    (the progress page shows the download link), and the PDF's pages."""
    _, page = web.timed_get(port, "/", session)
    started = time.perf_counter()
    try:
        status, headers, _ = web.request(port, "POST", path, session,
                                         form={"start": start, "end": end, "csrf_token": web.csrf_token(page)})
    except (OSError, http.client.HTTPException) as exc:
        return {"failed": f"{exc.__class__.__name__} after {time.perf_counter() - started:.0f} s"}
    asked = time.perf_counter() - started
    location = next((value for name, value in headers if name.lower() == "location"), None)
    if status != 302 or location is None:
        return {"failed": f"{status} after {asked:.1f} s"}
    progress = urlsplit(location).path
    try:
        while progress.encode() + b'.pdf"' not in web.timed_get(port, progress, session)[1]:
            if time.perf_counter() - started > JOB_TIMEOUT:
                return {"failed": f"job not done after {JOB_TIMEOUT} s"}
            time.sleep(0.25)
        done = time.perf_counter() - started
        pdf = web.timed_get(port, progress + ".pdf", session, b"%PDF")[1]
    except web.Failed as failure:
        return {"failed": f"job: {failure}"}
    pages = len(PdfReader(BytesIO(pdf)).pages)
    return {"p50": asked * 1000, "p95": asked * 1000, "n": 1, "job_s": done, "pages": pages}


def _samples(port: int, path: str, headers: dict, expect: bytes) -> dict:
    """Timings of one page: REQUESTS samples, or fewer once the budget is spent (at least
    MIN_SAMPLES, or 2 for a page slower than SLOW). A failure ends it, and is what prints."""
    times, started = [], time.perf_counter()
    try:
        # Warm-up: one request per worker at once, so each has its connection and this page's SQL
        # compiled (a cost paid once in a worker's life, which one unwarmed worker would put in
        # every p95); a sample too when the page is slow.
        with ThreadPoolExecutor(web.WORKERS) as pool:
            (first, body), *_ = pool.map(lambda _: web.timed_get(port, path, headers, expect), range(web.WORKERS))
        slow = first > SLOW
        if slow:
            times.append(first)
        while len(times) < REQUESTS and (time.perf_counter() - started < BUDGET
                                         or len(times) < (2 if slow else MIN_SAMPLES)):
            took, body = web.timed_get(port, path, headers, expect)
            times.append(took)
    except web.Failed as failure:
        return {"failed": str(failure)}
    result = web.quantiles(times) | {"n": len(times), "kb": len(body) / 1024}
    if body.startswith(b"%PDF"):
        result["pages"] = len(PdfReader(BytesIO(body)).pages)
    return result


def measure(b: build.Built, instance: Path) -> dict:
    """{label: figures} at one size, with "/healthz" measured before and after the pages."""
    with web.serve(instance, b.url) as port:
        session = web.sign_in(port, build.MANAGER[0], build.MANAGER[2])
        token = web.bearer(port, build.MANAGER[0], build.MANAGER[2])
        health = []
        for _ in range(HEALTH_SAMPLES // 2):
            health.append(web.timed_get(port, "/healthz", {})[0])
        results = {}
        for label, path, who, expect in pages(b):
            if who == "job":
                results[label] = _job(port, session, path, b.facts["since"], date.today().isoformat())
            else:
                results[label] = _samples(port, path, session if who == "session" else token, expect)
        for _ in range(HEALTH_SAMPLES // 2):
            health.append(web.timed_get(port, "/healthz", {})[0])
        results["/healthz"] = web.quantiles(health) | {"n": len(health)}
    # Why a page answered 5xx (a 503 is the app's answer to a database error): the server's own words.
    errors = [line for line in (instance / "gunicorn.log").read_text().splitlines() if "ERROR" in line]
    if errors:
        print("  server errors:\n    " + "\n    ".join(errors[:5]))
    return results


def _cell(figures: dict | None, health: dict | None) -> str:
    if figures is None:
        return "not run"
    if "failed" in figures:
        return figures["failed"]
    text = f"{figures['p50']:,.0f} / {figures['p95']:,.0f}"
    if health and "p95" in health:
        text += f" x{figures['p95'] / health['p95']:,.0f}"
    if "job_s" in figures:
        text = (f"request {text}; job {figures['job_s']:,.1f} s, {figures['pages']} p, "
                f"{figures['job_s'] / max(figures['pages'], 1):.2f} s/p")
    elif "pages" in figures:
        text += f", {figures['pages']} p"
    return text


def table(results: dict) -> str:
    """A markdown table: rows = pages, columns = sizes; p50 / p95 ms and p95 as a multiple of /healthz's."""
    sizes = sorted(results)
    labels = list(dict.fromkeys(label for size in sizes for label in results[size]))
    head = ["page"] + [f"N={s:,} (cashbox {build.cashbox_size(s)}x{build.cashbox_size(s)})" for s in sizes]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label in labels:
        row = [label] + [_cell(results[s].get(label), results[s].get("/healthz") if label != "/healthz" else None)
                         for s in sizes]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def verdicts(results: dict) -> list[str]:
    """Per page: p95 within TARGET_RATIO x /healthz at the largest N, flat in N, and a report job
    done within TARGET_JOB."""
    sizes = sorted(results)
    largest, smallest = results[sizes[-1]], results[sizes[0]]
    out = []
    for label, figures in largest.items():
        if label == "/healthz":
            continue
        if "failed" in figures:
            out.append(f"  {label}: NOT met (at N={sizes[-1]:,}: {figures['failed']})")
            continue
        ratio = figures["p95"] / largest["/healthz"]["p95"]
        first = smallest.get(label, {})
        growth = figures["p95"] / first["p95"] if "p95" in first else None
        flat = growth is not None and growth <= FLAT
        out.append(f"  {label}: p95 x{ratio:,.1f} healthz at N={sizes[-1]:,} "
                   f"({'met' if ratio <= TARGET_RATIO else 'NOT met'}, target <= {TARGET_RATIO}x); "
                   + (f"x{growth:,.1f} from N={sizes[0]:,} ({'flat' if flat else 'NOT flat'})"
                      if len(sizes) > 1 and growth is not None else "one size only")
                   + (f"; job {figures['job_s']:,.0f} s ({'met' if figures['job_s'] < TARGET_JOB else 'NOT met'}, "
                      f"target < {TARGET_JOB} s)" if "job_s" in figures else ""))
    return out


def commit() -> str:
    done = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=build.ROOT, capture_output=True, text=True)
    return done.stdout.strip()[:100]


def recorded(path: Path) -> dict:
    """The figures a BEFORE.md/AFTER.md keeps in its json block: {backend: {size: {label: figures}}}."""
    if not path.exists():
        return {}
    found = re.search(r"```json\n(.*?)\n```", path.read_text(), re.S)
    raw = json.loads(found.group(1)) if found else {}
    return {backend: {int(size): figures for size, figures in by_size.items()} for backend, by_size in raw.items()}


def compare(now: dict, before: dict) -> str:
    """p50 now beside p50 recorded before, per page and size."""
    sizes = sorted(now)
    lines = ["| page | " + " | ".join(f"N={s:,} before -> now" for s in sizes) + " |", "|" + "---|" * (len(sizes) + 1)]
    labels = list(dict.fromkeys(label for size in sizes for label in now[size]))

    def p50(figures):
        if figures is None:
            return "-"
        return figures.get("failed") or f"{figures['p50']:,.0f}"

    for label in labels:
        lines.append(f"| {label} | " + " | ".join(f"{p50(before.get(s, {}).get(label))} -> {p50(now[s].get(label))}"
                                                  for s in sizes) + " |")
    return "\n".join(lines)


def write(path: Path, everything: dict, notes: list[str]) -> None:
    parts = [f"# Page figures ({path.stem.lower()})", "",
             f"Measured {date.today().isoformat()} by `python -m bench.pages` on commit {commit()}; "
             f"machine: {machine()}.", "",
             "Cells: p50 / p95 in ms, then p95 as a multiple of /healthz's p95 in the same run "
             "(PDFs: pages in the file).", ""]
    for backend, results in everything.items():
        parts += [f"## {backend}", "", table(results), "", *verdicts(results), ""]
    parts += notes + ["", "```json", json.dumps({b: {str(s): f for s, f in r.items()} for b, r in everything.items()},
                                                 indent=1), "```", ""]
    path.write_text("\n".join(parts))


def run(sizes: list[int], backends: list[str], write_to: Path | None = None) -> None:
    print(f"Pages at size (gunicorn, 2 workers, one client; {REQUESTS} samples or {BUDGET:.0f} s a page; "
          f"{machine()})")
    everything = {}
    notes = []
    for backend in backends:
        results = {}
        for size in sizes:
            built = build.ensure(backend, size)
            if built is None:
                notes.append(f"{backend}: skipped (no server)")
                break
            if built.seconds is None:
                print(f"  {backend} N={size:,}: cached build ({built.facts['postings']:,} postings, built in "
                      f"{built.facts['build_seconds']} s)")
            with tempfile.TemporaryDirectory(prefix="hamyan-bench-") as tmp:
                started = time.perf_counter()
                results[size] = measure(built, Path(tmp))
                print(f"  {backend} N={size:,}: measured in {time.perf_counter() - started:.0f} s")
                print(table({size: results[size]}), flush=True)  # each size as it comes
        if results:
            everything[backend] = results
            print(f"\n{backend}:\n{table(results)}\n" + "\n".join(verdicts(results)))
            before = recorded(BEFORE).get(backend)
            if before:
                print(f"\n{backend}, p50 ms as recorded in {BEFORE.name} and now:\n{compare(results, before)}")
    print("\n".join(notes))
    if write_to is not None:
        write(write_to, everything, notes)
        print(f"written to {write_to}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", ",".join(map(str, build.SIZES))))
    parser.add_argument("--backends", default=os.environ.get("BENCH_BACKENDS", "sqlite,mysql"))
    parser.add_argument("--write", type=Path, help="record the figures in this markdown file")
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.backends.split(","), args.write)


if __name__ == "__main__":
    main()
