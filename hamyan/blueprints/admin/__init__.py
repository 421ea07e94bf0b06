"""The site's admin console (/admin): users, boxes, plans and subscriptions, outbox, health, scheduled
jobs, backups (and, from their own packages, activity, messages and partner keys). Admins only:
anyone else gets 404, so the pages' existence does not leak."""
from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_app_request
def admins_only():
    """Everything under /admin, whichever blueprint serves it (activity, messages, partner keys too):
    404 before any login redirect or method check, so nobody else learns what is there."""
    if (request.path == "/admin" or request.path.startswith("/admin/")) and not (
            current_user.is_authenticated and current_user.is_admin):
        abort(404)


from hamyan.blueprints.admin import plans, system, users, views  # noqa: E402,F401
