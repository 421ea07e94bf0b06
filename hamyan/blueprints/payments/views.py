"""Payment pages: paying online (a member's "Pay online"), the payer's status page, the gateways'
return and callback URLs, the sandbox gateway's own page, the box's online payments page for
managers (settings, reconciliation, refunds); and reported payments ("I have paid": the member's
form, the managers' confirm or reject, the receipt file) with the card or account the box shows."""
import uuid

from flask import abort, current_app, flash, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.blueprints.payments import bp, reports, services
from hamyan.blueprints.payments.forms import DecideForm, PayForm, RefundForm, ReportForm, SettingsForm
from hamyan.blueprints.payments.gateways import Refused, sandbox
from hamyan.blueprints.payments.models import (
    CONFIRMED,
    EVENT_KIND_NAMES,
    FEE_BEARER_NAMES,
    METHODS,
    OUTCOME_NAMES,
    PENDING,
    REJECTED,
    REPORT_STATUS_NAMES,
    STATUS_NAMES,
    SandboxPayment,
)
from hamyan.boxes.access import MANAGE, VIEW, authorize
from hamyan.core import clock, uow
from hamyan.core.uploads import Receipt
from hamyan.core.errors import ServiceError
from hamyan.extensions import csrf, error_body
from hamyan.web import apply_error, redirect_to, render
from hamyan.web.fields import day_value
from hamyan.web.listing import requested_page
from hamyan.web.nav import box_nav

REPORT_STATUS_CLASS = {PENDING: "text-bg-warning", CONFIRMED: "text-bg-success", REJECTED: "text-bg-danger"}
SANDBOX_STATES = {"waiting": _l("waiting for the payer"), "paid": _l("paid"), "failed": _l("failed"),
                  "cancelled": _l("cancelled")}


@bp.route("/boxes/<int:box_id>/pay", methods=["GET", "POST"])
@login_required
def pay(box_id):
    access = authorize(current_user, box_id, VIEW)
    form = PayForm()
    targets = services.targets_of(access.box, access.membership.id) if access.membership else None
    form.target.choices = list((targets or {}).items())
    if request.method == "GET":
        form.amount.data = request.args.get("amount") or form.amount.data
        form.target.data = request.args.get("target") or form.target.data
    if form.validate_on_submit():
        try:
            intent = services.create_intent(current_user, box_id, form.amount.data, target=form.target.data)
            return redirect_to(services.start(intent, url_for("payments.returned", gateway=intent.gateway,
                                                              _external=True)))
        except ServiceError as error:
            apply_error(form, error)
    settings = services.settings_of(access.box.id)
    return render("payments/pay.html", "form", form=form, box=access.box, settings=settings, targets=targets,
                  offers=services.offers_online(access.box), membership=access.membership,
                  fee_percent=current_app.config["PAYMENTS_FEE_PERCENT"],
                  nav=box_nav(access.box, access.membership, access.can_manage))


@bp.route("/payments/<public_id>/pay")
@login_required
def pay_intent(public_id):
    """The payer's link to an intent made through the API: on to the gateway while it is open."""
    intent = services.intent_in_sight(current_user, public_id)
    if intent.status != "created":
        return redirect_to("payments.status", public_id=intent.public_id)
    try:
        return redirect_to(services.start(intent, url_for("payments.returned", gateway=intent.gateway, _external=True)))
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect_to("payments.status", public_id=intent.public_id)


@bp.route("/payments/<public_id>")
@login_required
def status(public_id):
    intent = services.intent_in_sight(current_user, public_id)
    access = authorize(current_user, intent.box_id, VIEW)
    return render("payments/status.html", intent=intent, box=access.box,
                  nav=box_nav(access.box, access.membership, access.can_manage))


@bp.route("/payments/return/<gateway>")
def returned(gateway):
    """Where a gateway sends the payer back (Zarinpal: ?Authority=...&Status=OK|NOK)."""
    authority = request.args.get("Authority") or request.args.get("authority") or ""
    intent = services.receive_return(gateway, authority)
    return redirect_to("payments.status", public_id=intent.public_id)


