"""Monthly statements: in the first days of a month every saver gets last month's statement PDF by
email (attached, SMTP through aiosmtpd), the manager the box report too; a member who turned
statements off gets none; re-runs send nothing twice."""
from datetime import date, datetime

import jdatetime
import sqlalchemy as sa

from hamyan.boxes.models import Membership
from hamyan.extensions import db
from hamyan.notify import dispatch, services as notify
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import run_job
from hamyan.statements.monthly import last_month


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
    assert subjects == ["Savers: box report for January 2026", "Savers: your statement for January 2026"]
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


def jalali(year, month, day, hour=9) -> datetime:
    g = jdatetime.date(year, month, day).togregorian()
    return datetime(g.year, g.month, g.day, hour)


def test_a_persian_box_gets_statements_per_jalali_month(app, make_user, clock, monkeypatch):
    """Azar 1405 ends on 2026-12-21: its statements go on 1 Dey (2026-12-22), not on 2027-01-01; in
    Persian, the box's language, to a member who chose none."""
    from hamyan.blueprints.moneypool import services

    monkeypatch.setitem(app.config, "BOX_SETS_LANGUAGE", True)  # as in production (the suite keeps English)
    clock.set(jalali(1405, 8, 20))
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "صندوق محله", "IRR", "1000000", jalali(1405, 9, 1).date(), calendar="persian",
                               locale="fa", my_shares=1)
    db.session.commit()
    clock.set(jalali(1405, 9, 30))
    assert run_job("statements.monthly", "azar-30").detail == "0 statement email(s) queued"
    clock.set(jalali(1405, 10, 1))
    run = run_job("statements.monthly", "dey-1")
    assert run.status == "ok" and run.detail == "2 statement email(s) queued", run.error
    rows = db.session.execute(sa.select(OutboxMessage.dedupe_key, OutboxMessage.subject).where(
        OutboxMessage.channel == "email").order_by(OutboxMessage.id)).all()
    membership = db.session.scalar(sa.select(Membership.id).filter_by(box_id=box.id, user_id=manager.id))
    assert [tuple(r) for r in rows] == [
        (f"stmt:{box.id}:{membership}:1405-09:email", "صندوق محله: صورت‌حساب شما برای آذر ۱۴۰۵"),
        (f"boxrep:{box.id}:{manager.id}:1405-09:email", "صندوق محله: گزارش صندوق برای آذر ۱۴۰۵")]
    clock.set(jalali(1405, 10, 5))
    assert run_job("statements.monthly", "dey-5").detail == "0 statement email(s) queued"  # never twice
    clock.set(datetime(2027, 1, 2, 9))  # the first days of a Gregorian month are 1405/10/12 here
    assert run_job("statements.monthly", "jan-2").detail == "0 statement email(s) queued"


def test_last_month_follows_the_box_calendar():
    azar = last_month(jalali(1405, 10, 1).date(), "persian")
    assert (azar.start, azar.end, azar.key, azar.title()) == (
        jalali(1405, 9, 1).date(), jalali(1405, 9, 30).date(), "1405-09", "Azar 1405")
    esfand = last_month(jalali(1406, 1, 1).date(), "persian")  # 1405 is a common year: 29 Esfand
    assert (esfand.start, esfand.end, esfand.key) == (date(2027, 2, 20), date(2027, 3, 20), "1405-12")
    leap = last_month(jalali(1404, 1, 3).date(), "persian")  # 1403 is a leap year: 30 Esfand
    assert (leap.start, leap.end, leap.title()) == (jalali(1403, 12, 1).date(), jalali(1403, 12, 30).date(), "Esfand 1403")
    december = last_month(date(2027, 1, 1))
    assert (december.start, december.end, december.key, december.title()) == (
        date(2026, 12, 1), date(2026, 12, 31), "2026-12", "December 2026")


def test_a_persian_member_gets_the_statement_email_and_pdf_in_persian(make_user, clock):
    import os

    from flask import current_app
    from pypdf import PdfReader

    from hamyan.blueprints.moneypool import services

    clock.set(datetime(2026, 1, 1, 9))
    manager = make_user("boss@example.com", "مریم")
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, late_fee="1")
    manager.language = "fa"
    db.session.commit()
    clock.set(datetime(2026, 2, 2, 9))
    assert run_job("statements.monthly", "feb").detail == "2 statement email(s) queued"
    db.session.rollback()
    said = {m.kind: m for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email"))}
    assert said["statement"].subject == "Savers: صورت‌حساب شما برای ژانویه ۲۰۲۶"
    assert said["box_report"].subject == "Savers: گزارش صندوق برای ژانویه ۲۰۲۶"
    assert "سلام مریم،" in said["statement"].body and box.id
    pdf = PdfReader(os.path.join(current_app.instance_path, said["statement"].attachment_path))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "جمع ورودی" in text and "Opening balance" not in text and "No movements" not in text, text[:300]


def test_a_saver_without_an_account_gets_the_statement_by_email_once(make_user, clock):
    """Every member receives their statement: one the manager added with an email but no account
    gets it at that address (as they get reminders), the PDF attached, once a month."""
    from hamyan.blueprints.moneypool import services

    clock.set(datetime(2026, 1, 1, 9))
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, late_fee="1")
    services.add_member(manager, box.id, "Parvin", "parvin@example.com", 1)
    services.add_member(manager, box.id, "No Mail", None, 1)
    db.session.commit()
    clock.set(datetime(2026, 2, 2, 9))
    assert run_job("statements.monthly", "feb-1").detail == "3 statement email(s) queued"
    assert run_job("statements.monthly", "feb-2").detail == "0 statement email(s) queued"
    told = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "parvin@example.com",
                                                             OutboxMessage.kind == "statement")).all()
    assert [(m.subject, m.attachment_name) for m in told] == [
        ("Savers: your statement for January 2026", "statement-2026-01.pdf")]
    assert "Hello Parvin," in told[0].body
