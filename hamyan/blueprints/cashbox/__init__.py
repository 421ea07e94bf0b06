"""Cashbox: a fixed group saves each period and one share wins the whole pot, in a predefined or
a drawn (commit-reveal) order. The rules live in services (its docstring holds the chart of accounts)."""
from hamyan.core.product import Product

PRODUCT = Product(
    kind="cashbox",
    title="Cashboxes",
    roles=("manager", "member"),
    models="hamyan.blueprints.cashbox.models",
    views="hamyan.blueprints.cashbox.views:bp",
    api="hamyan.blueprints.cashbox.api:bp",
    jobs="hamyan.blueprints.cashbox.jobs",
    demo="hamyan.blueprints.cashbox.demo:seed_cashbox",
    reports={"manager": "hamyan.blueprints.cashbox.reports:render_manager_report"},
    reconcile="hamyan.blueprints.cashbox.services.state:reconcile",
    # Members are emailed this many days before a due date (and once late); 0 turns reminders off.
    settings={"CASHBOX_REMINDER_DAYS": 3},
)
