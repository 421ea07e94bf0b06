"""Two people of one name in a building (two units' residents both called علی رضایی): adding the second
is a warning to confirm, on the page and in the API, as in every product; never a dead end."""
from sqlalchemy import func, select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import UnitPerson
from hamyan.extensions import db
from tests.aptbox.conftest import insert_units
from tests.conftest import login

NAME = "علی رضایی"


def _people() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(UnitPerson))


def test_a_second_person_of_one_name_is_confirmed_on_the_unit_page(app, building):
    box, board = building()
    units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 90, 1, 0, True)])
    services.add_person(board, box.id, units[0].id, NAME, None, "resident")
    client = login(app.test_client(), "board@example.com")
    url = f"/buildings/{box.id}/units/{units[1].id}"
    form = {"which": "person", "name": NAME, "email": "", "relation": "resident"}

    asked = client.post(url, data=form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Another person of the same name?" in page
    assert "Yes, add them: it is another person" in page and _people() == 1

    added = client.post(url, data={**form, "confirmed": "1"})
    assert added.status_code == 302 and _people() == 2


def test_a_second_person_of_one_name_needs_same_name_ok_in_the_api(client, building, api_token):
    box, board = building()
    units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 90, 1, 0, True)])
    services.add_person(board, box.id, units[0].id, NAME, None, "resident")
    url = f"/api/v1/buildings/{box.id}/units/{units[1].id}/people"
    body = {"name": NAME, "relation": "resident"}

    refused = client.post(url, headers=api_token(board), json=body)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "same_name" and _people() == 1
    added = client.post(url, headers=api_token(board), json={**body, "same_name_ok": True})
    assert added.status_code == 201 and _people() == 2
