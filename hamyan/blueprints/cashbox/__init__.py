from flask import Blueprint

bp = Blueprint("cashbox", __name__, url_prefix="/cashbox")

from hamyan.blueprints.cashbox import views  # noqa: F401
