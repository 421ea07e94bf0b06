"""The app under gunicorn (2 workers) for the benches, and a client that times requests.

`serve(instance, database_url)` runs gunicorn from a temporary instance folder on a database; the
demo-data figure here (`measure`) is the signed-in home dashboard beside /healthz under a bounded
concurrent load. The per-page, per-size figures are in bench/pages.py."""
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 4  # concurrent clients: the bounded load
WARM_UP = 40
REQUESTS = 800  # per endpoint, spread over the clients
ROUNDS = 4
TIMEOUT = 35  # seconds a client waits; gunicorn kills a worker busy for 30 s
WORKERS = 2  # gunicorn's


class Failed(Exception):
    """A request that did not answer 200 (or not in time): what to print instead of a figure."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict | None = None, form: dict | None = None,
            body: dict | None = None):
    """(status, headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def timed_get(port: int, path: str, headers: dict, expect: bytes = b"") -> tuple[float, bytes]:
    """Seconds a GET took and its body; Failed (saying how, and after how long) unless a 200 with `expect`."""
    start = time.perf_counter()
    try:
        status, _, body = request(port, "GET", path, headers)
    except (OSError, http.client.HTTPException) as exc:
        raise Failed(f"{exc.__class__.__name__} after {time.perf_counter() - start:.0f} s") from None
    took = time.perf_counter() - start
    if status != 200 or expect not in body:
        raise Failed(f"{status} after {took:.1f} s" if status != 200 else f"200 without {expect!r}")
    return took, body


def _cookies(headers, jar: dict) -> str:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def csrf_token(page: bytes) -> str:
    """The CSRF token a page carries (in a form, or in the htmx headers every page sets)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"', page.decode())
    return found.group(1) or found.group(2)


def sign_in(port: int, email: str, password: str) -> dict:
    """Headers of a signed-in browser session."""
    jar = {}
    status, headers, page = request(port, "GET", "/login")
    cookie = _cookies(headers, jar)
    status, headers, _ = request(port, "POST", "/login", {"Cookie": cookie},
                                 form={"email": email, "password": password, "csrf_token": csrf_token(page)})
    if status != 302:
        raise SystemExit(f"bench: signing in as {email} answered {status}")
    return {"Cookie": _cookies(headers, jar)}


def bearer(port: int, email: str, password: str) -> dict:
    """Headers of an API client with a personal token."""
    status, _, body = request(port, "POST", "/api/v1/auth/token", body={"email": email, "password": password})
    if status != 201:
        raise SystemExit(f"bench: a token for {email} answered {status}")
    return {"Authorization": f"Bearer {json.loads(body)['token']}"}


@contextmanager
def serve(instance: Path, database_url: str | None = None, setup: tuple = ()):
    """gunicorn with WORKERS workers on the database (None: SQLite in the instance folder, as `make run`),
    after running each `flask <command>` of setup; yields the port."""
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, FLASK_APP="wsgi:app", HAMYAN_INSTANCE_PATH=str(instance),
               HAMYAN_SCHEDULER_ENABLED="false", HAMYAN_LOG_LEVEL="WARNING")
    env.pop("HAMYAN_DATABASE_URL", None)
    if database_url:
        env["HAMYAN_DATABASE_URL"] = database_url
    for command in setup:
        done = subprocess.run([sys.executable, "-m", "flask", *command], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        if done.returncode:
            raise SystemExit(f"bench: flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    port = _free_port()
    log = open(instance / "gunicorn.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"bench: gunicorn did not come up; see {instance / 'gunicorn.log'}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still busy (a report job's thread): stop it
            server.kill()
            server.wait()
        log.close()


def quantiles(latencies: list[float]) -> dict:
    """p50 and p95 in ms (with few samples p95 is the slowest)."""
    ms = sorted(x * 1000 for x in latencies)
    if len(ms) < 20:
        return {"p50": statistics.median(ms), "p95": ms[-1]}
    cuts = statistics.quantiles(ms, n=100)
    return {"p50": cuts[49], "p95": cuts[94]}


def _load(port: int, path: str, headers: dict, requests: int, expect: bytes) -> list[float]:
    latencies, errors = [], []
    per_client = requests // CLIENTS

    def client():
        for _ in range(per_client):
            try:
                latencies.append(timed_get(port, path, headers, expect)[0])
            except Failed as failure:
                errors.append(str(failure))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"bench: {path} failed {len(errors)} times (e.g. {errors[0]})")
    return latencies


def measure(instance: Path) -> dict:
    """The demo data's home dashboard beside /healthz, CLIENTS at a time."""
    with serve(instance, setup=(["db", "upgrade"], ["demo", "seed"])) as port:
        cookie = sign_in(port, "manager@demo.hamyan", "hamyan-demo")
        endpoints = {"/healthz": ({}, b'"status":"ok"'), "/ (dashboard)": (cookie, b"My boxes")}
        latencies = {label: [] for label in endpoints}
        busy = dict.fromkeys(endpoints, 0.0)
        for label, (headers, expect) in endpoints.items():
            _load(port, label.split(" ")[0], headers, WARM_UP, expect)
        # Alternate the endpoints in rounds so both see the same background load on a shared machine.
        for _ in range(ROUNDS):
            for label, (headers, expect) in endpoints.items():
                started = time.perf_counter()
                latencies[label] += _load(port, label.split(" ")[0], headers, REQUESTS // ROUNDS, expect)
                busy[label] += time.perf_counter() - started
        return {label: quantiles(values) | {"mean": statistics.fmean(values) * 1000, "rps": len(values) / busy[label]}
                for label, values in latencies.items()}
