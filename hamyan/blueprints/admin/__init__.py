"""The site's admin pages (/admin): scheduled jobs and their runs. Admins only: anyone else gets
404, so the pages' existence does not leak."""
from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


from hamyan.blueprints.admin import users, views  # noqa: E402,F401
