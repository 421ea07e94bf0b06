import pytest
from sqlalchemy import func, select

from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core.errors import ValidationError
from hamyan.extensions import db


@pytest.mark.parametrize("name", ["\x00", "Family\nbox", "tab\there", "", "   ", "x" * 121])
def test_box_and_member_names_refuse_control_characters_and_bad_lengths(make_user, name):
    manager = make_user()
    with pytest.raises(ValidationError) as error:
        boxes.create_box(manager, "cashbox", name, "IRR")
    assert "name" in error.value.fields
    box = boxes.create_box(manager, "cashbox", "صندوق خانواده", "IRR")
    with pytest.raises(ValidationError) as error:
        boxes.add_member(manager, box.id, name)
    assert "display_name" in error.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Box.id))) == 0
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_unicode_names_are_kept(make_user):
    manager = make_user()
    box = boxes.create_box(manager, "cashbox", "  صندوق خانواده  ", "IRR")
    member = boxes.add_member(manager, box.id, "زهرا 🌷")
    db.session.commit()
    assert (box.name, member.display_name) == ("صندوق خانواده", "زهرا 🌷")
