"""The stakeholder report's figures equal a direct computation from the rows; the job writes the CSV
and PDF and emails the admins once a month."""
import csv
import os
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.ledger.models import Entry, Posting
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import run_job
from hamyan.statements.stakeholder import figures


def build(make_user, clock):
    from hamyan import ledger
    from hamyan.core import uow

    made = []
    for n, when in enumerate([datetime(2026, 1, 5), datetime(2026, 2, 3), datetime(2026, 3, 9), datetime(2026, 3, 20)]):
        clock.set(when)
        made.append(make_user(f"u{n}@example.com", f"U{n}", is_admin=n == 0))
    boxes = []
    with db.engine.begin() as conn:
        for kind, currency, created in (("cashbox", "USD", datetime(2026, 1, 2)), ("moneypool", "IRR", datetime(2026, 3, 1)),
                                        ("moneypool", "USD", datetime(2026, 2, 1))):
            boxes.append(conn.execute(sa.insert(Box).values(kind=kind, name=kind, currency=currency, timezone="UTC",
                                                            locale="en", calendar="gregorian",
                                                            created_at=created)).inserted_primary_key[0])
    db.session.rollback()
    for box_id, currency, day, amount in ((boxes[0], "USD", date(2026, 3, 3), 500), (boxes[0], "USD", date(2026, 2, 3), 700),
                                          (boxes[1], "IRR", date(2026, 3, 30), 90_000), (boxes[2], "USD", date(2026, 2, 28), 5)):
        with uow.box_transaction(box_id):
            cash = ledger.open_account(box_id, "cash", "Cash", currency, type=ledger.ASSET, subject=("box", box_id),
                                       purpose="cash")
            member = ledger.open_account(box_id, "m", "M", currency, type=ledger.LIABILITY, subject=("membership", 1),
                                         purpose="savings")
            ledger.post("contribution", [(cash, amount), (member, -amount)], idempotency_key=f"k{box_id}{day}",
                        effective_date=day, memo="", box_id=box_id)
    return made, boxes


def direct(start: date, end: date) -> dict:
    db.session.rollback()
    until = datetime(end.year, end.month, end.day, 23, 59, 59)
    users = db.session.scalars(sa.select(User)).all()
    entries = {e.id: e for e in db.session.scalars(sa.select(Entry))}
    moved = {}
    for p in db.session.scalars(sa.select(Posting)):
        if p.amount > 0 and start <= entries[p.entry_id].effective_date <= end:
            moved[p.currency] = moved.get(p.currency, 0) + p.amount
    boxes = {}
    for box in db.session.scalars(sa.select(Box)):
        if box.created_at <= until:
            total, active = boxes.get(box.kind, (0, 0))
            busy = any(e.box_id == box.id and start <= e.effective_date <= end for e in entries.values())
            boxes[box.kind] = (total + 1, active + busy)
    return {"users": sum(u.created_at <= until for u in users),
            "new": sum(datetime(start.year, start.month, start.day) <= u.created_at <= until for u in users),
            "boxes": boxes, "moved": moved}


def test_figures_equal_a_direct_computation(make_user, clock):
    build(make_user, clock)
    for start, end in ((date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28))):
        found, expected = figures(start, end), direct(start, end)
        assert (found.users, found.new_users) == (expected["users"], expected["new"])
        assert found.boxes == expected["boxes"] and found.money_moved == expected["moved"]
    march = figures(date(2026, 3, 1), date(2026, 3, 31))
    assert march.money_moved == {"USD": 500, "IRR": 90_000} and march.boxes == {"cashbox": (1, 1), "moneypool": (2, 1)}


