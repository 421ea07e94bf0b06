"""The members page every box kind shares: who is in the box, and adding or inviting people."""
from flask import Blueprint

bp = Blueprint("members", __name__, url_prefix="/boxes/<int:box_id>/members")

from hamyan.blueprints.members import views  # noqa: E402,F401
