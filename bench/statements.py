"""Monthly statements figures (`python -m bench.statements`): last month's statements of a
500-member money pool with 40 months of history (bench.build), each member's PDF rendered and
queued by the statements.monthly job's send_box (as the job does, outside any lock), then the
box report for the manager; seconds per PDF. BENCH_STATEMENT_MEMBERS (500) sets the size. Printed,
not asserted."""
import os
import time
from datetime import date, datetime

import sqlalchemy as sa

from bench import product_app
from bench.build import build_pool

MEMBERS = int(os.environ.get("BENCH_STATEMENT_MEMBERS", 500))


def main() -> None:
    from hamyan.blueprints import product
    from hamyan.blueprints.auth.models import User
    from hamyan.boxes.models import Membership
    from hamyan.core import clock
    from hamyan.extensions import db
    from hamyan.notify.models import OutboxMessage
    from hamyan.statements import monthly

    with product_app() as (manager, client):
        print(f"statements (SQLite, one process): last month's statements of a {MEMBERS}-member money pool")
        box_id = build_pool(manager, "Statements", MEMBERS)
        now = datetime.now()
        with db.engine.begin() as conn:  # every saver gets an account: statements go to accounts
            ids = conn.execute(sa.select(Membership.id).where(Membership.box_id == box_id, Membership.user_id.is_(None))
                               .order_by(Membership.id)).scalars().all()
            conn.execute(sa.insert(User), [dict(email=f"saver{m}@example.com", name=f"Saver {m}", password_hash="x",
                                                is_admin=False, session_version=1, created_at=now) for m in ids])
            users = dict(conn.execute(sa.select(User.email, User.id).where(User.email.like("saver%"))).all())
            conn.execute(sa.update(Membership).where(Membership.id == sa.bindparam("m")).values(
                user_id=sa.bindparam("u")), [dict(m=m, u=users[f"saver{m}@example.com"]) for m in ids])
        pool = product("moneypool")
        spent = {"member": 0.0, "report": 0.0}

        def timed(kind, render):
            def run(*args):
                started = time.perf_counter()
                try:
                    return render(*args)
                finally:
                    spent[kind] += time.perf_counter() - started
            return run

        day = date.today().replace(day=2)
        with clock.frozen(datetime(day.year, day.month, day.day, 9)), client.application.test_request_context():
            started = time.perf_counter()
            queued = monthly.send_box(box_id, timed("member", pool.load("monthly_statement")),
                                      timed("report", pool.load_path(pool.reports["manager"])))
            seconds = time.perf_counter() - started
        pdfs = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.attachment_path.is_not(None)))
        print(f"  {queued:,} statement emails queued ({pdfs:,} with a PDF) in {seconds:.1f} s: {len(ids):,} member "
              f"statements {spent['member']:.1f} s ({spent['member'] / max(len(ids), 1):.2f} s a PDF), the box "
              f"report {spent['report']:.1f} s, the rest (queueing, files) {seconds - sum(spent.values()):.1f} s")


if __name__ == "__main__":
    main()
