from flask import flash, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from flask_login import current_user, login_required

from hamyan.blueprints.auth.forms import EmptyForm
from hamyan.blueprints.members import bp, services
from hamyan.blueprints.members.forms import AddMemberForm, EditMemberForm, InviteForm
from hamyan.boxes.access import MANAGE, authorize
from hamyan.boxes.services import SameName, cannot_remove
from hamyan.core.errors import Conflict, ServiceError, ValidationError
from hamyan.i18n import bdi, ltr
from hamyan.web import apply_error, confirm, listing, picker, redirect_to, render, said
from hamyan.web.nav import box_nav


def _show(box_id: int, block: str | None = None, add_form=None, invite_form=None):
    roster = services.roster(current_user, box_id, request.args)
    return render(
        "members/index.html", block, roster=roster, box=roster.box,
        add_form=(add_form or AddMemberForm(prefix="add", formdata=None)).for_box(roster.box),
        invite_form=(invite_form or InviteForm(prefix="invite", formdata=None)).for_box(roster.box),
        action_form=EmptyForm(), nav=box_nav(roster.box, roster.membership, roster.can_manage))


@bp.route("")
@login_required
def index(box_id):
    if listing.wants_csv():
        return services.export(current_user, box_id, request.args)
    return _show(box_id, "roster")


@bp.route("/names")
@login_required
def names(box_id):
    """The lookup of the invite form's name picker: members added without an account."""
    access = authorize(current_user, box_id, MANAGE)
    return picker.lookup_page(services.without_account(box_id), "member without an account",
                              url_for("members.index", box_id=box_id),
                              nav=box_nav(access.box, access.membership, access.can_manage))


@bp.route("/add", methods=["POST"])
@login_required
def add(box_id):
    box = authorize(current_user, box_id, MANAGE).box
    form = AddMemberForm(prefix="add").for_box(box)
    if form.validate_on_submit():
        try:
            membership = services.add(current_user, box_id, form.display_name.data, form.email.data,
                                      form.role.data, form.same_name.data)
        except ServiceError as error:
            apply_error(form, error)
            form.same_name.asked = isinstance(error, SameName)
        else:
            flash(said(_("%(name)s is added."), name=bdi(membership.display_name)), "success")
            return redirect_to("members.index", box_id=box_id)
    return _show(box_id, "add_form", add_form=form)


@bp.route("/invite", methods=["POST"])
@login_required
def invite(box_id):
    box = authorize(current_user, box_id, MANAGE).box
    form = InviteForm(prefix="invite").for_box(box)
    if form.validate_on_submit():
        try:
            membership_id = picker.named(services.without_account(box_id), form.member.data, "member",
                                         _("member added without an account")) if form.member.data else None
            invitation = services.invite(current_user, box_id, form.email.data, form.role.data, membership_id)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_sent(invitation), "success")
            return redirect_to("members.index", box_id=box_id)
    return _show(box_id, "invite_form", invite_form=form)


def _sent(invitation) -> Markup:
    """The flash of a sent invitation, its email set apart left to right."""
    return Markup(_("Invitation sent to %(email)s. Its link is below, to share in a messenger too.")) % {
        "email": ltr(invitation.email)}


@bp.route("/<int:membership_id>/invite", methods=["POST"])
@login_required
def invite_member(box_id, membership_id):
    authorize(current_user, box_id, MANAGE)
    if EmptyForm().validate_on_submit():
        try:
            invitation = services.invite_added_member(current_user, box_id, membership_id)
        except (ValidationError, Conflict) as error:  # not found / forbidden go to the error page
            flash(error.message, "danger")
        else:
            flash(_sent(invitation), "success")
    return redirect_to("members.index", box_id=box_id)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(box_id, invitation_id):
    authorize(current_user, box_id, MANAGE)
    if EmptyForm().validate_on_submit():
        try:
            invitation = services.revoke_invitation(current_user, box_id, invitation_id)
        except Conflict as error:
            flash(error.message, "danger")
        else:
            flash(Markup(_("The invitation to %(email)s is withdrawn: its link no longer works.")) % {"email": ltr(invitation.email)},
                  "success")
    return redirect_to("members.index", box_id=box_id)


def _edit_page(box_id, membership_id, form=None):
    member = services.sheet(current_user, box_id, membership_id)
    if member.membership.left_at is not None:
        return redirect_to("members.index", box_id=box_id)
    form = form or EditMemberForm(prefix="edit", formdata=None, obj=member.membership)
    access = authorize(current_user, box_id, MANAGE)
    return render("members/edit.html", "edit_form", member=member, box=member.box, form=form.for_box(member.box),
                  action_form=EmptyForm(), nav=box_nav(access.box, access.membership, access.can_manage))


@bp.route("/<int:membership_id>/edit", methods=["GET", "POST"])
@login_required
def edit(box_id, membership_id):
    box = authorize(current_user, box_id, MANAGE).box
    if request.method == "GET":
        return _edit_page(box_id, membership_id)
    form = EditMemberForm(prefix="edit").for_box(box)
    if form.validate_on_submit():
        try:
            membership = services.edit(current_user, box_id, membership_id, form.display_name.data, form.email.data,
                                       form.role.data, form.same_name.data)
        except ServiceError as error:
            if error.status == 404:
                raise
            apply_error(form, error)
            form.same_name.asked = isinstance(error, SameName)
        else:
            flash(said(_("%(name)s's details are saved."), name=bdi(membership.display_name)), "success")
            return redirect_to("members.index", box_id=box_id)
    return _edit_page(box_id, membership_id, form)


@bp.post("/<int:membership_id>/remove")
@login_required
def remove(box_id, membership_id):
    access = authorize(current_user, box_id, MANAGE)
    if not EmptyForm().validate_on_submit():
        return redirect_to("members.edit", box_id=box_id, membership_id=membership_id)
    if confirm.needed():
        member = services.sheet(current_user, box_id, membership_id)
        name = member.membership.display_name
        blocked = cannot_remove(access.box, name, member.blockers) if member.blockers else None
        return confirm.ask(
            box_nav(access.box, access.membership, access.can_manage),
            said(_("Remove %(name)s from %(box)s?"), name=bdi(name), box=bdi(access.box.name)),
            [said(_("%(name)s leaves the box: they no longer see it, and no longer appear in its lists and forms."), name=bdi(name)),
             _("Their past payments and history stay in the books.")],
            _("Yes, remove them"), back=url_for("members.edit", box_id=box_id, membership_id=membership_id),
            blocked=blocked, note=_("You can bring them back later: the members page lists them under “left”."))
    membership = services.remove(current_user, box_id, membership_id)
    flash(said(_("%(name)s is removed from the box."), name=bdi(membership.display_name)), "success")
    return redirect_to("members.index", box_id=box_id)


@bp.post("/<int:membership_id>/rejoin")
@login_required
def rejoin(box_id, membership_id):
    access = authorize(current_user, box_id, MANAGE)
    if EmptyForm().validate_on_submit():
        try:
            membership = services.rejoin(current_user, box_id, membership_id, not confirm.needed())
        except SameName as error:  # a warning: bringing them back needs a yes
            return confirm.same_name(box_nav(access.box, access.membership, access.can_manage), error,
                                     _("Yes, bring them back: it is another person"),
                                     back=url_for("members.index", box_id=box_id))
        flash(said(_("%(name)s is back in the box."), name=bdi(membership.display_name)), "success")
    return redirect_to("members.index", box_id=box_id)
