"""Announcements (overview and email outbox) and polls: one vote per unit, by area if chosen,
a quorum, and the result with who voted shown to everyone once closed."""
import itertools

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Vote
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.notify.models import OutboxMessage
from tests.aptbox.conftest import insert_units
from tests.conftest import login


@pytest.fixture
def voters(building, make_user):
    box, board = building()
    units = insert_units(box, [(1, 0, 50, 1, 0, True), (2, 1, 150, 2, 0, True), (3, 1, 100, 0, 0, False)])
    people = []
    for i, unit in enumerate(units[:2]):
        user = make_user(f"r{i}@example.com", f"Resident {i}")
        services.add_person(board, box.id, unit.id, user.name, user.email, "resident")
        people.append(user)
    return box, board, units, people


def test_an_announcement_reaches_every_member_by_email(voters):
    box, board, _, _ = voters
    services.announce(board, box.id, "Water cut", "Saturday 9 to 12.")
    recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.subject.like("%Water cut"))))
    assert recipients == {"board@example.com", "r0@example.com", "r1@example.com"}
    with pytest.raises(ValidationError):
        services.announce(board, box.id, "", "")


def test_one_vote_per_unit_weighted_by_area_with_a_quorum(voters, today):
    box, board, units, (r0, r1) = voters
    poll = services.create_poll(board, box.id, "Paint the stairs?", "Yes\nNo", "area", "60", "2026-03-10")
    services.vote(r0, box.id, poll.id, units[0].id, "1")
    with pytest.raises(Conflict) as caught:
        services.vote(r0, box.id, poll.id, units[0].id, "0")
    assert "already voted" in caught.value.message
    with pytest.raises(NotFound):
        services.vote(r0, box.id, poll.id, units[1].id, "0")  # not their unit
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    acc = services.access(r1, box.id)
    open_result = services.result(acc, poll)
    assert not open_result.closed and open_result.voters == []
    services.vote(r1, box.id, poll.id, units[1].id, "0")
    services.close_poll(board, box.id, poll.id)
    closed = services.result(services.access(r0, box.id), poll)
    assert closed.totals == [150, 50] and closed.possible == 300 and closed.quorum_met  # 200 of 300 m² >= 60%
    assert closed.winners == ["Yes"] and [v[0] for v in closed.voters] == ["1", "2"]
    with pytest.raises(Conflict):
        services.vote(r1, box.id, poll.id, units[1].id, "0")


def test_without_quorum_there_is_no_decision(voters, today):
    box, board, units, (r0, _) = voters
    poll = services.create_poll(board, box.id, "New door?", "Yes\nNo", "unit", "50", "2026-03-02")
    services.vote(r0, box.id, poll.id, units[0].id, "0")
    from datetime import date

    today(date(2026, 3, 3))  # closed by its date
    result = services.result(services.access(board, box.id), poll)
    assert result.closed and not result.quorum_met and result.winners == []


def test_a_resident_votes_in_the_page_and_sees_the_result_at_close(voters, app):
    box, board, units, _ = voters
    poll = services.create_poll(board, box.id, "Paint the stairs?", "Yes\nNo", "unit", "50", "2026-03-10")
    client = login(app.test_client(), "r0@example.com")
    assert "Vote: <bdi>Paint the stairs?</bdi>" in client.get(f"/buildings/{box.id}").get_data(as_text=True)
    blank = client.post(f"/buildings/{box.id}/polls/{poll.id}/vote", data={"unit_id": units[0].id},
                        follow_redirects=True).get_data(as_text=True)  # sent with no choice ticked
    assert "Tick one of the choices, then vote." in blank and "whole number" not in blank
    client.post(f"/buildings/{box.id}/polls/{poll.id}/vote", data={"unit_id": units[0].id, "choice": "0"})
    twice = client.post(f"/buildings/{box.id}/polls/{poll.id}/vote", data={"unit_id": units[0].id, "choice": "1"},
                        follow_redirects=True).get_data(as_text=True)
    assert "already voted" in twice
    services.close_poll(board, box.id, poll.id)
    page = client.get(f"/buildings/{box.id}/notices").get_data(as_text=True)
    assert "Who voted" in page and "Resident 0" in page and "carried" not in page  # 1 of 3 units: no quorum


def test_the_overview_shows_an_open_poll_however_many_newer_ones_closed(voters, app):
    box, board, _, _ = voters
    services.create_poll(board, box.id, "Old but open?", "Yes\nNo", "unit", "50", "2026-03-20")
    for i in range(5):
        newer = services.create_poll(board, box.id, f"Closed {i}?", "Yes\nNo", "unit", "50", "2026-03-10")
        services.close_poll(board, box.id, newer.id)
    page = login(app.test_client(), "r0@example.com").get(f"/buildings/{box.id}").get_data(as_text=True)
    assert "Vote: <bdi>Old but open?</bdi>" in page and "Closed 0?" not in page


SLOTS = itertools.count()


