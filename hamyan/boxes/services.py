"""Box creation, membership, scoping and invitations: written once for every product."""
from datetime import timedelta
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.numbers import list_currencies
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import false, func, or_, select

from hamyan import plans
from hamyan.core import clock, parse, uow
from hamyan.dues import reminders
from hamyan.blueprints import product
from hamyan.blueprints.auth.models import user_by_email
from hamyan.boxes.access import MANAGE, authorize, membership_of
from hamyan.boxes.models import (CALENDARS, MANAGER, Box, Invitation,
                                 Membership, role_name)
from hamyan.core.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationError
from hamyan.extensions import db


_TIMEZONES = frozenset(available_timezones())


def validate_box_settings(currency: str, timezone: str, locale: str, calendar: str) -> str:
    currency = (currency or "").strip().upper()
    if currency not in list_currencies():
        raise ValidationError(_("Unknown currency code (use ISO 4217, e.g. IRR or USD)."), field="currency")
    if timezone not in _TIMEZONES:
        raise ValidationError(_("Unknown time zone (e.g. %(example)s).", example="Asia/Tehran"), field="timezone")
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationError(_("Unknown locale (e.g. %(first)s or %(second)s).", first="fa_IR", second="en"), field="locale") from None
    if calendar not in CALENDARS:
        raise ValidationError(_("Calendar must be one of %(calendars)s.", calendars=", ".join(CALENDARS)), field="calendar")
    return currency


def clean_name(value: str | None, field: str) -> str:
    """A box or member name: 1 to 120 characters of free text (core.parse.text)."""
    return parse.text(value, field, label=_("A name"), limit=120)


def create_box(actor, kind: str, name: str, currency: str, timezone: str = "UTC", locale: str = "en",
               calendar: str = "gregorian", manager_role: str = MANAGER) -> Box:
    """Create the Box row and make the actor its manager. The product service commits."""
    if product(kind) is None:
        raise ValidationError(_("Unknown box kind."), field="kind")
    name = clean_name(name, "name")
    currency = validate_box_settings(currency, timezone, locale, calendar)
    plans.check_new_box(actor)
    box = Box(kind=kind, name=name, currency=currency, timezone=timezone, locale=locale,
              calendar=calendar, created_by_id=actor.id)
    db.session.add(box)
    db.session.flush()
    db.session.add(Membership(box_id=box.id, user_id=actor.id, display_name=actor.name,
                              email=actor.email, role=manager_role))
    db.session.flush()
    return box


def boxes_of(user) -> list[tuple[Box, Membership]]:
    return list(db.session.execute(
        select(Box, Membership)
        .join(Membership, Membership.box_id == Box.id)
        .where(Membership.user_id == user.id, Membership.left_at.is_(None))
        .order_by(Box.kind, Box.name)
    ).all())


ADMIN_SHOWN = 50


def boxes_for_admin(user, text: str = "") -> list[Box]:
    """What an admin (who sees every box) is offered besides their own: the newest boxes they are
    not a member of, or those whose name contains `text`; a bounded list, however many boxes there are."""
    if not user.is_admin:
        return []
    mine = select(Membership.box_id).where(Membership.user_id == user.id, Membership.left_at.is_(None))
    query = select(Box).where(Box.id.not_in(mine))
    if text.strip():
        query = query.where(Box.name.contains(text.strip()[:120], autoescape=True))
    return list(db.session.scalars(query.order_by(Box.id.desc()).limit(ADMIN_SHOWN)))


