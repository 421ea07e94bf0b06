"""Who sees what: a resident only their unit (and the building's public pages), outsiders and
other buildings 404, residents cannot act for the board; pages read summary rows, so their query
counts do not grow with the units."""
import pytest
from sqlalchemy import event

from hamyan.blueprints.aptbox import services
from hamyan.core.errors import Conflict
from hamyan.extensions import db
from tests.aptbox.conftest import awkward, insert_units
from tests.conftest import login


def queries(client, url) -> int:
    db.session.expunge_all()
    seen = []

    def listener(*args):
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
        assert response.status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


@pytest.fixture
def setup(building, make_user, app):
    box, board = building()
    units = insert_units(box, awkward(4))
    services.add_component(board, box.id, name="Cleaning", amount="400000", basis="area")
    services.issue_month(board, box.id, "2026-03")
    make_user("res@example.com", "Resident")
    services.add_person(board, box.id, units[0].id, "Resident", "res@example.com", "resident")
    other = services.create_building(make_user("other@example.com", "Other"), "Other", "IRR", "UTC")
    return box, board, units, other


def test_a_resident_sees_only_their_unit(setup, app):
    box, board, units, other = setup
    client = login(app.test_client(), "res@example.com")
    assert client.get(f"/buildings/{box.id}/units/{units[0].id}").status_code == 200
    assert client.get(f"/buildings/{box.id}/units/{units[1].id}").status_code == 404
    listing = client.get(f"/buildings/{box.id}/units").get_data(as_text=True)
    assert f"/units/{units[0].id}\"" in listing and f"/units/{units[1].id}\"" not in listing
    assert client.get(f"/buildings/{box.id}/charges").status_code == 403
    assert client.post(f"/buildings/{box.id}/units/{units[0].id}", data={
        "which": "payment", "amount": "1", "reference": "x", "key": "k"}).status_code == 403
    assert client.get(f"/buildings/{other.id}").status_code == 404


def test_outsiders_and_other_buildings_answer_404(setup, app, make_user):
    box, board, units, other = setup
    make_user("eve@example.com", "Eve")
    eve = login(app.test_client(), "eve@example.com")
    for url in (f"/buildings/{box.id}", f"/buildings/{box.id}/units/{units[0].id}", f"/buildings/{box.id}/charges"):
        assert eve.get(url).status_code == 404
    board_client = login(app.test_client(), "board@example.com")
    assert board_client.get(f"/buildings/{other.id}/units").status_code == 404
    assert board_client.get(f"/buildings/{box.id}/units/{units[0].id + 1000}").status_code == 404


def test_page_queries_do_not_grow_with_units(building, app):
    box, board = building()
    insert_units(box, awkward(5))
    services.add_component(board, box.id, name="Cleaning", amount="400000", basis="area")
    client = login(app.test_client(), "board@example.com")
    services.issue_month(board, box.id, "2026-02")
    urls = [f"/buildings/{box.id}{page}" for page in ("", "/units", "/charges", "/expenses", "/reports", "/notices")]
    small = [queries(client, url) for url in urls]
    insert_units(box, [(n, 1, 50, 1, 0, True) for n in range(100, 140)])
    assert [queries(client, url) for url in urls] == small


def test_a_board_member_living_in_the_60th_unit_sees_it_on_the_overview(building, app):
    box, board = building()
    units = insert_units(box, [(n, 1, 50, 1, 0, True) for n in range(100, 160)])
    services.add_person(board, box.id, units[-1].id, "Board", "board@example.com", "resident")  # themselves
    with pytest.raises(Conflict):
        services.add_person(board, box.id, units[-1].id, "Board", "board@example.com", "owner")
    page = login(app.test_client(), "board@example.com").get(f"/buildings/{box.id}").get_data(as_text=True)
    assert f'id="my-unit-{units[-1].id}"' in page


def test_the_header_says_who_you_are_in_words(setup, app):
    box, board, units, other = setup
    board_page = login(app.test_client(), "board@example.com").get(f"/buildings/{box.id}").get_data(as_text=True)
    assert "you are on the board" in board_page and "a board<" not in board_page
    resident_page = login(app.test_client(), "res@example.com").get(f"/buildings/{box.id}").get_data(as_text=True)
    assert "you are a resident" in resident_page
