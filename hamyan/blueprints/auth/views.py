from urllib.parse import urlsplit

from flask import current_app, flash, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from hamyan.blueprints.auth import bp, services
from hamyan.blueprints.auth.forms import (ChangeEmailForm, ChangePasswordForm, EmptyForm, ForgotForm,
                                          LoginForm, ProfileForm, ResetForm, SignupForm, TokenForm)
from hamyan.boxes import services as boxes
from hamyan.core.errors import ServiceError
from hamyan.extensions import limiter
from hamyan.web import apply_error, redirect_to, render


def _safe_next(default: str = "home.dashboard") -> str:
    """Only follow `next` within this site."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    # browsers read a backslash as a slash ("/\\evil.example" goes to evil.example), so refuse it too
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and not parts.netloc:
        return target
    return url_for(default)


def _login_key() -> str:
    return f"{request.remote_addr}:{(request.form.get('email') or '').strip().lower()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code != 302 and response.status_code != 204)
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
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect_to(_safe_next())
    return render("auth/login.html", "form", form=form, next=request.values.get("next", ""))


@bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect_to("auth.login")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.signup(form.email.data, form.name.data, form.password.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            login_user(user)
            flash(f"Welcome to Hamyan, {user.name}.", "success")
            return redirect_to(_safe_next())
    return render("auth/signup.html", "form", form=form, next=request.values.get("next", ""))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"])
def forgot():
    """Limited like sign-in, so nobody can flood someone's mailbox with reset links."""
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash("If an account uses that email, a reset link is on its way.", "info")
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
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect_to("auth.login")
    return render("auth/reset.html", "form", form=form, token=token)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    forms = {
        "profile": ProfileForm(prefix="profile", name=current_user.name),
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
                flash("Profile saved.", "success")
            elif which == "email":
                services.change_email(current_user, form.email.data, form.password.data)
                login_user(current_user._get_current_object())  # keep this session after the version bump
                flash("Email changed. Other sessions are signed out.", "success")
            elif which == "password":
                services.change_password(current_user, form.current.data, form.password.data)
                login_user(current_user._get_current_object())  # keep this session after the version bump
                flash("Password changed. Other sessions are signed out.", "success")
            else:
                _, new_secret = services.create_api_token(current_user, form.name.data)
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
            flash("Token revoked.", "success")
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
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            box = boxes.accept_invitation(current_user, token)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"You joined {box.name}.", "success")
            return redirect_to("home.dashboard")
    return render("auth/invitation.html", invite=invite, form=form, token=token)
