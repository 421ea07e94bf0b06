"""Aptbox: a building's fund. Units are charged by a plan split by area, occupants, parking or a
weighted mix; residents pay; the board spends from operating and reserve funds and shows every
rial. The rules live in services (its docstring holds the chart of accounts)."""
from flask_babel import lazy_gettext as _l

from hamyan.core.product import NavLink, Product

PRODUCT = Product(
    kind="aptbox",
    title=_l("Buildings"),
    name=_l("Building"),
    summary=_l("A building's residents and owners share its running costs: monthly charges split fairly by unit, expenses with receipts, notices and votes."),
    roles=("board", "resident"),
    models="hamyan.blueprints.aptbox.models",
    views="hamyan.blueprints.aptbox.views:bp",
    api="hamyan.blueprints.aptbox.api:bp",
    jobs="hamyan.blueprints.aptbox.jobs",
    demo="hamyan.blueprints.aptbox.demo:seed_building",
    standing="hamyan.blueprints.aptbox.reports:standing",
    removal_blockers="hamyan.blueprints.aptbox.services.units:removal_blockers",
    figures="hamyan.blueprints.aptbox.reports:figures",
    upcoming="hamyan.blueprints.aptbox.reports:upcoming",
    reconcile="hamyan.blueprints.aptbox.services:reconcile",
    apply_payment="hamyan.blueprints.aptbox.services.online:apply_payment",
    refund_payment="hamyan.blueprints.aptbox.services.online:refund_payment",
    payment_targets="hamyan.blueprints.aptbox.services.online:payment_targets",
    nav=(
        NavLink(_l("Overview"), "aptbox.dashboard"),
        NavLink(_l("Units"), "aptbox.units", also=("aptbox.unit", "aptbox.import_units")),
        NavLink(_l("Charges"), "aptbox.charges", audience="managers", also=("aptbox.charges_list",)),
        NavLink(_l("Payments"), "aptbox.payments"),
        NavLink(_l("Late fees"), "aptbox.fines"),
        NavLink(_l("Expenses"), "aptbox.expenses"),
        NavLink(_l("Reports"), "aptbox.reports_page"),
        NavLink(_l("Notices"), "aptbox.notices"),
    ),
    member_subjects="hamyan.blueprints.aptbox.reports:member_subjects",
    subject_members="hamyan.blueprints.aptbox.reports:subject_members",
    numbered_payments="hamyan.blueprints.aptbox.models:UnitPayment",
    reports={"board": "hamyan.blueprints.aptbox.reports:render_board_statement",
             "units": "hamyan.blueprints.aptbox.reports:render_unit_statements"},
    reminders="hamyan.blueprints.aptbox.services.reminders:owed",
    monthly_statement="hamyan.blueprints.aptbox.reports:member_statement_pdf",
    # The largest receipt (photo or PDF) an expense may carry.
)
