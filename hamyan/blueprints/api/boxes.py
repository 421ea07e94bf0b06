"""Fixing mistakes over the API, for every kind of box: rename a box and change its settings with no
money effect, archive and restore it, delete an empty one; correct a member's name, email and role,
remove one and bring them back. The same services as the pages (hamyan.boxes.services), so the same
rules and the same reasons when something is refused."""
import marshmallow as ma

from hamyan.blueprints.api import SameNameOk, UtcDateTime, api_blueprint, current_api_user
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, VIEW, authorize
from hamyan.dues import reminders

boxes_bp = api_blueprint("api_boxes", __name__, url_prefix="/api/v1/boxes",
                         description="A box of any kind: its name and settings, archiving, deleting an empty one, "
                                     "and correcting its members.", partners_allowed=False)

# Lengths and roles are checked by the service with every other field, so all errors come at once.
NAME = {"minLength": 1, "maxLength": 120}


class BoxOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    currency = ma.fields.String()
    timezone = ma.fields.String()
    locale = ma.fields.String()
    calendar = ma.fields.String()
    archived_at = UtcDateTime(allow_none=True, metadata={"description": "Set while the box is archived (read-only)"})
    reminder_days_before = ma.fields.Function(
        lambda box: reminders.timing(box)[0], metadata={
            "type": "integer", "description": "Members are reminded this many days before a due date (0: not "
                                               "before), and on the day; the platform's until the box chooses"})
    reminder_late_days = ma.fields.Function(
        lambda box: list(reminders.timing(box)[1]), metadata={
            "type": "array", "items": {"type": "integer"},
            "description": "...and again this many days after it while unpaid, escalating; the platform's until "
                           "the box chooses"})


class BoxPatch(ma.Schema):
    """Only the fields sent change; currency, time zone and calendar decide what is owed when, so they
    stay as the box was set up."""
    name = ma.fields.String(metadata=NAME)
    locale = ma.fields.String(metadata={"description": "How numbers show, e.g. fa_IR or en"})
    reminder_days_before = ma.fields.Integer(
        strict=True, allow_none=True, metadata={"minimum": 0, "maximum": reminders.MAX_DAYS_BEFORE,
                                                "description": "Days before a due date (0: no reminder before); "
                                                               "null: the platform's"})
    reminder_late_days = ma.fields.List(
        ma.fields.Integer(strict=True, metadata={"minimum": 1, "maximum": reminders.MAX_DAYS_LATE}), allow_none=True,
        metadata={"maxItems": reminders.MOST_LATE_DAYS,
                  "description": "Days late to remind again (repeats dropped, sorted); null or []: the platform's"})


class MemberOut(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    role = ma.fields.String()
    has_account = ma.fields.Function(lambda m: m.user_id is not None)
    left_at = UtcDateTime(allow_none=True, metadata={"description": "Set once the member was removed"})


class MemberPatch(SameNameOk):
    """Only the fields sent change; a name another member has needs same_name_ok."""
    display_name = ma.fields.String(metadata=NAME)
    email = ma.fields.String(allow_none=True,
                             metadata={"description": "Empty or null clears it; a member with an account keeps its email"})
    role = ma.fields.String(metadata={"description": "One of the box's roles (manager, member; aptbox: board, resident)"})


class RejoinIn(SameNameOk):
    """Bringing back a member who left; their name, if another member has it now, needs same_name_ok."""


@boxes_bp.route("/<int:box_id>", methods=["GET"])
@boxes_bp.response(200, BoxOut)
def get_box(box_id):
    """The box's name and settings (its members and managers)."""
    return authorize(current_api_user(), box_id, VIEW).box


@boxes_bp.route("/<int:box_id>", methods=["PATCH"])
@boxes_bp.arguments(BoxPatch)
@boxes_bp.response(200, BoxOut)
def update_box(body, box_id):
    """Rename the box, change its number format or when its reminders go out (managers). Every error
    comes at once (422)."""
    box = authorize(current_api_user(), box_id, MANAGE).box
    timing = {field: "" if body[field] is None else body[field]  # null: back to the platform's
              for field in ("reminder_days_before", "reminder_late_days") if field in body}
    return boxes.update_box(current_api_user(), box.id, body.get("name", box.name), body.get("locale", box.locale),
                            **timing)


@boxes_bp.route("/<int:box_id>/archive", methods=["POST"])
@boxes_bp.response(200, BoxOut)
def archive(box_id):
    """Archive the box (managers): read-only and off the dashboard, restorable. Archiving again changes nothing."""
    return boxes.archive(current_api_user(), box_id)


@boxes_bp.route("/<int:box_id>/restore", methods=["POST"])
@boxes_bp.response(200, BoxOut)
def restore(box_id):
    """Bring an archived box back (managers)."""
    return boxes.restore(current_api_user(), box_id)


@boxes_bp.route("/<int:box_id>", methods=["DELETE"])
@boxes_bp.response(204)
def delete_box(box_id):
    """Delete a box set up by mistake (managers), with its members and set-up: only while no money was
    ever recorded in it (409 saying so otherwise: archive it instead)."""
    boxes.delete_box(current_api_user(), box_id)


def _member(box_id, membership_id):
    box = authorize(current_api_user(), box_id, MANAGE).box
    return boxes.member_of(box, membership_id)


@boxes_bp.route("/<int:box_id>/members/<int:membership_id>", methods=["PATCH"])
@boxes_bp.arguments(MemberPatch)
@boxes_bp.response(200, MemberOut)
def edit_member(body, box_id, membership_id):
    """Correct a member's name, email or role (managers). A box keeps at least one manager; every
    error comes at once (422, per field). A removed member is 404: bring them back first."""
    m = _member(box_id, membership_id)
    return boxes.edit_member(current_api_user(), box_id, m.id, body.get("display_name", m.display_name),
                             body.get("email", m.email), body.get("role", m.role), body["same_name_ok"])


@boxes_bp.route("/<int:box_id>/members/<int:membership_id>", methods=["DELETE"])
@boxes_bp.response(200, MemberOut)
def remove_member(box_id, membership_id):
    """Remove a member who owes nothing and holds nothing (managers); their history stays. Otherwise 409
    saying what they still owe or hold (e.g. a share of the running round). Removing again changes nothing."""
    return boxes.remove_member(current_api_user(), box_id, membership_id)


@boxes_bp.route("/<int:box_id>/members/<int:membership_id>/rejoin", methods=["POST"])
@boxes_bp.arguments(RejoinIn)
@boxes_bp.response(200, MemberOut)
def rejoin(body, box_id, membership_id):
    """Bring back a removed member with their role and history (managers); a name another member now
    has needs same_name_ok (409 same_name otherwise)."""
    return boxes.rejoin(current_api_user(), box_id, membership_id, body["same_name_ok"])
