"""Demo cashbox for `flask demo seed`: six shares (two split), a random draw, two periods drawn,
a late payer with a fine. Idempotent: a second run finds the box by name and does nothing."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from hamyan.core import clock
from hamyan import money
from hamyan.dues.calendar import add_months
from hamyan.blueprints.cashbox import services as cb
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box
from hamyan.extensions import db

NAME = "Demo family cashbox"
# share -> holders; "Demo Member" is the demo member's account; the last one pays late.
SHARES = {1: [("Demo Member", "1")], 2: [("Ali Rezaei", "1")], 3: [("Sara Karimi", "1/2"), ("Demo Member", "1/2")],
          4: [("Reza Ahmadi", "1")], 5: [("Neda Hosseini", "1/3"), ("Omid Jafari", "2/3")], 6: [("Late Leila", "1")]}
# The same family in Persian, shown in Persian (its locale is fa_IR): Jalali dates, Persian digits, tomans.
PERSIAN_NAME = "صندوق خانوادگی رضایی"
PERSIAN_SHARES = {1: [("Demo Member", "1")], 2: [("علی رضایی", "1")], 3: [("سارا کریمی", "1/2"), ("Demo Member", "1/2")],
                  4: [("رضا احمدی", "1")], 5: [("ندا حسینی", "1/3"), ("امید جعفری", "2/3")], 6: [("لیلا مرادی", "1")]}


def seed_cashbox(users) -> None:
    _seed(users, NAME, "en", SHARES)
    _seed(users, PERSIAN_NAME, "fa_IR", PERSIAN_SHARES, show_toman=True)


def _seed(users, name: str, locale: str, shares: dict, show_toman: bool = False) -> None:
    manager, member_user = users["manager"], users["member"]
    if db.session.scalar(select(Box.id).where(Box.kind == cb.KIND, Box.name == name)):
        return
    today = clock.today_in("Asia/Tehran")
    first_due = add_months(today, -2) - timedelta(days=5)
    box = cb.create_cashbox(manager, name, "IRR", "5000000", len(shares), "monthly", first_due, "random",
                            timezone="Asia/Tehran", locale=locale, calendar="persian", grace_days=3,
                            fine_kind="percent", fine_value="2", winner_policy="net")
    if show_toman:
        boxes.update_box(manager, box.id, name, locale, show_toman=True)
    late_name = shares[len(shares)][0][0]
    r = cb.current_round(box.id)
    members = {"Demo Member": cb.add_member(manager, box.id, member_user.name, member_user.email)}
    for holders in shares.values():
        for name, _ in holders:
            if name not in members:
                members[name] = cb.add_member(manager, box.id, name)
    for number, holders in shares.items():
        cb.set_holders(manager, box.id, r.id, number, [(members[name].id, part) for name, part in holders])
    # Started before its first due date, as the family did: its late periods are reminded, not history.
    with clock.frozen(datetime.combine(first_due - timedelta(days=7), time(9))):
        cb.start_round(manager, box.id, r.id)
    for period in r.periods[:3]:
        # The demo replays its months as they happened: each period is paid and drawn on its day,
        # so a draw nets only what was due by then.
        day_of = min(period.due_date + timedelta(days=9), today)
        with clock.frozen(datetime.combine(day_of, time(12))):
            state = cb.round_state(r, period.due_date)
            for s in state.members:
                due = s.due_through(period.number) - s.paid
                late = s.membership.display_name == late_name
                if due <= 0 or (late and period.number == 3):
                    continue
                day = day_of if late else period.due_date - timedelta(days=1)
                cb.record_payment(manager, box.id, s.membership.id, str(money.to_major(due, box.currency)),
                                  "bank" if late else "cash", reference=f"TR-{period.number}" if late else "",
                                  paid_on=day, request_key=f"demo:{period.number}:{s.membership.id}")
            if period.number < 3:
                cb.draw(manager, box.id, period.number)
    cb.assess_fines(box.id, history=True)
