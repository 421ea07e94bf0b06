"""Hamyar's pages: the inbox (/inbox), my money (/my-money), the invite page and referral links
(/invite, /r/<code>), and the operator's announcements (/admin/announcements, admins only: 404 to others)."""
from flask import Blueprint, abort, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import StringField, TextAreaField

from hamyan.core.errors import ServiceError
from hamyan.extensions import db
from hamyan.hamyar import inbox, mymoney, referrals
from hamyan.web import apply_error, redirect_to, render
from hamyan.web.listing import requested_page

bp = Blueprint("hamyar", __name__)


@bp.app_context_processor
def navigation_bar():
    """The unread count and the running announcement every page's navigation shows (one query)."""
    # A PDF rendered by a job has a request context but nobody signed in (current_user is None).
    if not getattr(current_user, "is_authenticated", False):
        return {"hamyar_bar": None}
    try:
        return {"hamyar_bar": inbox.bar(current_user.id)}
    except OperationalError:  # the database is away: the error page says so, without the count
        db.session.rollback()
        return {"hamyar_bar": None}


@bp.route("/inbox")
@login_required
def inbox_page():
    listed = inbox.messages(current_user.id, requested_page())
    return render("hamyar/inbox.html", partials=("messages",), rows=listed.items, page=listed.page, pages=listed.pages,
                  announcements=inbox.announcements())


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_read():
    """Mark one message read (message=<id>) or all of them."""
    inbox.mark_read(current_user, request.form.get("message") or None)
    return redirect_to("hamyar.inbox_page")


@bp.route("/my-money")
@login_required
def my_money():
    return render("hamyar/my_money.html", money=mymoney.my_money(current_user.id))


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"dir": "auto"})
    body = TextAreaField(_l("Announcement"), render_kw={"rows": 5, "dir": "auto"})


def _admins_only():
    if not current_user.is_admin:
        abort(404)


@bp.route("/admin/announcements", methods=["GET", "POST"])
@login_required
def announcements():
    _admins_only()
    form = AnnouncementForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            inbox.announce(current_user, form.title.data, form.body.data)
            return redirect_to("hamyar.announcements")
        except ServiceError as error:
            apply_error(form, error)
    return render("hamyar/announcements.html", "form", form=form,
                  announcements=inbox.announcements(running_only=False, limit=50))


@bp.route("/admin/announcements/<int:announcement_id>/end", methods=["POST"])
@login_required
def end_announcement(announcement_id):
    _admins_only()
    inbox.end_announcement(current_user, announcement_id)
    return redirect_to("hamyar.announcements")


@bp.route("/invite")
@login_required
def invite():
    """Your referral link and the people you brought (by the link or by a box's invitation)."""
    code = referrals.make_code(current_user)
    return render("hamyar/invite.html", link=url_for("hamyar.referred", code=code, _external=True),
                  people=referrals.brought_by(current_user.id))


@bp.route("/r/<code>")
def referred(code):
    """A referral link: remember the code for the sign-up form (an unknown code is simply ignored)."""
    if referrals.owner_of(code) is not None:
        session["ref"] = code
    return redirect(url_for("auth.signup"))
