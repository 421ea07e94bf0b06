import secrets
from urllib.parse import urlsplit

from flask import after_this_request, current_app, flash, make_response, request, session, url_for
from flask_babel import gettext as _, refresh
from flask_login import current_user, login_required, login_user, logout_user

from hamyan.blueprints.auth import DEVICE_COOKIE, bp, services, sign_in_limit
from hamyan.blueprints.auth.forms import (ChangeEmailForm, ChangePasswordForm, EmptyForm, ForgotForm, LanguageForm,
                                          LoginForm, ProfileForm, ResetForm, SignupForm, TokenForm)
from hamyan.boxes import services as boxes
from hamyan.core.errors import ServiceError
from hamyan.notify.services import profile as notify_profile
from hamyan.extensions import limiter
from hamyan.hamyar import referrals
from hamyan.i18n import LANGUAGE_COOKIE, LANGUAGES, bdi
from hamyan.web import apply_error, redirect_to, render, said


def local_next(target) -> str | None:
    """`target` when it is a path on this site, else None. A backslash reads as a slash to browsers
    ("/\\evil.example" goes to evil.example), and control characters or spaces could split or bend
    a header, so either refuses it."""
    target = target if isinstance(target, str) else ""
    if (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and not any(char.isspace() for char in target)
            and not urlsplit(target).netloc):
        return target
    return None


def _next_value() -> str:
    return local_next(request.values.get("next")) or ""


def _safe_next(default: str = "home.dashboard") -> str:
    """Only follow `next` within this site."""
    return _next_value() or url_for(default)


DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600


def _device() -> str:
    """The browser's device cookie (a random id set at its first sign-in), or a new one."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not (20 <= len(device) <= 64 and device.replace("-", "").replace("_", "").isalnum() and device.isascii()):
        device = secrets.token_urlsafe(32)

    @after_this_request
    def keep(response):
        response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response

    return device


def _sign_in(user, remember: bool = False) -> None:
    services.start_session(user, _device(), request.user_agent.string, request.remote_addr or "")
    login_user(user, remember=remember)
    session.permanent = True


def load_user(session_id: str):
    """Flask-Login's user loader: the session's user, noting where it was last seen from."""
    return services.load_session_user(session_id, request.remote_addr or "")


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limit(lambda: request.form.get("email"), success=(302, 204))
def login():
    if current_user.is_authenticated:
        return redirect_to(_safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            _sign_in(user, remember=form.remember.data)
            return redirect_to(_safe_next())
    return render("auth/login.html", "form", form=form, next=_next_value())


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out of this browser; with `everywhere`, of every browser and device. The session ends on
    the server, so a copied session or remember-me cookie no longer signs anyone in."""
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            everywhere = bool(request.form.get("everywhere"))
            services.end_sessions(current_user._get_current_object(), everywhere=everywhere)
            flash(_("You are signed out everywhere.") if everywhere else _("You are signed out."), "info")
        logout_user()
    return redirect_to("auth.login")


