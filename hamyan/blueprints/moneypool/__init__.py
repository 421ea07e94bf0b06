"""Moneypool: members save by shares over time and borrow from what the group saved.

The rules live in services.py (its docstring holds the chart of accounts), the installment
arithmetic in schedules.py."""
from flask import Blueprint

bp = Blueprint("moneypool", __name__, url_prefix="/pools")
from hamyan.blueprints.moneypool import (
    jobs,  # noqa: F401  registers the daily assessment
    views,  # noqa: F401
)
