"""Setting a cashbox up: the box and its rules, rounds (draft until started), who holds each
share (sub-shares as fractions), the winning order, members."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from flask_babel import gettext as _


from hamyan.blueprints.cashbox.models import (
    DRAW_MODES,
    FINE_KINDS,
    PERIOD_KINDS,
    WINNER_POLICIES,
    Cashbox,
    Holding,
    Period,
    Round,
    Share,
)
from hamyan.blueprints.cashbox.services.common import (
    KIND,
    active_members,
    cash_account,
    fine_income_account,
    fines_account,
    member_account,
    membership_in,
    round_in_box,
)
from hamyan.blueprints.cashbox.services.state import refresh_summaries
from hamyan.boxes import services as boxes
from hamyan.boxes.access import MANAGE, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import calendar, obligations
from hamyan.extensions import db
from hamyan.i18n import listed, number as num
from hamyan.rotation import draws, shares

MAX_SHARES = 500
MAX_DAYS = 366
# A round may be set up or imported this far from today; a typo like 2062 for 2026 is refused.
MAX_YEARS_AWAY = 10


@dataclass
class RoundSettings:
    contribution: int
    share_count: int
    period_kind: str
    period_days: int
    first_due: date
    draw_mode: str


def parse_round_settings(currency: str, today: date, contribution, share_count, period_kind, period_days,
                         first_due, draw_mode) -> RoundSettings:
    period_kind = parse.choice(period_kind, PERIOD_KINDS, "period_kind", _("Period"))
    days = parse.whole(period_days, "period_days", 1, MAX_DAYS, _("Days per period")) if period_kind == "days" else 7
    first = parse.day(first_due, "first_due", _("First due date"))
    if abs(first.year - today.year) > MAX_YEARS_AWAY:
        raise ValidationError(_("Choose a first due date within %(count)s years of today.", count=num(MAX_YEARS_AWAY)),
                              field="first_due")
    return RoundSettings(
        contribution=parse.amount(contribution, currency, field="contribution"),
        share_count=parse.whole(share_count, "share_count", 1, MAX_SHARES, _("Number of shares")),
        period_kind=period_kind, period_days=days, first_due=first,
        draw_mode=parse.choice(draw_mode, DRAW_MODES, "draw_mode", _("Draw mode")),
    )


def _rules(currency: str, grace_days, fine_kind, fine_value, winner_policy) -> dict:
    grace = parse.whole(grace_days if grace_days not in (None, "") else 0, "grace_days", 0, MAX_DAYS, _("Grace days"))
    fine_kind = parse.choice(fine_kind or "none", FINE_KINDS, "fine_kind", _("Late fine"))
    if fine_kind == "none":
        value = 0
    elif fine_kind == "fixed":
        value = parse.amount(fine_value, currency, field="fine_value")
    else:
        value = int(parse.percent(fine_value, "fine_value", allow_zero=False) * 100)  # basis points
    policy = parse.choice(winner_policy, WINNER_POLICIES, "winner_policy", _("Winner who owes"))
    return dict(grace_days=grace, fine_kind=fine_kind, fine_value=value, winner_policy=policy)


@uow.box_write
def create_cashbox(actor, name, currency, contribution, share_count, period_kind, first_due, draw_mode,
                   period_days=7, timezone="UTC", locale="en", calendar="gregorian", grace_days=0,
                   fine_kind="none", fine_value=None, winner_policy="net") -> Box:
    currency = boxes.validate_box_settings(currency, timezone, locale, calendar)
    settings = parse_round_settings(currency, clock.today_in(timezone), contribution, share_count, period_kind,
                                    period_days, first_due, draw_mode)
    rules = _rules(currency, grace_days, fine_kind, fine_value, winner_policy)
    if db.session.scalar(select(Box.id).join(Membership, Membership.box_id == Box.id).where(
            Box.kind == KIND, Box.name == (name or "").strip(), Membership.user_id == actor.id,
            Membership.left_at.is_(None))):
        # Also makes a double submit of the new-box form create one box (as for money pools).
        raise Conflict(_("You already have a cashbox with this name; choose another."), field="name")
    box = boxes.create_box(actor, KIND, name, currency, timezone, locale, calendar)
    db.session.add(Cashbox(box_id=box.id, **rules))
    db.session.flush()
    r = Round(box_id=box.id, number=1, status="draft", **settings.__dict__)
    r.shares = [Share(number=n, draw_position=n) for n in range(1, settings.share_count + 1)]
    db.session.add(r)
    cash_account(box)
    fine_income_account(box)
    return box


RULES = ("grace_days", "fine_kind", "fine_value", "winner_policy")


def rules_text(cashbox: Cashbox, currency: str) -> dict:
    """The box's rules as a person (or the API) would give them: what the rules form shows, and
    what a change that does not name a rule keeps."""
    value = ("" if cashbox.fine_kind == "none" else parse.canonical(cashbox.fine_value, currency)
             if cashbox.fine_kind == "fixed" else format(Decimal(cashbox.fine_value) / 100, "f"))
    return dict(grace_days=str(cashbox.grace_days), fine_kind=cashbox.fine_kind, fine_value=value,
                winner_policy=cashbox.winner_policy)


@uow.box_write
def update_rules(actor, box_id, **changes) -> Cashbox:
    """Change the rules `changes` names (any of RULES); the others stay as they are. A new kind of
    fine needs its value: the old one means something else (an amount, a percent)."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    cashbox = db.session.get(Cashbox, box.id)
    unknown = set(changes) - set(RULES)
    if unknown:
        raise ValidationError(_("Unknown rule: %(names)s.", names=", ".join(sorted(unknown))), field=sorted(unknown)[0])
    if not changes:
        raise ValidationError(_("Name at least one rule to change: %(names)s.", names=", ".join(RULES)), field="rules")
    if changes.get("fine_kind", cashbox.fine_kind) not in (cashbox.fine_kind, "none") and "fine_value" not in changes:
        raise ValidationError(_("Give the fine's value for its new kind."), field="fine_value")
    given = {**rules_text(cashbox, box.currency), **changes}
    for key, value in _rules(box.currency, **given).items():
        setattr(cashbox, key, value)
    r = db.session.scalar(select(Round).filter_by(box_id=box.id, status="active"))
    if r is not None:  # grace days change who is late
        refresh_summaries(r)
    return cashbox


