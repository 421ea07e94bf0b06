"""Buildings on the monthly statements job: each resident with an account gets their unit's
statement for last month (PDF), the board the building's report; once a month."""
from datetime import date

import sqlalchemy as sa

from hamyan.blueprints.aptbox import services
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from hamyan.scheduling import run_job
from tests.aptbox.conftest import insert_units


def test_residents_get_their_unit_statement_and_the_board_its_report(building, make_user, today, app):
    box, board = building()
    units = insert_units(box, [(1, 0, 50, 1, 0, True), (2, 1, 150, 2, 0, True)])
    resident = make_user("r0@example.com", "Resident")
    services.add_person(board, box.id, units[0].id, resident.name, resident.email, "resident")
    services.add_component(board, box.id, name="Cleaning", amount="300000", basis="equal")
    services.issue_month(board, box.id, "2026-03")
    today(date(2026, 4, 2))
    assert run_job("statements.monthly", "apr-1").detail == "2 statement email(s) queued"
    assert run_job("statements.monthly", "apr-2").detail == "0 statement email(s) queued"
    db.session.rollback()
    sent = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.attachment_path)
                              .where(OutboxMessage.channel == "email").order_by(OutboxMessage.recipient)).all()
    assert [(to, subject) for to, subject, _ in sent] == [
        ("board@example.com", "Yas: box report for March 2026"), ("r0@example.com", "Yas: your statement for March 2026")]
    with open(f"{app.instance_path}/{sent[1].attachment_path}", "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