def test_the_job_writes_csv_and_pdf_and_emails_admins_once(make_user, clock):
    build(make_user, clock)
    clock.set(datetime(2026, 4, 2, 6))
    run = run_job("statements.stakeholder", "apr")
    assert run.status == "ok" and run.detail.startswith("2026-03:") and "emailed to 1 admin(s)" in run.detail, run.error
    folder = os.path.join(current_app.instance_path, "reports", "stakeholder")
    with open(os.path.join(folder, "stakeholder-2026-03.csv")) as source:
        table = {row["figure"]: row for row in csv.DictReader(source)}
    assert table["users"]["2026-03"] == "4" and table["users"]["2026-02"] == "2" and table["users"]["change"] == "2"
    assert table["money moved USD"]["2026-03"] == "500" and table["money moved USD"]["2026-02"] == "705"
    with open(os.path.join(folder, "stakeholder-2026-03.pdf"), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    run_job("statements.stakeholder", "apr-2")
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "stakeholder")) == 1


def test_each_admin_reads_the_report_in_their_language(make_user, clock):
    """A Persian admin gets the Persian PDF and email (Persian digits, figures by name), an English one
    the English; the CSV keeps its English figure names, which next month's report reads back."""
    import io

    from pypdf import PdfReader

    made, _boxes = build(make_user, clock)
    made[0].language = "en"
    persian = made[1]
    persian.is_admin, persian.language = True, "fa"
    db.session.commit()
    clock.set(datetime(2026, 4, 2, 6))
    assert "emailed to 2 admin(s)" in run_job("statements.stakeholder", "apr").detail
    mail = {m.user_id: m for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "stakeholder"))}
    fa, en = mail[persian.id], mail[made[0].id]
    assert fa.subject == "گزارش ذی‌نفعان همیان برای مارس ۲۰۲۶", fa.subject
    assert "کاربران: ۴ (پیش‌تر: ۲)" in fa.body and "جابه‌جایی پول (USD): ۵۰۰ (پیش‌تر: ۷۰۵)" in fa.body, fa.body
    assert en.subject == "Hamyan stakeholder report for March 2026" and "Users: 4 (before: 2)" in en.body
    folder = os.path.join(current_app.instance_path, "reports", "stakeholder")
    with open(os.path.join(folder, "stakeholder-2026-03.fa.pdf"), "rb") as pdf:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    for phrase in ("همیان", "کاربران", "مارس"):
        assert phrase in text or phrase[::-1] in text, (phrase, text)
    assert "Users" not in text and "Change" not in text, text
    with open(os.path.join(folder, "stakeholder-2026-03.csv")) as source:
        assert "money moved USD" in {row["figure"] for row in csv.DictReader(source)}


def test_admins_download_the_kept_reports_in_the_console(make_user, clock, client, user_client):
    """The kept reports (CSV, a PDF per language) are listed for admins at /admin/reports, newest
    month first, and downloaded from there; nobody else sees them, and no other file is served."""
    from tests.conftest import login
    from tests.i18n import latin_digits, persian_page

    build(make_user, clock)
    for day in (date(2026, 3, 2), date(2026, 4, 2)):
        clock.set(datetime.combine(day, datetime.min.time()))
        run_job("statements.stakeholder", str(day))
    login(client, "u0@example.com")
    page = client.get("/admin/reports").get_data(as_text=True)
    assert page.index("stakeholder-2026-03.csv") < page.index("stakeholder-2026-02.csv")
    answer = client.get("/admin/reports/stakeholder-2026-03.csv")
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("figure,2026-03,2026-02,change")
    assert client.get("/admin/reports/stakeholder-2026-03.pdf").get_data()[:4] == b"%PDF"
    for wrong in ("stakeholder-2026-05.csv", "..%2Fsecret_key", "secret_key"):
        assert client.get(f"/admin/reports/{wrong}").status_code == 404
    html = persian_page(client, "/admin/reports")
    assert "گزارش ذی‌نفعان، مارس ۲۰۲۶" in html and latin_digits(html) == ["U0"]  # the admin's name only
    member = user_client("someone@example.com", "Someone")
    assert member.get("/admin/reports").status_code == 404
    assert member.get("/admin/reports/stakeholder-2026-03.csv").status_code == 404