def add_member(actor, box_id: int, display_name: str, email: str | None = None, role: str = "member",
               same_name_ok: bool = False) -> Membership:
    """A manager adds someone to the box; they may have no account yet. Runs in the caller's box
    write (its lock makes a double submit add them once).

    A name another active member has (compared without case or surrounding spaces) is refused
    (SameName) unless the manager confirms it is another person (same_name_ok): pages tell
    members apart by name, so it is a warning to heed."""
    box = authorize(actor, box_id, MANAGE).box
    display_name = clean_name(display_name, "display_name")
    _same_name_check(box, display_name, same_name_ok)
    _check_role(box, role)
    plans.check_new_member(box)
    email = parse.email(email) if (email or "").strip() else None
    user_id = None
    if email:
        user = _member_with_email(box, email)
        if user is not None and user.is_verified:  # else linked once its owner verifies it
            user_id = user.id
    membership = Membership(box_id=box.id, user_id=user_id, display_name=display_name, email=email, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def _check_role(box: Box, role: str) -> None:
    roles = product(box.kind).roles
    if role not in roles:
        raise ValidationError(_("Choose one of: %(roles)s.", roles=", ".join(map(role_name, roles))), field="role")


def _member_with_email(box: Box, email: str):
    """The account using this email (None if there is none); Conflict if it already belongs to the box."""
    user = user_by_email(email)
    if user is not None and membership_of(user, box.id) is not None:
        raise Conflict(_("%(email)s is already a member of this box.", email=email), field="email")
    return user


def link_verified_email(user) -> None:
    """The owner of this address has just verified it: link the memberships managers added with
    it (in boxes the user is not in yet), in the caller's unit of work."""
    taken = select(Membership.box_id).where(Membership.user_id == user.id)
    for membership in db.session.execute(
            select(Membership).where(Membership.email == user.email, Membership.user_id.is_(None),
                                     Membership.left_at.is_(None), Membership.box_id.not_in(taken))
            .order_by(Membership.id)).scalars():
        if membership_of(user, membership.box_id) is None:  # two added rows with one address: the first
            membership.user_id = user.id
            db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="hamyan-invitation")


def invitation_token(invitation: Invitation) -> str:
    """A signed link token for an open invitation, to copy into a messenger. A new one may be
    made any time: it still ends with the invitation (invitation_from_token counts from created_at)."""
    return _serializer().dumps({"invitation": invitation.id})


def invitation_link(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/invite/{token}"


def open_invitations():
    """Invitations not accepted, not revoked and not expired."""
    since = clock.now() - timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])
    return select(Invitation).where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                                    Invitation.created_at > since)


def invite(actor, box_id: int, email: str, role: str = "member", membership_id: int | None = None) -> tuple[Invitation, str]:
    """Create an invitation and email its link (once the caller's write commits). Returns the invitation
    and the signed token. Sending again to the same address revokes the earlier links.

    With membership_id the invitation is for someone the manager added without an account: it takes
    their role, and their membership remembers the email."""
    from hamyan.notify.services import notify, speaking

    box = authorize(actor, box_id, MANAGE).box
    email = parse.email(email)
    invitee = _member_with_email(box, email)
    if membership_id is not None:
        membership = db.session.get(Membership, membership_id)
        if membership is None or membership.box_id != box.id or membership.left_at is not None:
            raise NotFound()
        if membership.user_id is not None:
            raise Conflict(_("This member already has an account linked."), field="membership_id")
        role = membership.role
        membership.email = email
    _check_role(box, role)
    now = clock.now()
    for older in db.session.execute(open_invitations().where(Invitation.box_id == box.id, or_(
            Invitation.email == email,
            Invitation.membership_id == membership_id if membership_id is not None else false()))).scalars():
        older.revoked_at = now
    invitation = Invitation(box_id=box.id, membership_id=membership_id, email=email, role=role,
                            invited_by_id=actor.id, created_at=now)
    db.session.add(invitation)
    db.session.flush()
    token = invitation_token(invitation)
    link = invitation_link(token)
    with speaking(invitee, box):  # their own language, else the box's
        notify(email, _("You are invited to %(box)s on Hamyan", box=box.name),
               _("%(manager)s invited you to join %(box)s on Hamyan as %(role)s.\n\n"
                 "Open this link to sign up or sign in with this email (%(email)s) and join:\n%(link)s\n\n"
                 "The link works for %(days)s days.", manager=actor.name, box=box.name, role=role_name(role),
                 email=email, link=link, days=current_app.config["INVITATION_MAX_AGE"] // 86400))
    return invitation, token


@uow.write
def revoke_invitation(actor, box_id: int, invitation_id) -> Invitation:
    """A manager withdraws an invitation not yet accepted: its link stops working."""
    box = authorize(actor, box_id, MANAGE).box
    number = parse.record_id(invitation_id)
    invitation = db.session.get(Invitation, number) if number else None
    if invitation is None or invitation.box_id != box.id:
        raise NotFound()
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted."), field="invitation")
    if invitation.revoked_at is None:
        invitation.revoked_at = clock.now()
    return invitation


def invitation_from_token(token: str) -> Invitation:
    try:
        data = _serializer().loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired:
        raise ValidationError(_("This invitation has expired. Ask the manager for a new one."), field="token") from None
    except BadSignature:
        raise NotFound(_("This invitation link is not valid.")) from None
    invitation = db.session.get(Invitation, data.get("invitation"))
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    if invitation.created_at < clock.now() - timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]):
        raise ValidationError(_("This invitation has expired. Ask the manager for a new one."), field="token")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn or replaced by a newer one. "
                                "Use the latest email, or ask the manager for a new one."), field="token")
    return invitation


