"""Errors raised by services. Views turn them into form errors or flashes, the API into JSON.
A message is for people, in the request's language (gettext); a code is for programs, in English."""
from flask_babel import gettext as _


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        if field:
            self.fields[field] = message


class ValidationError(ServiceError):
    status = 422
    code = "validation_error"


class NotFound(ServiceError):
    """Also what a user gets for an object outside their boxes, so existence does not leak."""

    status = 404
    code = "not_found"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Not found."))


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class BoxArchived(Conflict):
    """Every write to an archived box (core.uow); restoring it is the way on."""

    code = "box_archived"

    def __init__(self):
        super().__init__(_("This box is archived, so it is read-only. A manager can restore it from "
                           "the box's Settings page to change anything."))
