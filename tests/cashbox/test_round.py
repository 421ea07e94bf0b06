"""A whole 10-share round with sub-shares and a late payer, run on SQLite and on MariaDB."""
from datetime import datetime, time, timedelta
from fractions import Fraction

from hamyan.core import clock
from hamyan.rotation import draws
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Period
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.ledger.models import LedgerAccount
from hamyan.money import allocate

CONTRIBUTION = 1000  # 10.00 USD per share per period, in cents
# share number -> [(member name, fraction)]
HOLDERS = {1: [("Ava", "1")], 2: [("Ava", "1")], 3: [("Ben", "1")], 4: [("Cat", "1")], 5: [("Dan", "1")],
           6: [("Eve", "1")], 7: [("Fay", "1")], 8: [("Gus", "1/2"), ("Hal", "1/2")],
           9: [("Ivy", "1/3"), ("Gus", "2/3")], 10: [("Late Larry", "1")]}
LATE = "Late Larry"


def _balance(box, code):
    account = db.session.query(LedgerAccount).filter_by(box_id=box.id, code=code).one()
    return account.natural_balance


def test_whole_round(app, make_user):
    manager = make_user("manager@example.com", "Manager")
    today = clock.today_in("UTC")
    first_due = today - timedelta(days=7 * 9)  # ten weekly periods, the last one due today
    box = cb.create_cashbox(manager, "Ten shares", "USD", "10.00", 10, "weekly", first_due, "random",
                            grace_days=2, fine_kind="fixed", fine_value="1.50", winner_policy="net")
    r = cb.current_round(box.id)
    names = sorted({n for holders in HOLDERS.values() for n, _ in holders})
    members = {n: cb.add_member(manager, box.id, n) for n in names}
    for number, holders in HOLDERS.items():
        cb.set_holders(manager, box.id, r.id, number, [(members[n].id, f) for n, f in holders])
    cb.start_round(manager, box.id, r.id)

    # What each member owes through each period, worked out here independently of the service:
    # a holder's dues through period p are their largest-remainder part of p × contribution.
    cum = {n: [0] * 11 for n in names}
    for holders in HOLDERS.values():
        for p in range(11):
            for (n, _), part in zip(holders, allocate(CONTRIBUTION * p, [Fraction(f) for _, f in holders])):
                cum[n][p] += part
    assert [cum["Ivy"][p] - cum["Ivy"][p - 1] for p in (1, 2, 3)] == [333, 334, 333]
    assert cum["Ivy"][10] == 3333 and cum["Gus"][10] == 5000 + 6667

    paid = {n: 0 for n in names}
    received = {n: 0 for n in names}
    periods = db.session.query(Period).filter_by(round_id=r.id).order_by(Period.number).all()
    commitments = [p.seed_hash for p in periods]
    for period in periods:
        # The round runs in time: each period is paid and drawn three days after its due date
        # (the last one on its due date, today), so the draw nets nothing not yet due.
        moment = today if period.number == 10 else period.due_date + timedelta(days=3)
        with clock.frozen(datetime.combine(moment, time(12))):
            due = {n: cum[n][period.number] - cum[n][period.number - 1] for n in names}
            for n in names:
                # Larry pays every period three days late (past the two grace days), in two parts.
                day = moment if n == LATE else period.due_date
                if n == LATE:
                    cb.record_payment(manager, box.id, members[n].id, f"{due[n] // 2 / 100:.2f}", "cash", paid_on=day)
                    cb.record_payment(manager, box.id, members[n].id, f"{(due[n] - due[n] // 2) / 100:.2f}", "bank",
                                      reference=f"TR-{period.number}", paid_on=day)
                else:
                    cb.record_payment(manager, box.id, members[n].id, f"{due[n] / 100:.2f}", "cash", paid_on=day)
                paid[n] += due[n]
            if period.number == 10:
                # Before the last draw: fines for every late period, then Larry pays them.
                charged = cb.assess_fines(box.id, actor=manager, history=True)
                assert charged == db.session.query(LateCharge).count() > 0
                assert cb.assess_fines(box.id, actor=manager, history=True) == 0  # idempotent
                fines = sum(f.amount for f in db.session.query(LateCharge))
                state = cb.round_state(r).by_membership[members[LATE].id]
                assert [c.status for c in state.cells] == ["paid late"] * 9 + ["paid"]  # the last one paid on its day
                assert state.fines_unpaid == fines == 9 * 150
                cb.record_payment(manager, box.id, members[LATE].id, f"{fines / 100:.2f}", "cash")
            drawn = cb.draw(manager, box.id, period.number)
        holders = drawn.winner.holdings
        for h, part in zip(holders, allocate(10 * CONTRIBUTION, [h.fraction for h in holders])):
            received[h.membership.display_name] += part

    db.session.expire_all()
    assert cb.current_round(box.id).status == "finished"
    # Every winner is reproducible from the published commitment and the revealed seed.
    won = []
    numbers = {s.id: s.number for s in r.shares}
    for period, commitment in zip(db.session.query(Period).filter_by(round_id=r.id).order_by(Period.number), commitments):
        assert draws.commitment(period.seed) == commitment
        candidates = [n for n in range(1, 11) if n not in won]
        assert draws.draw_winner(period.seed, period.number, candidates) == numbers[period.winner_share_id]
        won.append(numbers[period.winner_share_id])
    assert sorted(won) == list(range(1, 11))

    for n in names:
        assert _balance(box, f"member:{members[n].id}") == paid[n] - received[n], n
        assert paid[n] == received[n]  # a whole round: everyone gets back exactly what they put in
    assert _balance(box, "fine_income") == fines
    assert _balance(box, "cash") == fines
    assert _balance(box, f"fines:{members[LATE].id}") == 0

    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0 and "ledger balanced" in result.output

    # Statements: opening, movements and closing agree with the ledger, for any split of the dates.
    start = first_due - timedelta(days=30)
    for n in names:
        st = cb.member_statement(box, members[n], start, today)
        assert st.opening == 0 and st.closing == paid[n] - received[n] == 0
    larry = cb.member_statement(box, members[LATE], start, today)
    assert larry.total_in == paid[LATE] + fines and larry.total_out == received[LATE] + fines
    middle = first_due + timedelta(days=30)
    before, after = (cb.member_statement(box, members[LATE], start, middle),
                     cb.member_statement(box, members[LATE], middle + timedelta(days=1), today))
    assert before.closing == after.opening != 0 and after.closing == larry.closing
    report, rows = cb.manager_report(box, start, today)
    assert report.opening == 0 and report.closing == _balance(box, "cash")
    assert report.total_in == sum(paid.values()) + fines and report.total_out == sum(received.values())
    assert ("Fine income", 0, fines) in rows