@bp.route("/language", methods=["POST"])
def choose_language():
    """A visitor's language (the footer's switch), kept in this browser for a year. A signed-in
    person's own choice on the profile page still wins; a visitor who signs up keeps this one."""
    language = request.form.get("language")
    response = make_response(redirect_to(_safe_next()))
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    else:
        flash(_("Choose one of the languages offered."), "danger")
    return response


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """The answer is the same whether or not the address already has an account: the email tells."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.signup(form.email.data, form.name.data, form.password.data, next_url=_next_value(),
                                   language=request.cookies.get(LANGUAGE_COOKIE))
        except ServiceError as error:
            apply_error(form, error)
        else:
            if user is not None and session.get("ref"):  # came by a referral link (hamyan.hamyar)
                referrals.attribute(user, session.pop("ref"))
            return render("auth/check_email.html", email=services.account_key(form.email.data))
    if request.method == "GET" and not form.email.data:
        form.email.data = _invited_email(_next_value())
    return render("auth/signup.html", "form", form=form, next=_next_value())


def _invited_email(next_url: str) -> str | None:
    """Signing up from an invitation link: the invited address, filled in (only it can accept)."""
    if not next_url.startswith("/invite/"):
        return None
    try:
        return boxes.invitation_from_token(next_url.removeprefix("/invite/").split("?")[0]).email
    except ServiceError:
        return None


@bp.route("/verify/<token>")
def verify(token):
    """The link emailed to confirm an address. It does not sign anyone in (a link someone else sent
    you would sign you into their account): its owner signs in, then goes where they were heading."""
    try:
        user, target = services.verify_email(token)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect_to("home.dashboard" if current_user.is_authenticated else "auth.login")
    target = local_next(target) or url_for("home.dashboard")
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("Your email %(email)s is confirmed.", email=user.email), "success")
        return redirect_to(target)
    flash(_("Your email %(email)s is confirmed. Sign in to continue.", email=user.email), "success")
    return redirect_to(url_for("auth.login", next=target))


@bp.route("/verify", methods=["POST"])
@login_required
def resend_verification():
    if EmptyForm().validate_on_submit():
        services.resend_verification(current_user, _next_value())
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect_to(_safe_next("auth.profile"))


def _reset_key() -> str:
    return "reset:" + services.account_key(request.form.get("email"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_reset_key, methods=["POST"])
def forgot():
    """Limited like sign-in, so nobody can flood someone's mailbox with reset links."""
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses that email, a reset link is on its way."), "info")
        return redirect_to("auth.login")
    return render("auth/forgot.html", "form", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    form = ResetForm()
    try:
        services.user_for_reset_token(token)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect_to("auth.forgot")
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            logout_user()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect_to("auth.login")
    return render("auth/reset.html", "form", form=form, token=token)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    forms = {
        "profile": ProfileForm(prefix="profile", name=current_user.name),
        "language": LanguageForm(prefix="language", language=current_user.language or ""),
        "email": ChangeEmailForm(prefix="email"),
        "password": ChangePasswordForm(prefix="password"),
        "token": TokenForm(prefix="token"),
    }
    new_secret = None
    which = request.form.get("which")
    form = forms.get(which)
    if request.method == "POST" and form is not None and form.validate_on_submit():
        try:
            if which == "profile":
                services.update_profile(current_user, form.name.data)
                flash(_("Profile saved."), "success")
            elif which == "language":
                services.set_language(current_user, form.language.data)
                refresh()  # this very page in the language just chosen
                flash(_("Language saved."), "success")
            elif which == "email":
                services.change_email(current_user, form.email.data, form.password.data)
                flash(_("Email changed. Other sessions are signed out. Open the link we sent to "
                        "%(email)s to confirm it.", email=current_user.email), "success")
            elif which == "password":
                services.change_password(current_user, form.current.data, form.password.data)
                flash(_("Password changed. Other sessions are signed out and your API tokens are revoked."),
                      "success")
            else:
                new_secret = services.create_api_token(current_user, form.name.data)[1]
                forms["token"] = TokenForm(prefix="token", formdata=None)
        except ServiceError as error:
            apply_error(form, error)
    return render("auth/profile.html", forms=forms, new_secret=new_secret,
                  tokens=services.api_tokens_of(current_user), revoke_form=EmptyForm())


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    if EmptyForm().validate_on_submit():
        try:
            services.revoke_api_token(current_user, token_id)
            flash(_("Token revoked."), "success")
        except ServiceError as error:
            flash(error.message, "danger")
    return redirect_to("auth.profile")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token):
    try:
        invite = boxes.invitation_from_token(token)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect_to("home.dashboard" if current_user.is_authenticated else "auth.login")
    form = EmptyForm()
    refusal = boxes.why_not_accept(current_user, invite) if current_user.is_authenticated else None
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            box = boxes.accept_invitation(current_user, token)
        except ServiceError as error:
            refusal = error.message
        else:
            flash(said(_("You joined %(box)s."), box=bdi(box.name)), "success")
            return redirect_to("home.dashboard")
    return render("auth/invitation.html", invite=invite, form=form, token=token, refusal=refusal), (
        403 if refusal and request.method == "POST" else 200)


@bp.route("/profile/devices")
@login_required
def devices():
    """Where this account is signed in: browser and system, IP address, last seen; sign any out."""
    return render("auth/devices.html", devices=services.devices_of(current_user, current_user.id), form=EmptyForm(),
                  zone=notify_profile(current_user.id))  # times in the zone of the user's notification settings


@bp.route("/profile/devices/<int:session_id>/sign-out", methods=["POST"])
@login_required
def sign_out_device(session_id):
    if EmptyForm().validate_on_submit():
        if services.sign_out_device(current_user, current_user.id, session_id):
            logout_user()  # this very browser was the one signed out
            flash(_("You are signed out."), "info")
            return redirect_to("auth.login")
        flash(_("That device is signed out."), "success")
    return redirect_to("auth.devices")


@bp.route("/profile/devices/sign-out-others", methods=["POST"])
@login_required
def sign_out_other_devices():
    if EmptyForm().validate_on_submit():
        services.end_sessions(current_user._get_current_object(), everywhere=True, keep_current=True)
        flash(_("Every other device is signed out."), "success")
    return redirect_to("auth.devices")
