"""Notification figures (`python -m bench.notify`): reminders for 10,000 members computed and
queued in one box write (target < 10 s), and the outbox drain rate of 1 and 2 `flask notify
dispatch` processes against the local fake SMS gateway (messages/s, and the ratio), on SQLite in a
temporary folder, then on a throwaway MariaDB/MySQL database when a server answers (where claims
skip each other's locked rows). Printed, not asserted."""
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.build import default_server
from bench.ledger import mysql_database

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = int(os.environ.get("BENCH_NOTIFY_MEMBERS", 10_000))
MESSAGES = int(os.environ.get("BENCH_NOTIFY_MESSAGES", 2_000))


def _reminders(url: str) -> float:
    from hamyan import create_app
    from hamyan.blueprints.auth.models import User
    from hamyan.boxes.models import Box, Membership
    from hamyan.core import clock, uow
    from hamyan.extensions import db
    from hamyan.notify.models import OutboxMessage
    from hamyan.dues.reminders import Owed
    from hamyan.notify.reminders import remind_box

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.create_all()
        now = datetime(2026, 3, 1)
        with db.engine.begin() as conn:
            box_id = conn.execute(sa.insert(Box).values(kind="moneypool", name="Big fund", currency="USD",
                                                        timezone="UTC", locale="en", calendar="gregorian",
                                                        created_at=now)).inserted_primary_key[0]
            conn.execute(sa.insert(User), [dict(email=f"m{i}@example.com", name=f"Member {i}", password_hash="x",
                                                is_admin=False, session_version=1, created_at=now)
                                           for i in range(MEMBERS)])
            ids = conn.execute(sa.select(User.id).order_by(User.id)).scalars().all()
            conn.execute(sa.insert(Membership), [dict(box_id=box_id, user_id=uid, display_name=f"Member {n}",
                                                      role="member", created_at=now) for n, uid in enumerate(ids)])
        owed = [Owed(("membership", n + 1), "due:2026-03-03", date(2026, 3, 3), 25_00, "Your contribution",
                     user_id=uid) for n, uid in enumerate(ids)]
        with clock.frozen(now):
            start = time.perf_counter()
            with uow.box_transaction(box_id):
                told = remind_box(box_id, lambda b, today: owed)
            seconds = time.perf_counter() - start
        queued = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
        db.engine.dispose()
    print(f"  reminders for {MEMBERS:,} members computed and queued: {seconds:.2f} s "
          f"({told:,} members told, {queued:,} outbox rows: email + in-app); target < 10 s: "
          f"{'met' if seconds < 10 else 'NOT met'}")
    return seconds


def _drain(url: str, instance: Path, gateway, processes: int) -> float:
    engine = sa.create_engine(url)
    from hamyan.notify.models import OutboxMessage

    with engine.begin() as conn:
        conn.execute(sa.delete(OutboxMessage.__table__))
        now = datetime(2026, 1, 1)
        conn.execute(sa.insert(OutboxMessage.__table__), [
            dict(channel="sms", recipient=f"+98912{n:07d}", subject="", body=f"message {n}", status="queued",
                 attempts=0, created_at=now, next_attempt_at=now) for n in range(MESSAGES)])
    engine.dispose()
    gateway.sent.clear()
    env = dict(os.environ, HAMYAN_DATABASE_URL=url, HAMYAN_INSTANCE_PATH=str(instance), HAMYAN_SMS_PROVIDER="gateway",
               HAMYAN_SMS_API_URL=gateway.url, HAMYAN_SMS_API_KEY=gateway.key, HAMYAN_SMS_SENDER="10004346",
               HAMYAN_SCHEDULER_ENABLED="false", HAMYAN_LOG_LEVEL="WARNING", FLASK_APP="wsgi:app")
    start = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-m", "flask", "notify", "dispatch", "--once"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(processes)]
    outputs = [p.communicate()[0].decode() for p in running]
    seconds = time.perf_counter() - start
    bodies = [text for _, _, text, _ in gateway.sent]
    duplicates = len(bodies) - len(set(bodies))
    # The rate from the first message sent to the last (the rows' sent times), so each process's
    # start-up, paid before it sends anything, does not count against the drain (in whole seconds on
    # MariaDB, whose DATETIME keeps no fraction: a second either way).
    with engine.connect() as conn:
        first, last, sent = conn.execute(sa.select(sa.func.min(OutboxMessage.sent_at), sa.func.max(OutboxMessage.sent_at),
                                                   sa.func.count()).where(OutboxMessage.status == "sent")).one()
    engine.dispose()
    span = (last - first).total_seconds() if sent > 1 else 0
    rate = (sent - 1) / span if span else float("nan")
    print(f"  {processes} dispatcher(s): {len(set(bodies)):,} of {MESSAGES:,} SMS sent, the first to the last in "
          f"{span:.1f} s = {rate:,.0f} messages/s ({seconds:.1f} s with start-up), {duplicates} sent twice"
          + ("" if all(p.returncode == 0 for p in running) else f"; errors: {outputs}"))
    return rate


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.notify.fake_sms import FakeGateway

    print("Notifications: reminders queued in one box write; outbox drained by `flask notify dispatch` processes")
    with tempfile.TemporaryDirectory(prefix="hamyan-bench-notify-") as tmp:
        tmp = Path(tmp)
        _reminders(f"sqlite:///{tmp / 'reminders.sqlite'}")
        with FakeGateway(delay=0.002) as gateway:  # a gateway answering in about 2 ms
            _drains(f"sqlite:///{tmp / 'outbox.sqlite'}", tmp, gateway, "SQLite: claims and outcomes take turns on one writer")
            url, drop, version = mysql_database(default_server())
            if url is None:
                print(f"  MariaDB/MySQL skipped: no server answers at {default_server()} ({version})")
                return
            try:
                print(f"  MariaDB/MySQL ({version}):")
                _drains(url, tmp, gateway, "MariaDB: claims skip each other's locked rows")
            finally:
                drop()


def _drains(url: str, tmp: Path, gateway, note: str) -> None:
    """The drain rate of 1, then 2 dispatcher processes on the database at `url`, and their ratio."""
    from hamyan import create_app
    from hamyan.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    one = _drain(url, tmp, gateway, 1)
    two = _drain(url, tmp, gateway, 2)
    print(f"  2 dispatchers / 1: x{two / one:.2f} ({note})")


if __name__ == "__main__":
    main()
