"""Demo ROSCA for `flask demo seed`: eight seats priced fairly at 2% a month with a 1% fee, one seat
shared, deposits, three months paid out, a seat trade, and a late payer. Idempotent: a second run
finds the box by name and does nothing."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from hamyan import money
from hamyan.blueprints.rosca import services as rs
from hamyan.boxes.models import Box
from hamyan.core import clock
from hamyan.dues.calendar import add_months
from hamyan.extensions import db

NAME = "صندوق دوره‌ای محله (Demo ROSCA)"
# seat -> holders; "Demo Member" is the demo member's account.
LATE = "لیلا کاظمی"  # pays late from the third month
SEATS = {1: [("علی رضایی", "1")], 2: [("سارا کریمی", "1")], 3: [("Demo Member", "1")],
         4: [("رضا احمدی", "1")], 5: [("ندا حسینی", "1/2"), ("امید جعفری", "1/2")],
         6: [(LATE, "1")], 7: [("مریم مرادی", "1")], 8: [("حسن تهرانی", "1")]}


def seed_rosca(users) -> None:
    manager, member_user = users["manager"], users["member"]
    if db.session.scalar(select(Box.id).where(Box.kind == rs.KIND, Box.name == NAME)):
        return
    today = clock.today_in("Asia/Tehran")
    first_due = add_months(today, -3) - timedelta(days=4)
    box = rs.create_rosca(manager, NAME, "IRR", len(SEATS), "100000000", "monthly", first_due, "fair", rate="2",
                          fee="1", deposit="20000000", grace_days=3, timezone="Asia/Tehran", locale="fa_IR",
                          calendar="persian")
    members = {"Demo Member": rs.add_member(manager, box.id, member_user.name, member_user.email)}
    for holders in SEATS.values():
        for name, _ in holders:
            if name not in members:
                members[name] = rs.add_member(manager, box.id, name)
    for number, holders in SEATS.items():
        rs.assign_seat(manager, box.id, number, [(members[name].id, part) for name, part in holders])
    rosca = db.session.get(rs.Rosca, box.id)
    for m, due in rs.deposit_due(rosca).items():
        rs.record_deposit(manager, box.id, m, str(money.to_major(due, box.currency)), request_key=f"demo-deposit:{m}")
    swap = rs.request_swap(manager, box.id, 2, 7)  # seat 7 wants the money sooner: a fair trade, priced at 2%
    rs.approve_swap(manager, box.id, swap.id)
    rs.start(manager, box.id)
    for period in rs.periods_of(rosca)[:4]:
        day_of = min(period.due_date + timedelta(days=5), today)
        with clock.frozen(datetime.combine(day_of, time(12))):
            _, states = rs.member_states(rosca)
            for m, state in states.items():
                due = state.cum_due[period.number] - state.paid
                late = state.membership.display_name == LATE
                if due <= 0 or (late and period.number >= 3):
                    continue
                rs.record_payment(manager, box.id, m, str(money.to_major(due, box.currency)),
                                  "bank" if late else "cash", reference=f"TR-{period.number}" if late else "",
                                  paid_on=min(period.due_date, day_of), request_key=f"demo:{period.number}:{m}")
            if period.number <= 3:
                rs.pay_out(manager, box.id, period.number,
                           override_reason="لیلا دیر پرداخت می‌کند؛ صندوق به اندازه کافی دارد" if period.number == 3 else None)
