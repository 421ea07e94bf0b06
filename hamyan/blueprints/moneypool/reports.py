"""Read-only views of a pool built from the ledger: balance sheet, loan book (portfolio at risk),
the cash forecast behind the loan queue, and the statements."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select, true
from sqlalchemy.orm import lazyload

from hamyan.dues.calendar import add_months
from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import (
    Contribution,
    Installment,
    Loan,
    MemberSummary,
    Pool,
    PoolInflow,
    PoolMember,
    Repayment,
)
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.i18n import number
from hamyan.ledger import service as ledger
from hamyan.ledger.models import ASSET, EXPENSE, INCOME, LIABILITY, Entry, LedgerAccount, Posting
from hamyan.statements import account_statement, cash_statement, check_period, render_pdf
from hamyan.statements.stakeholder import summed

BUCKETS = ((1, 30, "1–30 days"), (31, 60, "31–60 days"), (61, 90, "61–90 days"), (91, None, "over 90 days"))
# What the reports call each bucket, in the reader's language.
BUCKET_NAMES = {"current": _l("not overdue"), "1–30 days": _l("1–30 days"), "31–60 days": _l("31–60 days"),
                "61–90 days": _l("61–90 days"), "over 90 days": _l("over 90 days")}


@dataclass
class BalanceSheet:
    """cash + loans + fees owed = savings + income - write-offs: each side is a sum of the pool's
    accounts of one type (asset; liability, income and expense), split into lines by purpose."""
    as_of: date
    assets: int = 0
    cash: int = 0
    loans: int = 0
    savings: int = 0  # available + pledged
    pledged: int = 0
    income: int = 0
    interest: int = 0
    fees: int = 0
    penalties: int = 0
    written_off: int = 0

    @property
    def receivable(self) -> int:
        """Every other asset: late fees and loan penalties charged, not yet paid."""
        return self.assets - self.cash - self.loans

    @property
    def surplus(self) -> int:
        return self.income - self.written_off

    @property
    def liabilities_and_surplus(self) -> int:
        return self.savings + self.surplus

    @property
    def balanced(self) -> bool:
        return self.assets == self.liabilities_and_surplus


def balance_sheet(box: Box, as_of: date | None = None) -> BalanceSheet:
    """Every figure summed per account type and purpose in one query: today's from the cached
    balances (no pool entry is dated after today), an earlier day's from them less the postings
    dated after it."""
    today = clock.today(box)
    return _sheet_of(ledger.balances_by_type(box.id, as_of if as_of is not None and as_of < today else None),
                     as_of or today)


def balance_sheets(boxes: list[Box]) -> dict[int, BalanceSheet]:
    """Today's balance sheet of each of these pools, in one query for them all (the list of pools)."""
    totals = ledger.balances_by_box([box.id for box in boxes])
    return {box.id: _sheet_of(totals[box.id], clock.today(box)) for box in boxes}


def _sheet_of(t, as_of: date) -> BalanceSheet:
    return BalanceSheet(
        as_of=as_of, assets=t.total(ASSET), cash=t.of(ASSET, "cash"), loans=t.of(ASSET, "principal"),
        savings=t.total(LIABILITY), pledged=t.of(LIABILITY, "pledged"), income=t.total(INCOME),
        interest=t.of(INCOME, "interest"), fees=t.of(INCOME, "service_fees"), penalties=t.of(INCOME, "penalties"),
        written_off=t.total(EXPENSE))


@dataclass
class LoanBook:
    """What the whole book holds on `as_of`, per overdue bucket (BUCKETS' labels, "current" first):
    loans and outstanding principal, summed in the database. Its loans are a list
    (moneypool.lists.book_spec), a page at a time."""
    as_of: date
    found: dict = field(default_factory=dict)  # bucket label -> (loans, outstanding)

    @property
    def count(self) -> int:
        return sum(n for n, _ in self.found.values())

    @property
    def outstanding(self) -> int:
        return sum(total for _, total in self.found.values())

    def bucket_total(self, label: str) -> int:
        return self.found.get(label, (0, 0))[1]

    def at_risk(self, days: int) -> int:
        """Outstanding on loans more than `days` overdue; `days` is a bucket's bound (0, 30, 60, 90)."""
        if days not in (0,) + tuple(low - 1 for low, _, _ in BUCKETS):
            raise ValueError(f"{days} days is not a bucket's bound")
        return sum(self.bucket_total(label) for low, _, label in BUCKETS if low > days)

    def par(self, days: int) -> float:
        """Portfolio at risk: share of outstanding principal on loans more than `days` overdue."""
        return self.at_risk(days) / self.outstanding if self.outstanding else 0.0

    @property
    def buckets(self) -> list[tuple[str, int, int]]:
        return [(label, *self.found.get(label, (0, 0))) for label in ["current"] + [label for _, _, label in BUCKETS]]

    @property
    def named_buckets(self) -> list[tuple[str, int, int]]:
        """The buckets named in the reader's language (pages and PDFs; the API keeps the English labels)."""
        return [(str(BUCKET_NAMES[label]), count, total) for label, count, total in self.buckets]


