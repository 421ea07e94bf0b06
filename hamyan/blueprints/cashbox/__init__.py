"""Cashbox: a fixed group saves each period and one share wins the whole pot, in a predefined or
a drawn (commit-reveal) order. The rules live in services (its docstring holds the chart of accounts)."""
from flask_babel import lazy_gettext as _l

from hamyan.core.product import NavLink, Product

PRODUCT = Product(
    kind="cashbox",
    title=_l("Cashboxes"),
    name=_l("Cashbox"),
    summary=_l("A group saves the same amount every month and one share takes the whole pot, chosen by a draw anyone can check, until every share has won once."),
    roles=("manager", "member"),
    models="hamyan.blueprints.cashbox.models",
    views="hamyan.blueprints.cashbox.views:bp",
    api="hamyan.blueprints.cashbox.api:bp",
    jobs="hamyan.blueprints.cashbox.jobs",
    demo="hamyan.blueprints.cashbox.demo:seed_cashbox",
    reports={"manager": "hamyan.blueprints.cashbox.reports:render_manager_report"},
    nav=(
        NavLink(_l("Overview"), "cashbox.dashboard"),
        NavLink(_l("My shares"), "cashbox.member", audience="members"),
        NavLink(_l("Payments"), "cashbox.payments"),
        NavLink(_l("Fines"), "cashbox.fines"),
        NavLink(_l("Set up"), "cashbox.setup", audience="managers"),
    ),
    standing="hamyan.blueprints.cashbox.reports:standing",
    removal_blockers="hamyan.blueprints.cashbox.services.common:removal_blockers",
    figures="hamyan.blueprints.cashbox.reports:figures",
    upcoming="hamyan.blueprints.cashbox.reports:upcoming",
    reconcile="hamyan.blueprints.cashbox.services.state:reconcile",
    reminders="hamyan.blueprints.cashbox.services.reminders:owed",
    monthly_statement="hamyan.blueprints.cashbox.reports:member_statement_pdf",
    apply_payment="hamyan.blueprints.cashbox.services.payments:apply_payment",
    refund_payment="hamyan.blueprints.cashbox.services.payments:refund_payment",
)
