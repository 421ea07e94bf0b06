"""Cashbox pages."""
from hamyan.blueprints.cashbox import bp  # noqa: F401