def why_not_accept(user, invitation: Invitation) -> str | None:
    """Why this signed-in user may not accept (None when they may): the page shows it before a click."""
    if invitation.accepted_at is not None:
        return None if invitation.accepted_by_id == user.id else _("This invitation has already been used.")
    if user.email != invitation.email:
        return _("This invitation is for another address. You are signed in as %(email)s; sign in with the address "
                 "it was sent to, or ask the manager to invite %(email)s.", email=user.email)
    if not user.is_verified:
        return _("Confirm your email first: open the link we sent to %(email)s, then come back to this page.",
                 email=user.email)
    return None


@uow.write
def accept_invitation(user, token: str) -> Box:
    """Join the box the invitation is for, as the verified owner of the address it was sent to.
    Accepting twice is harmless; anyone else is refused and joins nothing."""
    invitation = invitation_from_token(token)
    refusal = why_not_accept(user, invitation)
    if refusal is not None:
        raise Forbidden(refusal, field="token")
    if invitation.accepted_at is not None:
        return invitation.box
    existing = membership_of(user, invitation.box_id)
    removed = db.session.execute(select(Membership).filter_by(box_id=invitation.box_id, user_id=user.id)
                                 .where(Membership.left_at.is_not(None))).scalar_one_or_none()
    if removed is not None:  # someone removed earlier comes back with their history
        removed.left_at = None
    elif existing is None:
        membership = invitation.membership
        if membership is not None and membership.user_id is None:
            membership.user_id = user.id
            membership.email = user.email
        else:
            plans.check_new_member(invitation.box, field="token")
            db.session.add(Membership(box_id=invitation.box_id, user_id=user.id, display_name=user.name,
                                      email=user.email, role=invitation.role))
    invitation.accepted_at = clock.now()
    invitation.accepted_by_id = user.id
    return invitation.box


# ------------------------------------------------------------------ fixing mistakes: the box
def _managed(actor, box_id) -> Box:
    return authorize(actor, box_id, MANAGE).box


@uow.box_write
def update_box(actor, box_id: int, name: str, locale: str, *, latin_digits: bool | None = None,
               show_toman: bool | None = None, reminder_days_before=None, reminder_late_days=None) -> Box:
    """Rename the box and change how it shows numbers (its locale; Latin digits on its Persian
    pages; a rial box's amounts in tomans) and when its reminders go out (days before a due date,
    the days late: empty for the platform's): settings with no effect on money (currency, time zone
    and calendar decide what is owed when, so they stay as set up). None leaves a setting as it is,
    and so does the value the box already uses, so saving the page as shown keeps following the
    platform's reminder days."""
    box = _managed(actor, box_id)
    parsers = [("name", lambda: clean_name(name, "name")),
               ("locale", lambda: validate_box_settings(box.currency, box.timezone, locale, box.calendar))]
    if reminder_days_before is not None:
        parsers.append(("reminder_days_before", lambda: reminders.days_before(reminder_days_before)))
    if reminder_late_days is not None:
        parsers.append(("reminder_late_days", lambda: reminders.late_days(reminder_late_days)))
    values = parse.fields(*parsers)
    box.name, box.locale = values["name"], locale
    if latin_digits is not None:
        box.latin_digits = bool(latin_digits)
    if show_toman is not None:
        box.show_toman = bool(show_toman) and box.currency == "IRR"
    before, late = reminders.timing(box)
    if values.get("reminder_days_before", before) != before:
        box.reminder_days_before = values["reminder_days_before"]
    if values.get("reminder_late_days", late) != late:
        late = values["reminder_late_days"]
        box.reminder_late_days = None if late is None else ",".join(map(str, late))
    return box


