"""Ledger postings per second: the real post() path, through the app's session, on a fresh database,
in a box's unit of work as the products post (the box's lock, its entry numbers, the audit row),
beside the same writes done bare (insert the entry with its number and its postings, add to the two
balances and to the cash's day: no idempotency check, no locks, no validation) with the same number of
entries per commit."""
import statistics
import time
import uuid
from datetime import date

import sqlalchemy as sa

from hamyan import create_app, ledger
from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.ledger.service import _add_to_days

MEMBERS = 50


def _app(database_url: str):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False,
                       "LOG_LEVEL": "WARNING", "TESTING": True})


def _run(entries: int, per_commit: int, box_id: int, cash: int, members: list[int], tag: str) -> tuple[float, float]:
    """Posts `entries` two-leg contributions, `per_commit` to a unit of work; returns (wall, CPU) seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, entries, per_commit):
        with uow.box_transaction(box_id):
            for i in range(start, min(entries, start + per_commit)):
                amount = 1000 + i
                ledger.post("contribution", [(cash, amount), (members[i % len(members)], -amount)],
                            idempotency_key=f"bench:{tag}:{i}", box_id=box_id)
    return time.perf_counter() - wall, time.process_time() - cpu


def _bare(entries: int, per_commit: int, box_id: int, cash: int, members: list[int], tag: str) -> float:
    """Writes what _run's posts write, plainly; returns wall seconds."""
    entry, posting = ledger.Entry.__table__.insert(), ledger.Posting.__table__.insert()
    accounts, entries_table = ledger.LedgerAccount.__table__, ledger.Entry.__table__
    add = accounts.update().where(accounts.c.id == sa.bindparam("aid")).values(
        balance=accounts.c.balance + sa.bindparam("delta"))
    today, wall = date.today(), time.perf_counter()
    connection = db.session.connection()
    day = _add_to_days(connection.dialect.name)
    number = connection.execute(sa.select(sa.func.max(entries_table.c.number))
                                .where(entries_table.c.box_id == box_id)).scalar()
    for i in range(entries):
        amount = 1000 + i
        entry_id = connection.execute(entry, dict(
            code="contribution", memo="", effective_date=today, created_at=clock.now(), box_id=box_id,
            number=number + 1 + i, created_by_id=None, idempotency_key=f"bench:{tag}:{i}", fingerprint="-",
            reverses_id=None,
        )).inserted_primary_key[0]
        connection.execute(posting, [dict(entry_id=entry_id, account_id=cash, amount=amount, currency="USD"),
                                     dict(entry_id=entry_id, account_id=members[i % len(members)], amount=-amount,
                                          currency="USD")])
        connection.execute(add, [dict(aid=cash, delta=amount), dict(aid=members[i % len(members)], delta=-amount)])
        connection.execute(day, dict(account_id=cash, day=today, code="contribution", inflow=True, entries=1,
                                     amount=amount, first_entry_id=entry_id))
        if (i + 1) % per_commit == 0:
            db.session.commit()
            connection = db.session.connection()
    db.session.commit()
    return time.perf_counter() - wall


def measure(database_url: str, sizes: dict[int, int], repeats: int = 3) -> list[tuple[int, int, list, list]]:
    """For each (entries per commit -> entries): wall and CPU seconds of each repeat, and wall seconds
    of each bare insert. Checks the books (the bare rows balance too)."""
    app = _app(database_url)
    results = []
    with app.app_context():
        db.create_all()
        box = Box(kind="cashbox", name="Bench", currency="USD")
        db.session.add(box)
        db.session.flush()
        cash = ledger.open_account(box.id, "cash", "Cash", "USD", type=ledger.ASSET, subject=("box", box.id),
                                   purpose="cash").id
        members = [ledger.open_account(box.id, f"member:{n}", f"Member {n}", "USD", type=ledger.LIABILITY,
                                       subject=("membership", n), purpose="contributions").id
                   for n in range(MEMBERS)]
        box_id = box.id
        db.session.commit()
        _run(200, 1, box_id, cash, members, "warm-up")
        for per_commit, entries in sizes.items():
            runs, bare = [], []
            for n in range(repeats):  # alternated, so both see the same background load
                runs.append(_run(entries, per_commit, box_id, cash, members, f"c{per_commit}r{n}"))
                bare.append(_bare(entries, per_commit, box_id, cash, members, f"bare:c{per_commit}r{n}"))
            results.append((per_commit, entries, [w for w, _ in runs], [c for _, c in runs], bare))
        report = ledger.check()
        if not report.ok:
            raise SystemExit("ledger check failed after the benchmark: " + "; ".join(report.problems[:5]))
        db.session.remove()
        db.engine.dispose()
    return results


def best_rate(results) -> float:
    """Postings per second of the fastest run (the one least disturbed by other load)."""
    return max(2 * entries / min(walls) for _, entries, walls, _, _ in results)


def print_results(label: str, results) -> None:
    for per_commit, entries, walls, cpus, bare in results:
        how = "1 entry per commit (a form submit)" if per_commit == 1 else f"{per_commit} entries per commit (a batch)"
        print(f"  {label:8} {how:37} best {2 * entries / min(walls):7,.0f} postings/s, "
              f"median {2 * entries / statistics.median(walls):7,.0f}  |  {min(walls) / entries * 1e6:6,.0f} us/entry "
              f"wall, {min(cpus) / entries * 1e6:5,.0f} us/entry CPU in this process  "
              f"({len(walls)} runs x {entries:,} entries); x{min(walls) / min(bare):.1f} the same writes bare")


def mysql_database(server_url: str):
    """Creates a throwaway database on the server; returns (url, drop) or (None, reason)."""
    url = sa.engine.make_url(server_url)
    name = f"hamyan_bench_{uuid.uuid4().hex[:10]}"
    try:
        server = sa.create_engine(url.set(database=""), connect_args={"connect_timeout": 3})
        with server.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            version = conn.execute(sa.text("SELECT VERSION()")).scalar()
    except Exception as exc:  # any failure to reach the server means: skip with the reason
        return None, None, f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"

    def drop():
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop, version
