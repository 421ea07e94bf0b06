"""The box's own settings page every product shares: rename, number format, archive or restore,
delete a box set up by mistake."""
from flask import Blueprint

bp = Blueprint("box", __name__, url_prefix="/boxes/<int:box_id>")

from hamyan.blueprints.box import views  # noqa: E402,F401
