"""Each box chooses when its reminders go out (days before a due date, the days late), the platform's
until it does: the job, the manager's preview, the settings page (Persian input too) and the API."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box
from hamyan.core.errors import Forbidden, ValidationError
from hamyan.dues.reminders import Owed
from hamyan.extensions import db
from hamyan.notify.reminders import remind_box
from hamyan.scheduling import for_each_box
from tests.conftest import login, statements
from tests.i18n import persian_page
from tests.notify.test_reminders import DUE, sent
from tests.test_api import assert_error


@pytest.fixture
def two_boxes(make_user):
    """A manager, a saver, and two boxes owing on DUE: "Own" (its timing to choose) and "Plain"."""
    manager, saver = make_user("boss@example.com", "Boss"), make_user("saver@example.com", "Sara")
    own, plain = (boxes.create_box(manager, "moneypool", name, "USD") for name in ("Own", "Plain"))
    for box in (own, plain):
        boxes.add_member(manager, box.id, "Sara", saver.email)
    db.session.commit()
    return manager, saver, own.id, plain.id


def _owed(saver):
    def owed_of(box_id, today):
        return [Owed(("membership", 1), "due:2026-03-10", DUE, 25_00, "Your contribution", user_id=saver.id)]
    return owed_of


def _run(clock, day, box_ids, owed_of) -> int:
    clock.set(datetime(2026, day // 100, day % 100, 9))
    return sum(for_each_box(box_ids, lambda b: remind_box(b, owed_of)))


def _told_days(clock, box_ids, owed_of, days) -> list[int]:
    """The days (MMDD) of `days` on which anyone was told, running twice a day (re-runs tell nothing twice)."""
    return [day for day in days if [_run(clock, day, box_ids, owed_of) for _ in range(2)] == [1, 0]]


def test_a_box_reminds_at_its_own_days_and_the_others_at_the_platforms(two_boxes, clock):
    manager, saver, own, plain = two_boxes
    boxes.update_box(manager, own, "Own", "en", reminder_days_before="5", reminder_late_days="2, 10")
    owed_of = _owed(saver)
    days = [*range(301, 332), *range(401, 406)]
    assert _told_days(clock, [own], owed_of, days) == [305, 310, 312, 320]
    assert _told_days(clock, [plain], owed_of, days) == [307, 310, 311, 317]
    subjects = [subject for box_id, subject in sent() if box_id == own]
    assert subjects == ["Own: Your contribution due Mar 10, 2026", "Own: Your contribution due today",
                        "Own: Your contribution is overdue (2 days late)",
                        "Own: Your contribution is overdue (10 days late)"]


def test_changing_the_days_never_tells_a_stage_again_nor_an_earlier_one(two_boxes, clock):
    manager, saver, own, _ = two_boxes
    owed_of = _owed(saver)
    assert _run(clock, 307, [own], owed_of) == 1  # 3 days before, the platform's
    boxes.update_box(manager, own, "Own", "en", reminder_days_before="5")
    assert _run(clock, 308, [own], owed_of) == 0  # "before" was told already
    assert _run(clock, 317, [own], owed_of) == 1  # 7 days late
    boxes.update_box(manager, own, "Own", "en", reminder_late_days="1, 3")
    assert _run(clock, 318, [own], owed_of) == 0  # no "3 days late" after "7 days late"
    boxes.update_box(manager, own, "Own", "en", reminder_late_days="1, 3, 9")
    assert _run(clock, 319, [own], owed_of) == 1  # a later stage still comes
    assert [subject for _, subject in sent()][-1] == "Own: Your contribution is overdue (9 days late)"


def test_the_job_reads_no_more_for_a_box_that_chose(two_boxes, clock):
    manager, saver, own, plain = two_boxes
    boxes.update_box(manager, own, "Own", "en", reminder_days_before="3", reminder_late_days="1, 7, 30")
    db.session.commit()
    counts = []
    for box_id in (plain, own):
        with statements() as sql:
            _run(clock, 310, [box_id], _owed(saver))
        counts.append(len(sql))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- the service

def test_persian_input_is_read_sorted_without_repeats_and_the_default_is_kept_when_shown(two_boxes):
    manager, _, own, _ = two_boxes
    box = boxes.update_box(manager, own, "Own", "en", reminder_days_before="3", reminder_late_days="1, 7, 30")
    assert (box.reminder_days_before, box.reminder_late_days) == (None, None)  # saved as shown: the platform's
    box = boxes.update_box(manager, own, "Own", "en", reminder_days_before=" ۵ ",
                           reminder_late_days="۱۰، ٢  ۱۰؛2")
    assert (box.reminder_days_before, box.reminder_late_days) == (5, "2,10")
    box = boxes.update_box(manager, own, "Own", "en", reminder_days_before="0", reminder_late_days="")
    assert (box.reminder_days_before, box.reminder_late_days) == (0, None)
    box = boxes.update_box(manager, own, "Own", "en", reminder_days_before="", reminder_late_days=[365, 1])
    assert (box.reminder_days_before, box.reminder_late_days) == (None, "1,365")


@pytest.mark.parametrize("before, late, fields", [
    ("-1", None, {"reminder_days_before"}), ("31", None, {"reminder_days_before"}),
    ("5.5", None, {"reminder_days_before"}), ("five", None, {"reminder_days_before"}),
    ("1e3", None, {"reminder_days_before"}), ("۹" * 40, None, {"reminder_days_before"}),
    ("\u202e5", None, {"reminder_days_before"}), ("5\x00", None, {"reminder_days_before"}),
    (True, None, {"reminder_days_before"}), (2.0, None, {"reminder_days_before"}),
    (None, "0", {"reminder_late_days"}), (None, "366", {"reminder_late_days"}),
    (None, "-7", {"reminder_late_days"}), (None, "1,2,3,4,5,6", {"reminder_late_days"}),
    (None, "1-7", {"reminder_late_days"}), (None, "1, x", {"reminder_late_days"}),
    (None, ",،", {"reminder_late_days"}), (None, "9" * 50, {"reminder_late_days"}),
    (None, "1," * 100, {"reminder_late_days"}), (None, "\u200b", {"reminder_late_days"}),
    (None, [1.5], {"reminder_late_days"}), (None, {"days": 1}, {"reminder_late_days"}),
    ("40", "0, 400", {"reminder_days_before", "reminder_late_days"}),
])
def test_bad_days_are_errors_on_their_fields_and_write_nothing(two_boxes, before, late, fields):
    manager, _, own, _ = two_boxes
    with pytest.raises(ValidationError) as caught:
        boxes.update_box(manager, own, "Renamed", "en", reminder_days_before=before, reminder_late_days=late)
    assert set(caught.value.fields) == fields and all(caught.value.fields.values())
    db.session.rollback()
    box = db.session.get(Box, own)
    assert (box.name, box.reminder_days_before, box.reminder_late_days) == ("Own", None, None)


def test_only_managers_and_boards_choose_the_days(two_boxes, make_user):
    manager, saver, own, _ = two_boxes
    with pytest.raises(Forbidden):
        boxes.update_box(saver, own, "Own", "en", reminder_days_before="5")
    board, resident = make_user("board@example.com", "Board"), make_user("resident@example.com", "Resident")
    building = boxes.create_box(board, "aptbox", "Tower", "IRR", manager_role="board")
    boxes.add_member(board, building.id, "Resident", resident.email, "resident")
    db.session.commit()
    with pytest.raises(Forbidden):
        boxes.update_box(resident, building.id, "Tower", "en", reminder_late_days="2")
    db.session.rollback()
    assert db.session.get(Box, building.id).reminder_late_days is None
    assert boxes.update_box(board, building.id, "Tower", "en", reminder_late_days="2").reminder_late_days == "2"
    assert db.session.get(Box, own).reminder_days_before is None


# ---------------------------------------------------------------- the pages

def test_the_settings_page_shows_the_days_and_refuses_ugly_input(app, two_boxes, clock):
    manager, saver, own, _ = two_boxes
    page = login(app.test_client(), manager.email)
    html = page.get(f"/boxes/{own}/settings").get_data(as_text=True)
    assert 'name="reminder_days_before" type="text" value="3"' in html
    assert 'value="1, 7, 30"' in html and "Empty: the default (1, 7, 30)." in html
    form = {"name": "Own", "locale": "en", "reminder_days_before": "-2", "reminder_late_days": "1, 2, 3, 4, 5, 6"}
    html = page.post(f"/boxes/{own}/settings", data=form).get_data(as_text=True)
    assert "Days before a due date must be from 0 to 30." in html and "Give at most 5 different numbers." in html
    assert 'value="-2"' in html  # what was typed stays to be corrected
    db.session.rollback()
    assert db.session.get(Box, own).reminder_days_before is None
    form.update(reminder_days_before="۵", reminder_late_days="۱۰، ۲")
    assert page.post(f"/boxes/{own}/settings", data=form).status_code == 302
    html = page.get(f"/boxes/{own}/settings").get_data(as_text=True)
    assert 'value="5"' in html and 'value="2, 10"' in html
    preview = page.get(f"/boxes/{own}/messages/templates").get_data(as_text=True)
    for words in ("5 days before the due date", "2 days late", "10 days late"):
        assert words in preview, words
    assert "7 days late" not in preview and "3 days before" not in preview


def test_the_cashbox_dashboard_says_the_boxs_own_days(user_client):
    from hamyan.blueprints.cashbox import services as cb
    from tests.cashbox.helpers import utc_today

    c = user_client("manager@example.com", "Manager")
    box = cb.create_cashbox(c.user, "Street box", "USD", "100", 1, "weekly", utc_today(), "random")
    boxes.update_box(c.user, box.id, "Street box", "en", reminder_days_before="6")
    db.session.commit()
    assert "Reminders: 6 days before each due date" in c.get(f"/cashbox/{box.id}").get_data(as_text=True)


def test_the_fields_read_in_persian(app, make_user):
    boss = make_user("boss@example.com", "رئیس")
    box = boxes.create_box(boss, "moneypool", "صندوق خانواده", "IRR", timezone="Asia/Tehran", locale="fa_IR",
                           calendar="persian")
    boxes.update_box(boss, box.id, "صندوق خانواده", "fa_IR", reminder_late_days="2, 10")
    db.session.commit()
    client = login(app.test_client(), boss.email)
    html = persian_page(client, f"/boxes/{box.id}/settings")
    assert "یادآوری: چند روز پیش از سررسید" in html and 'value="۳"' in html and 'value="۲، ۱۰"' in html
    assert "خالی: پیش‌فرض (۱، ۷، ۳۰)." in html
    html = client.post(f"/boxes/{box.id}/settings", headers={"Accept-Language": "fa"},
                       data={"name": "صندوق خانواده", "locale": "fa_IR", "reminder_days_before": "۳۱",
                             "reminder_late_days": "یک"}).get_data(as_text=True)
    assert "روزهای پیش از سررسید باید از ۰ تا ۳۰ باشد." in html
    assert "هر روز یادآوری دیرکرد باید عدد صحیح باشد." in html


# ---------------------------------------------------------------- the API

def test_the_api_reads_and_changes_the_days(client, two_boxes, api_token):
    manager, saver, own, _ = two_boxes

    def call(method, body=None, who=manager):
        return client.open(f"/api/v1/boxes/{own}", method=method, json=body, headers=api_token(who))

    assert call("GET").json["reminder_days_before"] == 3 and call("GET").json["reminder_late_days"] == [1, 7, 30]
    r = call("PATCH", {"reminder_days_before": 5, "reminder_late_days": [10, 2, 2]})
    assert r.status_code == 200 and (r.json["reminder_days_before"], r.json["reminder_late_days"]) == (5, [2, 10])
    assert call("GET", who=saver).json["reminder_late_days"] == [2, 10]  # members read them
    assert call("PATCH", {"name": "Own again"}).json["reminder_days_before"] == 5  # left as it is
    r = call("PATCH", {"reminder_days_before": None, "reminder_late_days": []})
    assert (r.json["reminder_days_before"], r.json["reminder_late_days"]) == (3, [1, 7, 30])
    assert (db.session.get(Box, own).reminder_days_before, db.session.get(Box, own).reminder_late_days) == (None, None)
    for body, fields in (({"reminder_days_before": -1}, ["reminder_days_before"]),
                         ({"reminder_days_before": 10**30}, ["reminder_days_before"]),
                         ({"reminder_days_before": "5"}, ["reminder_days_before"]),
                         ({"reminder_days_before": True}, ["reminder_days_before"]),
                         ({"reminder_days_before": 2.5}, ["reminder_days_before"]),
                         ({"reminder_late_days": [0]}, ["reminder_late_days"]),
                         ({"reminder_late_days": "2, 10"}, ["reminder_late_days"]),
                         ({"reminder_late_days": [1, 2, 3, 4, 5, 6]}, ["reminder_late_days"]),
                         ({"reminder_late_days": [1, 400], "name": " "}, ["reminder_late_days", "name"])):
        error = assert_error(call("PATCH", body), 422, "validation_error", fields)
        assert all(error["fields"].values()), body
    assert_error(call("PATCH", {"reminder_days_before": 5}, who=saver), 403, "forbidden")
    db.session.rollback()
    assert db.session.get(Box, own).reminder_days_before is None and db.session.get(Box, own).name == "Own again"


def test_the_openapi_document_declares_the_days(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    patch, out = schemas["BoxPatch"]["properties"], schemas["BoxOut"]["properties"]
    assert patch["reminder_days_before"]["maximum"] == 30 and patch["reminder_late_days"]["maxItems"] == 5
    assert out["reminder_late_days"]["items"] == {"type": "integer"} and out["reminder_days_before"]["type"] == "integer"
