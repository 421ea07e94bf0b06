"""The same box of each product at any size, built in seconds: members, units, seats and most of
what a box lists inserted directly (through the products' own test builders where they have one),
the money written by the products' services. Every list a box has holds about `size` rows, so a
page or API call that reads per row grows with it."""
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select, update

from hamyan.audit.models import AuditEvent
from hamyan.blueprints.auth.models import User
from hamyan.blueprints.payments.models import PaymentIntent, ReportedPayment
from hamyan.boxes.models import Invitation, Membership
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.notify.models import INAPP, Campaign, OutboxMessage
from hamyan.statements.jobs import ReportJob

_worlds = itertools.count(1)


@dataclass
class World:
    """A box, who uses it, and a value for each variable its routes take."""
    box: object
    manager: object
    member: object  # a user holding one membership of the box
    values: dict = field(default_factory=dict)

    def __post_init__(self):
        # the box row itself is expired by every commit of the walk (an account's world has none)
        self.box_id = self.box.id if self.box is not None else None


def users(count: int, prefix: str) -> list[int]:
    """`count` verified users inserted directly (they never sign in: no password checks them)."""
    now = clock.now()
    db.session.execute(insert(User), [dict(email=f"{prefix}{i}@example.com", name=f"{prefix.title()} {i:04d}",
                                           password_hash="-", email_verified_at=now, created_at=now)
                                      for i in range(count)])
    return db.session.scalars(select(User.id).where(User.email.like(f"{prefix}%@example.com")).order_by(User.id)).all()


def give_accounts(membership_ids: list[int], prefix: str) -> None:
    """Each membership held by a user of its own, as people who accepted their invitation."""
    accounts = users(len(membership_ids), prefix)
    db.session.execute(update(Membership), [dict(id=m, user_id=u) for m, u in zip(membership_ids, accounts)])
    db.session.commit()


def box_lists(world: World, membership_ids: list[int], size: int, target=lambda i: None) -> None:
    """What every box lists, `size` of each: reported payments waiting (one each) and decided (the
    member's own), online payment intents, audit lines, messages sent to the members (the first one's
    outbox rows), invitations; and a report job."""
    box, now, today = world.box, clock.now(), clock.today(world.box)
    mine = world.values["membership_id"]
    who = [mine] + membership_ids[:size - 1]
    db.session.execute(insert(ReportedPayment), [dict(
        box_id=box.id, membership_id=m, amount=1000 + i, method="card", paid_on=today, reference=f"R{i}",
        target=target(i), status=status, request_key=f"walk-{box.id}-{status}-{i}", created_at=now)
        for status, people in (("confirmed", [mine] * size), ("pending", who)) for i, m in enumerate(people)])
    db.session.execute(insert(PaymentIntent), [dict(
        public_id=f"w{box.id}x{i}", box_id=box.id, membership_id=m, amount=1000, fee=0, fee_bearer="box", charged=1000,
        currency=box.currency, gateway="sandbox", authority=f"walk-{box.id}-{i}", status="created", target=target(i),
        created_by_id=world.manager.id, created_at=now, expires_at=now + timedelta(hours=1)) for i, m in enumerate(who)])
    db.session.execute(insert(AuditEvent), [dict(
        at=now - timedelta(minutes=i), box_id=box.id, actor_kind="user", user_id=world.manager.id,
        action="walk.write", changes='[{"table": "membership", "op": "update", "id": %d, "fields": {}}]' % m)
        for i, m in enumerate(who)])
    db.session.execute(insert(Campaign), [dict(
        box_id=box.id, author_id=world.manager.id, subject=f"Notice {i}", body="Read me", status="queued_all",
        recipients=size, created_at=now - timedelta(minutes=i), started_at=now, queued_at=now) for i in range(size)])
    campaign = db.session.scalar(select(Campaign.id).filter_by(box_id=box.id).order_by(Campaign.id))
    db.session.execute(insert(OutboxMessage), [dict(
        channel=INAPP, recipient=str(world.member.id), subject="Notice", body="Read me", user_id=world.member.id,
        box_id=box.id, kind="campaign", campaign_id=campaign, status="sent", created_at=now, next_attempt_at=now)
        for _ in range(size)])
    db.session.execute(insert(Invitation), [dict(
        box_id=box.id, email=f"invited{box.id}x{i}@example.com", role="member", invited_by_id=world.manager.id,
        created_at=now) for i in range(size)])
    job = ReportJob(box_id=box.id, kind="manager", params='{"end": "%s", "start": "%s"}' % (today, today),
                    requested_by_id=world.manager.id, status="queued")
    db.session.add(job)
    db.session.commit()
    world.values.update(
        campaign_id=campaign, job_id=job.id,
        report_id=db.session.scalar(select(ReportedPayment.id).filter_by(box_id=box.id, membership_id=mine)),
        public_id=f"w{box.id}x0", today=today)


