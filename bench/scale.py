"""Scale-out: requests/s of a mixed read/write workload through nginx (TLS, deploy's site file) with
1 and then 2 app servers (one gunicorn worker each, started by deploy/entrypoint.sh) on the same
MariaDB database and Redis, their ratio and p95, then `flask ledger check` on what it wrote.

The demo manager runs BOXES cashboxes of 10 members (built by bench.build), and each client works in
its own box, as an operator's many groups do (writes to one box queue on that box's lock, so a
single-box workload measures the lock, not the servers). The workload, per client in turn: the
signed-in home dashboard (page), a payment in its box through the API (a write: one ledger entry, its
own Idempotency-Key), the box's payments list (API) and, one time in ten, a member's PDF statement.
BENCH_SCALE_SECONDS (15) per configuration, BENCH_SCALE_CLIENTS (6) concurrent clients with
keep-alive connections. The clients run in this process, on the same 2 cores as the servers,
MariaDB and nginx. Two app servers can only double the figure if what they share costs little CPU
per request, so each run prints the CPU milliseconds per request of each part over the measured
seconds: the app servers (gunicorn), nginx, MariaDB (the whole server, and the threads of this
database's connections alone: the figure that holds on a server others use too), Redis, the clients."""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa
import urllib3

from bench import build, machine
from bench.web import csrf_token
from tests.deploy import serving

TARGET = 1.7  # 2 app servers vs 1, on 2 cores
SECONDS = float(os.environ.get("BENCH_SCALE_SECONDS", 15))
CLIENTS = int(os.environ.get("BENCH_SCALE_CLIENTS", 6))
BOXES = 12
WARM_UP = 3.0


def _boxes(site) -> list[tuple[int, list[int]]]:
    """BOXES cashboxes of the demo manager, built in bulk, each with its members' membership ids."""
    from hamyan import create_app
    from hamyan.blueprints.auth import services as auth
    from hamyan.boxes.models import Membership
    from hamyan.extensions import db

    app = create_app(build.app_config(site.database_url))
    with app.app_context():
        manager = auth.user_by_email("manager@demo.hamyan")
        ids = [build.build_cashbox(manager, f"Scale cashbox {n}", 10)[0] for n in range(1, BOXES + 1)]
        boxes = [(box, list(db.session.scalars(sa.select(Membership.id).filter_by(box_id=box, role="member"))))
                 for box in ids]
        db.session.remove()
        db.engine.dispose()
    return boxes


def _client(base: str, box: int, members: list[int], stop_at: float, record: list, errors: list) -> None:
    web, api = requests.Session(), requests.Session()
    web.verify = api.verify = False
    web.trust_env = api.trust_env = False  # else a CA bundle named in the environment overrides verify
    web.headers["Referer"] = f"{base}/"  # Flask-WTF checks it on HTTPS
    page = web.get(f"{base}/login")
    token = csrf_token(page.content)
    web.post(f"{base}/login", data={"csrf_token": token, "email": "manager@demo.hamyan", "password": "hamyan-demo"})
    answer = api.post(f"{base}/api/v1/auth/token", json={"email": "manager@demo.hamyan", "password": "hamyan-demo",
                                                         "name": f"bench {uuid.uuid4().hex[:6]}"})
    api.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        member = members[n % len(members)]
        steps = [("dashboard", lambda: web.get(f"{base}/"), 200),
                 ("payment", lambda: api.post(f"{base}/api/v1/cashboxes/{box}/payments",
                                              json={"membership_id": member, "amount": "1", "reference": "bench"},
                                              headers={"Idempotency-Key": uuid.uuid4().hex}), 201),
                 ("payments list", lambda: api.get(f"{base}/api/v1/cashboxes/{box}/payments"), 200)]
        if n % 10 == 0:
            steps.append(("statement PDF", lambda: api.get(f"{base}/api/v1/cashboxes/{box}/statement",
                                                           params={"membership_id": member, "start": "2025-01-01",
                                                                   "end": "2026-12-31"}), 200))
        for label, call, expected in steps:
            started = time.perf_counter()
            response = call()
            took = time.perf_counter() - started
            if response.status_code != expected:
                errors.append(f"{label}: {response.status_code} {response.text[:200]}")
            record.append((time.monotonic(), label, took))


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(stat_file: str) -> float:
    """utime + stime of a process or thread from its /proc stat file (0 if it is gone)."""
    try:
        fields = Path(stat_file).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _pids(where) -> list[int]:
    """The pids of /proc whose (comm, process group) `where` accepts."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            if where(head.split("(", 1)[1], int(tail.split()[2])):
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds used by each part of the site between start() and stop(): every process in the
    process group of each process the Site started (gunicorn's master and worker, nginx's), the MariaDB
    and Redis servers whole, the threads serving this database's connections, and this process (the
    clients)."""

    def __init__(self, site):
        self.site = site
        self.engine = sa.create_engine(site.database_url)
        self.database = sa.engine.make_url(site.database_url).database

    def _parts(self) -> dict[str, list[str]]:
        groups = {}
        for name, process in self.site.processes.items():
            part = "app servers" if name.startswith("web") else name
            groups.setdefault(part, []).extend(f"/proc/{pid}/stat" for pid in _pids(lambda comm, group: group == process.pid))
        groups["MariaDB (whole server)"] = [f"/proc/{pid}/stat" for pid in _pids(lambda comm, group: comm in ("mariadbd", "mysqld"))]
        groups["Redis"] = [f"/proc/{pid}/stat" for pid in _pids(lambda comm, group: comm == "redis-server")]
        groups["clients (this process)"] = ["/proc/self/stat"]
        return groups

    def _connection_threads(self) -> list[str]:
        """The server threads of this database's connections (MariaDB names them in its processlist);
        [] if the server is not local or says nothing of its threads."""
        servers = _pids(lambda comm, group: comm in ("mariadbd", "mysqld"))
        if len(servers) != 1:
            return []
        with self.engine.connect() as conn:
            try:
                tids = conn.scalars(sa.text("SELECT tid FROM information_schema.processlist WHERE db = :db "
                                            "AND id <> CONNECTION_ID()"), {"db": self.database}).all()
            except sa.exc.DBAPIError:
                return []
        return [f"/proc/{servers[0]}/task/{tid}/stat" for tid in tids]

    def start(self) -> None:
        self.files = self._parts()
        self.threads = self._connection_threads()
        self.before = {f: _cpu_seconds(f) for files in self.files.values() for f in files}
        self.before.update({f: _cpu_seconds(f) for f in self.threads})

    def stop(self) -> dict[str, float]:
        """CPU seconds per part; a thread of a connection opened meanwhile is not counted."""
        used = {part: sum(_cpu_seconds(f) - self.before[f] for f in files) for part, files in self.files.items()}
        if self.threads:
            used["MariaDB (this database's connections)"] = sum(_cpu_seconds(f) - self.before[f] for f in self.threads)
        self.engine.dispose()
        return used


