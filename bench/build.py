"""Big boxes, built fast, for the page benchmarks (`python -m bench.build --sizes 10,100`).

One database per size N holds, for one manager (bench@example.com):
  - a money pool of N savers with ~100 postings each: a contribution every month for 40 months
    (a few savers stopped paying three months ago), and a loan for half of them with its monthly
    repayments (a third closed, a sixth active, some overdue), plus loans waiting in the queue;
  - a cashbox of M members x M weekly periods (M = cashbox_size(N)) with three quarters of the periods
    due: every member paid each due period (a few are late on the last two) and the periods up to
    two weeks ago are drawn and paid out;
  - EXTRA_BOXES more small pools and cashboxes, so list endpoints see a manager of many boxes.

The boxes, the cashbox's members, shares and round start are real service calls; the history
(business rows, ledger entries and postings, account balances) is inserted in bulk with Core
executemany, exactly as the services would have written it (same entry codes, idempotency keys,
fingerprints, legs), and the read models a product keeps are refreshed by its own function (cashbox
member summaries, pool summaries, the ledger's kept cash days). Then a real payment and a real loan repayment go through the services, and
`flask ledger check`'s checks (ledger.check() and each product's reconcile) must pass.

Builds are cached: a SQLite file under the cache folder / a MariaDB database, named by N and a key
of the schema (every table's DDL) and this file, so a change to either builds afresh.
"""
import argparse
import hashlib
import json
import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 100, 1000, 10000)
CASHBOX = {10: 10, 100: 50, 1000: 100, 10000: 200}  # pool savers N -> cashbox members (= periods) M
EXTRA_BOXES = 5  # of each kind, 10 members each
POOL_MONTHS = 40
MANAGER = ("bench@example.com", "Bench Manager", "bench-password-1")
SHARE = 10_000  # minor units a share saves each month (100.00)
CONTRIBUTION = 1_000  # minor units a cashbox share pays each week (10.00)
BATCH = 500  # savers generated and written per batch (bounds memory at 10,000 savers)


def cashbox_size(size: int) -> int:
    """The cashbox's members (= periods) M beside a pool of N savers: CASHBOX's, else N up to 200
    (BENCH_SIZES=10,200 measures a 200 x 200 round without a 10,000-saver pool)."""
    return CASHBOX.get(size, min(size, 200))


