from flask import current_app, jsonify
from hamyan.blueprints.home import bp
from flask_login import current_user, login_required
from sqlalchemy import text

from hamyan.boxes import services as boxes
from hamyan.blueprints import PRODUCTS
from hamyan.extensions import db
from hamyan.web import render



@bp.route("/")
@login_required
def dashboard():
    grouped = {product.kind: [] for product in PRODUCTS}
    for box, membership in boxes.boxes_of(current_user):
        grouped[box.kind].append((box, membership))
    return render("home/dashboard.html", grouped=grouped, products=PRODUCTS)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means unhealthy, whatever the driver raised
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