@bp.route("/payments/callback/<gateway>", methods=["POST"])
@csrf.exempt
def callback(gateway):
    """A gateway's server-to-server notification. 200 whatever became of a genuine one (the
    provider must stop resending); 400 for one that is not genuine."""
    try:
        outcome = services.receive_callback(gateway, request.get_data(cache=False)[:20000], request.headers)
    except Refused as refused:
        return error_body(400, "refused", _("This callback was refused."), {"callback": str(refused)})
    return jsonify(outcome=outcome)


# --- the sandbox gateway's page: it plays the provider -------------------------------------------

def _sandbox_row(authority: str) -> SandboxPayment:
    """The sandbox's payment, locked for this write (made when first opened); 404 for an unknown one."""
    row = sandbox.opened(str(authority)[:64])
    if row is None:
        abort(404)
    return row


def _send(body: bytes, times: int) -> None:
    for _attempt in range(times):  # what a provider does: it resends until it is sure
        try:
            services.receive_callback("sandbox", body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body)})
        except Refused:
            pass  # logged by receive_callback


@bp.route("/payments/sandbox/<authority>", methods=["GET", "POST"])
def sandbox_page(authority):
    if request.method == "POST" and not EmptyForm().validate_on_submit():
        abort(400)
    with uow.transaction():  # the sandbox provider's own books
        row = _sandbox_row(authority)
        choice = request.form.get("choice", "")
        if request.method == "POST" and choice not in sandbox.CHOICES:
            abort(400)
        body = sandbox.choose(row, choice) if request.method == "POST" else None
    if request.method == "POST":
        if body is not None:
            _send(body, 2 if row.outcome == "paid" else 1)
        return redirect_to(url_for("payments.returned", gateway="sandbox", authority=row.authority))
    return render("payments/sandbox.html", row=row, form=EmptyForm(), sandbox_states=SANDBOX_STATES)