def default_server() -> str:
    return os.environ.get("HAMYAN_BENCH_MYSQL_URL") or os.environ.get(
        "HAMYAN_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def cache_dir() -> Path:
    return Path(os.environ.get("HAMYAN_BENCH_CACHE", ROOT / "instance" / "bench"))


def app_config(url: str) -> dict:
    return {"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLED": False}


def schema_key() -> str:
    """Changes when any table's DDL or this builder changes."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    import hamyan.models  # noqa: F401  (every table on the metadata)
    from hamyan.extensions import db

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for table in db.metadata.sorted_tables:
        digest.update(str(CreateTable(table).compile(dialect=sqlite.dialect())).encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            digest.update(str(CreateIndex(index).compile(dialect=sqlite.dialect())).encode())
    return digest.hexdigest()[:10]


@dataclass
class Built:
    url: str
    size: int
    seconds: float | None  # None: taken from the cache
    pool_id: int
    cashbox_id: int
    member_id: int  # a cashbox membership to show
    facts: dict


def ensure(backend: str, size: int, server: str | None = None, log=print) -> Built | None:
    """The database of this size, built now or found in the cache. None if MariaDB is unreachable."""
    key = schema_key()
    if backend == "sqlite":
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"hamyan-{size}-{key}.sqlite"
        for stale in folder.glob(f"hamyan-{size}-*.sqlite*"):
            if not stale.name.startswith(path.name):
                stale.unlink()
        url = f"sqlite:///{path}"
        if not path.exists() or not _marker(url):
            for leftover in folder.glob(path.name + "*"):
                leftover.unlink()
            return _build(url, size, log)
    else:
        base = sa.engine.make_url(server or default_server())
        # Each engineer may name their own (HAMYAN_BENCH_DATABASE), so one's stale-build cleanup
        # never drops another's build on a shared server.
        prefix = os.environ.get("HAMYAN_BENCH_DATABASE", "bench_hamyan")
        name = f"{prefix}_{size}_{key}"
        try:
            engine = sa.create_engine(base.set(database=""), connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                pattern = f"{prefix}_{size}_".replace("_", "\\_") + "%"
                existing = set(conn.execute(sa.text("SHOW DATABASES LIKE :p"), {"p": pattern}).scalars())
                for stale in existing - {name}:
                    conn.execute(sa.text(f"DROP DATABASE `{stale}`"))
        except sa.exc.OperationalError as exc:
            log(f"  MariaDB unreachable at {base.render_as_string()}: {str(exc).splitlines()[0]}")
            return None
        url = base.set(database=name).render_as_string(hide_password=False)
        if name not in existing or not _marker(url):
            with engine.connect() as conn:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            engine.dispose()
            return _build(url, size, log)
        engine.dispose()
    facts = _marker(url)
    return Built(url, size, None, facts["pool_id"], facts["cashbox_id"], facts["member_id"], facts)


def _marker(url: str) -> dict | None:
    """What a finished build recorded about itself (written last, so a crashed build has none)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return json.loads(conn.execute(sa.text("SELECT facts FROM bench_built")).scalar_one())
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def _build(url: str, size: int, log) -> Built:
    from flask_migrate import upgrade

    from hamyan import create_app, ledger
    from hamyan.blueprints.auth import services as auth
    from hamyan.blueprints.moneypool.models import Pool
    from hamyan.extensions import db
    from hamyan.ledger.cli import product_problems

    started = time.perf_counter()
    app = create_app(app_config(url))
    with app.app_context():
        logging.disable(logging.INFO)  # alembic's step-by-step lines
        upgrade(directory=str(ROOT / "migrations"))
        logging.disable(logging.NOTSET)
        manager = auth.signup(*MANAGER)
        pool_id = build_pool(manager, f"Bench pool {size:,}", size)
        m = cashbox_size(size)
        cashbox_id, member_id = build_cashbox(manager, f"Bench cashbox {m}x{m}", m)
        for n in range(1, EXTRA_BOXES + 1):
            build_pool(manager, f"Small pool {n}", 10)
            build_cashbox(manager, f"Small cashbox {n}", 10)
        real_writes(manager, pool_id, cashbox_id)
        problems = product_problems()
        report = ledger.check()
        if not report.ok or problems:
            raise SystemExit(f"bench build: the built books do not check: {(report.problems + problems)[:5]}")
        postings = db.session.scalar(sa.select(sa.func.count()).select_from(ledger.Posting))
        since = db.session.get(Pool, pool_id).first_due.isoformat()  # the oldest history
        facts = dict(pool_id=pool_id, cashbox_id=cashbox_id, member_id=member_id, size=size, since=since,
                     entries=report.entries, postings=postings, accounts=report.accounts)
        seconds = time.perf_counter() - started
        facts["build_seconds"] = round(seconds, 1)
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE bench_built (facts TEXT NOT NULL)"))
            conn.execute(sa.text("INSERT INTO bench_built (facts) VALUES (:f)"), {"f": json.dumps(facts)})
        db.session.remove()
        db.engine.dispose()
    log(f"  built N={size:,} in {seconds:.0f} s: {facts['entries']:,} entries, {postings:,} postings, "
        f"{facts['accounts']:,} accounts")
    return Built(url, size, seconds, pool_id, cashbox_id, member_id, facts)


# ------------------------------------------------------------------------------ bulk writing

class Bulk:
    """Rows to insert with ids chosen here (so rows can point at each other before any insert),
    and ledger entries whose account balances are summed on the way."""

    def __init__(self, box_id: int, currency: str, actor_id: int):
        from hamyan.core import clock

        self.box_id, self.currency, self.actor_id, self.now = box_id, currency, actor_id, clock.now()
        self.rows = defaultdict(list)
        self.next_id = {}
        self.deltas = defaultdict(int)  # account id -> balance change
        self.last_number = None  # the box's last entry number

    def new_id(self, table: sa.Table) -> int:
        from hamyan.extensions import db

        if table.name not in self.next_id:
            self.next_id[table.name] = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        self.next_id[table.name] += 1
        return self.next_id[table.name] - 1

    def add(self, table: sa.Table, **values) -> int:
        if "id" in table.c and "id" not in values:
            values["id"] = self.new_id(table)
        self.rows[table].append(values)
        return values.get("id")

    def account(self, code: str, name: str, type: str, subject: tuple[str, int], purpose: str) -> int:
        from hamyan.ledger.models import LedgerAccount

        return self.add(LedgerAccount.__table__, box_id=self.box_id, code=code, name=name, currency=self.currency,
                        type=type, subject_kind=subject[0], subject_id=subject[1], purpose=purpose, balance=0,
                        created_at=self.now)

    def post(self, code: str, legs: list[tuple[int, int]], key: str, on: date, memo: str) -> int:
        from hamyan.ledger.models import Entry, Posting
        from hamyan.ledger.service import _fingerprint

        legs = [(account, amount) for account, amount in legs if amount]
        assert len(legs) >= 2 and sum(amount for _, amount in legs) == 0, (code, legs)
        if self.last_number is None:
            from hamyan.extensions import db

            self.last_number = db.session.scalar(sa.select(sa.func.max(Entry.number)).filter_by(box_id=self.box_id)) or 0
        self.last_number += 1
        entry_id = self.add(Entry.__table__, box_id=self.box_id, number=self.last_number, code=code, memo=memo,
                            effective_date=on,
                            created_at=self.now, created_by_id=self.actor_id, idempotency_key=key,
                            fingerprint=_fingerprint(code, on, legs, None), reverses_id=None)
        for account, amount in legs:
            self.add(Posting.__table__, entry_id=entry_id, account_id=account, amount=amount, currency=self.currency)
            self.deltas[account] += amount
        return entry_id

    def flush(self) -> None:
        """Insert what was collected (parents first), with the balances the postings sum to."""
        from hamyan.extensions import db
        from hamyan.ledger.models import LedgerAccount

        accounts = LedgerAccount.__table__
        new = {row["id"] for row in self.rows.get(accounts, [])}
        for row in self.rows.get(accounts, []):
            row["balance"] = self.deltas.pop(row["id"], 0)
        connection = db.session.connection()
        for table in db.metadata.sorted_tables:  # foreign-key order
            rows = self.rows.pop(table, None)
            for start in range(0, len(rows or ()), 5000):
                connection.execute(table.insert(), rows[start:start + 5000])
        assert not self.rows, f"tables outside the metadata: {list(self.rows)}"
        add = accounts.update().where(accounts.c.id == sa.bindparam("aid")).values(
            balance=accounts.c.balance + sa.bindparam("delta"))
        changed = [dict(aid=a, delta=d) for a, d in self.deltas.items() if d and a not in new]
        if changed:
            connection.execute(add, changed)
        self.deltas.clear()
        db.session.commit()


# ------------------------------------------------------------------------------ money pool

def build_pool(manager, name: str, size: int) -> int:
    """A pool of `size` savers with POOL_MONTHS of history (see the module docstring)."""
    from hamyan.dues.calendar import add_months
    from hamyan.blueprints.moneypool import services as mp
    from hamyan.ledger import service as ledger
    from hamyan.blueprints.moneypool.models import (Contribution, Installment, Loan, LoanEvent, Pool,
                                                    PoolMember, Repayment, ShareChange)
    from hamyan.boxes.models import Membership
    from hamyan.extensions import db
    from hamyan.ledger.models import LIABILITY, LedgerAccount

    today = date.today()
    first_due = add_months(today.replace(day=min(today.day, 28)), -POOL_MONTHS, "gregorian")
    box = mp.create_pool(manager, name, "USD", f"{SHARE / 100:.2f}", first_due, my_shares=0,
                         interest_method="annuity", annual_rate="12", require_no_arrears=False)
    pool = db.session.get(Pool, box.id)
    accounts = {a.code: a.id for a in db.session.scalars(sa.select(LedgerAccount).filter_by(box_id=box.id))}
    cash, interest = accounts["mp:cash"], accounts["mp:income:interest"]
    dues = mp.due_dates(pool, box, first_due, today)
    loan_dues = lambda start: [add_months(start, k, "gregorian") for k in range(12)]  # noqa: E731
    for batch_start in range(0, size, BATCH):
        bulk = Bulk(box.id, box.currency, manager.id)
        for i in range(batch_start, min(size, batch_start + BATCH)):
            membership = bulk.add(Membership.__table__, box_id=box.id, user_id=None, display_name=f"Saver {i + 1:05d}",
                                  email=None, role="member", created_at=bulk.now)
            member = bulk.add(PoolMember.__table__, box_id=box.id, membership_id=membership, joined_on=first_due)
            shares = 2 if i % 4 == 3 else 1
            bulk.add(ShareChange.__table__, member_id=member, effective_from=first_due, shares=shares,
                     created_at=bulk.now)
            savings = bulk.account(f"mp:member:{member}:savings", f"Savings {member}", LIABILITY,
                                   ("membership", membership), "savings")
            stops = len(dues) - 3 if i % 20 == 7 else len(dues)  # one saver in twenty is three months behind
            for k, due in enumerate(dues[:stops]):
                key = f"bench-{i}-{k}"
                entry = bulk.post("contribution", [(cash, shares * SHARE), (savings, -shares * SHARE)],
                                  f"mp:{box.id}:contribution:{key}", due, f"Savings from Saver {i + 1:05d}")
                bulk.add(Contribution.__table__, box_id=box.id, member_id=member, key=key, amount=shares * SHARE,
                         fees=0, paid_on=due, entry_id=entry, created_at=bulk.now, created_by_id=manager.id,
                         reversed_at=None, reversal_reason="")
            kind = i % 6
            if kind in (0, 3):  # repaid in full, years ago
                _loan(bulk, box, manager, i, member, shares, dues[9] + timedelta(days=2), today, cash, interest,
                      loan_dues, Loan, Installment, Repayment, LoanEvent)
            elif kind == 1:  # half repaid; one in five of these two installments behind
                _loan(bulk, box, manager, i, member, shares, add_months(today, -6, "gregorian"),
                      today - timedelta(days=62) if i % 30 == 1 else today, cash, interest, loan_dues,
                      Loan, Installment, Repayment, LoanEvent)
            elif i % 60 == 2 or i % 100 == 5:  # waiting in the queue, or asking
                status = "approved" if i % 60 == 2 else "requested"
                loan = bulk.add(Loan.__table__, box_id=box.id, number=i + 1, member_id=member, request_key=f"bench-{i}",
                                status=status, amount=12 * shares * SHARE, term=12, period_months=1,
                                interest_method="annuity", annual_rate=Decimal("12"), fee=0, purpose="Bench",
                                requested_at=bulk.now, approved_at=bulk.now + timedelta(seconds=i)
                                if status == "approved" else None, drawn_at=None, decided_by_id=manager.id,
                                reason="", disbursed_on=None, closed_on=None, first_due=None)
                for event in ("requested", "approved")[:2 if status == "approved" else 1]:
                    bulk.add(LoanEvent.__table__, loan_id=loan, kind=event, detail="", at=bulk.now, by_id=manager.id)
        bulk.flush()
    mp.summary.rebuild(box.id)  # the read models of what was inserted
    ledger.rebuild_days(box.id)
    return box.id


def _loan(bulk: Bulk, box, manager, i: int, member: int, shares: int, paid_out: date, paid_until: date,
          cash: int, interest: int, loan_dues, Loan, Installment, Repayment, LoanEvent) -> None:
    """A 12-month annuity loan paid out on `paid_out`, each installment repaid on its due date up to
    `paid_until`; closed once all are paid."""
    from hamyan.lending import schedules
    from hamyan.ledger.models import ASSET

    amount = 12 * shares * SHARE
    loan_id = bulk.new_id(Loan.__table__)
    principal = bulk.account(f"mp:loan:{loan_id}:principal", f"Loan principal {loan_id}", ASSET, ("loan", loan_id),
                             "principal")
    bulk.post("disbursement", [(principal, amount), (cash, -amount)], f"mp:{box.id}:loan:{loan_id}:disburse",
              paid_out, f"Loan #{loan_id} to Saver {i + 1:05d}")
    first_due = loan_dues(paid_out)[1]
    plan = schedules.build(amount, Decimal("12"), 12, 1, "annuity", first_due)
    installments = [dict(number=line.number, due_date=line.due_date, principal=line.principal,
                         interest=line.interest, penalty=0, paid_principal=0, paid_interest=0, paid_penalty=0,
                         prepayment=False) for line in plan]
    seq = 0  # the order repayments were recorded in
    for inst in installments:
        if inst["due_date"] > paid_until:
            break
        total = inst["principal"] + inst["interest"]
        key = f"bench-{inst['number']}"
        entry = bulk.post("repayment", [(cash, total), (principal, -inst["principal"]), (interest, -inst["interest"])],
                          f"mp:{box.id}:repay:{loan_id}:{key}", inst["due_date"], f"Repayment of loan #{loan_id}")
        inst["paid_principal"], inst["paid_interest"] = inst["principal"], inst["interest"]
        seq += 1
        # Numbered per pool: loan i's repayments after the 12 each of the loans before it.
        bulk.add(Repayment.__table__, box_id=box.id, number=12 * i + inst["number"], loan_id=loan_id, key=key, amount=total, principal=inst["principal"],
                 interest=inst["interest"], penalty=0, mode="advance", paid_on=inst["due_date"], entry_id=entry,
                 created_at=bulk.now, created_by_id=manager.id, seq=seq,
                 reversed_at=None, reversal_reason="")
    closed = all(r["paid_principal"] == r["principal"] for r in installments)
    bulk.add(Loan.__table__, id=loan_id, box_id=box.id, number=i + 1, member_id=member, request_key=f"bench-{i}",
             status="closed" if closed else "active", amount=amount, term=12, period_months=1,
             interest_method="annuity", annual_rate=Decimal("12"), fee=0, purpose="Bench",
             requested_at=bulk.now, approved_at=bulk.now, drawn_at=None, decided_by_id=manager.id, reason="",
             disbursed_on=paid_out, closed_on=installments[-1]["due_date"] if closed else None, first_due=first_due)
    for inst in installments:
        bulk.add(Installment.__table__, loan_id=loan_id, **inst)
    for event in ("requested", "approved", "disbursed") + (("closed",) if closed else ()):
        bulk.add(LoanEvent.__table__, loan_id=loan_id, kind=event, detail="", at=bulk.now, by_id=manager.id)


# ------------------------------------------------------------------------------ cashbox

def build_cashbox(manager, name: str, size: int) -> tuple[int, int]:
    """A cashbox of `size` members holding a share each, weekly, predefined order, three quarters of
    the periods due; returns (box id, a late member's membership id)."""
    from hamyan.blueprints.cashbox import services as cb
    from hamyan.blueprints.cashbox.models import Payment, Period, Round
    from hamyan.blueprints.cashbox.services.state import refresh_summaries
    from hamyan.extensions import db
    from hamyan.core import clock, uow
    from hamyan.ledger import service as ledger
    from hamyan.ledger.models import LedgerAccount

    today = date.today()
    due_periods = max(size * 3 // 4, 3)
    first_due = today - timedelta(weeks=due_periods - 1)
    box = cb.create_cashbox(manager, name, "USD", f"{CONTRIBUTION / 100:.2f}", size, "weekly", first_due,
                            "predefined")
    r = cb.current_round(box.id)
    members = [cb.add_member(manager, box.id, f"Member {n:03d}") for n in range(1, size + 1)]
    for number, m in enumerate(members, 1):
        cb.set_holders(manager, box.id, r.id, number, [(m.id, "1")])
    cb.start_round(manager, box.id, r.id)
    accounts = {a.code: a.id for a in db.session.scalars(sa.select(LedgerAccount).filter_by(box_id=box.id))}
    periods = list(db.session.scalars(sa.select(Period).filter_by(round_id=r.id).order_by(Period.number)))
    shares = {s.number: s.id for s in r.shares}
    cash = accounts["cash"]
    bulk = Bulk(box.id, box.currency, manager.id)
    late = [m for n, m in enumerate(members) if n % 10 == 9]  # one in ten is behind on the last two periods
    drawn = due_periods - 2
    for period in periods[:due_periods]:
        for m in members:
            if m in late and period.number > drawn:
                continue
            entry = bulk.post("contribution", [(cash, CONTRIBUTION), (accounts[f"member:{m.id}"], -CONTRIBUTION)],
                              f"cashbox:{box.id}:payment:bench-{m.id}-{period.number}", period.due_date,
                              f"Contribution from {m.display_name}, round 1 (cash)")
            bulk.add(Payment.__table__, round_id=r.id, membership_id=m.id, amount=CONTRIBUTION, fine_amount=0,
                     method="cash", reference="", paid_on=period.due_date, entry_id=entry,
                     created_by_id=manager.id, created_at=bulk.now)
    pot = CONTRIBUTION * size
    payouts = {}
    for period in periods[:drawn]:
        winner = members[period.number - 1]
        payouts[period.id] = bulk.post(
            "payout", [(accounts[f"member:{winner.id}"], pot), (cash, -pot)],
            f"cashbox:{box.id}:payout:{r.id}:{period.number}", period.due_date,
            f"Payout to share {period.number} ({winner.display_name}), round 1 period {period.number}")
    bulk.flush()
    with uow.box_transaction(box.id):
        for period in periods[:drawn]:
            period.winner_share_id, period.drawn_at, period.drawn_by_id = shares[period.number], clock.now(), manager.id
            period.payout_status, period.payout_entry_id, period.paid_out_at = "paid", payouts[period.id], clock.now()
        refresh_summaries(db.session.get(Round, r.id))  # the read models of what was inserted
    ledger.rebuild_days(box.id)
    return box.id, late[0].id if late else members[0].id


# ------------------------------------------------------------------------------ the real writes

def real_writes(manager, pool_id: int, cashbox_id: int) -> None:
    """A payment and a repayment through the services, so the state is one the app produced."""
    from hamyan.blueprints.cashbox import services as cb
    from hamyan.blueprints.moneypool import services as mp
    from hamyan.blueprints.moneypool.models import Loan, PoolMember
    from hamyan.extensions import db

    member = db.session.scalar(sa.select(PoolMember).filter_by(box_id=pool_id).order_by(PoolMember.id.desc()))
    mp.record_contribution(manager, pool_id, member.id, f"{SHARE / 100:.2f}", date.today(), "bench-real")
    loan = db.session.scalar(sa.select(Loan).filter_by(box_id=pool_id, status="active").order_by(Loan.id))
    if loan is not None:
        mp.repay(manager, pool_id, loan.id, "1.00", date.today(), "bench-real")
    late = cb.active_members(cashbox_id)[-1]
    cb.record_payment(manager, cashbox_id, late.id, f"{CONTRIBUTION / 100:.2f}", request_key="bench-real")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", ",".join(map(str, SIZES))))
    parser.add_argument("--backend", choices=("sqlite", "mysql"), default="sqlite")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        built = ensure(args.backend, size)
        if built is not None and built.seconds is None:
            print(f"  N={size:,}: cached ({built.facts['postings']:,} postings, built in "
                  f"{built.facts['build_seconds']} s) at {built.url}")


if __name__ == "__main__":
    main()
