"""Report jobs of any product: ask for one, watch its progress, download the PDF (hamyan.statements.jobs)."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/boxes/<int:box_id>/reports")

from hamyan.blueprints.reports import views  # noqa: E402,F401
