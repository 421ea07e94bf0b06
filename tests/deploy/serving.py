"""The production shape on this machine, as `make serve` builds it: Debian's nginx (deploy's site file)
in front of app servers started by deploy/entrypoint.sh, scheduler processes beside them, one
MariaDB database and Redis. Used by tests/deploy/test_scale_out.py and bench/scale.py."""
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
import ssl
from urllib.request import Request, urlopen

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
INSECURE = ssl._create_unverified_context()  # our own self-signed certificate
REDIS_URL = "redis://127.0.0.1:6379/13"  # a db number of its own; keys are unique per run anyway


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(server_url: str, name: str) -> str:
    """An empty MariaDB database `name` on the server of server_url; returns its URL."""
    url = sa.engine.make_url(server_url)
    engine = sa.create_engine(url.set(database=""))
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    engine.dispose()
    return url.set(database=name, query={"charset": "utf8mb4"}).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    url = sa.engine.make_url(url)
    engine = sa.create_engine(url.set(database=""))
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{url.database}`"))
    engine.dispose()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def nginx_site(app_ports: list[int], https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx-hamyan.conf with this machine's ports, certificate and static folder; and the
    answering upstream in a header, so a test can see which app server answered."""
    site = (ROOT / "deploy" / "nginx-hamyan.conf").read_text()
    upstreams = "".join(f"    server 127.0.0.1:{port};\n" for port in app_ports)
    site = re.sub(r"    server 127\.0\.0\.1:8000[^\n]*\n", upstreams, site)
    site = re.sub(r"\n\s*listen \[::\][^\n]*", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = site.replace("alias /srv/hamyan/hamyan/static/;", f"alias {ROOT / 'hamyan' / 'static'}/;")
    site = site.replace("proxy_pass http://hamyan;", "proxy_pass http://hamyan;\n"
                        "        add_header X-Test-Upstream $upstream_addr always;")
    assert site.count("127.0.0.1:") >= len(app_ports) + 2 and str(cert) in site, "deploy/nginx-hamyan.conf changed shape"
    return site


class Site:
    """Start with .start(); every process is stopped by .stop() (each by its own pid)."""

    def __init__(self, database_url: str, folder: Path, app_servers: int = 2, schedulers: int = 2, workers: int = 1,
                 extra_env: dict | None = None):
        self.folder, self.database_url = folder, database_url
        self.app_ports = [free_port() for _ in range(app_servers)]
        self.schedulers, self.workers = schedulers, workers
        self.https_port, self.http_port = free_port(), free_port()
        self.base_url = f"https://127.0.0.1:{self.https_port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HAMYAN_")},
            "HAMYAN_VENV": str(Path(sys.executable).parents[1]),
            "HAMYAN_DATABASE_URL": database_url,
            "HAMYAN_SECRET_KEY": secrets.token_hex(32),
            "HAMYAN_RATELIMIT_STORAGE_URI": REDIS_URL,
            "HAMYAN_INSTANCE_PATH": str(folder / "instance"),
            "HAMYAN_WORKERS": str(workers),
            "HAMYAN_SERVERS": str(app_servers),
            "HAMYAN_PROXY_FIX": "true",
            "HAMYAN_FORCE_HTTPS": "true",
            "HAMYAN_SESSION_COOKIE_SECURE": "true",
            "HAMYAN_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }

    def _spawn(self, name: str, args: list[str], **env) -> None:
        log = open(self.folder / f"{name}.log", "w")
        self.processes[name] = subprocess.Popen(args, cwd=ROOT, env={**self.env, **env}, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def start(self, timeout: float = 120) -> "Site":
        (self.folder / "instance").mkdir(parents=True, exist_ok=True)
        entrypoint = str(ROOT / "deploy" / "entrypoint.sh")
        # The app servers start together: both migrate, one under the lock, the other then finds nothing to do.
        for i, port in enumerate(self.app_ports):
            self._spawn(f"web{i + 1}", [entrypoint, "web"], HAMYAN_BIND=f"127.0.0.1:{port}")
        self._wait_for([f"http://127.0.0.1:{port}/healthz" for port in self.app_ports], timeout)
        for i in range(self.schedulers):
            self._spawn(f"scheduler{i + 1}", [entrypoint, "scheduler"])
        cert, key = self_signed_certificate(self.folder)
        (self.folder / "site.conf").write_text(nginx_site(self.app_ports, self.https_port, self.http_port, cert, key))
        temp = self.folder / "nginx-temp"
        temp.mkdir(exist_ok=True)
        (self.folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.folder / 'nginx.pid'};
error_log {self.folder / 'nginx-error.log'} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.folder / 'nginx-access.log'};
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
    include {self.folder / 'site.conf'};
}}
""")
        user = "user root;\n" if os.geteuid() == 0 else ""  # as root nginx would drop to nobody, who cannot read here
        (self.folder / "nginx.conf").write_text(user + (self.folder / "nginx.conf").read_text())
        self._spawn("nginx", [NGINX, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-g", "daemon off;"])
        self._wait_for([f"{self.base_url}/healthz"], 20)
        return self

    def _wait_for(self, urls: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(urls)
        while pending:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.log(name)[-3000:]}")
            try:
                # as nginx would say it: HAMYAN_FORCE_HTTPS redirects plain http
                urlopen(Request(pending[0], headers={"X-Forwarded-Proto": "https"}), timeout=2, context=INSECURE)
                pending.pop(0)
            except Exception as exc:  # not up yet
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{pending[0]} did not answer: {exc}") from exc
                time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # the process group this Site started, nothing else
        for name, process in self.processes.items():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