def days_overdue(as_of: date, oldest: date | None) -> int:
    """Days since the oldest installment not covered by the repayments made by `as_of` fell due."""
    return (as_of - oldest).days if oldest else 0


def bucket(days: int) -> str:
    for low, high, label in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return "current"


def book_rows(box: Box, as_of: date) -> Select:
    """The loans out on `as_of` with principal outstanding, one row each: loan_id, number, name (the
    borrower), outstanding (principal from the ledger as of that day), overdue (what the installments
    due before that day asked and the repayments made by then did not cover) and oldest (the due day
    of the oldest installment not covered; None when none is). All summed in the database, so a page
    or the totals read no installment and no loan they do not show."""
    out = (Loan.box_id == box.id) & (Loan.disbursed_on <= as_of) & (
        (Loan.status == "active") | (Loan.closed_on > as_of))
    owed = (select(LedgerAccount.subject_id.label("loan_id"), func.sum(Posting.amount).label("outstanding"))
            .join(Posting, Posting.account_id == LedgerAccount.id).join(Entry, Entry.id == Posting.entry_id)
            .join(Loan, Loan.id == LedgerAccount.subject_id)
            .where(out, LedgerAccount.box_id == box.id, LedgerAccount.subject_kind == "loan",
                   LedgerAccount.purpose == "principal", Entry.effective_date <= as_of)
            .group_by(LedgerAccount.subject_id).having(func.sum(Posting.amount) > 0).subquery())
    repaid = (select(Repayment.loan_id, func.sum(Repayment.principal + Repayment.interest).label("paid"))
              .join(Loan, Loan.id == Repayment.loan_id)
              .where(out, Repayment.paid_on <= as_of, Repayment.reversed_at.is_(None))
              .group_by(Repayment.loan_id).subquery())
    due_so_far = select(Installment.loan_id, Installment.due_date, func.sum(Installment.principal + Installment.interest).over(
        partition_by=Installment.loan_id, order_by=(Installment.due_date, Installment.number)).label("due")).join(
        Loan, Loan.id == Installment.loan_id).where(out, Installment.due_date < as_of).subquery()
    paid = func.coalesce(repaid.c.paid, 0)
    behind = (select(due_so_far.c.loan_id, (func.max(due_so_far.c.due) - paid).label("overdue"),
                     func.min(case((due_so_far.c.due > paid, due_so_far.c.due_date))).label("oldest"))
              .outerjoin(repaid, repaid.c.loan_id == due_so_far.c.loan_id)
              .group_by(due_so_far.c.loan_id, repaid.c.paid).subquery())
    overdue = func.coalesce(behind.c.overdue, 0)
    return (select(Loan.id.label("loan_id"), Loan.number, Membership.display_name.label("name"),
                   owed.c.outstanding, case((overdue > 0, overdue), else_=0).label("overdue"), behind.c.oldest)
            .join(owed, owed.c.loan_id == Loan.id).outerjoin(behind, behind.c.loan_id == Loan.id)
            .join(PoolMember, PoolMember.id == Loan.member_id)
            .join(Membership, Membership.id == PoolMember.membership_id))


def loan_book(box: Box, as_of: date | None = None) -> LoanBook:
    """The whole book's loans and outstanding per overdue bucket on `as_of`, in one query however
    many loans are out (a 10,000-saver pool has some 1,700)."""
    book = LoanBook(as_of=as_of or clock.today(box))
    rows = book_rows(box, book.as_of).subquery()
    # bucket by the oldest due day: the day each bucket starts is worked out here, so no
    # database's date arithmetic is needed
    starts = [(rows.c.oldest <= book.as_of - timedelta(days=low), i) for i, (low, _, _) in reversed(list(enumerate(BUCKETS)))]
    index = case(*starts, else_=-1).label("bucket")
    by_bucket = select(index, rows.c.outstanding).subquery()
    for i, count, total in db.session.execute(select(by_bucket.c.bucket, func.count(), func.sum(by_bucket.c.outstanding))
                                              .group_by(by_bucket.c.bucket)):
        book.found[BUCKETS[i][2] if i >= 0 else "current"] = (count, int(total))
    return book


