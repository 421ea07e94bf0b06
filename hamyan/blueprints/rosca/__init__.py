"""ROSCA: a rotation whose order is sold before the round. Seats are priced (manual, linear, or
fair at a rate), sold (whole or shared), then every seat pays the same each period and seat k
collects its own payout at period k; seats that have not collected can be traded at a fair price.
The rules live in services (its docstring and common.py hold the chart of accounts)."""
from flask_babel import lazy_gettext as _l

from hamyan.core.product import NavLink, Product

PRODUCT = Product(
    kind="rosca",
    title=_l("ROSCAs"),
    name=_l("ROSCA"),
    summary=_l("A rotating savings circle with seats: who collects when is priced fairly, seats can be traded, deposits cover a late payer."),
    roles=("manager", "member"),
    models="hamyan.blueprints.rosca.models",
    views="hamyan.blueprints.rosca.views:bp",
    api="hamyan.blueprints.rosca.api:bp",
    jobs="hamyan.blueprints.rosca.jobs",
    demo="hamyan.blueprints.rosca.demo:seed_rosca",
    reports={"manager": "hamyan.blueprints.rosca.reports:render_manager_report"},
    nav=(
        NavLink(_l("Seat board"), "rosca.dashboard"),
        NavLink(_l("Pricing"), "rosca.pricing"),
        NavLink(_l("Seats"), "rosca.seats"),
        NavLink(_l("Periods"), "rosca.grid"),
        NavLink(_l("Payments"), "rosca.payments"),
        NavLink(_l("Fines"), "rosca.fines"),
        NavLink(_l("Seat market"), "rosca.market"),
        NavLink(_l("My seats"), "rosca.mine", audience="members"),
    ),
    standing="hamyan.blueprints.rosca.reports:standing",
    removal_blockers="hamyan.blueprints.rosca.services.common:removal_blockers",
    figures="hamyan.blueprints.rosca.reports:figures",
    upcoming="hamyan.blueprints.rosca.reports:upcoming",
    reconcile="hamyan.blueprints.rosca.services.state:reconcile",
    numbered_payments="hamyan.blueprints.rosca.models:RoscaPayment",
    reminders="hamyan.blueprints.rosca.services.reminders:owed",
    monthly_statement="hamyan.blueprints.rosca.reports:member_statement_pdf",
    apply_payment="hamyan.blueprints.rosca.services.round:apply_payment",
    refund_payment="hamyan.blueprints.rosca.services.round:refund_payment",
)