def _measure(site, boxes) -> dict:
    record, errors = [], []
    start = time.monotonic()
    stop_at = start + WARM_UP + SECONDS
    threads = [threading.Thread(target=_client, args=(site.base_url, *boxes[n % len(boxes)], stop_at, record, errors))
               for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    meter = CpuMeter(site)
    time.sleep(WARM_UP)
    metered_from = time.monotonic()
    meter.start()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    cpu = meter.stop()
    metered_to = time.monotonic()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"bench scale: {len(errors)} requests failed, e.g. {errors[0]}")
    counted = [(label, took) for at, label, took in record if at >= start + WARM_UP]
    ms = sorted(took * 1000 for _, took in counted)
    per_label = {}  # label -> (how many, p95 ms): the PDFs' count says much of a run's CPU per request
    for label in dict.fromkeys(label for label, _ in counted):
        values = sorted(took * 1000 for l, took in counted if l == label)
        per_label[label] = len(values), statistics.quantiles(values, n=20)[18] if len(values) >= 20 else values[-1]
    return {"rps": len(counted) / SECONDS, "p95": statistics.quantiles(ms, n=20)[18], "requests": len(counted),
            "p95 by request": per_label,
            "cpu ms per request": {part: seconds * 1000 / sum(metered_from <= at <= metered_to for at, _, _ in record)
                                   for part, seconds in cpu.items()},
            "cores busy": sum(seconds for part, seconds in cpu.items() if "connections" not in part)
            / (metered_to - metered_from)}


def _ledger_check(site) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "ledger", "check"], cwd=serving.ROOT,
                          env={**site.env, "FLASK_APP": "wsgi:app"}, capture_output=True, text=True)
    return ("clean: " if done.returncode == 0 else "NOT clean: ") + (done.stdout.strip().splitlines() or ["?"])[-1]


def main() -> None:
    urllib3.disable_warnings()
    print(f"Scale-out: nginx (TLS) in front of 1, then 2 app servers (1 gunicorn worker each) on one MariaDB and "
          f"Redis; {CLIENTS} clients, each in its own of {BOXES} cashboxes, for {SECONDS:.0f} s after {WARM_UP:.0f} s "
          f"warm-up: dashboard, payment (API write), payments list, 1 in 10 a statement PDF")
    if not os.path.exists(serving.NGINX):
        print(f"  skipped: {serving.NGINX} is missing (apt-get install nginx-light)")
        return
    server = build.default_server()
    try:
        url = serving.fresh_database(server, "bench_scale")
    except sa.exc.OperationalError as exc:
        print(f"  skipped: no MariaDB/MySQL server at {server} ({exc.orig})")
        return
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="hamyan-scale-") as tmp:
            for servers in (1, 2):
                site = serving.Site(url, Path(tmp) / str(servers), app_servers=servers, schedulers=0)
                try:
                    site.start()
                    if servers == 1:
                        subprocess.run([sys.executable, "-m", "flask", "demo", "seed"], cwd=serving.ROOT, check=True,
                                       env={**site.env, "FLASK_APP": "wsgi:app"}, capture_output=True)
                        boxes = _boxes(site)
                    results[servers] = _measure(site, boxes)
                    check = _ledger_check(site)
                finally:
                    site.stop()
                r = results[servers]
                print(f"  {servers} app server{'s' if servers > 1 else ' '}: {r['rps']:6.1f} req/s  p95 {r['p95']:6.0f} ms  "
                      f"({r['requests']} requests: " + ", ".join(f"{n} {k} p95 {v:.0f} ms"
                                                                for k, (n, v) in r["p95 by request"].items())
                      + f"); ledger check {check}")
                print("    CPU ms per request: " + ", ".join(f"{part} {ms:.1f}" for part, ms in r["cpu ms per request"].items())
                      + f"; cores busy {r['cores busy']:.2f}")
    finally:
        serving.drop_database(url)
    ratio = results[2]["rps"] / results[1]["rps"]
    print(f"  2 vs 1 app servers: x{ratio:.2f} req/s; target >= {TARGET}x on 2 cores: "
          f"{'met' if ratio >= TARGET else 'NOT met'}  (machine: {machine()})")


if __name__ == "__main__":
    main()
