"""Monthly statements: in the first days of a month every saver gets last month's statement PDF by
email (attached, SMTP through aiosmtpd), the manager the box report too; a member who turned
statements off gets none; re-runs send nothing twice."""
from datetime import date, datetime

import sqlalchemy as sa

from hamyan.extensions import db
from hamyan.notify import dispatch, services as notify
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import run_job


def test_statements_go_once_a_month_with_the_pdf(make_user, clock, smtp_server):
    from hamyan.blueprints.moneypool import services

    clock.set(datetime(2026, 1, 1, 9))
    manager = make_user("boss@example.com", "Boss")
    other = make_user("opt@example.com", "Opted Out")
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, late_fee="1")
    db.session.commit()
    clock.set(datetime(2026, 1, 20, 9))
    assert run_job("statements.monthly", "jan").detail == "0 statement email(s) queued"  # not the first days

    clock.set(datetime(2026, 2, 2, 9))
    run = run_job("statements.monthly", "feb-1")
    assert run.status == "ok" and run.detail == "2 statement email(s) queued", run.error
    dispatch.drain()
    subjects = sorted(m["Subject"] for m in smtp_server)
    assert subjects == ["Savers: box report for 2026-01", "Savers: your statement for 2026-01"]
    statement = next(m for m in smtp_server if "statement" in m["Subject"])
    [attachment] = list(statement.iter_attachments())
    assert attachment.get_filename() == "statement-2026-01.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert run_job("statements.monthly", "feb-2").detail == "0 statement email(s) queued"
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "statement", OutboxMessage.channel == "email")) == 1
    assert other is not None and notify.preference(other.id, box.id).statements  # the default is on


def test_a_member_who_opted_out_gets_no_statement(make_user, clock):
    from hamyan.blueprints.moneypool import services

    clock.set(datetime(2026, 1, 1, 9))
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, late_fee="1")
    db.session.commit()
    notify.set_preference(manager, box.id, statements=False)
    clock.set(datetime(2026, 2, 1, 9))
    assert run_job("statements.monthly", "feb").detail == "1 statement email(s) queued"  # the box report only
    db.session.rollback()
    assert db.session.scalars(sa.select(OutboxMessage.kind).where(OutboxMessage.channel == "email")).all() == [
        "box_report"]
