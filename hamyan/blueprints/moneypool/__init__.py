"""Moneypool: members save by shares over time and borrow from what the group saved.

The rules live in services.py (its docstring holds the chart of accounts), the installment
arithmetic in schedules.py."""
from flask import Blueprint

bp = Blueprint("moneypool", __name__, url_prefix="/pools")


@bp.record_once
def _macros_as_globals(state):
    """The page macros as globals (mp_loan_badge, mp_stat): an htmx partial runs only its
    block, where a template's top-level {% from ... import %} is undefined."""
    env = state.app.jinja_env

    def macro(name):
        return lambda *args, **kwargs: getattr(env.get_template("moneypool/_macros.html").module, name)(
            *args, **kwargs)

    env.globals.update({f"mp_{name}": macro(name) for name in ("loan_badge", "stat")})
from hamyan.blueprints.moneypool import (
    jobs,  # noqa: F401  registers the daily assessment
    views,  # noqa: F401
)
