"""Receipts: every payment, repayment, payout and waiver a box records tells the members it concerns,
in every product, from the ledger itself: the unit of work hands over the entries it posted
(core.uow.on_entries) just before it commits, so a write that rolls back tells no one, and the outbox sends
after the commit. An entry concerns the members whose accounts it moves: a membership's account
directly, a loan's or a unit's through the product (Product.subject_members). The dedupe key names
the entry and the member, so a retried write (the ledger answers the first entry) never tells twice.
A reversal of a payment says it was cancelled; a reversal of a late charge says it was waived."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hamyan.boxes.models import Box, Membership
from hamyan.boxes.numbers import payment_numbers
from hamyan.core import uow
from hamyan.core.product import load
from hamyan.extensions import db
from hamyan.i18n import digits, show_day, show_money
from hamyan.ledger.models import Entry
from hamyan.notify import services
from hamyan.notify.models import ChannelPreference, NotifyProfile, OutboxMessage

KIND = "receipt"
# Entry codes a member hears of, and what the receipt calls each.
RECEIPTS = {"contribution": _l("Payment"), "payment": _l("Payment"), "deposit": _l("Deposit"),
            "cover": _l("Deposit used for dues"), "release": _l("Deposit returned"),
            "repayment": _l("Loan repayment"), "payout": _l("Payout"), "payout_owed": _l("Payout"),
            "settlement": _l("Savings paid out")}
# (A loan's payout is told by the pool with its schedule, moneypool.services.loans.disburse.)
# Charges whose reversal is a waiver (dues.late).
WAIVABLE = {"late_fee": _l("Late fee"), "fine": _l("Fine"), "penalty": _l("Penalty")}


@uow.on_entries
def send(entry_ids: list[int]) -> int:
    """Enqueue the receipts of these freshly posted entries (inside their write). How many."""
    if not entry_ids:
        return 0
    entries = [e for e in db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids), Entry.box_id.isnot(None))
                                             .options(selectinload(Entry.postings))) if _what(e)]
    if not entries:
        return 0
    concerned = _members_of(entries)
    told = [(e, m) for e in entries for m in concerned.get(e.id, ())]
    if not told:
        return 0
    memberships = {m.id: m for m in db.session.scalars(select(Membership).options(selectinload(Membership.user)).where(
        Membership.id.in_({m for _, m in told})))}
    user_ids = {m.user_id for m in memberships.values() if m.user_id}
    box_ids = {e.box_id for e in entries}
    boxes = {box_id: db.session.get(Box, box_id) for box_id in box_ids}  # the write's own box: no query
    numbers = _payment_numbers(entries, boxes)
    prefs = {(p.user_id, p.box_id): p for p in db.session.scalars(select(ChannelPreference).where(
        ChannelPreference.user_id.in_(user_ids), ChannelPreference.box_id.in_(box_ids)))} if user_ids else {}
    people = {p.user_id: p for p in db.session.scalars(
        select(NotifyProfile).where(NotifyProfile.user_id.in_(user_ids)))} if user_ids else {}
    keys = [f"{_key(e, m)}:{c}" for e, m in told for c in ("email", "sms", "inapp")]
    done = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))
    count = 0
    for entry, membership_id in told:
        membership, box = memberships.get(membership_id), boxes[entry.box_id]
        if membership is None:  # an account whose subject names no membership (a builder's rows)
            continue
        with services.speaking(membership.user, box):
            subject, body, short = _message(box, entry, membership, numbers.get(entry.id))
        key = _key(entry, membership_id)
        if membership.user is not None:
            prefs_of = prefs.get((membership.user_id, box.id)) or services.DEFAULT_PREFERENCE
            wanted = tuple(c for c in ("email", "sms", "inapp") if f"{key}:{c}" not in done)
            count += len(services.notify_member(membership.user, box.id, subject, body, kind=KIND, sms_text=short,
                                                dedupe_key=key, prefs=prefs_of, checked=True, channels=wanted,
                                                person=people.get(membership.user_id) or services.NO_PROFILE))
        elif membership.email and f"{key}:email" not in done:  # added without an account, known by email
            services.notify(membership.email, subject, body, box_id=box.id, kind=KIND, dedupe_key=f"{key}:email")
            count += 1
    return count


def _key(entry: Entry, membership_id: int) -> str:
    return f"receipt:{entry.id}:{membership_id}"


def _what(entry: Entry) -> tuple[str, str] | None:
    """(what the entry was, what happened to it): ("Payment", "recorded"), ("Payment", "cancelled"),
    ("Late fee", "waived"); None for an entry members are not told of (a charge, an expense)."""
    if entry.code in RECEIPTS:
        return RECEIPTS[entry.code], "recorded"
    if entry.code == "reversal" and entry.reverses is not None:
        undone = entry.reverses.code
        if undone in RECEIPTS:
            return RECEIPTS[undone], "cancelled"
        if undone in WAIVABLE:
            return WAIVABLE[undone], "waived"
    return None


def _payment_numbers(entries: list[Entry], boxes: dict[int, Box]) -> dict[int, int]:
    """Entry id -> the number of the payment it records or cancels, in products that number their
    payments per box (boxes.numbers.payment_numbers): what the member calls the payment."""
    recorded = {e.id: e.reverses_id or e.id for e in entries}
    asked = {}
    for e in entries:
        asked.setdefault(boxes[e.box_id].kind, set()).add(recorded[e.id])
    found = {}
    for kind, entry_ids in asked.items():
        found.update(payment_numbers(kind, entry_ids))
    return {e.id: found[recorded[e.id]] for e in entries if recorded[e.id] in found}


def _members_of(entries: list[Entry]) -> dict[int, list[int]]:
    """Entry id -> the memberships its postings concern: a membership's account directly, another
    subject (a loan, a unit) through its product's hook, one call per product. The entries come with
    their postings and accounts loaded."""
    from hamyan.blueprints import product

    rows = [(e.id, p.account.subject_kind, p.account.subject_id) for e in entries for p in e.postings
            if p.account.subject_kind != "box"]
    box_of = {e.id: e.box_id for e in entries}
    hooks = {}  # the product's subject_members path -> the subjects it is asked about
    for entry_id, kind, subject_id in rows:
        descriptor = product(db.session.get(Box, box_of[entry_id]).kind)
        if kind != "membership" and descriptor is not None and descriptor.subject_members:
            hooks.setdefault(descriptor.subject_members, set()).add((kind, subject_id))
    through = {}
    for path, subjects in hooks.items():
        through.update(load(path)(sorted(subjects)))
    concerned = {}
    for entry_id, kind, subject_id in rows:
        found = [subject_id] if kind == "membership" else through.get((kind, subject_id), [])
        mine = concerned.setdefault(entry_id, [])
        mine.extend(m for m in found if m not in mine)
    return concerned


def _message(box: Box, entry: Entry, membership: Membership, payment: int | None) -> tuple[str, str, str]:
    """(subject, body, text message) of one receipt, in the language being spoken (speaking). A payment
    numbered per box is called by its number; the ledger entry's number follows on a line of its own,
    for whoever checks the box's books."""
    what, happened = _what(entry)
    total = sum(p.amount for p in entry.postings if p.amount > 0)
    told = dict(what=str(what), lower=str(what).lower(), amount=show_money(total, box),
                day=show_day(entry.effective_date, box), number=digits(entry.number, box), box=box.name)
    if payment is not None:
        told["payment"] = digits(payment, box)
    brief = told | {"number": told.get("payment", told["number"])}  # a text message carries one number
    if happened == "recorded":
        subject = _("%(box)s: %(lower)s of %(amount)s recorded", **told)
        line = (_("%(what)s #%(payment)s of %(amount)s recorded on %(day)s.", **told) if payment is not None
                else _("%(what)s of %(amount)s recorded on %(day)s (entry #%(number)s).", **told))
        short = _("%(box)s: %(lower)s %(amount)s recorded %(day)s (#%(number)s)", **brief)
    elif happened == "cancelled":
        subject = _("%(box)s: %(lower)s of %(amount)s cancelled", **told)
        line = (_("%(what)s #%(payment)s of %(amount)s cancelled on %(day)s.", **told) if payment is not None
                else _("%(what)s of %(amount)s cancelled on %(day)s (entry #%(number)s).", **told))
        short = _("%(box)s: %(lower)s %(amount)s cancelled %(day)s (#%(number)s)", **brief)
    else:
        subject = _("%(box)s: %(lower)s of %(amount)s waived", **told)
        line = _("%(what)s of %(amount)s waived on %(day)s (entry #%(number)s).", **told)
        short = _("%(box)s: %(lower)s %(amount)s waived %(day)s (#%(number)s)", **brief)
    if payment is not None:
        line += "\n" + _("Entry #%(number)s in the box's books.", **told)
    base = current_app.config["BASE_URL"].rstrip("/")
    body = (_("Hello %(name)s,", name=membership.display_name) + f"\n\n{line}\n{entry.memo}\n\n"
            + _("See your statement in %(box)s: %(link)s", box=box.name, link=base + "/"))
    return subject, body, short
