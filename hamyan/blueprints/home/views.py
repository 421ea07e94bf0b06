from flask import current_app, jsonify
from hamyan.blueprints.home import bp
from flask_login import current_user, login_required
from sqlalchemy import text

from hamyan.boxes import services as boxes
from hamyan.boxes.models import KINDS
from hamyan.extensions import db
from hamyan.web import render

KIND_TITLES = {"cashbox": "Cashboxes", "moneypool": "Money pools", "aptbox": "Apartment funds",
               "rosca": "ROSCA boxes"}


@bp.route("/")
@login_required
def dashboard():
    grouped = {kind: [] for kind in KINDS}
    for box, membership in boxes.boxes_of(current_user):
        grouped[box.kind].append((box, membership))
    products = [kind for kind in KINDS if f"{kind}.new_box" in current_app.view_functions]
    dashboards = {kind for kind in KINDS if f"{kind}.dashboard" in current_app.view_functions}
    return render("home/dashboard.html", grouped=grouped, titles=KIND_TITLES, products=products,
                  dashboards=dashboards)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means unhealthy, whatever the driver raised
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
