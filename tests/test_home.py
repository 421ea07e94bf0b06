"""The front page: a visitor's landing page, a member's boxes, and an admin's every box; the
shell every page shares (skip link, a menu and "New box" that need no script)."""
import re
from markupsafe import escape

from hamyan.blueprints import PRODUCTS
from hamyan.boxes import services as boxes
from hamyan.core import uow
from tests.conftest import login


def text(response):
    return response.get_data(as_text=True)


def test_a_visitor_sees_what_hamyan_is_with_sign_in_and_sign_up(client):
    response = client.get("/")
    page = text(response)
    assert response.status_code == 200
    for p in PRODUCTS:
        assert str(p.name) in page and str(escape(p.summary)) in page
    assert "double-entry ledger" in page and 'href="/login"' in page and 'href="/signup"' in page
    assert "My boxes" not in page


def test_an_admin_finds_every_box_not_only_their_own(client, make_user):
    owner = make_user("owner@example.com", "Owner")
    with uow.transaction():
        boxes.create_box(owner, "cashbox", "صندوق خانوادگی رضایی", "IRR")
        boxes.create_box(owner, "moneypool", "Neighbours fund", "IRR")
    make_user("admin@example.com", "Admin", is_admin=True)
    login(client, "admin@example.com")
    page = text(client.get("/"))
    assert "صندوق خانوادگی رضایی" in page and "Neighbours fund" in page
    assert "You are not in any box yet" not in page
    found = text(client.get("/?q=رضایی"))
    assert "صندوق خانوادگی رضایی" in found and "Neighbours fund" not in found


def test_a_member_sees_only_their_boxes(client, make_user):
    owner = make_user("owner@example.com", "Owner")
    with uow.transaction():
        boxes.create_box(owner, "cashbox", "Owner's box", "IRR")
    make_user("mina@example.com", "Mina")
    login(client, "mina@example.com")
    page = text(client.get("/?q=Owner"))
    assert "Owner&#39;s box" not in page and "Every box" not in page


def test_the_shell_has_a_skip_link_and_new_box_opens_without_script(client, make_user):
    make_user("mina@example.com", "Mina")
    login(client, "mina@example.com")
    page = text(client.get("/"))
    assert re.search(r'<a class="[^"]*visually-hidden-focusable[^"]*" href="#main">Skip to the content</a>', page)
    assert 'id="main"' in page
    new_box = page[page.index("<details"):page.index("</details>")]
    assert "<summary" in new_box and "data-bs-toggle" not in new_box
    for p in PRODUCTS:
        assert str(p.title) in new_box
