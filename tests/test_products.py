"""The product registry: one list, side-effect-free descriptors, read by the whole platform."""
import subprocess
import sys

import pytest

from hamyan.blueprints import PRODUCTS, product
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, SYSTEM, VIEW, Principal, authorize
from hamyan.boxes.models import MANAGING_ROLES
from hamyan.core import uow
from hamyan.core.errors import Forbidden, NotFound
from tests.conftest import login


@pytest.mark.parametrize("module", [p.models.partition(":")[0] for p in PRODUCTS] + ["hamyan.blueprints"])
def test_importing_a_products_models_imports_no_views_and_no_weasyprint(module):
    code = (f"import sys, {module}; "
            "print(sorted(m for m in sys.modules if m == 'weasyprint' or m.startswith('hamyan') and m.endswith(('.views', '.api'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_product_is_served_seeded_and_offered(app, client, make_user):
    for p in PRODUCTS:
        assert f"{p.kind}.new_box" in app.view_functions and f"{p.kind}.dashboard" in app.view_functions
        assert p.roles[0] in MANAGING_ROLES and p.demo
    make_user("boss@example.com", "Boss")
    login(client, "boss@example.com")
    page = client.get("/").get_data(as_text=True)
    for p in PRODUCTS:
        assert str(p.title) in page
    assert product("no-such-kind") is None


def test_receipt_uploads_are_limited_by_default(app):
    assert app.config["RECEIPT_MAX_BYTES"] == 5 * 1024 * 1024


def test_authorize_scopes_every_principal(make_user):
    manager, member, outsider = (make_user(f"{n}@example.com", n) for n in ("boss", "ann", "eve"))
    admin_user = make_user("root@example.com", "Root", is_admin=True)
    with uow.transaction():
        box = boxes.create_box(manager, "cashbox", "Street box", "IRR")
        boxes.add_member(manager, box.id, "Ann", "ann@example.com")
    assert authorize(manager, box.id, MANAGE).can_manage
    assert authorize(member, box.id, VIEW).membership.user_id == member.id
    with pytest.raises(Forbidden):
        authorize(member, box.id, MANAGE)
    for who in (outsider, Principal("partner", box_ids=frozenset({box.id + 1}))):
        with pytest.raises(NotFound):
            authorize(who, box.id, VIEW)
    with pytest.raises(NotFound):
        authorize(manager, box.id, VIEW, kind="no-such-kind")
    with pytest.raises(NotFound):
        authorize(manager, "2" * 40, VIEW)
    assert authorize(admin_user, box.id, MANAGE).membership is None
    assert authorize(SYSTEM, box.id, MANAGE).can_manage and SYSTEM.user_id is None
    assert authorize(Principal("partner", box_ids=frozenset({box.id})), box.id, MANAGE).can_manage


def test_every_product_names_what_its_people_owe_and_their_monthly_statement():
    """Reminders (notify.reminders) and monthly statements (statements.monthly) reach every product."""
    assert [p.kind for p in PRODUCTS if not (p.reminders and p.monthly_statement)] == []
