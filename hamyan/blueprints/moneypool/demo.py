"""Demo pool for `flask demo seed`: ten savers, ten months of history and a loan in every state.
Idempotent: a second run finds the pool by name and does nothing."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Pool
from hamyan.boxes.models import Box
from hamyan.dues.calendar import add_months
from hamyan.core import clock
from hamyan.extensions import db

NAME = "Demo savings and loan fund"
SAVERS = [("Demo Member", 2), ("Ali Rezaei", 3), ("Sara Karimi", 1), ("Reza Ahmadi", 2), ("Neda Hosseini", 1),
          ("Omid Jafari", 2), ("Leila Moradi", 1), ("Kaveh Sadeghi", 3), ("Maryam Ebrahimi", 2), ("Babak Nouri", 1)]


def _pay_due(manager, box, pool, member, day: date, n: int) -> None:
    owed = services.positions(box, pool, [member], today=day)[0]
    behind = owed.owed - owed.paid
    if behind > 0:
        services.record_contribution(manager, box.id, member.id, services.major(box, behind), day, f"demo:{member.id}:{n}")


def seed_moneypool(users) -> None:
    manager, member_user = users["manager"], users["member"]
    if db.session.execute(select(Box.id).join(Pool, Pool.box_id == Box.id).where(Box.name == NAME)).first():
        return
    today = clock.today_in("Asia/Tehran")
    start = add_months(today, -10).replace(day=min(today.day, 28))
    box = services.create_pool(
        manager, NAME, "IRR", "500000", start, timezone="Asia/Tehran", locale="en", my_shares=0,
        interest_method="annuity", annual_rate="18", service_fee_percent="1", penalty_percent="2",
        late_fee="50000", grace_days=7, savings_multiple="5", max_loan="0", min_term=3, max_term=24,
        min_membership_months=2, require_no_arrears=True, guarantors_required=0, queue_policy="fifo")
    members = []
    for i, (name, shares) in enumerate(SAVERS):
        email = member_user.email if i == 0 else None
        members.append(services.add_member(manager, box.id, name, email, shares, start))
    pool = db.session.get(Pool, box.id)
    me, ali, sara, reza, neda, omid, leila, kaveh, maryam, babak = members
    services.set_share_amount(manager, box.id, "600000", add_months(start, 6))
    services.set_shares(manager, box.id, reza.id, 3, add_months(start, 4))
    for n in range(11):
        day = add_months(start, n)
        if day > today:
            break
        for m in members:
            if m is babak and n >= 8:
                continue  # the late payer: behind for the last months, with late fees
            _pay_due(manager, box, pool, m, day, n)
    services.assess(box.id, history=True)

    # Each loan is asked for, decided and paid out on its own days (the clock held there), so its
    # page says when it was asked and its history reads in order.
    def at(day: date, hour: int = 10):
        return clock.frozen(datetime.combine(day, time(hour)))

    def loan(member, amount, term, purpose, guarantors=(), asked=None):
        with at(asked or today, 9):
            return services.request_loan(manager, box.id, amount, term, f"demo:{member.id}:{purpose}", purpose,
                                         [g.id for g in guarantors], member_id=member.id)

    def approve(lo, day):
        with at(day, 15):
            services.approve(manager, box.id, lo.id)

    def pay_out(lo, day):  # asked, approved and paid out on one day: savers may borrow after two months
        approve(lo, day)
        with at(day, 16):
            services.disburse(manager, box.id, lo.id, day)

    def pay_installments(lo, until, number=None):
        for inst in list(lo.installments)[:number]:
            if inst.due_date <= until and inst.unpaid:
                with at(inst.due_date, 12):
                    services.repay(manager, box.id, lo.id, services.major(box, inst.unpaid), inst.due_date,
                                   f"demo:{lo.id}:{inst.number}")

    # Repaid early: prepaid in full after three installments.
    paid_on = add_months(start, 2)
    closed = loan(ali, "6000000", 6, "Car repair", asked=paid_on)
    pay_out(closed, paid_on)
    pay_installments(closed, add_months(start, 5))
    with at(add_months(start, 5), 13):
        payoff = services.payoff(closed, add_months(start, 5))
        services.repay(manager, box.id, closed.id, services.major(box, payoff), add_months(start, 5), "demo:payoff",
                       mode="shorten")
    # Being repaid on time: the demo member's own loan.
    paid_on = add_months(start, 4)
    mine = loan(me, "8000000", 12, "Home appliances", asked=paid_on)
    pay_out(mine, paid_on)
    pay_installments(mine, today)
    # Overdue: paid two installments, then stopped; penalties charged.
    paid_on = add_months(start, 3)
    late = loan(reza, "5000000", 10, "Medical bills", asked=paid_on)
    pay_out(late, paid_on)
    pay_installments(late, today, number=2)
    # Written off.
    paid_on = add_months(start, 2)
    lost = loan(kaveh, "4000000", 8, "Shop stock", guarantors=[ali], asked=paid_on)
    pay_out(lost, paid_on)
    pay_installments(lost, today, number=1)
    services.assess(box.id, history=True)
    services.write_off(manager, box.id, lost.id, "The shop closed and the borrower moved away; no contact since.")
    # Rejected, withdrawn, waiting for a decision, and approved but waiting for cash.
    rejected = loan(sara, "3000000", 6, "Travel", asked=today - timedelta(days=40))
    with at(today - timedelta(days=38)):
        services.reject(manager, box.id, rejected.id,
                        "Savings do not yet cover a loan this size; ask again in two months.")
    withdrawn = loan(neda, "2000000", 4, "School fees", asked=today - timedelta(days=20))
    with at(today - timedelta(days=18)):
        services.cancel(manager, box.id, withdrawn.id)
    loan(omid, "6000000", 12, "Wedding", asked=today - timedelta(days=2))
    # Two approved loans that together need more than the cash: the second waits in the queue.
    for days, (borrower, purpose) in zip((12, 9, 6), ((maryam, "Deposit on a flat"), (leila, "Sewing machines"),
                                                    (sara, "Roof repair"))):
        with at(today - timedelta(days=days)):
            limit = services.eligibility(box, pool, borrower)[1]
        waiting = loan(borrower, services.major(box, limit), 24, purpose, asked=today - timedelta(days=days))
        approve(waiting, today - timedelta(days=days - 2))
    services.assess(box.id, history=True)