def _member_of(world: World, membership_id: int) -> None:
    db.session.execute(update(Membership).where(Membership.id == membership_id).values(user_id=world.member.id))
    db.session.commit()
    world.values["membership_id"] = membership_id


def cashbox(manager, member, size: int) -> World:
    """A started round of 10 shares held by `size` members (split shares), a payment from every
    member (inserted, as bench/build.py does, then the summaries refreshed), the first period drawn."""
    from bench.build import Bulk
    from hamyan.blueprints.cashbox import services as cb
    from hamyan.blueprints.cashbox.models import Payment
    from hamyan.blueprints.cashbox.services.state import refresh_summaries
    from hamyan.core import uow
    from hamyan.ledger.models import LedgerAccount
    from tests.cashbox.test_queries import running_box

    box, people = running_box(manager, size, 10)
    world = World(box, manager, member)
    _member_of(world, people[3].id)
    r = cb.current_round(box.id)
    accounts = dict(db.session.execute(select(LedgerAccount.code, LedgerAccount.id).filter_by(box_id=box.id)).all())
    payments = Bulk(box.id, box.currency, manager.id)
    for m in people[10:]:
        entry = payments.post("contribution", [(accounts["cash"], 10), (accounts[f"member:{m.id}"], -10)],
                              f"cashbox:{box.id}:payment:walk-{m.id}", r.first_due, f"Contribution from {m.display_name}")
        payments.add(Payment.__table__, round_id=r.id, membership_id=m.id, amount=10, fine_amount=0, method="cash",
                     reference="", paid_on=r.first_due, entry_id=entry, created_by_id=manager.id, created_at=payments.now)
    payments.flush()
    with uow.box_transaction(box.id):
        refresh_summaries(cb.current_round(box.id))
    world.values.update(round_id=r.id, number=2)
    ids = [m.id for m in people]
    give_accounts([m for m in ids if m != people[3].id], f"cb{next(_worlds)}u")
    box_lists(world, ids, size)
    return world


def rosca(manager, member, size: int) -> World:
    """A started ROSCA of 12 seats shared by `size` members, a payment from every seat holder, `size`
    trades refused and one waiting."""
    from bench.build import Bulk
    from hamyan.blueprints.rosca import services as rs
    from hamyan.blueprints.rosca.models import Rosca, RoscaPayment, Swap
    from hamyan.blueprints.rosca.services.state import refresh
    from hamyan.core import uow
    from hamyan.ledger.models import LedgerAccount
    from tests.rosca.test_queries import running_rosca

    box = running_rosca(manager, size)
    ids = db.session.scalars(select(Membership.id).filter_by(box_id=box.id, role="member").order_by(Membership.id)).all()
    world = World(box, manager, member)
    _member_of(world, ids[3])
    accounts = dict(db.session.execute(select(LedgerAccount.code, LedgerAccount.id).filter_by(box_id=box.id)).all())
    payments = Bulk(box.id, box.currency, manager.id)
    first = db.session.scalar(select(db.func.max(RoscaPayment.number)).filter_by(box_id=box.id)) + 1
    today = clock.today(box)
    for i, m in enumerate(m for m in ids[5:] if f"member:{m}" in accounts):
        entry = payments.post("contribution", [(accounts["cash"], 10), (accounts[f"member:{m}"], -10)],
                              f"rosca:{box.id}:payment:walk-{m}", today, "Contribution")
        payments.add(RoscaPayment.__table__, box_id=box.id, number=first + i, membership_id=m, kind="contribution",
                     amount=10, method="cash", reference="", paid_on=today, late_fees=0, entry_id=entry,
                     created_by_id=manager.id, created_at=payments.now)
    payments.flush()
    with uow.box_transaction(box.id):
        refresh(db.session.get(Rosca, box.id))
    db.session.execute(insert(Swap), [dict(box_id=box.id, earlier=1 + i % 11, later=12, status="refused",
                                           requested_by_id=manager.id, created_at=clock.now()) for i in range(size)])
    rs.request_swap(manager, box.id, 2, 3)
    give_accounts([m for m in ids if m != ids[3]], f"rs{next(_worlds)}u")
    box_lists(world, ids, size)
    return world


