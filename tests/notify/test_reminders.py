"""Reminders on a frozen clock: before the due date, on the day, 1 and 7 days late, each once;
re-runs, a restart in the middle of a run and a failing box never tell anyone twice; a product
plugs in through its descriptor (Money pool)."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from hamyan.dues.reminders import Owed, stage
from hamyan.notify.models import OutboxMessage
from hamyan.notify.reminders import remind_box
from hamyan.scheduling import for_each_box, run_job

DUE = date(2026, 3, 10)


@pytest.mark.parametrize("today, expected", [
    (date(2026, 3, 6), None), (date(2026, 3, 7), "before"), (date(2026, 3, 9), "before"), (DUE, "due"),
    (date(2026, 3, 11), "late1"), (date(2026, 3, 16), "late1"), (date(2026, 3, 17), "late7"),
    (date(2026, 4, 9), "late30"),
])
def test_stages(today, expected):
    assert stage(DUE, today, 3, (1, 7, 30)) == expected


def test_late_stages_wait_for_the_grace_days():
    assert stage(DUE, date(2026, 3, 13), 3, (1, 7, 30), grace_days=3) is None
    assert stage(DUE, date(2026, 3, 14), 3, (1, 7, 30), grace_days=3) == "late1"


@pytest.fixture
def member(make_user):
    user = make_user("saver@example.com", "Sara")
    with db.engine.begin() as conn:
        box_ids = [conn.execute(sa.insert(Box).values(kind="moneypool", name=f"Fund {n}", currency="USD",
                                                      timezone="UTC", locale="en", calendar="gregorian",
                                                      created_at=datetime(2026, 1, 1))).inserted_primary_key[0]
                   for n in range(2)]
        for box_id in box_ids:
            conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=user.id, display_name="Sara",
                                                      role="member", created_at=datetime(2026, 1, 1)))
    db.session.rollback()
    return user, box_ids


def sent():
    db.session.rollback()
    return db.session.execute(sa.select(OutboxMessage.box_id, OutboxMessage.subject).where(
        OutboxMessage.kind == "reminder", OutboxMessage.channel == "email").order_by(OutboxMessage.id)).all()


def test_each_stage_is_told_once(member, clock):
    user, (box_id, _) = member

    def owed_of(box, today):
        return [Owed(("membership", 1), "due:2026-03-10", DUE, 25_00, "Your contribution", user_id=user.id)]

    told = []
    for day in range(5, 20):
        clock.set(datetime(2026, 3, day, 9))
        for _ in range(2):  # hourly runs, and re-runs after a crash, tell nothing twice
            told.append((day, sum(for_each_box([box_id], lambda b: remind_box(b, owed_of)))))
    assert [day for day, count in told if count] == [7, 10, 11, 17]
    assert [subject for _, subject in sent()] == [
        "Fund 0: Your contribution due Mar 10, 2026", "Fund 0: Your contribution due today",
        "Fund 0: Your contribution is overdue (1 day late)", "Fund 0: Your contribution is overdue (7 days late)"]
    inapp = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.channel == "inapp"))
    assert inapp == 4


def test_a_box_failing_mid_run_is_told_on_the_retry_and_the_others_not_again(member, clock, monkeypatch):
    """A crash inside a box rolls that box's messages back; the retried run tells only what is missing."""
    user, box_ids = member
    clock.set(datetime(2026, 3, 10, 9))
    broken = {box_ids[1]}

    def owed_of(box_id, today):
        if box_id in broken:
            raise RuntimeError("summary row missing")
        return [Owed(("membership", box_id), "due:2026-03-10", DUE, 25_00, "Your contribution", user_id=user.id)]

    from hamyan.blueprints.moneypool import PRODUCT

    real = type(PRODUCT).load
    monkeypatch.setattr(type(PRODUCT), "load", lambda self, attr: owed_of if attr == "reminders" else real(self, attr))
    run = run_job("notify.reminders", "slot-1")
    assert (run.status, run.boxes_ok, run.boxes_failed) == ("partial", 1, 1)
    assert [box for box, _ in sent()] == [box_ids[0]]
    broken.clear()
    again = run_job("notify.reminders", "slot-1")  # the next tick retries the partial slot
    assert (again.status, again.attempt) == ("ok", 2)
    assert sorted(box for box, _ in sent()) == sorted(box_ids)


def test_a_money_pool_saver_is_reminded_of_the_next_contribution(make_user, clock):
    from hamyan.blueprints.moneypool import services

    clock.set(datetime(2026, 1, 1, 9))
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, late_fee="1")
    db.session.commit()
    run_job("moneypool.assess", "a")  # moves the summaries to today
    assert run_job("notify.reminders", "r1").detail.startswith("1 reminder(s)")
    assert sent() == [(box.id, "Savers: Your contribution due Jan 4, 2026")]
    assert run_job("notify.reminders", "r2").detail.startswith("0 reminder(s)")


def test_a_money_pool_saver_behind_on_savings_hears_again_as_it_grows_late(make_user, clock):
    """Overdue contributions escalate (1 and 7 days late), as loan installments do."""
    from hamyan.blueprints.moneypool import services

    manager = make_user("boss@example.com", "Boss")
    clock.set(datetime(2026, 1, 1, 9))
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, grace_days=0)
    db.session.commit()
    for day in (1, 4, 5, 6, 11, 12):
        clock.set(datetime(2026, 1, day, 9))
        run_job("moneypool.assess", f"a{day}")
        run_job("notify.reminders", f"r{day}")
    assert [subject for _, subject in sent()] == [
        "Savers: Your contribution due Jan 4, 2026", "Savers: Your contribution due today",
        "Savers: Your savings in arrears is overdue (1 day late)",
        "Savers: Your savings in arrears is overdue (7 days late)"]


