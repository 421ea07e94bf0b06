"""A building's pages cut no list: transfers between the funds page beside the expenses, polls and
announcements on the notices page, each by its own page number; past the last page is the last page,
what is no page number the first. The list services all take (page, size) and answer (rows, total),
and the API answers as it did: a page of rows, empty past the last."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Announcement, Poll, Transfer
from hamyan.core import clock
from hamyan.extensions import db
from tests.conftest import login

HX = {"HX-Request": "true"}


def insert_transfers(box, board, count: int, note: str = "Move") -> list[int]:
    """One transfer through the service (for its ledger entry), `count - 1` more inserted beside it
    on later days, sharing that entry (pages read no entry); their ids, newest first."""
    first = services.transfer(board, box.id, "1", "operating", "reserve", decision="Board meeting 12")
    db.session.execute(insert(Transfer), [dict(
        box_id=box.id, from_fund="operating", to_fund="reserve", amount=2 + i, note=f"{note} {i}",
        moved_on=first.moved_on + timedelta(days=1 + i), entry_id=first.entry_id) for i in range(count - 1)])
    db.session.commit()
    return db.session.scalars(select(Transfer.id).filter_by(box_id=box.id)
                              .order_by(Transfer.moved_on.desc(), Transfer.id.desc())).all()


def shown_transfers(html: str) -> list[str]:
    listed = html.split('id="transfers"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"Move \d+|Board meeting 12", listed)


@pytest.fixture
def board_box(building, today):
    box, board = building()
    return box, board


def test_transfers_page_beside_the_expenses(board_box, app):
    box, board = board_box
    insert_transfers(box, board, 60)
    client = login(app.test_client(), "board@example.com")
    url = f"/buildings/{box.id}/expenses"
    first = client.get(url).get_data(as_text=True)
    newest = [f"Move {i}" for i in range(58, -1, -1)] + ["Board meeting 12"]
    assert shown_transfers(first) == newest[:50]
    assert f'href="{url}?transfers=2"' in first
    assert shown_transfers(client.get(f"{url}?transfers=2").get_data(as_text=True)) == newest[50:]
    for page in ("3", "999"):
        assert shown_transfers(client.get(f"{url}?transfers={page}").get_data(as_text=True)) == newest[50:]
    for page in ("x", "0", "-1", "9" * 30):
        response = client.get(f"{url}?transfers={page}")
        assert response.status_code == 200 and shown_transfers(response.get_data(as_text=True)) == newest[:50]
    part = client.get(f"{url}?transfers=2&block=moves", headers=HX).get_data(as_text=True)
    assert part.lstrip().startswith('<div class="card" id="moves">') and "Board meeting 12" in part
    assert 'id="expenses"' not in part and 'id="expense-form"' not in part


def test_a_member_of_another_building_gets_404(board_box, app, make_user):
    box, board = board_box
    insert_transfers(box, board, 3)
    outsider = make_user("out@example.com", "Out")
    services.create_building(outsider, "Elsewhere", "IRR", "UTC", "en", "gregorian")
    client = login(app.test_client(), "out@example.com")
    for url in (f"/buildings/{box.id}/expenses?transfers=2", f"/buildings/{box.id}/notices?polls=2&news=2"):
        assert client.get(url).status_code == 404


def test_polls_and_announcements_page_on_the_notices_page(board_box, app):
    box, board = board_box
    now, today = clock.now(), clock.today(box)
    db.session.execute(insert(Announcement), [dict(box_id=box.id, title=f"Notice {i}", body="Read me",
                                                   created_at=now + timedelta(minutes=i)) for i in range(25)])
    db.session.execute(insert(Poll), [dict(box_id=box.id, question=f"Paint it {i}?", options=json.dumps(["yes", "no"]),
                                           closes_on=today + timedelta(days=30), created_at=now) for i in range(21)])
    db.session.commit()
    client = login(app.test_client(), "board@example.com")
    url = f"/buildings/{box.id}/notices"
    first = client.get(url).get_data(as_text=True)
    assert "Notice 24" in first and "Notice 5<" in first and "Notice 4<" not in first
    assert "Paint it 20?" in first and "Paint it 0?" not in first
    assert f'href="{url}?news=2"' in first and f'href="{url}?polls=2"' in first
    later = client.get(f"{url}?news=9&polls=2").get_data(as_text=True)
    assert "Notice 4<" in later and "Notice 5<" not in later and "Paint it 0?" in later and "Paint it 1?" not in later
    part = client.get(f"{url}?news=2&polls=2&block=news", headers=HX).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="news">') and "Paint it" not in part
    assert f'href="{url}?news=1&amp;polls=2"' in part  # the other list's page is kept


def test_the_list_services_take_page_and_size_and_answer_rows_and_total(board_box, client, api_token):
    box, board = board_box
    ids = insert_transfers(box, board, 12)
    rows, total = services.transfers(box.id, 2, 5)
    assert [t.id for t in rows] == ids[5:10] and total == 12
    assert services.transfers(box.id, 4, 5) == ([], 12)
    for lister in (services.expenses, services.announcements, services.polls):
        assert lister(box.id, 1, 5) == ([], 0)
    assert services.arrears_list(box, 1, 5) == ([], 0)
    headers = api_token(board)
    base = f"/api/v1/buildings/{box.id}"
    assert [t["id"] for t in client.get(f"{base}/transfers?page=2&per_page=5", headers=headers).json] == ids[5:10]
    assert client.get(f"{base}/transfers?page=4&per_page=5", headers=headers).json == []
    assert client.get(f"{base}/transfers?page=0", headers=headers).status_code == 422


def test_the_board_statement_counts_every_transfer_of_its_period(board_box):
    """It read the newest 10,000 transfers and summed those in the period: older ones were lost."""
    from hamyan.blueprints.aptbox import reports

    box, board = board_box
    first = services.transfer(board, box.id, "1", "operating", "reserve", decision="Board meeting 12")
    day = first.moved_on
    db.session.execute(insert(Transfer), [dict(box_id=box.id, from_fund="operating", to_fund="reserve", amount=amount,
                                               moved_on=on, entry_id=first.entry_id)
                                          for amount, on, count in ((2, day, 10_000), (1000, day + timedelta(days=40), 1),
                                                                    (5000, day - timedelta(days=40), 1))
                                          for _ in range(count)])
    db.session.commit()
    statement = reports.board_statement(box, day - timedelta(days=1), day + timedelta(days=1))
    assert statement.transfers == 1 + 2 * 10_000


def test_the_charges_issued_page_latest_due_first_on_the_page_and_in_the_api(board_box, app, client, api_token):
    """The charges page listed the latest 24 and the API the latest 120: a building's older months were unreachable."""
    from hamyan.blueprints.aptbox.models import ChargeRun

    box, board = board_box
    entry_id = services.transfer(board, box.id, "1", "operating", "reserve", decision="Board meeting 12").entry_id  # any entry
    start = clock.today(box)
    db.session.execute(insert(ChargeRun), [dict(box_id=box.id, reference=f"month:{1300 + i}-01", title=f"Run {i}", total=100,
                                                due_date=start + timedelta(days=i), entry_id=entry_id) for i in range(55)])
    db.session.commit()
    newest = [f"Run {i}" for i in range(54, -1, -1)]

    def shown(html):
        return re.findall(r"Run \d+", html.split('id="runs"', 1)[1].split("</ul>", 1)[0])

    web = login(app.test_client(), "board@example.com")
    url = f"/buildings/{box.id}/charges"
    first = web.get(url).get_data(as_text=True)
    assert shown(first) == newest[:50] and f'href="{url}?runs=2"' in first
    assert shown(web.get(f"{url}?runs=2").get_data(as_text=True)) == newest[50:]
    assert shown(web.get(f"{url}?runs=99").get_data(as_text=True)) == newest[50:]
    part = web.get(f"{url}?runs=2&block=issued", headers=HX).get_data(as_text=True)
    assert part.lstrip().startswith('<div class="card" id="issued">') and "Run 0" in part
    overview = web.get(f"/buildings/{box.id}").get_data(as_text=True)
    assert "Run 54" in overview and "Run 48" not in overview  # the latest 6
    headers = api_token(board)
    api = f"/api/v1/buildings/{box.id}/charges"
    assert [r["title"] for r in client.get(f"{api}?page=3&per_page=25", headers=headers).json] == newest[50:]
    assert [r["title"] for r in client.get(api, headers=headers).json] == newest[:25]