def _draft(actor, box_id, round_id) -> tuple[Box, Round]:
    """A draft round of a box the actor manages. Inside the box's write, so a double-clicked
    "Start round" starts it once; the second click is told it has."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    r = round_in_box(box.id, round_id)
    if r.status != "draft":
        raise Conflict(_("Round %(number)s has already started; its shares and amounts are fixed.",
                         number=num(r.number, box)), field="round_id")
    return box, r


@uow.box_write
def update_round(actor, box_id, round_id, contribution, share_count, period_kind, period_days,
                 first_due, draw_mode) -> Round:
    box, r = _draft(actor, box_id, round_id)
    settings = parse_round_settings(box.currency, clock.today(box), contribution, share_count, period_kind,
                                    period_days, first_due, draw_mode)
    for key, value in settings.__dict__.items():
        if key != "share_count":
            setattr(r, key, value)
    _resize(r, settings.share_count)
    return r


def _resize(r: Round, share_count: int) -> None:
    if share_count > r.share_count:
        r.shares.extend(Share(number=n, draw_position=n) for n in range(r.share_count + 1, share_count + 1))
    elif share_count < r.share_count:
        r.shares = [s for s in r.shares if s.number <= share_count]
        positions = sorted(r.shares, key=lambda s: (s.draw_position or 0, s.number))
        for position, share in enumerate(positions, 1):
            share.draw_position = position
    r.share_count = share_count


@uow.box_write
def one_share_each(actor, box_id, round_id) -> Round:
    """The usual set-up in one step: every member holds one whole share (share 1 the first by name),
    so the round has as many shares as members; who held what before is replaced."""
    box, r = _draft(actor, box_id, round_id)
    members = active_members(box.id)
    if not members:
        raise ValidationError(_("Add the members first: each of them then gets one share."), field="shares")
    if len(members) > MAX_SHARES:
        raise ValidationError(_("A round has at most %(most)s shares; this box has %(count)s members.",
                                most=num(MAX_SHARES, box), count=num(len(members), box)), field="shares")
    _resize(r, len(members))
    for share in r.shares:
        share.holdings.clear()
    db.session.flush()
    for share, member in zip(sorted(r.shares, key=lambda s: s.number), members):
        share.holdings.append(Holding(membership_id=member.id, numerator=1, denominator=1, position=0))
    db.session.flush()
    return r


def _share(r: Round, number) -> Share:
    number = parse.whole(number, "share", 1, MAX_SHARES, _("Share number"))
    for share in r.shares:
        if share.number == number:
            return share
    raise NotFound(_("Round %(number)s has no share %(share)s.", number=num(r.number), share=num(number)))


@uow.box_write
def set_holders(actor, box_id, round_id, share_number, holders: list[tuple]) -> Share:
    """Replace who holds a share: [(membership_id, fraction), ...]; fractions may sum to less than
    one while the round is a draft (it cannot start until every share is fully held), never more."""
    box, r = _draft(actor, box_id, round_id)
    share = _share(r, share_number)
    parsed = shares.holders(holders, lambda m: membership_in(box.id, m), _("share %(number)s", number=num(share.number, box)))
    share.holdings.clear()
    db.session.flush()
    share.holdings.extend(Holding(membership_id=m.id, numerator=f.numerator, denominator=f.denominator,
                                  position=i) for i, (m, f) in enumerate(parsed))
    db.session.flush()
    return share


@uow.box_write
def set_order(actor, box_id, round_id, share_numbers: list) -> Round:
    """Predefined draws: the share numbers in the order they win, period 1 first."""
    r = _draft(actor, box_id, round_id)[1]
    order = [parse.whole(n, "order", 1, MAX_SHARES, _("Each share number")) for n in share_numbers]
    if sorted(order) != list(range(1, r.share_count + 1)):
        raise ValidationError(_("List each share from 1 to %(count)s exactly once.", count=num(r.share_count)), field="order")
    by_number = {s.number: s for s in r.shares}
    for position, number in enumerate(order, 1):
        by_number[number].draw_position = position
    return r


def with_holders(shares: list[Share]) -> list[Share]:
    """These shares with their holdings and the holders' names, read at once (not a query a share
    and one a holder), for a page that lists who holds them."""
    if shares:
        db.session.scalars(select(Share).where(Share.id.in_([s.id for s in shares]))
                           .options(selectinload(Share.holdings).joinedload(Holding.membership))).all()
    return shares


def due_dates(r: Round, calendar_name: str) -> list[date]:
    return calendar.due_dates(r.first_due, r.period_kind, r.period_days, calendar_name, r.share_count)


@uow.box_write
def start_round(actor, box_id, round_id) -> Round:
    box, r = _draft(actor, box_id, round_id)
    unheld = [s.number for s in r.shares if s.held != 1]
    if unheld:
        shown = listed(num(n, box) for n in unheld[:20])
        raise ValidationError(_("Every share must be fully held before the round starts. Not fully held: %(shares)s.",
                                shares=shown + ("…" if len(unheld) > 20 else "")), field="shares")
    tiny = [s.number for s in r.shares if not obligations.smallest_part_ok(r.contribution, [h.fraction for h in s.holdings])]
    if tiny:
        raise ValidationError(_("A part of share %(number)s would owe less than one %(currency)s minor unit a period; "
                                "raise the contribution or use larger parts.", number=num(tiny[0], box),
                                currency=box.currency), field="shares")
    if db.session.scalar(select(Round.id).filter_by(box_id=box.id, status="active")):
        raise Conflict(_("Another round of this box is still running."), field="round_id")
    for number, due in enumerate(due_dates(r, box.calendar), 1):
        seed = draws.new_seed() if r.draw_mode == "random" else None
        db.session.add(Period(round_id=r.id, number=number, due_date=due, seed=seed,
                              seed_hash=draws.commitment(seed) if seed else None))
    for m in {h.membership for s in r.shares for h in s.holdings}:
        member_account(box, m)
        fines_account(box, m)
    r.status = "active"
    r.started_at = clock.now()
    db.session.flush()
    refresh_summaries(r)
    return r


@uow.box_write
def start_next_round(actor, box_id, round_id) -> Round:
    """A draft copy of a finished round (same shares, holders and amounts) for the manager to change."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    prev = round_in_box(box.id, round_id)
    if prev.status != "finished":
        raise Conflict(_("Round %(number)s has not finished yet.", number=num(prev.number, box)), field="round_id")
    if db.session.scalar(select(Round.id).where(Round.box_id == box.id, Round.status != "finished")):
        raise Conflict(_("This box already has a round in preparation or running."), field="round_id")
    first_due = calendar.nth_due(prev.first_due, prev.period_kind, prev.period_days, box.calendar, prev.share_count)
    number = db.session.scalar(select(func.max(Round.number)).filter_by(box_id=box.id)) + 1
    r = Round(box_id=box.id, number=number, status="draft", contribution=prev.contribution,
              share_count=prev.share_count, period_kind=prev.period_kind, period_days=prev.period_days,
              first_due=first_due, draw_mode=prev.draw_mode, previous_id=prev.id)
    for old in prev.shares:
        share = Share(number=old.number, draw_position=old.number)
        share.holdings = [Holding(membership_id=h.membership_id, numerator=h.numerator, denominator=h.denominator,
                                  position=h.position) for h in old.holdings if h.membership.left_at is None]
        r.shares.append(share)
    db.session.add(r)
    db.session.flush()
    return r


@uow.box_write
def add_member(actor, box_id, display_name: str, email: str | None = None, same_name_ok: bool = False) -> Membership:
    """Add someone (with or without an account) so they can hold shares. A name another member has
    needs same_name_ok (boxes.services.SameName): that also makes a double submit add them once."""
    box = authorize(actor, box_id, MANAGE, KIND).box
    return boxes.add_member(actor, box.id, display_name, email, "member", same_name_ok)