def _remind() -> None:
    from hamyan.scheduling import run_job

    run_job("notify.reminders", f"slot-{next(SLOTS)}")


def test_the_shared_job_reminds_each_unit_once_per_stage(voters, today):
    from datetime import date

    box, board, units, _ = voters
    services.add_component(board, box.id, name="Cleaning", amount="300000", basis="equal")
    services.issue_month(board, box.id, "2026-03")  # due 5 March, 10 grace days
    subjects = lambda: sorted(db.session.scalars(select(OutboxMessage.recipient).where(  # noqa: E731
        OutboxMessage.kind == "reminder", OutboxMessage.channel == "email")))
    _remind()
    assert subjects() == []  # 4 days before: not yet
    today(date(2026, 3, 2))
    _remind()
    assert subjects() == ["r0@example.com", "r1@example.com"]  # 3 days before
    _remind()
    assert len(subjects()) == 2  # told once
    services.record_payment(board, box.id, units[0].id, "100000", None, "R", key="k")
    today(date(2026, 3, 14))
    _remind()
    assert len(subjects()) == 2  # within the 10 grace days: no late reminder yet
    today(date(2026, 3, 20))
    _remind()
    assert subjects() == ["r0@example.com", "r1@example.com", "r1@example.com"]  # r0's unit paid


def test_owners_are_reminded_of_their_part_and_residents_of_theirs(voters, today, make_user):
    from datetime import date

    box, board, units, _ = voters
    make_user("owner@example.com", "Owner")
    services.add_person(board, box.id, units[0].id, "Owner", "owner@example.com", "owner")
    services.add_component(board, box.id, name="Cleaning", amount="300000", basis="equal")
    services.add_component(board, box.id, name="Reserve", amount="50000", basis="fixed", payer="owner")
    services.issue_month(board, box.id, "2026-03")
    today(date(2026, 3, 3))
    _remind()
    bodies = {m.recipient: m.body for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "reminder", OutboxMessage.channel == "email", OutboxMessage.body.like("%Unit 1:%")))}
    assert "50,000" in bodies["owner@example.com"] and "100,000" in bodies["r0@example.com"]
    assert "50,000" not in bodies["r0@example.com"]


def test_aptbox_keeps_line_breaks_only_in_a_notice_body(building):
    box, board = building()
    note = services.announce(board, box.id, "جلسه", "خط اول\nخط دوم")
    assert note.body == "خط اول\nخط دوم"
    with pytest.raises(ValidationError) as error:
        services.announce(board, box.id, "جلسه\nدوم", "متن")
    assert set(error.value.fields) == {"title"}


def test_an_overdue_charge_is_told_overdue_with_its_late_fee(building, make_user, today):
    """Before, on the day, then 1, 7 and 30 days late: once late the reminder says so and what
    settles it today, the late fee included."""
    from datetime import date

    from hamyan.scheduling import run_job

    box, board = building(grace_days="0", late_fee_kind="fixed", late_fee_value="20000")
    [unit] = insert_units(box, [(1, 0, 50, 1, 0, True)])
    user = make_user("r0@example.com", "Resident")
    services.add_person(board, box.id, unit.id, user.name, user.email, "resident")
    services.add_component(board, box.id, name="Cleaning", amount="300000", basis="equal")
    services.issue_month(board, box.id, "2026-03")  # due 5 March
    bodies = {}
    for day in (date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 12), date(2026, 4, 4)):
        today(day)
        run_job("aptbox.daily", f"d{day}")
        _remind()
        db.session.rollback()
        bodies[day.day] = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.kind == "reminder", OutboxMessage.channel == "email").order_by(OutboxMessage.id.desc()))
    assert "Overdue" not in bodies[2] and "due today" in bodies[5] and "Overdue" not in bodies[5]
    assert "Unit 1: " in bodies[6] and "is overdue: it was due on Mar 5, 2026 (1 day late)." in bodies[6]
    for day in (6, 12, 4):
        assert "Overdue now, fines included: IRR320,000." in bodies[day], bodies[day]
    assert "(7 days late)" in bodies[12] and "(30 days late)" in bodies[4]


def test_a_polls_email_speaks_each_residents_language(voters):
    box, board, _, (r0, r1) = voters
    r0.language, r1.language = "fa", "en"
    db.session.commit()
    services.create_poll(board, box.id, "Paint the stairs?", "Yes\nNo", "unit", "50", "2026-03-10")
    mail = {m.recipient: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("%vote%")
                                                                                   | OutboxMessage.subject.like("%رأی%")))}
    assert mail["r0@example.com"].subject == "Yas: یک رأی‌گیری"
    assert "تا ۱۰ مارس ۲۰۲۶ در صفحه ساختمان رأی دهید." in mail["r0@example.com"].body, mail["r0@example.com"].body
    assert mail["r1@example.com"].subject == "Yas: a vote"
    assert "Vote on the building's page until Mar 10, 2026." in mail["r1@example.com"].body