def moneypool(manager, member, size: int) -> World:
    """A pool of `size` savers (tests/moneypool: loans waiting, a request), a saving from every
    saver, `size` loans paid out and half of them partly repaid (inserted, the summaries rebuilt)."""
    from bench.build import Bulk
    from hamyan.blueprints.moneypool import services
    from hamyan.blueprints.moneypool.models import Contribution, Installment, Loan, PoolMember, Repayment
    from hamyan.ledger.models import LIABILITY, LedgerAccount
    from tests.moneypool.test_queries import FIRST_DUE, big_pool, loans_out

    box = big_pool(manager, size)
    loans_out(box, size)
    savers = db.session.execute(select(PoolMember.id, PoolMember.membership_id).filter_by(box_id=box.id)
                                .order_by(PoolMember.id)).all()
    world = World(box, manager, member)
    _member_of(world, savers[0].membership_id)
    accounts = dict(db.session.execute(select(LedgerAccount.code, LedgerAccount.id).filter_by(box_id=box.id)).all())
    cash = accounts["mp:cash"]
    money = Bulk(box.id, box.currency, manager.id)
    for saver, membership in savers[3:]:
        savings = money.account(f"mp:member:{saver}:savings", f"Savings {saver}", LIABILITY, ("membership", membership),
                                "savings")
        entry = money.post("contribution", [(cash, 10_000), (savings, -10_000)], f"mp:{box.id}:contribution:walk-{saver}",
                           FIRST_DUE, "Savings")
        money.add(Contribution.__table__, box_id=box.id, member_id=saver, key=f"walk-{saver}", amount=10_000, fees=0,
                  paid_on=FIRST_DUE, entry_id=entry, created_at=money.now, created_by_id=manager.id, reversed_at=None,
                  reversal_reason="")
    out = db.session.execute(select(Loan.id, Loan.number).filter_by(box_id=box.id, status="active")
                             .where(Loan.request_key.like("out-%")).order_by(Loan.id)).all()
    first = (db.session.scalar(select(db.func.max(Repayment.number)).filter_by(box_id=box.id)) or 0) + 1
    for i, (loan, _) in enumerate(out[::2]):
        entry = money.post("repayment", [(cash, 50_000), (accounts[f"out:{loan}:principal"], -50_000)],
                           f"mp:{box.id}:repay:{loan}:walk", date(2025, 2, 10), "Repayment")
        money.add(Repayment.__table__, box_id=box.id, number=first + i, loan_id=loan, key="walk", amount=50_000,
                  principal=50_000, interest=0, penalty=0, mode="advance", paid_on=date(2025, 2, 10), entry_id=entry,
                  created_at=money.now, created_by_id=manager.id, seq=1, reversed_at=None, reversal_reason="")
    money.flush()
    db.session.execute(update(Installment).where(Installment.loan_id.in_([loan for loan, _ in out[::2]]))
                       .values(paid_principal=50_000))
    db.session.commit()
    services.summary.rebuild(box.id)
    world.values.update(member_id=savers[0].id, loan_id=db.session.scalar(
        select(Loan.id).filter_by(box_id=box.id, member_id=savers[0].id, status="active")))
    ids = db.session.scalars(select(Membership.id).filter_by(box_id=box.id, role="member").order_by(Membership.id)).all()
    give_accounts([m for m in ids if m != savers[0].membership_id], f"mp{next(_worlds)}u")
    box_lists(world, ids, size, target=lambda i: "savings")
    return world


