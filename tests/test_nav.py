"""The box layout every product page shares: the box, its kind, the viewer's role, and the tabs
the product's descriptor declares, kept to what the viewer may open."""
import re

import pytest
from flask import current_app, url_for
from sqlalchemy import select

from hamyan import demo
from hamyan.i18n import unit_of
from hamyan.blueprints import product
from hamyan.boxes.models import Box, Membership
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.web.nav import PLATFORM
from tests.conftest import login

TAB = re.compile(r'<li class="nav-item"><a class="nav-link( active)?" href="([^"]+)"[^>]*>([^<]+)</a></li>')


def tabs(html: str) -> list[tuple[str, str, bool]]:
    """(label, url, current) of the box's tab bar."""
    bar = html.split('<nav class="box-nav"', 1)[1].split("</nav>", 1)[0]
    return [(label, url, bool(active)) for active, url, label in TAB.findall(bar)]


@pytest.fixture
def boxes(client, demo_users):
    users = demo_users
    with uow.transaction():  # the demo pool adds Demo Member by email without an account: link it
        for membership in db.session.scalars(select(Membership).filter_by(email=users["member"].email)):
            membership.user_id = users["member"].id
    return users, {box.kind: box for box in db.session.scalars(select(Box))}


def dashboard(box) -> str:
    with current_app.test_request_context():
        return url_for(f"{box.kind}.dashboard", box_id=box.id)


def signed_in(app, email):
    client = app.test_client()
    login(client, email, demo.DEMO_PASSWORD)
    return client


@pytest.mark.parametrize("kind, manager_only, member_only", [
    ("cashbox", {"Set up"}, {"My shares"}),
    ("moneypool", {"Reports", "Settings"}, set()),
])
def test_each_role_sees_the_tabs_its_product_declares_for_it(app, boxes, kind, manager_only, member_only):
    box = boxes[1][kind]
    declared = [link.label for link in (*product(kind).nav, *PLATFORM)]
    manager_only = manager_only | {"Online payments", "Charts", "Activity", "Box settings"}
    shown = {}
    with current_app.test_request_context():  # an English page's name for the box's money
        unit = unit_of(box)
    for who in ("manager", "member", "admin"):
        html = signed_in(app, f"{who}@demo.hamyan").get(dashboard(box)).get_data(as_text=True)
        shown[who] = [label for label, _, _ in tabs(html)]
        assert f"{product(kind).name} · {unit} · you are {'an admin' if who == 'admin' else 'a ' + who}" in html
    assert shown["manager"] == declared  # the demo manager is also a member
    assert set(shown["member"]) == set(declared) - manager_only - {"Messages"}
    assert set(shown["admin"]) == set(declared) - member_only  # an admin outside the box holds no shares


@pytest.mark.parametrize("kind", ["cashbox", "moneypool"])
def test_every_tab_opens_and_is_marked_current_there(app, boxes, kind):
    client = signed_in(app, "manager@demo.hamyan")
    box = boxes[1][kind]
    for label, url, _ in tabs(client.get(dashboard(box)).get_data(as_text=True)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert [t[0] for t in tabs(response.get_data(as_text=True)) if t[2]] == [label]


def test_a_box_name_mixing_persian_and_latin_is_isolated_from_the_page_direction(app, boxes):
    """The heading and the breadcrumb set the name apart (<bdi>): a name typed as "صندوق Sky 2" stays
    whole in a page of either direction, and the heading keeps the page's side."""
    box = boxes[1]["cashbox"]
    with uow.transaction():
        db.session.get(Box, box.id).name = "صندوق Sky 2"
    html = signed_in(app, "member@demo.hamyan").get(dashboard(box)).get_data(as_text=True)
    assert '<h1 class="h3 mb-1 text-break"><bdi>صندوق Sky 2</bdi></h1>' in html
    assert '<bdi>صندوق Sky 2</bdi></a></li>' in html  # the breadcrumb
