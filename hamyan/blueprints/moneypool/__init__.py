"""Moneypool: members save by shares over time and borrow from what the group saved.

The rules live in services (its docstring holds the chart of accounts), the installment
arithmetic and loan replay in hamyan/lending."""
from flask_babel import lazy_gettext as _l

from hamyan.core.product import NavLink, Product

PRODUCT = Product(
    kind="moneypool",
    title=_l("Money pools"),
    name=_l("Money pool"),
    summary=_l("Members save together and borrow from what they saved: interest-free (qard al-hasanah) or with interest, with guarantors, a fair queue and schedules."),
    roles=("manager", "member"),
    models="hamyan.blueprints.moneypool.models",
    views="hamyan.blueprints.moneypool.views:bp",
    api="hamyan.blueprints.moneypool.api:bp",
    jobs="hamyan.blueprints.moneypool.jobs",
    demo="hamyan.blueprints.moneypool.demo:seed_moneypool",
    reports={"manager": "hamyan.blueprints.moneypool.reports:render_manager_report"},
    nav=(
        NavLink(_l("Overview"), "moneypool.dashboard", also=("moneypool.member", "moneypool.add_member", "moneypool.balance_sheet")),
        NavLink(_l("Loans"), "moneypool.loans", also=("moneypool.loan", "moneypool.request_loan", "moneypool.loan_calculator", "moneypool.repayments")),
        NavLink(_l("Contributions"), "moneypool.contributions"),
        NavLink(_l("Fines"), "moneypool.fines"),
        NavLink(_l("Reports"), "moneypool.report", audience="managers"),
        NavLink(_l("How it works"), "moneypool.rules"),
        NavLink(_l("Settings"), "moneypool.settings", audience="managers"),
    ),
    standing="hamyan.blueprints.moneypool.reports:standing",
    removal_blockers="hamyan.blueprints.moneypool.services.members:removal_blockers",
    renamed="hamyan.blueprints.moneypool.services.summary:renamed",
    figures="hamyan.blueprints.moneypool.reports:figures",
    upcoming="hamyan.blueprints.moneypool.reports:upcoming",
    reconcile="hamyan.blueprints.moneypool.services:reconcile",
    reminders="hamyan.blueprints.moneypool.reminders:owed",
    member_subjects="hamyan.blueprints.moneypool.reports:member_subjects",
    subject_members="hamyan.blueprints.moneypool.reports:subject_members",
    numbered_payments="hamyan.blueprints.moneypool.models:Repayment",
    monthly_statement="hamyan.blueprints.moneypool.reports:monthly_statement",
    apply_payment="hamyan.blueprints.moneypool.services.online:apply_payment",
    payment_targets="hamyan.blueprints.moneypool.services.online:payment_targets",
    refund_payment="hamyan.blueprints.moneypool.services.online:refund_payment",
)