def test_one_message_per_person_lists_what_calls_for_a_reminder(member, clock):
    user, (box_id, _) = member

    def owed_of(box, today):
        return [Owed(("membership", 1), f"period:{n}", date(2026, 3, n), 10_00, f"Period {n}", user_id=user.id)
                for n in (1, 2, 10)]

    clock.set(datetime(2026, 3, 9, 9))
    assert sum(for_each_box([box_id], lambda b: remind_box(b, owed_of))) == 1
    [message] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    assert message.subject == "Fund 0: payments late"
    assert [line.split(" of ")[0] for line in message.body.splitlines() if line.startswith("- ")] == [
        "- Period 1", "- Period 2", "- Period 10"]
    assert "(7 days late)" in message.body and "is due on Mar 10, 2026" in message.body


def test_a_money_pool_saver_late_on_savings_is_told_overdue_with_the_late_fee(make_user, clock):
    """Before, on the day, then 1, 7 and 30 days late: once late the reminder says so and what
    settles it today, the late fee included."""
    from hamyan.blueprints.moneypool import services

    manager = make_user("boss@example.com", "Boss")
    clock.set(datetime(2026, 1, 1, 9))
    box = services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, grace_days=0,
                               late_fee="1")
    db.session.commit()
    bodies = {}
    for day in (date(2026, 1, 1), date(2026, 1, 4), date(2026, 1, 5), date(2026, 1, 11), date(2026, 2, 3)):
        clock.set(datetime(day.year, day.month, day.day, 9))
        run_job("moneypool.assess", f"a{day}")
        assert run_job("notify.reminders", f"r{day}").detail.startswith("1 reminder(s)"), day
        db.session.rollback()
        bodies[day.day] = db.session.scalar(sa.select(OutboxMessage.body).where(
            OutboxMessage.kind == "reminder", OutboxMessage.channel == "email").order_by(OutboxMessage.id.desc()))
    assert "Overdue" not in bodies[1] and "Overdue" not in bodies[4]
    assert "Your savings in arrears of $10.00 is overdue: it was due on Jan 4, 2026 (1 day late)." in bodies[5]
    assert "(7 days late)" in bodies[11]
    for day in (5, 11, 3):
        assert "Overdue now, fines included: $11.00." in bodies[day], bodies[day]
    assert "(30 days late)" in bodies[3] and "Your contribution of $10.00 is due on Feb 4, 2026." in bodies[3]


def test_a_money_pool_reminder_on_a_new_day_reads_that_days_summaries(make_user, clock):
    """The reminders job may run on a new day before anything refreshed the pool's summaries: what
    it says is worked out for today all the same (yesterday's rows told a saver on the due date that
    they were overdue by minus the contribution)."""
    from hamyan.blueprints.moneypool import services

    manager = make_user("boss@example.com", "Boss")
    clock.set(datetime(2026, 1, 3, 9))
    services.create_pool(manager, "Savers", "USD", "10", date(2026, 1, 4), my_shares=1, grace_days=0)
    db.session.commit()
    clock.set(datetime(2026, 1, 4, 9))
    assert run_job("notify.reminders", "r4").detail.startswith("1 reminder(s)")
    body = db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.kind == "reminder",
                                                                 OutboxMessage.channel == "email"))
    assert "Your contribution of $10.00 is due today" in body and "Overdue" not in body, body


def test_each_member_is_reminded_in_their_language(app, make_user, clock, monkeypatch):
    """A member who chose Persian reads the email and the SMS in Persian, one who chose English
    in English, in the same box; someone who never chose reads the box's language (fa_IR)."""
    from hamyan.notify.models import NotifyProfile
    from tests.i18n import english_left

    monkeypatch.setitem(app.config, "BOX_SETS_LANGUAGE", True)  # as in production (the suite keeps English)
    people = [make_user("sara@example.com", "سارا"), make_user("john@example.com", "John"),
              make_user("neda@example.com", "ندا")]
    people[0].language, people[1].language = "fa", "en"
    db.session.commit()
    with db.engine.begin() as conn:
        box_id = conn.execute(sa.insert(Box).values(kind="moneypool", name="صندوق", currency="IRR", timezone="UTC",
                                                    locale="fa_IR", calendar="gregorian",
                                                    created_at=datetime(2026, 1, 1))).inserted_primary_key[0]
        for n, user in enumerate(people):
            conn.execute(sa.insert(Membership).values(box_id=box_id, user_id=user.id, display_name=user.name,
                                                      role="member", created_at=datetime(2026, 1, 1)))
            conn.execute(sa.insert(NotifyProfile).values(user_id=user.id, phone=f"+98912000000{n}",
                                                         timezone="UTC"))

    def owed_of(box, today):
        return [Owed(("membership", user.id), "due:2026-03-10", DUE, 25_000, "سهم", user_id=user.id)
                for user in people]

    clock.set(datetime(2026, 3, 11, 9))
    assert sum(for_each_box([box_id], lambda b: remind_box(b, owed_of))) == 3
    db.session.rollback()
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel.in_(["email", "sms"]))).all()
    said = {(m.user_id, m.channel): f"{m.subject}\n{m.body}" for m in rows}
    sara, john, neda = (user.id for user in people)
    for who in (sara, neda):
        assert "معوق" in said[who, "email"] and "روز دیرکرد" in said[who, "sms"], said[who, "email"]
        assert "سلام" in said[who, "email"] and "بدهی خود را اینجا ببینید" in said[who, "email"]
        words = " ".join(said[who, channel].split("http")[0] for channel in ("email", "sms"))
        assert not english_left(words), words
    assert "is overdue (1 day late)" in said[john, "email"] and "Hello John," in said[john, "email"]
    assert "is overdue: it was due on" in said[john, "sms"]
