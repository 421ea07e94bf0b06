from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Optional

from hamyan.blueprints.auth.forms import STRIP
from hamyan.blueprints import product
from hamyan.boxes.models import role_name
from hamyan.web.fields import Length


def _role_choices(box):
    return [(role, role_name(role).capitalize()) for role in reversed(product(box.kind).roles)]


class AddMemberForm(FlaskForm):
    display_name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email (optional)"), filters=STRIP, validators=[Optional(), Email(), Length(max=254)])
    role = SelectField(_l("Role"))
    # Shown once the name is found taken (boxes.services.SameName): ticking it says it is someone else.
    same_name = BooleanField(_l("Yes, this is another person of that name"))

    def for_box(self, box):
        self.role.choices = _role_choices(box)
        return self


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"))
    # The name of someone added without an account (hamyan.web.picker), or empty for someone new.
    member = StringField(_l("For someone already added (optional)"), filters=STRIP, validators=[Length(max=120)])

    def for_box(self, box):
        self.role.choices = _role_choices(box)
        return self


class EditMemberForm(AddMemberForm):
    email = EmailField(_l("Email"), filters=STRIP, validators=[Optional(), Email(), Length(max=254)])