@dataclass
class QueuePlace:
    loan: Loan
    place: int
    needed: int  # cash the loans up to this one need
    estimate: date | None  # when expected cash should cover it; None = not within the forecast


@dataclass
class Queue:
    """One page of the loan queue and what the whole queue holds."""
    places: list[QueuePlace]
    total: int  # loans waiting
    needed: int  # cash they all need


def queue(box: Box, pool: Pool, today: date | None = None, *, page: int = 1, per_page: int = 10,
          member_id: int | None = None, loan_id: int | None = None, amounts: list | None = None) -> Queue:
    """A page of the waiting loans (or those of one member, or one loan) with their place and an
    estimate of when cash will be enough, from the contributions and installments falling due
    (assuming they are paid on time). Places and running sums come from the database (window
    functions), so a page reads `per_page` loans however long the queue is. `amounts`: the pool's
    share amounts (owed.share_amounts), when already read."""
    today = today or clock.today(box)
    waiting = select(Loan).filter_by(box_id=box.id, status="approved")
    total, needed = db.session.execute(waiting.with_only_columns(
        func.count(), func.coalesce(func.sum(Loan.amount - Loan.fee), 0))).one()
    if not total:
        return Queue([], 0, 0)
    order = services.queue_order(pool)
    # Lottery queues have no fixed order: each estimate is for the loan's own amount.
    running = func.sum(Loan.amount - Loan.fee).over(order_by=order, rows=(None, 0)) \
        if pool.queue_policy == "fifo" else Loan.amount - Loan.fee
    ranked = waiting.with_only_columns(Loan.id.label("loan_id"), Loan.member_id,
                                       func.row_number().over(order_by=order).label("place"),
                                       running.label("needed")).subquery()
    rows = (select(Loan, ranked.c.place, ranked.c.needed).join(ranked, ranked.c.loan_id == Loan.id)
            .options(*services.LISTED))
    if member_id is not None:
        rows = rows.where(ranked.c.member_id == member_id)
    if loan_id is not None:
        rows = rows.where(ranked.c.loan_id == loan_id)
    rows = db.session.execute(rows.order_by(ranked.c.place).offset((page - 1) * per_page).limit(per_page)).all()
    inflows = _expected_inflows(box, pool, today, amounts) if rows else []
    available = services.cash(box) if rows else 0
    places = []
    for loan, place, need in rows:
        need, estimate, cumulative = int(need), (today if available >= int(need) else None), available
        if estimate is None:
            for day, amount in inflows:
                cumulative += amount
                if cumulative >= need:
                    estimate = day
                    break
        places.append(QueuePlace(loan, place, need, estimate))
    return Queue(places, total, int(needed))


def place_of(box: Box, pool: Pool, loan: Loan) -> QueuePlace | None:
    """A waiting loan's place in the queue (None once it no longer waits)."""
    if loan.status != "approved":
        return None
    return next(iter(queue(box, pool, loan_id=loan.id).places), None)


def _expected_inflows(box: Box, pool: Pool, today: date, amounts: list | None = None) -> list[tuple[date, int]]:
    end = add_months(today, services.FORECAST_PERIODS, box.calendar)
    dates = [d for d in services.due_dates(pool, box, today, end) if d > today]
    flows = {day: amount for day, amount in services.summary.expected_savings(box, pool, dates, amounts).items() if amount}
    for due_date, amount in db.session.execute(  # kept per day: the days ahead, however many loans
            select(PoolInflow.due_date, PoolInflow.amount)
            .where(PoolInflow.box_id == box.id, PoolInflow.due_date > today, PoolInflow.due_date <= end)):
        flows[due_date] = flows.get(due_date, 0) + amount
    return sorted(flows.items())


@dataclass
class LoanStatement:
    """One loan in a member's statement: its principal account, and every repayment in the period
    with what it paid (principal, interest, penalty), undone ones shown as such and not counted."""

    loan: Loan
    principal: object  # hamyan.statements.Statement of the loan's principal
    repayments: list = field(default_factory=list)
    fee: int = 0  # service fee kept at payout, when the payout falls in the period
    penalties_charged: int = 0  # penalties charged in the period and not waived

    def _kept(self, part: str) -> int:
        return sum(getattr(r, part) for r in self.repayments if r.reversed_at is None)

    @property
    def paid(self) -> int:
        return self._kept("amount")

    @property
    def paid_principal(self) -> int:
        return self._kept("principal")

    @property
    def paid_interest(self) -> int:
        return self._kept("interest")

    @property
    def paid_penalty(self) -> int:
        return self._kept("penalty")


