"""The loan workflow over the ledger: request, decide, disburse, repay, prepay, penalties, write-off."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.moneypool import reports, services
from hamyan.blueprints.moneypool.models import Loan, Repayment
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry
from hamyan.lending import guarantees, state
from tests.conftest import login
from tests.moneypool.conftest import book_loans, key


def _fund(box, manager, savers, amount="1000", day=date(2025, 1, 5)):
    for m in savers:
        services.record_contribution(manager, box.id, m.id, amount, day, key())


def _user(member):
    return member.membership.user


def _writes():
    return db.session.scalar(select(func.count(Entry.id))), db.session.scalar(select(func.count(Loan.id)))


def test_loan_cycle_interest_free_with_fee(pool_factory, clock):
    box, manager, savers = pool_factory(members=3, service_fee_percent="1")
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "4000")
    borrower = savers[0]
    loan = services.request_loan(_user(borrower), box.id, "3000", 3, key(), "New roof")
    assert loan.status == "requested" and loan.fee == 3000  # 1% of 3,000.00 in cents
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    assert loan.status == "active"
    assert [(i.principal, i.interest) for i in loan.installments] == [(100000, 0)] * 3
    sheet = reports.balance_sheet(box)
    assert sheet.cash == 12000_00 - 3000_00 + 30_00 and sheet.loans == 3000_00 and sheet.fees == 30_00
    assert sheet.balanced
    for day in (date(2025, 2, 10), date(2025, 3, 10), date(2025, 4, 10)):
        clock.today = day
        services.repay(manager, box.id, loan.id, "1000", day, key())
    assert loan.status == "closed"
    assert reports.balance_sheet(box).loans == 0
    with pytest.raises(Conflict, match="is repaid; there is nothing to repay"):
        services.repay(manager, box.id, loan.id, "10", None, key())
    assert ledger.check().ok


def test_annuity_prepayment_shortens_or_lowers(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, interest_method="annuity", annual_rate="12", max_term=24)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "20000")
    loans = []
    for borrower in savers:
        loan = services.request_loan(_user(borrower), box.id, "12000", 12, key())
        services.approve(manager, box.id, loan.id)
        services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
        loans.append(loan)
    shorten, reduce = loans
    regular = shorten.installments[0].principal + shorten.installments[0].interest
    clock.today = date(2025, 2, 10)
    services.repay(manager, box.id, shorten.id, "5066.19", date(2025, 2, 10), key(), mode="shorten")
    services.repay(manager, box.id, reduce.id, "5066.19", date(2025, 2, 10), key(), mode="reduce")
    for loan in loans:
        assert sum(i.principal for i in loan.installments) == 12000_00  # the prepayment keeps its own line
        assert services.outstanding_principal(loan) == 12000_00 - sum(r.principal for r in db.session.execute(
            select(Repayment).filter_by(loan_id=loan.id)).scalars())
        assert -ledger.balance(ledger.open_account(box.id, f"mp:loan:{loan.id}:principal", "", "USD",
                                                  type="asset", subject=("loan", loan.id), purpose="principal")) \
            == -services.outstanding_principal(loan)
    future_short = [i for i in shorten.installments if i.due_date > date(2025, 2, 10)]
    future_reduce = [i for i in reduce.installments if i.due_date > date(2025, 2, 10)]
    assert len(future_short) < 11 and future_short[0].principal + future_short[0].interest <= regular
    assert len(future_reduce) == 11 and future_reduce[0].principal + future_reduce[0].interest < regular
    # Paying off early: only principal left is owed, no future interest.
    payoff = services.payoff(shorten, date(2025, 2, 10))
    services.repay(manager, box.id, shorten.id, f"{payoff / 100:.2f}", date(2025, 2, 10), key(), mode="shorten")
    assert shorten.status == "closed"
    assert reports.balance_sheet(box).balanced and ledger.check().ok


def test_penalty_and_write_off_with_guarantor(pool_factory, clock):
    box, manager, savers = pool_factory(members=3, penalty_percent="5", guarantors_required=1, grace_days=5,
                                        interest_method="flat", annual_rate="10")
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "3000")
    borrower, guarantor = savers[0], savers[1]
    loan = services.request_loan(_user(borrower), box.id, "2000", 4, key(), guarantor_ids=[guarantor.id])
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    accounts = services._accounts(box)
    assert accounts[f"mp:member:{guarantor.id}:pledged"].natural_balance == 2000_00
    assert accounts[f"mp:member:{guarantor.id}:savings"].natural_balance == 1000_00
    clock.today = date(2025, 2, 10)
    assert services.loan_for(_user(guarantor), box.id, loan.id)[1].id == loan.id  # their savings are at stake
    assert [x.id for x in services.guaranteed_by(guarantor)] == [loan.id]
    with pytest.raises(NotFound):
        services.loan_for(_user(savers[2]), box.id, loan.id)
    services.repay(manager, box.id, loan.id, str((loan.installments[0].total) / 100), date(2025, 2, 10), key())
    assert services._accounts(box)[f"mp:member:{guarantor.id}:pledged"].natural_balance == 1500_00  # released pro rata
    clock.today = date(2025, 4, 1)
    assert services.assess(box.id, history=True)["penalties"] == 1
    assert services.assess(box.id, history=True)["penalties"] == 0  # idempotent
    assert loan.installments[1].penalty == round(loan.installments[1].unpaid / 1.05 * 0.05)
    assert book_loans(box)[0][2] == (date(2025, 4, 1) - date(2025, 3, 10)).days
    services.write_off(manager, box.id, loan.id, "Moved abroad, unreachable")
    assert loan.status == "written_off"
    accounts = services._accounts(box)
    assert accounts[f"mp:member:{guarantor.id}:pledged"].natural_balance == 0
    assert accounts[f"mp:member:{guarantor.id}:savings"].natural_balance == 3000_00 - 1500_00
    sheet = reports.balance_sheet(box)
    assert sheet.loans == 0 and sheet.balanced and ledger.check().ok
    with pytest.raises(Conflict):
        services.repay(manager, box.id, loan.id, "10", date(2025, 4, 1), key())


def test_queue_when_cash_is_short(pool_factory, clock):
    box, manager, savers = pool_factory(members=3, one_open_loan=True, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "1000")
    first = services.request_loan(_user(savers[0]), box.id, "2500", 5, key())
    second = services.request_loan(_user(savers[1]), box.id, "1000", 5, key())
    services.approve(manager, box.id, first.id)
    services.approve(manager, box.id, second.id)
    with pytest.raises(Conflict, match="approved earlier"):
        services.disburse(manager, box.id, second.id)
    services.disburse(manager, box.id, first.id)
    places = reports.queue(box, services.access(manager, box.id).pool).places
    assert [(p.loan.id, p.place) for p in places] == [(second.id, 1)]
    # cash 500.00; needs 1,000.00: 3 x 1,000 savings due 5 Feb plus installments of 500 on 10 Feb
    assert places[0].estimate == date(2025, 2, 5)
    before = _writes()
    with pytest.raises(ValidationError, match="Not enough cash"):
        services.disburse(manager, box.id, second.id)
    assert _writes() == before


def test_bad_input_is_refused_without_writes(pool_factory, clock, make_user):
    box, manager, savers = pool_factory(members=2, max_loan="1500", savings_multiple="2", min_membership_months=3)
    clock.today = date(2025, 6, 10)
    for m in savers:
        for month in range(1, 7):
            services.record_contribution(manager, box.id, m.id, "1000", date(2025, month, 5), key())
    user = _user(savers[0])
    before = _writes()
    cases = [("1600", 6, "most you can borrow"), ("-5", 6, "more than zero"), ("0", 6, "more than zero"),
             ("abc", 6, "Enter a number"), ("1e30", 6, "Enter a number"), ("٥٠٠", 99, "from 1 to 24"),
             ("10.001", 6, "decimal places")]
    for amount, term, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.request_loan(user, box.id, amount, term, key())
    assert _writes() == before
    with pytest.raises(ValidationError, match="twenty years"):
        services.create_pool(manager, "Old", "USD", "10", date(1901, 1, 1))
    with pytest.raises(ValidationError, match="interest rate"):
        services.create_pool(manager, "Old", "USD", "10", date(2025, 1, 1), interest_method="flat")
    with pytest.raises(ValidationError, match="longest term"):
        services.update_policy(manager, box.id, min_term=30, max_term=12)
    db.session.commit()  # nothing was left half-written for a later commit to pick up
    from hamyan.boxes.models import Box

    assert db.session.scalar(select(func.count(Box.id))) == 1
    assert services.access(manager, box.id).pool.max_term == 24
    # Too new a member
    newcomer_user = make_user("new@example.com", "Newcomer")
    newcomer = services.add_member(manager, box.id, "Newcomer", newcomer_user.email, 1, date(2025, 6, 1))
    services.record_contribution(manager, box.id, newcomer.id, "1000", date(2025, 6, 5), key())
    before = _writes()
    with pytest.raises(ValidationError, match="after 3 months"):
        services.request_loan(newcomer_user, box.id, "100", 3, key())
    # A late payer is not eligible
    clock.today = date(2025, 7, 20)
    with pytest.raises(ValidationError, match="behind"):
        services.request_loan(user, box.id, "100", 3, key())
    assert _writes() == before
    clock.today = date(2025, 6, 10)
    # Double submit of the same request creates one loan; a second open loan is refused
    k = key()
    a = services.request_loan(user, box.id, "1000", 6, k)
    assert services.request_loan(user, box.id, "1000", 6, k).id == a.id
    with pytest.raises(ValidationError, match="open loan"):
        services.request_loan(user, box.id, "100", 6, key())
    # A member cannot approve
    from hamyan.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.approve(user, box.id, a.id)
    with pytest.raises(ValidationError, match="reason"):
        services.reject(manager, box.id, a.id, "  ")
    services.approve(manager, box.id, a.id)
    services.disburse(manager, box.id, a.id)
    assert services.disburse(manager, box.id, a.id).id == a.id  # a second click does nothing
    k = key()
    services.repay(manager, box.id, a.id, "100", None, k)
    entries = _writes()
    services.repay(manager, box.id, a.id, "100", None, k)  # double submit
    assert _writes() == entries
    for amount, message in (("0", "more than zero"), ("-1", "more than zero"), ("99999", "clears this loan")):
        with pytest.raises(ValidationError, match=message):
            services.repay(manager, box.id, a.id, amount, None, key())
    with pytest.raises(ValidationError, match="future"):
        services.repay(manager, box.id, a.id, "1", date(2030, 1, 1), key())
    assert _writes() == entries and db.session.scalar(select(func.count(Repayment.id))) == 1


def test_members_see_only_their_loans_and_other_pools_404(pool_factory, clock, make_user):
    box, manager, savers = pool_factory(members=2, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers)
    loan = services.request_loan(_user(savers[0]), box.id, "100", 3, "their-key")
    with pytest.raises(NotFound):
        services.loan_for(_user(savers[1]), box.id, loan.id)
    with pytest.raises(Conflict):  # someone else's request key does not answer with their loan
        services.request_loan(_user(savers[1]), box.id, "100", 3, "their-key")
    assert services.loan_for(_user(savers[0]), box.id, loan.id)[1].id == loan.id
    stranger = make_user("x@example.com", "Stranger")
    other = services.create_pool(stranger, "Other", "USD", "10", date(2025, 1, 1))
    with pytest.raises(NotFound):
        services.access(_user(savers[0]), other.id)
    with pytest.raises(NotFound):
        services.loan_for(stranger, other.id, loan.id)


def test_member_leaving_settles_loan_from_savings(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "3000")
    loan = services.request_loan(_user(savers[0]), box.id, "1000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    cash_before = services.cash(box)
    services.leave(manager, box.id, savers[0].id)
    assert loan.status == "closed"
    assert services.cash(box) == cash_before - 2000_00  # 3,000 saved - 1,000 owed
    assert services._accounts(box)[f"mp:member:{savers[0].id}:savings"].natural_balance == 0
    assert reports.balance_sheet(box).balanced and ledger.check().ok


def test_leaving_waits_for_the_cash_to_pay_the_savings_out(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=2, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "3000")
    loan = services.request_loan(_user(savers[1]), box.id, "5000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)  # cash left: 1,000
    entries = db.session.scalar(select(func.count(Entry.id)))
    with pytest.raises(ValidationError, match="needs more than the \\$1,000.00 the pool has in cash"):
        services.leave(manager, box.id, savers[0].id)
    assert db.session.scalar(select(func.count(Entry.id))) == entries and savers[0].left_on is None
    page = login(app.test_client(), "boss@example.com").get(f"/pools/{box.id}/members/{savers[0].id}")
    assert "not enough to pay this out" in page.get_data(as_text=True)
    with pytest.raises(ValidationError, match="before their loan was paid out"):
        services.leave(manager, box.id, savers[1].id, date(2025, 1, 9))
    services.repay(manager, box.id, loan.id, "2000", None, key(), mode="shorten")
    services.leave(manager, box.id, savers[0].id)
    assert services.cash(box) == 0 and reports.balance_sheet(box).balanced


def test_reschedule_moves_overdue_interest_into_the_new_plan(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, interest_method="equal_principal", annual_rate="12")
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "3000", 6, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    clock.today = date(2025, 4, 20)  # three installments missed
    overdue_interest = sum(i.interest for i in loan.installments if i.due_date < clock.today)
    with pytest.raises(ValidationError, match="reason"):
        services.reschedule(manager, box.id, loan.id, 10, date(2025, 5, 10), "")
    for _ in range(2):  # a double submit reschedules once (a second run would drop the carried interest)
        services.reschedule(manager, box.id, loan.id, 10, date(2025, 5, 10), "Lost his job; lower installments agreed")
    plan = [i for i in loan.installments if i.unpaid]
    assert len(plan) == 10 and plan[0].due_date == date(2025, 5, 10)
    assert sum(i.principal for i in plan) == 3000_00
    assert plan[0].interest == overdue_interest + 30_00  # carried + 1% of 3,000 for the first new month
    assert [e.kind for e in services.loan_events(loan)].count("rescheduled") == 1
    assert reports.balance_sheet(box).balanced


def test_lottery_queue_draws_among_loans_the_cash_can_pay(pool_factory, clock):
    box, manager, savers = pool_factory(members=4, queue_policy="lottery", require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "1000")
    loans = []
    for m, amount in zip(savers, ("1500", "1500", "4500")):
        loan = services.request_loan(_user(m), box.id, amount, 3, key())
        services.approve(manager, box.id, loan.id)
        loans.append(loan)
    with pytest.raises(Conflict, match="run the draw"):
        services.disburse(manager, box.id, loans[0].id)
    winner = services.draw(manager, box.id, seed=7)
    assert winner.id in (loans[0].id, loans[1].id)  # 4,500 does not fit the 4,000 in cash
    with pytest.raises(Conflict, match="won the last draw"):
        services.draw(manager, box.id)
    services.disburse(manager, box.id, winner.id)
    assert winner.status == "active" and "Among loans" in services.loan_events(winner)[-2].detail


def test_member_withdraws_own_request_only(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers)
    loan = services.request_loan(_user(savers[0]), box.id, "100", 3, key())
    with pytest.raises(NotFound):
        services.cancel(_user(savers[1]), box.id, loan.id)
    assert services.cancel(_user(savers[0]), box.id, loan.id).status == "cancelled"
    with pytest.raises(Conflict):
        services.approve(manager, box.id, loan.id)


def test_late_fees_are_charged_once_and_paid_first(pool_factory, clock):
    box, manager, savers = pool_factory(members=1, late_fee="10", grace_days=5)
    member = savers[0]
    clock.today = date(2025, 2, 20)  # Jan 5 and Feb 5 due; both past grace, nothing paid
    assert services.assess(box.id, history=True)["late_fees"] == 2
    assert services.assess(box.id, history=True)["late_fees"] == 0
    row = services.record_contribution(manager, box.id, member.id, "1000", date(2025, 2, 20), key())
    assert row.fees == 20_00
    position = services.positions(box, services.access(manager, box.id).pool, [member])[0]
    assert position.paid == 980_00 and position.arrears == 1020_00 and position.fees_owed == 0
    assert reports.balance_sheet(box).penalties == 20_00


def test_scheduled_job_assesses_every_pool(pool_factory, clock):
    from hamyan.scheduling import run_job

    today = date(2026, 1, 1)
    pool_factory(members=1, late_fee="10", first_due=today + timedelta(days=3))
    clock.today = today + timedelta(days=40)  # the first due date and its 7 grace days have passed
    run = run_job("moneypool.assess", slot="test")
    assert run.status == "ok" and "1 late fees" in run.detail
    assert run_job("moneypool.assess", slot="test") is None  # the slot is claimed once


def test_one_failing_pool_does_not_stop_the_hourly_assessment_of_the_others(pool_factory, make_user, clock,
                                                                             monkeypatch):
    from hamyan.scheduling import run_job

    today = date(2026, 1, 1)
    broken, _manager, _savers = pool_factory(members=1, late_fee="10", first_due=today + timedelta(days=3))
    other = services.create_pool(make_user("x@example.com", "X"), "Other", "USD", "10", today + timedelta(days=3),
                                 my_shares=1, late_fee="1")
    clock.today = today + timedelta(days=40)
    real = services.assess

    def assess(box_id, day=None):
        if box_id == broken.id:
            raise RuntimeError("corrupt pool")
        return real(box_id, day)

    monkeypatch.setattr(services, "assess", assess)
    run = run_job("moneypool.assess", slot="test")
    assert (run.status, run.boxes_failed) == ("partial", 1)
    assert run.error == f"box {broken.id}: RuntimeError('corrupt pool')"
    assert "1 late fees" in run.detail
    assert services._accounts(other)["mp:income:penalties"].natural_balance == 1_00


def test_someone_from_the_members_page_can_start_saving(pool_factory, clock):
    from hamyan.boxes import services as boxes

    box, manager, _savers = pool_factory(members=0)
    membership = boxes.add_member(manager, box.id, "Dara", None)
    db.session.commit()
    assert [row.display_name for row in db.session.execute(services.not_saving(box).order_by("display_name"))] == [
        "Boss", "Dara"]
    member = services.add_member(manager, box.id, "", None, 2, membership_id=membership.id)
    assert member.membership_id == membership.id
    with pytest.raises(Conflict):
        services.add_member(manager, box.id, "", None, 2, membership_id=membership.id)


def test_borrowers_hear_about_decisions_and_penalties(pool_factory, clock):
    from hamyan.notify.models import OutboxMessage

    box, manager, savers = pool_factory(members=2, penalty_percent="5", grace_days=3)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "2000")
    loan = services.request_loan(_user(savers[0]), box.id, "1000", 2, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    clock.today = date(2025, 2, 20)
    services.assess(box.id, history=True)
    subjects = [m.subject for m in db.session.execute(select(OutboxMessage).filter_by(
        recipient="m0@example.com").where(OutboxMessage.kind.is_(None)).order_by(OutboxMessage.id)).scalars()]
    assert subjects == [f"Neighbours: loan #{loan.number} approved", f"Neighbours: loan #{loan.number} paid out",
                        f"Neighbours: installment 1 of loan #{loan.number} is overdue"]


def test_typing_in_a_pools_past_is_not_fined(pool_factory, clock):
    """Back-dated history (a pool moved to Hamyan from paper) is not charged late fees or penalties
    by the hourly job; deadlines after the member or loan was recorded are."""
    box = pool_factory(members=1, late_fee="10", penalty_percent="5",
                        first_due=date(2024, 1, 5))[0]
    clock.today = date(2024, 12, 20)
    assert services.assess(box.id) == {"late_fees": 0, "penalties": 0}
    assert services.assess(box.id, history=True)["late_fees"] == 12


def test_a_mistaken_payment_is_undone_by_reversal(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, late_fee="10", guarantors_required=1, require_no_arrears=False)
    member, guarantor = savers
    clock.today = date(2025, 2, 20)
    services.assess(box.id, history=True)  # two late fees owed
    wrong = services.record_contribution(manager, box.id, member.id, "10000", date(2025, 2, 20), key())
    assert wrong.fees == 20_00
    entries = _writes()
    with pytest.raises(ValidationError, match="reason"):
        services.reverse_contribution(manager, box.id, wrong.id, "")
    from hamyan.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.reverse_contribution(_user(member), box.id, wrong.id, "typo")
    assert _writes() == entries
    services.reverse_contribution(manager, box.id, wrong.id, "Typed 10000 instead of 1000")
    with pytest.raises(Conflict, match="already undone"):  # a second undo is refused, as in every product
        services.reverse_contribution(manager, box.id, wrong.id, "again")
    accounts = services._accounts(box)
    assert accounts[f"mp:member:{member.id}:savings"].natural_balance == 0
    assert accounts[f"mp:member:{member.id}:fees"].natural_balance == 20_00  # the late fees are owed again
    position = services.positions(box, services.access(manager, box.id).pool, [member])[0]
    assert position.paid == 0 and position.arrears == 2000_00
    # Savings pledged for a loan since can no longer be taken back.
    paid = services.record_contribution(manager, box.id, guarantor.id, "3000", date(2025, 2, 20), key())
    loan = services.request_loan(_user(member), box.id, "2500", 3, key(), guarantor_ids=[guarantor.id])
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    with pytest.raises(ValidationError, match="used since"):
        services.reverse_contribution(manager, box.id, paid.id, "mistake")
    assert reports.balance_sheet(box).balanced and ledger.check().ok


def _rows(loan):
    return [(i.number, i.due_date, i.principal, i.interest, i.paid_principal, i.paid_interest) for i in loan.installments]


def _lines(replayed):
    return [(x.number, x.due_date, x.principal, x.interest, x.paid_principal, x.paid_interest) for x in replayed.lines]


def _paid_out(clock, box, manager, savers, amount, term):
    """A loan to the first saver, asked for and paid out on 2025-01-10 from 5,000 each saved."""
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, amount, term, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    return loan


def _consistent(box, loan):
    """The ledger agrees with the replayed loan: principal account, pledges, balance sheet, entries."""
    accounts = services._accounts(box)
    assert accounts[f"mp:loan:{loan.id}:principal"].natural_balance == services.outstanding_principal(loan)
    assert [g.held for g in loan.guarantees] == guarantees.held(
        services.outstanding_principal(loan), [g.amount for g in loan.guarantees])
    for g in loan.guarantees:
        assert accounts[f"mp:member:{g.member_id}:pledged"].natural_balance == g.held
    assert reports.balance_sheet(box).balanced and ledger.check().ok
    assert services.reconcile() == []


def test_any_repayment_can_be_undone_not_only_the_latest(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, interest_method="annuity", annual_rate="12",
                                        guarantors_required=1, require_no_arrears=False, penalty_percent="5")
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "3000", 6, key(), guarantor_ids=[savers[1].id])
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    plan = _rows(loan)
    clock.today = date(2025, 2, 10)
    first = services.repay(manager, box.id, loan.id, "517.65", None, key())
    prepay = services.repay(manager, box.id, loan.id, "2000", None, key(), mode="shorten")
    services.undo_repayment(manager, box.id, loan.id, first.id, "typo")  # not the latest one
    # The loan is as if only the prepayment had been made: it pays the installment due first.
    alone = state.replay(services._terms(box, loan), [state.Payment("p", date(2025, 2, 10), 2000_00, "shorten")])
    assert _rows(loan) == _lines(alone)
    assert (prepay.principal, prepay.interest) == (alone.splits["p"].principal, alone.splits["p"].interest)
    _consistent(box, loan)
    with pytest.raises(Conflict, match="already undone"):
        services.undo_repayment(manager, box.id, loan.id, first.id, "typo")
    services.undo_repayment(manager, box.id, loan.id, prepay.id, "Meant 200, not 2000")
    assert _rows(loan) == plan and loan.guarantees[0].held == loan.guarantees[0].amount
    _consistent(box, loan)
    # Payoff, then undo: the loan is open again.
    services.repay(manager, box.id, loan.id, f"{services.payoff(loan, clock.today) / 100:.2f}", None, key(),
                   mode="shorten")
    last = services.repayments(loan)[-1]
    assert loan.status == "closed"
    services.undo_repayment(manager, box.id, loan.id, last.id, "Cheque bounced")
    assert loan.status == "active" and loan.closed_on is None
    _consistent(box, loan)
    loan.installments[0].paid_interest += 1  # a row edited by hand is caught
    assert f"loan {loan.id}: installments differ from a replay of its plan and repayments" in services.reconcile()


def test_a_back_dated_repayment_applies_in_date_order(pool_factory, clock):
    box, manager, savers = pool_factory(members=1, interest_method="equal_principal", annual_rate="12",
                                        require_no_arrears=False)
    loan = _paid_out(clock, box, manager, savers, "3000", 3)
    clock.today = date(2025, 3, 15)
    later = services.repay(manager, box.id, loan.id, "1000", date(2025, 3, 10), key())
    earlier = services.repay(manager, box.id, loan.id, "1030", date(2025, 2, 10), key())  # typed in afterwards
    in_order = state.replay(services._terms(box, loan), [state.Payment("feb", date(2025, 2, 10), 1030_00),
                                                         state.Payment("mar", date(2025, 3, 10), 1000_00)])
    assert _rows(loan) == _lines(in_order)
    assert (earlier.principal, earlier.interest) == (1000_00, 30_00)  # installment 1: 1,000 + 1% of 3,000
    assert (later.principal, later.interest) == (980_00, 20_00)  # then installment 2's interest first
    _consistent(box, loan)


@pytest.mark.parametrize("method", ["flat", "equal_principal"])
def test_paying_ahead_then_prepaying_never_charges_a_due_date_interest_twice(pool_factory, clock, method):
    box, manager, savers = pool_factory(members=1, interest_method=method, annual_rate="12", require_no_arrears=False)
    loan = _paid_out(clock, box, manager, savers, "1200", 12)
    most = max(i.interest for i in loan.installments)  # one period's interest at most, on any due date
    clock.today = date(2025, 2, 10)
    first = loan.installments[0]
    services.repay(manager, box.id, loan.id, f"{(first.principal + first.interest + 50_00) / 100:.2f}", None, key(),
                   mode="advance")
    services.repay(manager, box.id, loan.id, "300", None, key(), mode="reduce")
    services.reschedule(manager, box.id, loan.id, 6, date(2025, 4, 10), "Harvest came late")
    per_day = {}
    for i in loan.installments:
        per_day[i.due_date] = per_day.get(i.due_date, 0) + i.interest
    assert max(per_day.values()) <= most
    _consistent(box, loan)


def test_one_payoff_figure_and_paying_ahead_never_takes_interest_not_yet_due(pool_factory, clock):
    box, manager, savers = pool_factory(members=1, interest_method="annuity", annual_rate="12",
                                        require_no_arrears=False)
    loan = _paid_out(clock, box, manager, savers, "3000", 6)
    clock.today = date(2025, 2, 10)
    due_interest = loan.installments[0].interest
    payoff = services.payoff(loan, clock.today)
    assert payoff == 3000_00 + due_interest == services.loan_summary(loan, clock.today).payoff
    for mode in services.PREPAY_MODES:
        with pytest.raises(ValidationError, match=services.money(box, payoff).replace("$", r"\$")):
            services.repay(manager, box.id, loan.id, f"{(payoff + 1) / 100:.2f}", None, key(), mode=mode)
    repayment = services.repay(manager, box.id, loan.id, f"{payoff / 100:.2f}", None, key(), mode="advance")
    assert repayment.interest == due_interest and loan.status == "closed"
    _consistent(box, loan)


def test_a_written_off_loan_owes_nothing_on_its_pages(pool_factory, clock):
    box, manager, savers = pool_factory(members=1, require_no_arrears=False)
    loan = _paid_out(clock, box, manager, savers, "1200", 4)
    clock.today = date(2025, 8, 1)
    services.write_off(manager, box.id, loan.id, "Moved away")
    summary = services.loan_summary(loan, clock.today)
    assert (summary.outstanding, summary.due_now, summary.payoff, summary.days_overdue) == (0, 0, 0, 0)
    assert summary.next_installment is None


def test_persian_calendar_pool_falls_due_on_persian_months(make_user, clock):
    manager = make_user("boss@example.com", "Boss")
    box = services.create_pool(manager, "Sandogh", "IRR", "1000000", date(2025, 3, 21), timezone="Asia/Tehran",
                               locale="fa_IR", calendar="persian", my_shares=2)
    clock.today = date(2025, 6, 1)
    acc = services.access(manager, box.id)
    assert services.due_dates(acc.pool, box, acc.pool.first_due, clock.today) == [
        date(2025, 3, 21), date(2025, 4, 21), date(2025, 5, 22)]  # 1 Farvardin, 1 Ordibehesht, 1 Khordad 1404
    position = services.positions(box, acc.pool, [acc.member])[0]
    assert position.owed == 3 * 2 * 1_000_000 and position.arrears == position.owed
    assert services.money(box, position.owed) == "۶٬۰۰۰٬۰۰۰\xa0ریال"  # written in the box's language outside a page


def test_concurrent_double_submits_write_once(app, pool_factory, clock, is_mysql):
    import threading

    if not is_mysql:
        pytest.skip("SQLite serializes writers; the race between connections is tested on MariaDB/MySQL")
    box, manager, savers = pool_factory(members=1, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "1000", 4, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id)
    box_id, manager_id, member_id, loan_id = box.id, manager.id, savers[0].id, loan.id
    start, errors, results = threading.Barrier(4), [], []

    def worker():
        from hamyan.blueprints.auth.models import User

        try:
            with app.app_context():
                user = db.session.get(User, manager_id)
                start.wait()
                results.append(services.record_contribution(user, box_id, member_id, "100", None, "same-pay").id)
                results.append(services.repay(user, box_id, loan_id, "100", None, "same-repay", "advance").id)
        except Exception as exc:  # noqa: BLE001  reported below with the others
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 8  # every submit answered, with the one record
    db.session.rollback()
    from hamyan.blueprints.moneypool.models import Contribution

    assert db.session.scalar(select(func.count(Contribution.id)).filter_by(key="same-pay")) == 1
    assert db.session.scalar(select(func.count(Repayment.id)).filter_by(key="same-repay")) == 1
    assert ledger.check().ok and reports.balance_sheet(db.session.get(type(box), box_id)).balanced


def test_loan_book_on_past_dates_sees_only_what_had_happened_by_then(pool_factory, clock):
    box, manager, savers = pool_factory(members=2, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "3000")
    loan = services.request_loan(_user(savers[0]), box.id, "1200", 4, key())  # 300 a month from Feb 10
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    # The history tells when the money moved, not only when it was recorded.
    assert services.loan_events(loan)[-1].detail == "paid out on Jan 10, 2025; first installment due Feb 10, 2025"
    clock.today = date(2025, 6, 1)
    services.repay(manager, box.id, loan.id, "300", date(2025, 2, 10), key())
    services.repay(manager, box.id, loan.id, "600", date(2025, 5, 1), key())  # March and April, late
    assert book_loans(box, date(2025, 4, 20)) == [(900_00, 600_00, 41)]
    before = reports.loan_book(box, date(2025, 4, 20))
    assert before.bucket_total("31–60 days") == 900_00 and before.par(30) == 1.0 and before.par(60) == 0
    after = reports.loan_book(box, date(2025, 5, 2))
    assert book_loans(box, date(2025, 5, 2)) == [(300_00, 0, 0)] and after.par(0) == 0
    services.write_off(manager, box.id, loan.id, "Gone", date(2025, 6, 1))
    assert reports.loan_book(box, date(2025, 5, 31)).outstanding == 300_00
    assert reports.loan_book(box, date(2025, 6, 1)).count == 0 and book_loans(box, date(2025, 6, 1)) == []
    assert book_loans(box, date(2025, 1, 9)) == []  # not yet paid out


def test_reconcile_reads_a_pools_accounts_once_not_once_per_loan(pool_factory, clock):
    """`flask ledger check` on a real pool: reading every account of the pool for each of its
    5,000 loans did not finish in 15 minutes."""
    from sqlalchemy import event

    box, manager, savers = pool_factory(members=3, one_open_loan=True, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    for saver in savers:
        loan = services.request_loan(_user(saver), box.id, "100", 2, key())
        services.approve(manager, box.id, loan.id)
        services.disburse(manager, box.id, loan.id)
    reads = []

    def listener(conn, cursor, statement, *args):
        if "FROM ledger_account" in statement:
            reads.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert services.reconcile() == []
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(reads) == 1


def test_a_back_dated_payout_needs_the_cash_held_on_its_day(pool_factory, clock):
    """Cash that came in after the payout's day cannot have paid it: the balance sheet of that day
    would show the pool's cash below zero. Refused on the payout's day, with nothing written."""
    box, manager, savers = pool_factory(members=3, require_no_arrears=False, min_membership_months=0)
    clock.today = date(2025, 3, 10)
    _fund(box, manager, savers[:1], "1000", date(2025, 1, 5))  # 1,000.00 in cash from 5 Jan
    _fund(box, manager, savers[1:], "1000", date(2025, 3, 1))  # 2,000.00 more from 1 Mar
    loan = services.request_loan(_user(savers[0]), box.id, "2500", 5, key())
    services.approve(manager, box.id, loan.id)
    before = _writes()
    with pytest.raises(ValidationError, match="had only") as refused:
        services.disburse(manager, box.id, loan.id, date(2025, 2, 1))
    assert list(refused.value.fields) == ["on"] and _writes() == before
    services.disburse(manager, box.id, loan.id, date(2025, 3, 1))
    cash = ledger.accounts_of(box.id, purposes=["cash"])[0]
    assert ledger.balance(cash, date(2025, 3, 1)) == 50000


def test_a_back_dated_leaving_pays_out_only_the_cash_held_on_its_day(pool_factory, clock):
    """A saver settled on 1 February is paid from the cash of that day, not from savings paid in
    on 1 March: refused with nothing written, and settled on a day the cash was there."""
    box, manager, savers = pool_factory(members=2)
    clock.today = date(2025, 3, 10)
    _fund(box, manager, savers, "1000", date(2025, 3, 1))
    before = _writes()
    with pytest.raises(ValidationError, match="needs more than"):
        services.leave(manager, box.id, savers[0].id, date(2025, 2, 1))
    assert _writes() == before and savers[0].left_on is None
    services.leave(manager, box.id, savers[0].id, date(2025, 3, 1))
    cash = ledger.accounts_of(box.id, purposes=["cash"])[0]
    assert ledger.balance(cash, date(2025, 3, 1)) == 100000
