"""The figures behind the dashboards, each from the ledger or a read model in a fixed number of
queries, however many boxes, members or entries there are.

- Dues (what fell due, what of it is late and unpaid) and loans (principal out, and at risk: on
  loans more than 30 days overdue) come from each product's summary rows through its descriptor's
  `figures` hook; the collection rate is (due − arrears) / due.
- Money moved is the sum of the debit legs of the month's ledger entries, per currency (as in the
  stakeholder report); amounts of different currencies are never added together.
- Active users are the distinct users with a usage event (a sign-in, a payment...) in the window.
- Trends read the daily snapshots (BoxDay rows) that the analytics.snapshot job writes.
- The funnel follows the invitations sent in the window: accepted, then the invitee's first
  payment in (a credit to an account of their membership that the box owes them)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, select

from hamyan.analytics.events import PAYMENT_CODES
from hamyan.analytics.models import BoxDay, UsageEvent
from hamyan.blueprints import PRODUCTS
from hamyan.boxes.models import Box, Invitation, Membership
from hamyan.core import clock
from hamyan.dues import calendar as dues_calendar
from hamyan.extensions import db
from hamyan.ledger.models import LIABILITY, Entry, LedgerAccount, Posting

ACTIVE_DAYS = 30
AT_RISK_DAYS = 30  # a loan this many days overdue or more puts its principal at risk (PAR30)
MONTHS = 12
TREND_DAYS = 90
FUNNEL_DAYS = 90


@dataclass
class BoxFigures:
    due: int = 0  # fell due so far
    arrears: int = 0  # of it, late and unpaid
    loans_out: int = 0  # loan principal outstanding
    loans_at_risk: int = 0  # of it, on loans overdue AT_RISK_DAYS or more

    def add(self, other: "BoxFigures") -> None:
        self.due += other.due
        self.arrears += other.arrears
        self.loans_out += other.loans_out
        self.loans_at_risk += other.loans_at_risk

    @property
    def collection_rate(self) -> float | None:
        return (self.due - self.arrears) / self.due if self.due else None

    @property
    def par(self) -> float | None:
        return self.loans_at_risk / self.loans_out if self.loans_out else None


def month_key(column):
    """'YYYY-MM' of a date or datetime column, on SQLite and MySQL/MariaDB alike."""
    if db.engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.date_format(column, "%Y-%m")


def months_back(today: date, count: int = MONTHS) -> list[str]:
    """The last `count` months' keys, oldest first, this month last."""
    keys, year, month = [], today.year, today.month
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def summed(box_id, due, arrears, box_ids: list[int] | None, loans_out=None, overdue_days=None) -> dict[int, BoxFigures]:
    """Each box's BoxFigures summed from a product's summary rows: the columns of its box id, what fell
    due, the arrears and (a lending product) the loan principal outstanding and its days overdue."""
    zero = db.literal(0)
    at_risk = func.sum(db.case((overdue_days >= AT_RISK_DAYS, loans_out), else_=0)) if loans_out is not None else zero
    query = select(box_id, func.sum(due), func.sum(arrears),
                   func.sum(loans_out) if loans_out is not None else zero, at_risk).group_by(box_id)
    if box_ids is not None:
        query = query.where(box_id.in_(box_ids))
    return {row[0]: BoxFigures(*(int(v or 0) for v in row[1:])) for row in db.session.execute(query)}


def box_figures(kinds: dict[str, list[int] | None]) -> dict[int, BoxFigures]:
    """Each box's figures: kinds maps a product kind to its box ids (None: every box of the kind).
    One query per product."""
    found = {}
    for product in PRODUCTS:
        if product.figures and product.kind in kinds and kinds[product.kind] != []:
            found.update(product.load("figures")(kinds[product.kind]))
    return found


def money_moved(start: date) -> dict[tuple[str, str], int]:
    """(month, currency) -> the debit legs of every box's entries effective from `start`."""
    month = month_key(Entry.effective_date)
    query = (select(month, Posting.currency, func.sum(Posting.amount)).join(Entry, Entry.id == Posting.entry_id)
             .where(Posting.amount > 0, Entry.effective_date >= start).group_by(month, Posting.currency))
    return {(m, currency): int(total) for m, currency, total in db.session.execute(query)}