@dataclass
class MemberStatement:
    savings: object  # hamyan.statements.Statement over the member's savings (available + pledged)
    contributions: list = field(default_factory=list)  # savings payments in the period, undone ones marked
    loans: list = field(default_factory=list)  # LoanStatement

    @property
    def paid_savings(self) -> int:
        """Savings payments in the period, net of those undone (late fees they paid included)."""
        return sum(c.amount for c in self.contributions if c.reversed_at is None)


def member_statement(box: Box, member: PoolMember, start: date, end: date) -> MemberStatement:
    """One member's money in a period: savings movements and payments, and for each loan every
    repayment split into principal, interest and penalty, so every amount paid reconciles."""
    start, end = check_period(start, end)
    accounts = _member_accounts(box, member)
    savings = account_statement(_l("Savings statement: %(name)s", name=member.name), box, accounts, start, end, sign="credit")
    out = MemberStatement(savings, list(db.session.execute(
        select(Contribution).filter_by(member_id=member.id).where(Contribution.paid_on.between(start, end))
        .order_by(Contribution.paid_on, Contribution.id)).scalars()))
    loans = services.loans_of(member)
    principal = {a.subject_id: a for a in ledger.accounts_of(
        box.id, subject=("loan", [loan.id for loan in loans]), purposes=["principal"])}
    ids = [loan.id for loan in loans if loan.id in principal]
    paid = {}
    for r in db.session.execute(select(Repayment).where(Repayment.loan_id.in_(ids), Repayment.paid_on.between(
            start, end)).order_by(Repayment.paid_on, Repayment.id)).scalars() if ids else ():
        paid.setdefault(r.loan_id, []).append(r)
    charged = dict(db.session.execute(
        select(LateCharge.subject_id, func.sum(LateCharge.amount)).join(Entry, Entry.id == LateCharge.entry_id).where(
            LateCharge.box_id == box.id, LateCharge.subject_kind == "loan", LateCharge.subject_id.in_(ids),
            LateCharge.waiver_entry_id.is_(None), Entry.effective_date.between(start, end))
        .group_by(LateCharge.subject_id)).all()) if ids else {}
    for loan in loans:
        if loan.id in principal:
            out.loans.append(LoanStatement(
                loan, account_statement(_l("Loan #%(number)s", number=number(loan.number, box)), box, [principal[loan.id]], start, end),
                paid.get(loan.id, []), loan.fee if start <= loan.disbursed_on <= end else 0,
                int(charged.get(loan.id) or 0)))
    return out


def member_statement_pdf(box: Box, member: PoolMember, start: date, end: date) -> bytes:
    st = member_statement(box, member, start, end)
    return render_pdf("statements/moneypool_member.html", box=box, statement=st.savings, member=member,
                      payments=st.contributions, paid_savings=st.paid_savings, loans=st.loans)


def render_manager_report(box: Box, params: dict, progress) -> bytes:
    """The manager report, rendered as a report job (hamyan.statements.jobs): a big pool's takes
    longer than a request may wait."""
    data = manager_report(box, db.session.get(Pool, box.id), date.fromisoformat(params["start"]),
                          date.fromisoformat(params["end"]))
    progress(30)
    return render_pdf("statements/moneypool_report.html", progress, box=box, statement=data.cash, report=data)


def _member_accounts(box: Box, member: PoolMember) -> list:
    """A member's savings, available and pledged."""
    return ledger.accounts_of(box.id, subject=("membership", member.membership_id), types=[LIABILITY])


@dataclass
class Savers:
    """The report's savers, in a fixed number of queries whatever the pool's size: each saver's own
    lines are in their statement, and who is behind is the summaries' attention list."""
    count: int  # in the pool at some time in the period
    joined: int  # joined in the period
    left: int  # left in the period
    paid: int  # savings paid in the period (late fees excluded; undone payments not counted)
    behind_on: date | None  # the day the summaries were worked out for
    behind: object  # services.summary.Attention: the savers most behind, and how many are
    owed: int  # savings and late fees the savers behind owe