def aptbox(manager, member, size: int) -> World:
    """A building of `size` units with a person each, two months charged, a payment from every
    unit, and `size` expenses, transfers, announcements, polls, votes and unit rules (inserted)."""
    import json

    from bench.build import Bulk
    from hamyan.blueprints.aptbox import services
    from hamyan.blueprints.aptbox.services import common
    from hamyan.blueprints.aptbox.models import (Announcement, Expense, Poll, Transfer, UnitPayment, UnitPerson,
                                                 UnitRule, Vote)
    from hamyan.core import uow
    from hamyan.dues.calendar import add_months
    from hamyan.ledger.models import LedgerAccount
    from tests.aptbox.conftest import awkward, insert_units

    box = services.create_building(manager, f"Building {next(_worlds)}", "IRR", "UTC", "en", "gregorian")
    units = insert_units(box, awkward(size))
    lift = services.add_component(manager, box.id, name="Lift", amount="900000", basis="equal")
    services.add_component(manager, box.id, name="Water", amount="1200000", basis="area")
    today = clock.today(box)
    for back in (2, 1):
        services.issue_month(manager, box.id, add_months(today, -back, "gregorian").strftime("%Y-%m"))
    now = clock.now()
    db.session.execute(insert(Membership), [dict(box_id=box.id, display_name=f"Resident {i:04d}", role="resident",
                                                 created_at=now) for i in range(size)])
    ids = db.session.scalars(select(Membership.id).filter_by(box_id=box.id, role="resident").order_by(Membership.id)).all()
    db.session.execute(insert(UnitPerson), [dict(unit_id=u.id, membership_id=m, relation="resident")
                                            for u, m in zip(units, ids)])
    db.session.commit()
    world = World(box, manager, member)
    _member_of(world, ids[0])
    accounts = dict(db.session.execute(select(LedgerAccount.code, LedgerAccount.id).filter_by(box_id=box.id)).all())
    with uow.box_transaction(box.id):
        cash = common.fund_account(box, "operating").id
    money = Bulk(box.id, box.currency, manager.id)
    for i, unit in enumerate(units):
        entry = money.post("payment", [(cash, 1000), (accounts[f"apt:unit:{unit.id}"], -1000)], f"apt:{box.id}:walk-{unit.id}",
                           today, "Payment")
        money.add(UnitPayment.__table__, box_id=box.id, number=i + 1, unit_id=unit.id, amount=1000, paid_on=today,
                  reference=f"R{i}", payer="", request_key=f"walk-{unit.id}", request_hash="", entry_id=entry,
                  created_at=money.now, created_by_id=manager.id)
    money.flush()
    with uow.box_transaction(box.id):
        services.refresh(box, [u.id for u in units])
    spent = db.session.scalar(select(UnitPayment.entry_id).filter_by(box_id=box.id))
    db.session.execute(insert(Expense), [dict(box_id=box.id, category="cleaning", vendor=f"Vendor {i}", spent_on=today,
                                              amount=100 + i, status="approved", created_at=now) for i in range(size)])
    db.session.execute(insert(Transfer), [dict(box_id=box.id, from_fund="operating", to_fund="reserve", amount=1 + i,
                                               moved_on=today, entry_id=spent) for i in range(size)])
    db.session.execute(insert(Announcement), [dict(box_id=box.id, title=f"Notice {i}", body="Read me", created_at=now)
                                              for i in range(size)])
    db.session.execute(insert(Poll), [dict(box_id=box.id, question=f"Paint it {i}?", options=json.dumps(["yes", "no"]),
                                           closes_on=today + timedelta(days=30), created_at=now) for i in range(size)])
    poll = db.session.scalar(select(Poll.id).filter_by(box_id=box.id).order_by(Poll.id))
    db.session.execute(insert(Vote), [dict(poll_id=poll, unit_id=u.id, choice=0, weight=1, membership_id=m, voted_at=now)
                                      for u, m in zip(units, ids)])
    db.session.execute(insert(UnitRule), [dict(component_id=lift.id, unit_id=u.id, kind="exempt", reason="walk")
                                          for u in units[1:]])
    db.session.commit()
    world.values.update(unit_id=units[0].id, what="charges")
    give_accounts(ids[1:], f"ap{next(_worlds)}u")
    box_lists(world, ids, size, target=lambda i: f"unit:{units[i].id}")
    return world