def events_by_month(name: str, since: datetime, distinct_users: bool = False) -> dict[str, int]:
    """Month -> the events of that name since `since` (any name: ""), or the distinct users behind them."""
    month = month_key(UsageEvent.at)
    counted = func.count(func.distinct(UsageEvent.user_id)) if distinct_users else func.count(UsageEvent.id)
    query = select(month, counted).where(UsageEvent.at >= since).group_by(month)
    if name:
        query = query.where(UsageEvent.name == name)
    if distinct_users:
        query = query.where(UsageEvent.user_id.is_not(None))
    return dict(db.session.execute(query).all())


def trend(box_id: int | None, today: date) -> dict[tuple[date, str], BoxFigures]:
    """(day, currency) -> the day's snapshot, summed over the boxes (one box, or all)."""
    query = (select(BoxDay.day, Box.currency, func.sum(BoxDay.due), func.sum(BoxDay.arrears),
                    func.sum(BoxDay.loans_out), func.sum(BoxDay.loans_at_risk))
             .join(Box, Box.id == BoxDay.box_id).where(BoxDay.day > today - timedelta(days=TREND_DAYS))
             .group_by(BoxDay.day, Box.currency).order_by(BoxDay.day))
    if box_id is not None:
        query = query.where(BoxDay.box_id == box_id)
    return {(day, currency): BoxFigures(int(d), int(a), int(lo), int(r))
            for day, currency, d, a, lo, r in db.session.execute(query)}


@dataclass
class Funnel:
    invited: int
    joined: int
    paid: int


def funnel(since: datetime) -> Funnel:
    """The invitations sent since `since`: how many were accepted, and how many invitees have paid in."""
    joined_member = (select(Membership.id).where(Membership.box_id == Invitation.box_id,
                                                 Membership.user_id == Invitation.accepted_by_id)
                     .correlate(Invitation).scalar_subquery())
    paid_in = exists().where(Posting.account_id == LedgerAccount.id, Posting.amount < 0,
                             LedgerAccount.box_id == Invitation.box_id, LedgerAccount.type == LIABILITY,
                             LedgerAccount.subject_kind == "membership", LedgerAccount.subject_id == joined_member)
    invited, joined, paid = db.session.execute(select(
        func.count(Invitation.id), func.count(Invitation.accepted_at),
        func.coalesce(func.sum(db.case((Invitation.accepted_at.is_not(None) & paid_in, 1), else_=0)), 0))
        .where(Invitation.created_at >= since)).one()
    return Funnel(invited, joined, int(paid))


@dataclass
class Platform:
    """What the admin dashboard shows."""
    today: date
    months: list[str]
    users: int
    active_users: int
    active_by_month: dict
    boxes: dict  # kind -> count
    moved: dict  # (month, currency) -> minor units
    currencies: list[str]
    by_product: dict  # (kind, currency) -> (boxes, BoxFigures)
    by_currency: dict  # currency -> BoxFigures
    trend: dict  # (day, currency) -> BoxFigures
    funnel: Funnel
    signups_by_month: dict = field(default_factory=dict)


