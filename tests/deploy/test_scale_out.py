"""The production shape, run for real: Debian's nginx (deploy/nginx-hamyan.conf, TLS) in front of two
app servers started by deploy/entrypoint.sh, two scheduler processes, one MariaDB database and Redis.
A browser session signs in through nginx and keeps working whichever app server answers; the sign-in
limit holds across them; a request goes to the app server that is free; workers are ready for PDFs;
each job slot runs once; /readyz names each part."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from hamyan.scheduling import JOBS
from tests.deploy import serving
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.mysql_only, pytest.mark.serve, pytest.mark.browser]
PASSWORD = "correct-horse-42"


def _need(ok: bool, reason: str):
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true requires this test to run", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory, database_url):
    import redis

    _need(os.path.exists(serving.NGINX), f"{serving.NGINX} is missing: apt-get install nginx-light")
    _need(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        redis.Redis.from_url(serving.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        _need(False, "no Redis at 127.0.0.1:6379")
    url = serving.fresh_database(database_url, sa.engine.make_url(database_url).database + "_serve")
    running = serving.Site(url, tmp_path_factory.mktemp("site"))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        serving.drop_database(url)


def _user(site, email):
    script = ("from hamyan import create_app\nfrom hamyan.blueprints.auth import services\n"
              "app = create_app()\nwith app.app_context():\n"
              f"    services.signup({email!r}, 'Scale Out', {PASSWORD!r}, verified=True)\n")
    subprocess.run([sys.executable, "-c", script], cwd=serving.ROOT, env=site.env, check=True, capture_output=True)


def test_a_browser_session_works_across_both_app_servers(site):
    from playwright.sync_api import expect, sync_playwright

    email = f"scale-{uuid.uuid4().hex[:8]}@example.com"
    _user(site, email)
    answered = Counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=site.base_url, ignore_https_errors=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("response", lambda r: r.request.resource_type == "document"
                and answered.update([r.headers.get("x-test-upstream")]))
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
        for n in range(4):  # each form is rendered by one server and posted to the next (CSRF, session)
            page.goto("/profile")
            form = page.locator("form", has=page.locator("input[name=which][value=profile]"))
            form.locator("input[name='profile-name']").fill(f"Scale Out {n}")
            form.get_by_role("button", name="Save").click()
            expect(page.get_by_text("Profile saved.")).to_be_visible()
        static = page.request.get("/static/" + _a_static_file())
        browser.close()
    assert set(answered) == {f"127.0.0.1:{port}" for port in site.app_ports}, answered
    assert static.ok and "max-age=604800" in static.headers["cache-control"]
    assert "x-test-upstream" not in static.headers  # served by nginx itself


def _a_static_file() -> str:
    static = serving.ROOT / "hamyan" / "static"
    return next(p for p in static.rglob("*.css")).relative_to(static).as_posix()


def test_the_sign_in_limit_holds_across_app_servers(site):
    email = f"limit-{uuid.uuid4().hex[:8]}@example.com"
    statuses, upstreams = [], set()
    for attempt in range(6):
        session = requests.Session()  # a fresh session each time, as a guesser would
        session.headers["Referer"] = f"{site.base_url}/login"  # Flask-WTF checks it on HTTPS
        form = session.get(f"{site.base_url}/login", verify=False)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
        answer = session.post(f"{site.base_url}/login", verify=False,
                              data={"csrf_token": token, "email": email, "password": "wrong-password"})
        if attempt % 2:  # nginx takes turns: one more request so the next sign-in goes to the other server
            session.get(f"{site.base_url}/healthz", verify=False)
        statuses.append(answer.status_code)
        upstreams.add(answer.headers["x-test-upstream"])
    assert statuses == [200] * 5 + [429], statuses  # HAMYAN_LOGIN_RATE_LIMIT 5 per 5 minutes, counted in Redis
    assert len(upstreams) == 2


def test_each_job_slot_runs_once_and_readyz_reports_each_part(site):
    engine = sa.create_engine(site.database_url)
    try:
        # Each scheduler starts every job at once in its thread pool; on a busy machine the last ones
        # are still running when the test gets here, so wait for them rather than read too early.
        deadline = time.monotonic() + 90
        while True:
            with engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT job, slot, status FROM job_run")).all()
            if {job for job, _, _ in rows} >= set(JOBS) or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        engine.dispose()
    per_slot = Counter((job, slot) for job, slot, _ in rows)
    assert set(job for job, _ in per_slot) == set(JOBS)  # both schedulers ran every job at start ...
    assert max(per_slot.values()) == 1  # ... and each slot ran once
    assert all(process.poll() is None for process in site.processes.values())
    ready = requests.get(f"{site.base_url}/readyz", verify=False)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "migrations": "ok", "scheduler": "ok", "redis": "ok"}


def _worker_of(process) -> int:
    """The pid of the one gunicorn worker under an app server's master process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == process.pid:
            return int(stat.parent.name)
    raise LookupError(f"no worker under {process.pid}")


def test_a_request_goes_to_the_app_server_that_is_free(site):
    """One sync worker serves one request at a time: while one server is busy (here: stopped), nginx
    sends the next requests to the other instead of queueing them behind the slow one."""
    busy = _worker_of(site.processes["web1"])
    stuck, answers = [], []
    os.kill(busy, signal.SIGSTOP)
    try:
        for _ in range(4):  # nginx takes turns while both are idle: this lands on web1 within two
            call = threading.Thread(target=lambda: stuck.append(requests.get(f"{site.base_url}/healthz", verify=False)))
            call.start()
            call.join(5)
            if call.is_alive():
                break
        assert call.is_alive(), "no request reached the stopped app server"
        for _ in range(6):
            answers.append(requests.get(f"{site.base_url}/healthz", verify=False, timeout=20).headers["x-test-upstream"])
    finally:
        os.kill(busy, signal.SIGCONT)
        call.join(30)
    assert answers == [f"127.0.0.1:{site.app_ports[1]}"] * 6, answers
    assert stuck[-1].status_code == 200  # and the held request is answered once its server is back


def test_app_workers_load_weasyprint_before_their_first_pdf(site):
    for name in ("web1", "web2"):
        worker = _worker_of(site.processes[name])
        assert "libpango" in Path(f"/proc/{worker}/maps").read_text(), name  # WeasyPrint's text layout library