@bp.route("/payments/sandbox/<authority>/callback", methods=["POST"])
def sandbox_late_callback(authority):
    """Send the callback a 'late callback' choice held back (after the payer has returned)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with uow.transaction():
        row = _sandbox_row(authority)
        body, row.pending_callback = row.pending_callback, None
    if body:
        _send(body.encode(), 2)
        flash(_("The late callback was sent."), "success")
    return redirect_to("payments.sandbox_page", authority=authority)


# --- the box's online payments page (managers) ---------------------------------------------------

def _manage_page(box_id, form=None, block=None):
    only = request.args.get("problems") == "1"
    box, listing, rows = services.reconciliation(current_user, box_id, requested_page(), only)
    access = authorize(current_user, box.id, MANAGE)
    settings = services.settings_of(box.id)
    if form is None:
        form = SettingsForm(formdata=None, online_enabled=settings.online_enabled, fee_bearer=settings.fee_bearer)
    return render("payments/manage.html", block, partials=("intents",), box=box, listing=listing, rows=rows,
                  form=form, only_problems=only, refund_form=RefundForm(formdata=None),
                  events=services.recent_events(box.id), nav=box_nav(box, access.membership, access.can_manage),
                  status_names=STATUS_NAMES, fee_bearer_names=FEE_BEARER_NAMES, outcome_names=OUTCOME_NAMES,
                  event_kind_names=EVENT_KIND_NAMES)


@bp.route("/boxes/<int:box_id>/online-payments", methods=["GET", "POST"])
@login_required
def manage(box_id):
    if request.method == "GET":
        return _manage_page(box_id)
    authorize(current_user, box_id, MANAGE)
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, box_id, form.online_enabled.data, form.fee_bearer.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Online payment settings saved."), "success")
            return redirect_to("payments.manage", box_id=box_id)
    return _manage_page(box_id, form, "settings")


@bp.route("/boxes/<int:box_id>/online-payments/<public_id>/refund", methods=["POST"])
@login_required
def refund(box_id, public_id):
    authorize(current_user, box_id, MANAGE)
    form = RefundForm()
    if not form.validate_on_submit():
        flash(_("Say why the payment is refunded."), "danger")
    else:
        try:
            services.refund(current_user, box_id, public_id, form.reason.data)
        except ServiceError as error:
            if error.status == 404:  # another box's payment
                raise
            flash(error.message, "danger")
        else:
            flash(_("The payment was refunded and its entry reversed."), "success")
    return redirect_to("payments.manage", box_id=box_id)


# --- reported payments ("I have paid") ------------------------------------------------------------

def _report_page(box_id, form=None):
    """The page (a form sent back with its errors: that form's block), or for the pagers a list's block."""
    view = reports.listing(current_user, box_id, requested_page(), requested_page("mine"), request.args.get("show") == "all")
    access = authorize(current_user, box_id, VIEW)
    block = "report_form" if form is not None else None
    if form is None:
        form = ReportForm(formdata=None, key=uuid.uuid4().hex, target=request.args.get("target", ""),
                          paid_on=day_value(clock.today(view.box), view.box.calendar, view.box))
    form.target.choices = list((view.targets or {}).items())
    return render("payments/reported.html", block, partials=("reports", "mine"), form=form, view=view, box=view.box,
                  methods=METHODS,
                  report_status_names=REPORT_STATUS_NAMES, status_class=REPORT_STATUS_CLASS,
                  decide_form=DecideForm(formdata=None), receipt_mb=current_app.config["RECEIPT_MAX_BYTES"] // 2**20,
                  nav=box_nav(view.box, access.membership, access.can_manage))


@bp.route("/boxes/<int:box_id>/reported-payments", methods=["GET", "POST"])
@login_required
def reported(box_id):
    if request.method == "GET":
        return _report_page(box_id)
    form = ReportForm()
    if form.validate_on_submit():
        upload = request.files.get("receipt")
        receipt = Receipt(upload.read(), upload.filename) if upload is not None and upload.filename else None
        try:
            reports.report(current_user, box_id, form.amount.data, form.paid_on.data, form.method.data,
                           form.reference.data, receipt, form.target.data, form.key.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Reported. The managers confirm it once the money is in the account; you will hear either way."),
                  "success")
            return redirect_to("payments.reported", box_id=box_id)
    return _report_page(box_id, form)


@bp.route("/boxes/<int:box_id>/reported-payments/<int:report_id>/<any(confirm, reject):action>", methods=["POST"])
@login_required
def decide(box_id, report_id, action):
    authorize(current_user, box_id, MANAGE)
    form = DecideForm()
    if form.validate_on_submit():
        try:
            if action == "confirm":
                reports.confirm(current_user, box_id, report_id)
                flash(_("Confirmed: the payment is recorded and the member gets a receipt."), "success")
            else:
                reports.reject(current_user, box_id, report_id, form.reason.data)
                flash(_("Rejected; the member is told why."), "success")
        except ServiceError as error:
            if error.status == 404:
                raise
            flash(error.message, "danger")
    return redirect_to("payments.reported", box_id=box_id)


@bp.route("/boxes/<int:box_id>/reported-payments/<int:report_id>/receipt")
@login_required
def report_receipt(box_id, report_id):
    """For the box's managers and the member who reported it; anyone else gets 404."""
    path, mimetype, name = reports.receipt_file(current_user, box_id, report_id)
    response = send_file(path, mimetype=mimetype, download_name=name, as_attachment=mimetype == "application/pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def pay_online_url(box, membership_id, amount: int | None = None, target: str | None = None) -> str | None:
    """Where a product page's "Pay online" button goes: only for the signed-in member's own dues,
    only when the box takes online payments; `amount` (minor units) is proposed, the payer may change
    it; `target` says what it pays for (a building's unit)."""
    if not current_user.is_authenticated or not services.offers_online(box):
        return None
    from hamyan.boxes.access import membership_of

    own = membership_of(current_user, box.id)
    if own is None or own.id != membership_id:
        return None
    from hamyan.core import parse

    return url_for("payments.pay", box_id=box.id, amount=parse.canonical(amount, box.currency) if amount and amount > 0
                   else None, target=target)
