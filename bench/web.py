"""Latency of the signed-in dashboard beside /healthz under a bounded load on loopback, served by
gunicorn with 2 workers over a fresh SQLite database holding the demo data."""
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 4  # concurrent clients: the bounded load
WARM_UP = 40
REQUESTS = 800  # per endpoint, spread over the clients
ROUNDS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, method: str, path: str, cookie: str = "", body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        conn.close()


def _cookies(headers, jar: dict) -> str:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _sign_in(port: int, email: str, password: str) -> str:
    jar = {}
    status, headers, page = _request(port, "GET", "/login")
    cookie = _cookies(headers, jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    status, headers, _ = _request(port, "POST", "/login", cookie,
                                  {"email": email, "password": password, "csrf_token": token.group(1)})
    if status != 302:
        raise SystemExit(f"bench: signing in as {email} answered {status}")
    return _cookies(headers, jar)


def _load(port: int, path: str, cookie: str, requests: int, expect: str) -> list[float]:
    latencies, errors = [], []
    per_client = requests // CLIENTS

    def client():
        for _ in range(per_client):
            start = time.perf_counter()
            status, _, body = _request(port, "GET", path, cookie)
            latencies.append(time.perf_counter() - start)
            if status != 200 or expect not in body:
                errors.append(status)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"bench: {path} failed {len(errors)} times (e.g. status {errors[0]})")
    return latencies


def _summary(latencies: list[float]) -> dict:
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "mean": statistics.fmean(latencies) * 1000}


def measure(instance: Path) -> dict:
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, FLASK_APP="wsgi:app", HAMYAN_INSTANCE_PATH=str(instance),
               HAMYAN_SCHEDULER_ENABLED="false", HAMYAN_LOG_LEVEL="WARNING")
    env.pop("HAMYAN_DATABASE_URL", None)  # SQLite in the instance folder, as `make run` serves
    for command in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run([sys.executable, "-m", "flask", *command], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        if done.returncode:
            raise SystemExit(f"bench: flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    port = _free_port()
    log = open(instance / "gunicorn.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"bench: gunicorn did not come up; see {instance / 'gunicorn.log'}")
            time.sleep(0.2)
        cookie = _sign_in(port, "manager@demo.hamyan", "hamyan-demo")
        endpoints = {"/healthz": ("", '"status":"ok"'), "/ (dashboard)": (cookie, "My boxes")}
        latencies = {label: [] for label in endpoints}
        busy = dict.fromkeys(endpoints, 0.0)
        for label, (session, expect) in endpoints.items():
            _load(port, label.split(" ")[0], session, WARM_UP, expect)
        # Alternate the endpoints in rounds so both see the same background load on a shared machine.
        for _ in range(ROUNDS):
            for label, (session, expect) in endpoints.items():
                started = time.perf_counter()
                latencies[label] += _load(port, label.split(" ")[0], session, REQUESTS // ROUNDS, expect)
                busy[label] += time.perf_counter() - started
        return {label: _summary(values) | {"rps": len(values) / busy[label]} for label, values in latencies.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