@uow.box_write(archived_ok=True)
def archive(actor, box_id: int) -> Box:
    """Make the box read-only and hide it from the dashboard; its pages stay readable."""
    box = _managed(actor, box_id)
    if box.archived_at is None:  # a second click changes nothing
        box.archived_at = clock.now()
    return box


@uow.box_write(archived_ok=True)
def restore(actor, box_id: int) -> Box:
    """Bring the box back into use: it counts against its creator's plan again."""
    box = _managed(actor, box_id)
    plans.check_restore(box)
    box.archived_at = None
    return box


def _rows_of_box(box_id: int) -> dict:
    """Each table's rows that belong to the box, parents before children: a table with a box_id
    column by it, any other by a foreign key to rows that belong to the box."""
    scopes = {}
    for table in db.metadata.sorted_tables:
        if table.name == "box":
            continue
        if "box_id" in table.c:
            scopes[table] = table.c.box_id == box_id
            continue
        fk = next((fk for fk in table.foreign_keys if fk.column.table in scopes), None)
        if fk is not None:
            scopes[table] = fk.parent.in_(select(fk.column).where(scopes[fk.column.table]))
    return scopes


def why_not_delete(box_id: int) -> str | None:
    from hamyan.ledger.models import Entry

    if db.session.scalar(select(Entry.id).where(Entry.box_id == box_id).limit(1)) is not None:
        return _("Money has been recorded in this box, so it cannot be deleted: its books must stay. "
                 "Archive it instead: it becomes read-only and leaves your dashboard.")
    return None


@uow.write
def delete_box(actor, box_id: int) -> str:
    """Delete a box set up by mistake, with every row of it: only while its ledger has no entry.
    Its audit rows stay (no longer tied to a box). Runs as a plain write, not a box write: the
    box's own audit row would name a box that no longer exists; the box row is locked first."""
    from sqlalchemy import delete, update

    box = _managed(actor, box_id)
    db.session.execute(select(Box.id).where(Box.id == box.id).with_for_update())
    reason = why_not_delete(box.id)
    if reason:
        raise Conflict(reason)
    name = box.name
    for table, belongs in reversed(list(_rows_of_box(box.id).items())):
        if table.name == "audit_event":
            db.session.execute(update(table).where(belongs).values(box_id=None))
        else:
            db.session.execute(delete(table).where(belongs))
    db.session.expunge_all()
    db.session.delete(db.session.get(Box, box.id))
    return name


# ------------------------------------------------------------------ fixing mistakes: members
class SameName(Conflict):
    """Another active member has this name: said as a warning the manager may confirm."""

    code = "same_name"


def _same_name_check(box: Box, display_name: str, same_name_ok: bool, other_than: int | None = None) -> None:
    query = select(Membership.display_name).where(
        Membership.box_id == box.id, Membership.left_at.is_(None),
        func.lower(func.trim(Membership.display_name)) == display_name.lower())
    if other_than is not None:
        query = query.where(Membership.id != other_than)
    same = db.session.scalar(query.limit(1))
    if same is not None and not same_name_ok:
        raise SameName(_("%(name)s is already a member of this box. Give a name that tells them apart, such as a "
                         "surname or an initial (“%(name)s R.”), or confirm that this is another person of that "
                         "name.", name=same), field="display_name")


# What tells two members of one name apart, after (id, name) in a query of whom a form names (web.picker).
TELLING = (Membership.email, Membership.created_at)


def people(box_id: int, past_too: bool = False):
    """The box's members as (id, name, *TELLING): whom its forms name (hamyan.web.picker); `past_too`
    with those who left (a list's member filter finds their rows too)."""
    query = select(Membership.id, Membership.display_name, *TELLING).where(Membership.box_id == box_id)
    return query if past_too else query.where(Membership.left_at.is_(None))


def member_of(box: Box, membership_id) -> Membership:
    number = parse.record_id(membership_id)
    membership = db.session.get(Membership, number) if number else None
    if membership is None or membership.box_id != box.id:
        raise NotFound()
    return membership


def _managers_left(box: Box, without: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.box_id == box.id, Membership.left_at.is_(None), Membership.id != without,
        Membership.role == product(box.kind).roles[0]))


