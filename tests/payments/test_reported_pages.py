"""The reported-payments page cuts no list: managers see how many reports wait in all and page
through them (and through every report, decided ones too), a member pages through their own, newest
first, 25 a page; a page number past the last shows the last page and one that is no page number the
first. A member sees only their own reports, and another box's member gets 404."""
import re

import pytest
from sqlalchemy import insert, select

from hamyan.blueprints.payments import reports
from hamyan.blueprints.payments.models import CONFIRMED, PENDING, REJECTED, ReportedPayment
from hamyan.core import clock
from hamyan.extensions import db
from tests.cashbox.helpers import make_box
from tests.conftest import login

HX = {"HX-Request": "true"}


def insert_reports(box, membership_id: int, count: int, status: str = PENDING) -> list[int]:
    """`count` reports by one member, inserted directly (oldest first); their ids, newest first."""
    now = clock.now()
    decided = status != PENDING
    db.session.execute(insert(ReportedPayment), [dict(
        box_id=box.id, membership_id=membership_id, amount=1000 + i, method="card", paid_on=clock.today(box),
        reference=f"R{i}", status=status, reason="Not in the account" if status == REJECTED else None,
        created_at=now, decided_at=now if decided else None) for i in range(count)])
    db.session.commit()
    return newest(box.id, ReportedPayment.membership_id == membership_id, ReportedPayment.status == status)


def newest(box_id: int, *where) -> list[int]:
    return db.session.scalars(select(ReportedPayment.id).filter_by(box_id=box_id).where(*where)
                              .order_by(ReportedPayment.id.desc())).all()


def shown(html: str, prefix: str = "report") -> list[int]:
    return [int(n) for n in re.findall(rf'id="{prefix}-(\d+)"', html)]


@pytest.fixture
def boss(app, cashbox):
    return login(app.test_client(), "boss@example.com")


def test_managers_see_how_many_wait_and_page_through_them(cashbox, boss):
    box = cashbox.box
    insert_reports(box, cashbox.ann.id, 30, CONFIRMED)
    waiting = insert_reports(box, cashbox.bob.id, 60)
    url = f"/boxes/{box.id}/reported-payments"
    first = boss.get(url).get_data(as_text=True)
    assert "Waiting: 60" in first and shown(first) == waiting[:25]
    assert f'href="{url}?page=3"' in first  # the pager, its last page linked
    assert shown(boss.get(f"{url}?page=2").get_data(as_text=True)) == waiting[25:50]
    last = waiting[50:]
    for page in ("3", "4", "999", str(2**31 - 2)):  # past the last page: the last page
        response = boss.get(f"{url}?page={page}")
        assert response.status_code == 200 and shown(response.get_data(as_text=True)) == last, page
    for page in ("0", "-2", "two", "", "1e3", "9" * 40):  # no page number: the first page
        response = boss.get(f"{url}?page={page}")
        assert response.status_code == 200 and shown(response.get_data(as_text=True)) == waiting[:25], page
    assert shown(boss.get(f"{url}?page=۲").get_data(as_text=True)) == waiting[25:50]  # Persian digits


def test_managers_reach_every_decided_report(cashbox, boss):
    box = cashbox.box
    rejected = insert_reports(box, cashbox.ann.id, 30, REJECTED)
    waiting = insert_reports(box, cashbox.bob.id, 5)
    url = f"/boxes/{box.id}/reported-payments?show=all"
    everything = newest(box.id)
    first = boss.get(url).get_data(as_text=True)
    assert "Waiting: 5" in first and shown(first) == everything[:25] and everything[:5] == waiting
    assert first.count("Confirm: the money is in") == 5  # the waiting ones only
    oldest = boss.get(f"{url}&page=9").get_data(as_text=True)
    assert shown(oldest) == rejected[20:] and "Not in the account" in oldest
    assert "Confirm: the money is in" not in oldest and ">rejected<" in oldest
    # the pager keeps the list it pages
    assert f'href="/boxes/{box.id}/reported-payments?page=1&amp;show=all"' in oldest


def test_the_pager_swaps_one_list(cashbox, boss):
    box = cashbox.box
    waiting = insert_reports(box, cashbox.bob.id, 30)
    part = boss.get(f"/boxes/{box.id}/reported-payments?page=2&block=reports", headers=HX).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="reports">') and shown(part) == waiting[25:]
    assert "report-form" not in part and "<html" not in part


def test_a_member_pages_through_their_own_reports_and_no_one_elses(cashbox, app):
    box = cashbox.box
    old = insert_reports(box, cashbox.ann.id, 20, REJECTED)
    recent = insert_reports(box, cashbox.ann.id, 10, CONFIRMED)
    waiting = insert_reports(box, cashbox.ann.id, 5)
    bobs = insert_reports(box, cashbox.bob.id, 30)
    mine = waiting + recent + old
    ann = login(app.test_client(), "ann@example.com")
    url = f"/boxes/{box.id}/reported-payments"
    first = ann.get(url).get_data(as_text=True)
    assert shown(first, "my-report") == mine[:25] and 'id="reports"' not in first and "Waiting:" not in first
    assert f'href="{url}?mine=2"' in first
    second = ann.get(f"{url}?mine=2").get_data(as_text=True)
    assert shown(second, "my-report") == mine[25:] and "Not in the account" in second
    assert shown(ann.get(f"{url}?mine=77").get_data(as_text=True), "my-report") == mine[25:]
    assert shown(ann.get(f"{url}?mine=x").get_data(as_text=True), "my-report") == mine[:25]
    part = ann.get(f"{url}?mine=2&block=mine", headers=HX).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="mine">') and shown(part, "my-report") == mine[25:]
    # a manager's views show her nothing more
    for asked in ("?show=all", "?show=all&page=2", "?block=reports"):
        html = ann.get(url + asked, headers=HX if "block" in asked else {}).get_data(as_text=True)
        assert not set(shown(html)) & set(bobs) and not set(shown(html, "my-report")) & set(bobs), asked
    view = reports.listing(cashbox.ann_user, box.id, page=2, mine_page=2, everything=True)
    assert view.reports is None and view.waiting == 0 and [r.id for r in view.mine.items] == mine[25:]


def test_another_boxs_member_gets_404(cashbox, app, make_user):
    insert_reports(cashbox.box, cashbox.ann.id, 30)
    carl = make_user("carl@example.com", "Carl")
    make_box(carl)
    client = login(app.test_client(), "carl@example.com")
    for asked in ("", "?page=2", "?show=all&page=2", "?mine=2", "?block=reports"):
        assert client.get(f"/boxes/{cashbox.box.id}/reported-payments{asked}").status_code == 404, asked