def platform(today: date | None = None) -> Platform:
    from hamyan.blueprints.auth.models import User

    today = today or clock.now().date()
    months = months_back(today)
    start = date.fromisoformat(months[0] + "-01")
    since_active = datetime.combine(today - timedelta(days=ACTIVE_DAYS), time())
    boxes = db.session.execute(select(Box.id, Box.kind, Box.currency)).all()
    figures = box_figures({p.kind: None for p in PRODUCTS})
    by_product, by_currency = defaultdict(lambda: [0, BoxFigures()]), defaultdict(BoxFigures)
    for box_id, kind, currency in boxes:
        row = by_product[(kind, currency)]
        row[0] += 1
        if box_id in figures:
            row[1].add(figures[box_id])
            by_currency[currency].add(figures[box_id])
    moved = money_moved(start)
    return Platform(
        today=today, months=months,
        users=db.session.scalar(select(func.count(User.id))),
        active_users=db.session.scalar(select(func.count(func.distinct(UsageEvent.user_id))).where(
            UsageEvent.at >= since_active, UsageEvent.user_id.is_not(None))),
        active_by_month=events_by_month("", datetime.combine(start, time()), distinct_users=True),
        boxes=dict(db.session.execute(select(Box.kind, func.count(Box.id)).group_by(Box.kind)).all()),
        moved=moved, currencies=sorted({c for _, c in moved} | set(by_currency)),
        by_product={k: tuple(v) for k, v in sorted(by_product.items())}, by_currency=dict(by_currency),
        trend=trend(None, today), funnel=funnel(datetime.combine(today - timedelta(days=FUNNEL_DAYS), time())),
        signups_by_month=events_by_month("signed_up", datetime.combine(start, time())))


@dataclass
class OneBox:
    """What a box's charts tab shows."""
    box: Box
    months: list[str]
    figures: BoxFigures
    moved: dict  # month -> minor units
    payments: dict  # month -> payments in (entries of a paying-in code, not reversed)
    trend: dict  # day -> BoxFigures


def calendar_month(day: date, calendar: str) -> str:
    """'YYYY-MM' of a day in a box's calendar (a Persian box counts Farvardin, Ordibehesht...)."""
    return dues_calendar.month_key(*dues_calendar.month_of(day, calendar))


def _box_months(today: date, calendar: str) -> tuple[list[str], date]:
    """The box's last MONTHS months (its calendar), oldest first, and the first day of the oldest."""
    year, month = dues_calendar.month_of(today, calendar)
    index = year * 12 + month - 1
    months = [divmod(i, 12) for i in range(index - MONTHS + 1, index + 1)]
    return ([dues_calendar.month_key(y, m + 1) for y, m in months],
            dues_calendar.day_in_month(months[0][0], months[0][1] + 1, 1, calendar))


def one_box(box: Box) -> OneBox:
    """The box's figures, its months in its own calendar: the ledger is read per day (at most a year
    of rows, one query each) and counted into the box's months here."""
    today = clock.today(box)
    months, start = _box_months(today, box.calendar)
    figures = box_figures({box.kind: [box.id]}).get(box.id, BoxFigures())
    moved, payments = defaultdict(int), defaultdict(int)
    for day, total in db.session.execute(
            select(Entry.effective_date, func.sum(Posting.amount)).join(Posting, Posting.entry_id == Entry.id)
            .where(Entry.box_id == box.id, Posting.amount > 0, Entry.effective_date >= start)
            .group_by(Entry.effective_date)):
        moved[calendar_month(day, box.calendar)] += int(total)
    reversal = db.aliased(Entry)
    for day, count in db.session.execute(
            select(Entry.effective_date, func.count(Entry.id)).where(
                Entry.box_id == box.id, Entry.code.in_(PAYMENT_CODES), Entry.effective_date >= start,
                ~exists().where(reversal.reverses_id == Entry.id))
            .group_by(Entry.effective_date)):
        payments[calendar_month(day, box.calendar)] += count
    return OneBox(box=box, months=months, figures=figures, moved=dict(moved), payments=dict(payments),
                  trend={day: f for (day, _), f in trend(box.id, today).items()})


def snapshot(today: date | None = None) -> int:
    """Write today's BoxDay row of every box (again, if the job runs twice a day: the latest wins)."""
    today = today or clock.now().date()
    figures = box_figures({p.kind: None for p in PRODUCTS})
    db.session.execute(db.delete(BoxDay).where(BoxDay.day == today))
    if figures:
        db.session.execute(db.insert(BoxDay), [dict(box_id=box_id, day=today, due=f.due, arrears=f.arrears,
                                                    loans_out=f.loans_out, loans_at_risk=f.loans_at_risk)
                                               for box_id, f in figures.items()])
    return len(figures)