@uow.box_write
def edit_member(actor, box_id: int, membership_id, display_name: str, email: str | None, role: str,
                same_name_ok: bool = False) -> Membership:
    """Correct a member's name, email and role. Every field's error comes at once. A box keeps at
    least one manager. An email already linked to an account stays as the account says."""
    box = _managed(actor, box_id)
    membership = member_of(box, membership_id)
    if membership.left_at is not None:
        raise NotFound()
    values = parse.fields(("display_name", lambda: clean_name(display_name, "display_name")),
                          ("email", lambda: _new_email(box, membership, email)),
                          ("role", lambda: _new_role(box, membership, role)))
    display_name, email = values["display_name"], values["email"]
    if display_name.lower() != membership.display_name.strip().lower():
        _same_name_check(box, display_name, same_name_ok, other_than=membership.id)
    renamed = display_name != membership.display_name
    membership.display_name, membership.role = display_name, role
    if renamed and product(box.kind).renamed:
        product(box.kind).load("renamed")(box, membership)
    if membership.user_id is None:
        membership.email = email
    return membership


def _new_email(box: Box, membership: Membership, email: str | None) -> str | None:
    email = (email or "").strip() or None
    if not email or email == membership.email:
        return email
    if membership.user_id is not None:
        raise ValidationError(_("This member signs in with their own account; they change its email on their profile."),
                              field="email")
    try:
        email = parse.email(email)
        _member_with_email(box, email)
    except ServiceError as error:
        raise ValidationError(error.message, field="email") from None
    return email


def _new_role(box: Box, membership: Membership, role: str) -> str:
    _check_role(box, role)
    demoted = role != membership.role and membership.role == product(box.kind).roles[0]
    if demoted and not _managers_left(box, membership.id):
        raise ValidationError(_("A box needs a manager: make someone else its manager first."), field="role")
    return role


def why_not_remove(box: Box, membership: Membership) -> list[str]:
    """Why this member cannot be removed yet (none: they may be): what they owe or hold in the box's
    books, and what their product says they hold (Product.removal_blockers: a share of the running
    round, a seat, a unit, savings), each said in the request's language as what "they" do."""
    from hamyan.i18n import show_money
    from hamyan.ledger.models import LedgerAccount

    reasons = []
    descriptor = product(box.kind)
    if descriptor.removal_blockers:
        reasons += descriptor.load("removal_blockers")(box, membership)
    balance = db.session.scalar(select(func.coalesce(func.sum(func.abs(LedgerAccount.balance)), 0)).where(
        LedgerAccount.box_id == box.id, LedgerAccount.subject_kind == "membership",
        LedgerAccount.subject_id == membership.id))
    if balance and not reasons:
        reasons.append(_("have %(amount)s on their accounts in the box's books", amount=show_money(balance, box)))
    if membership.role == descriptor.roles[0] and not _managers_left(box, membership.id):
        reasons.append(_("are the box's only manager (make someone else manager first)"))
    return reasons


def cannot_remove(box: Box, name: str, reasons: list[str]) -> str:
    """Why `name` cannot be removed, in one sentence of the request's language."""
    from hamyan.i18n import display_locale

    return _("%(name)s cannot be removed yet: they %(reasons)s.", name=name,
             reasons=format_list(reasons, locale=display_locale(box)))


@uow.box_write
def remove_member(actor, box_id: int, membership_id) -> Membership:
    """Take a member out of the box (their history stays): only one who owes nothing and holds
    nothing; otherwise a Conflict saying why, and what to do first."""
    box = _managed(actor, box_id)
    membership = member_of(box, membership_id)
    if membership.left_at is not None:  # a double submit
        return membership
    reasons = why_not_remove(box, membership)
    if reasons:
        raise Conflict(cannot_remove(box, membership.display_name, reasons))
    membership.left_at = clock.now()
    for invitation in db.session.execute(open_invitations().where(Invitation.membership_id == membership.id)).scalars():
        invitation.revoked_at = membership.left_at
    return membership


@uow.box_write
def rejoin(actor, box_id: int, membership_id, same_name_ok: bool = False) -> Membership:
    """Bring back someone removed from the box, with their history (their old role, their records)."""
    box = _managed(actor, box_id)
    membership = member_of(box, membership_id)
    if membership.left_at is None:
        return membership
    _same_name_check(box, membership.display_name.strip(), same_name_ok, other_than=membership.id)
    membership.left_at = None
    return membership
