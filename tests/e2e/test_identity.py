"""Issue 9 in a real browser: an invitation link opened by someone it was not sent to."""
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from hamyan.boxes import services as boxes
from hamyan.boxes.models import Membership
from hamyan.core import uow
from hamyan.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.test_platform import sign_in


def test_a_stranger_opening_someone_elses_invitation_joins_nothing(page, make_user):
    manager = make_user("manager@example.com", "Manager")
    make_user("stranger@example.com", "Stranger")
    box = boxes.create_box(manager, "cashbox", "Family fund", "IRR")
    db.session.commit()
    with uow.transaction():
        _, token = boxes.invite(manager, box.id, "treasurer@example.com", role="manager")
    sign_in(page, "stranger@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="My boxes")).to_be_visible()
    page.goto(f"/invite/{token}")
    expect(page.get_by_role("alert")).to_contain_text("This invitation is for another address.")
    expect(page.get_by_role("button", name=re.compile("Join"))).to_have_count(0)
    page.goto("/")
    expect(page.get_by_text("Family fund")).to_have_count(0)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.box_id == box.id)) == 1