@dataclass
class ManagerReport:
    start: date
    end: date
    cash: object  # Statement of the pool's cash, a line per day and kind of entry
    opening: BalanceSheet
    closing: BalanceSheet
    book: LoanBook
    savers: Savers

    @property
    def income(self) -> int:
        return self.closing.income - self.opening.income

    @property
    def written_off(self) -> int:
        return self.closing.written_off - self.opening.written_off


def manager_report(box: Box, pool: Pool, start: date, end: date) -> ManagerReport:
    start, end = check_period(start, end)
    cash = next(iter(ledger.accounts_of(box.id, subject=("box", box.id), purposes=["cash"])), None)
    statement = cash_statement(_l("Pool cash"), box, cash, start, end)
    return ManagerReport(start, end, statement, balance_sheet(box, start - timedelta(days=1)),
                         balance_sheet(box, end), loan_book(box, end), _savers(box, pool, start, end))


def _savers(box: Box, pool: Pool, start: date, end: date) -> Savers:
    count, joined, left = db.session.execute(
        select(func.count(), func.sum(case((PoolMember.joined_on >= start, 1), else_=0)),
               func.sum(case((PoolMember.left_on <= end, 1), else_=0)))
        .where(PoolMember.box_id == box.id, PoolMember.joined_on <= end,
               or_(PoolMember.left_on.is_(None), PoolMember.left_on >= start))).one()
    paid = db.session.scalar(
        select(func.sum(Contribution.amount - Contribution.fees))
        .where(Contribution.box_id == box.id, Contribution.reversed_at.is_(None),
               Contribution.paid_on.between(start, end)))
    owed = db.session.scalar(select(func.sum(MemberSummary.overdue))
                             .where(MemberSummary.box_id == box.id, MemberSummary.late == true()))
    return Savers(count, int(joined or 0), int(left or 0), int(paid or 0), pool.summaries_on,
                  services.summary.attention(box), int(owed or 0))


def monthly_statement(box: Box, membership, start: date, end: date) -> bytes | None:
    """A saver's statement for the statements.monthly job; None for a member who does not save."""
    member = db.session.scalar(select(PoolMember).filter_by(membership_id=membership.id))
    return member_statement_pdf(box, member, start, end) if member is not None else None


def standing() -> dict:
    """Where members of every moneypool stand, per currency, for the stakeholder report (descriptor's `standing`)."""
    return summed(MemberSummary.owed, MemberSummary.paid, MemberSummary.arrears,
                     MemberSummary.loan_outstanding, MemberSummary.loan_overdue_days)


def subject_members(subjects: list[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
    """Each loan's borrower, whose receipts its repayments and payout are."""
    loan_ids = [subject_id for kind, subject_id in subjects if kind == "loan"]
    rows = db.session.execute(select(Loan.id, PoolMember.membership_id).join(PoolMember, PoolMember.id == Loan.member_id)
                              .where(Loan.id.in_(loan_ids))) if loan_ids else []
    return {("loan", loan_id): [membership_id] for loan_id, membership_id in rows}


def member_subjects(membership_ids: list[int]) -> list[tuple[str, int]]:
    """These members' loans: a loan's ledger accounts are its borrower's too ("my money")."""
    return [("loan", loan_id) for loan_id in db.session.scalars(select(Loan.id).join(
        PoolMember, PoolMember.id == Loan.member_id).where(PoolMember.membership_id.in_(membership_ids)))]


def figures(box_ids):
    """Each box's dues, arrears and loans for the dashboards (hamyan.analytics), from the summaries."""
    from hamyan.analytics.figures import summed
    from hamyan.blueprints.moneypool.models import MemberSummary

    return summed(MemberSummary.box_id, MemberSummary.owed, MemberSummary.arrears, box_ids,
                  loans_out=MemberSummary.loan_outstanding, overdue_days=MemberSummary.loan_overdue_days)


def upcoming(membership_ids: list[int], today: date) -> list:
    """These members' next contribution and loan installment ("my money")."""
    from hamyan.hamyar.mymoney import Upcoming

    found = []
    for row in db.session.scalars(select(MemberSummary).join(PoolMember, PoolMember.id == MemberSummary.member_id)
                                  .where(PoolMember.membership_id.in_(membership_ids))):
        if row.next_due is not None:
            found.append(Upcoming(row.box_id, _l("Next contribution"), row.next_due, row.next_amount))
        if row.loan_next_due is not None:
            found.append(Upcoming(row.box_id, _l("Next loan installment"), row.loan_next_due, row.loan_next_amount))
    return found