def account(admin, person, size: int) -> World:
    """An operator's console and one person's account at this size: `size` users (each with a plan),
    box-less audit lines, outbox rows, operator messages and announcements, job runs, partner keys
    (the first with `size` webhook deliveries) and plans; the person has `size` in-app messages,
    devices signed in, API tokens and people they brought, and manages 1 + size // 100 boxes of
    each product (made by the services)."""
    from hamyan.analytics.models import BoxDay  # noqa: F401  (the admin's analytics read it)
    from hamyan.blueprints.auth.models import ApiToken, UserSession
    from hamyan.hamyar.models import Announcement, Referral, ReferralCode
    from hamyan.partners.models import PartnerKey, WebhookDelivery, WebhookSubscription
    from hamyan.plans.models import Plan, Subscription
    from hamyan.scheduling import JobRun
    from tests.cashbox.helpers import make_box
    from tests.rosca.helpers import make_rosca

    n = next(_worlds)
    now, today = clock.now(), clock.now().date()
    people = users(size, f"ac{n}u")
    db.session.execute(insert(Plan), [dict(name=f"Plan {n}-{i}", max_boxes=10, max_members=100, trial_days=0,
                                           price_rials=1000 * i, created_at=now) for i in range(size)])
    plan = db.session.scalar(select(Plan.id).where(Plan.name == f"Plan {n}-0"))
    db.session.execute(insert(Subscription), [dict(user_id=u, plan_id=plan, started_on=today, created_at=now)
                                              for u in people])
    db.session.execute(insert(AuditEvent), [dict(at=now - timedelta(minutes=i), actor_kind="user", user_id=u,
                                                 action="walk.account", changes="[]") for i, u in enumerate(people)])
    db.session.execute(insert(OutboxMessage), [dict(
        channel=channel, recipient=str(person.id) if channel == INAPP else person.email, subject=f"Message {i}",
        body="Read me", user_id=person.id, kind="campaign", status="sent", created_at=now, next_attempt_at=now)
        for i in range(size) for channel in (INAPP, "email")])
    db.session.execute(insert(Campaign), [dict(author_id=admin.id, subject=f"To everyone {i}", body="Read me",
                                               status="queued_all", recipients=size, created_at=now, started_at=now,
                                               queued_at=now) for i in range(size)])
    db.session.execute(insert(Announcement), [dict(author_id=admin.id, title=f"News {i}", body="Read me",
                                                   created_at=now - timedelta(minutes=i)) for i in range(size)])
    db.session.execute(insert(JobRun), [dict(job="walk.job", slot=f"{n}-{i}", started_at=now, finished_at=now,
                                             status="ok", attempt=1) for i in range(size)])
    db.session.execute(insert(PartnerKey), [dict(name=f"Partner {i}", prefix=f"p{n}x{i}", key_hash=f"walk-{n}-{i}",
                                                 can_manage=False, created_at=now, created_by_id=admin.id)
                                            for i in range(size)])
    key = db.session.scalar(select(PartnerKey.id).where(PartnerKey.key_hash == f"walk-{n}-0"))
    hook = WebhookSubscription(key_id=key, url="https://partner.example/hook", events="*", secret_sealed="-")
    db.session.add(hook)
    db.session.flush()
    db.session.execute(insert(WebhookDelivery), [dict(subscription_id=hook.id, event="payment.succeeded",
                                                      payload="{}", status="delivered", created_at=now,
                                                      next_attempt_at=now) for _ in range(size)])
    db.session.execute(insert(UserSession), [dict(user_id=person.id, key_hash=f"walk-{n}-{i}", created_at=now,
                                                  user_agent=f"Phone {i}", last_seen_at=now) for i in range(size)])
    db.session.execute(insert(ApiToken), [dict(user_id=person.id, name=f"Token {i}", token_hash=f"walk-{n}-{i}",
                                               created_at=now) for i in range(size)])
    db.session.add(ReferralCode(user_id=person.id, code=f"walk{n}"))
    db.session.execute(insert(Referral), [dict(referrer_id=person.id, referred_id=u, created_at=now) for u in people])
    db.session.commit()
    first_due = today - timedelta(days=1)
    from hamyan.blueprints.aptbox import services as apt
    from hamyan.blueprints.moneypool import services as mp

    for i in range(1 + size // 100):
        make_box(person)
        make_rosca(person)
        mp.create_pool(person, f"Pool {n}-{i}", "USD", "100", first_due)
        apt.create_building(person, f"Building {n}-{i}", "IRR", "UTC", "en", "gregorian")
    campaign = db.session.scalar(select(Campaign.id).filter_by(box_id=None, author_id=admin.id).order_by(Campaign.id))
    world = World(None, admin, person, dict(user_id=people[0], key_id=key, plan_id=plan, campaign_id=campaign))
    return world
