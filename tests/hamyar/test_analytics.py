"""The dashboards' figures equal direct computations from the tables; the admin dashboard is
admins' only and a box's charts its managers' only (404 to others); every table's CSV reads back as
the table; the pages' queries do not grow with boxes or members."""
import csv
import io
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from hamyan.analytics import figures
from hamyan.analytics.jobs import snapshot
from hamyan.analytics.models import BoxDay, UsageEvent
from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import MemberSummary
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from hamyan.ledger.models import Posting
from tests.conftest import login
from tests.i18n import english_left
from tests.hamyar.conftest import key
from tests.moneypool.conftest import count_queries


def direct_money_moved():
    moved = defaultdict(int)
    for posting in db.session.scalars(select(Posting)):
        if posting.amount > 0:
            moved[(posting.entry.effective_date.strftime("%Y-%m"), posting.currency)] += posting.amount
    return dict(moved)


def test_admin_figures_equal_the_tables(busy_pool, clock):
    box, boss, savers = busy_pool
    p = figures.platform(date(2025, 6, 1))
    assert {k: v for k, v in p.moved.items() if k[0] >= p.months[0]} == direct_money_moved()
    rows = db.session.scalars(select(MemberSummary).filter_by(box_id=box.id)).all()
    n, f = p.by_product[("moneypool", "USD")]
    assert n == 1 and f.due == sum(r.owed for r in rows) and f.arrears == sum(r.arrears for r in rows)
    assert f.loans_out == sum(r.loan_outstanding for r in rows) > 0
    assert p.boxes == {"moneypool": 1} and p.users == 4
    events = db.session.scalars(select(UsageEvent)).all()
    assert p.active_users == len({e.user_id for e in events if e.user_id and e.at.date() >= date(2025, 5, 2)})


def test_funnel_follows_invitations_to_the_first_payment(pool_factory, clock, make_user, client):
    from hamyan.boxes import services as boxes

    box, boss, savers = pool_factory(members=0)
    clock.today = date(2025, 6, 1)
    boxes.invite(boss, box.id, "new@example.com")
    _, token = boxes.invite(boss, box.id, "joiner@example.com")
    joiner = make_user("joiner@example.com", "علی رضایی")
    boxes.accept_invitation(joiner, token)
    assert figures.funnel(datetime(2025, 1, 1)) == figures.Funnel(2, 1, 0)
    membership = db.session.scalar(select(Membership).filter_by(box_id=box.id, user_id=joiner.id))
    member = services.add_member(boss, box.id, "", None, 1, date(2025, 1, 5), membership_id=membership.id)
    services.record_contribution(boss, box.id, member.id, "1000", date(2025, 5, 5), key())
    assert figures.funnel(datetime(2025, 1, 1)) == figures.Funnel(2, 1, 1)


def test_admin_dashboard_is_admins_only_and_its_csvs_read_back(busy_pool, user_client):
    box, boss, savers = busy_pool
    admin = user_client("admin@example.com", "Admin", is_admin=True)
    stranger = user_client("stranger@example.com", "Stranger")
    assert stranger.get("/admin/analytics").status_code == 404
    assert stranger.get("/admin/analytics?table=money").status_code == 404
    page = admin.get("/admin/analytics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and 'role="img"' in html and "Collection rate" in html and ' style="' not in html
    p = figures.platform()
    response = admin.get("/admin/analytics?table=collection")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    n, f = p.by_product[("moneypool", "USD")]
    assert rows[0] == ["product", "currency", "boxes", "due", "arrears", "collection rate"]
    assert rows[1][:5] == ["moneypool", "USD", "1", f"{f.due / 100:.2f}", f"{f.arrears / 100:.2f}"]
    referrals = list(csv.reader(io.StringIO(admin.get("/admin/analytics?table=referrals").get_data(as_text=True))))
    assert referrals == [["way in", "people", "active now"], ["referral link", "0", "0"],
                         ["box invitation accepted", "0", ""]]
    for table in ("users", "boxes", "money", "loans", "trend", "funnel"):
        assert admin.get(f"/admin/analytics?table={table}").status_code == 200
    assert admin.get("/admin/analytics?table=nope").status_code == 404


def test_box_charts_are_its_managers_only(busy_pool, client, make_user):
    box, boss, savers = busy_pool
    snapshot()
    login(client, "boss@example.com")
    page = client.get(f"/boxes/{box.id}/analytics")
    assert page.status_code == 200 and "Collection rate" in page.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/boxes/{box.id}/analytics?table=trend").get_data(as_text=True))))
    day = db.session.scalar(select(BoxDay).filter_by(box_id=box.id))
    assert rows[1] == [day.day.isoformat(), f"{day.due / 100:.2f}", f"{day.arrears / 100:.2f}",
                       f"{(day.due - day.arrears) / day.due:.4f}" if day.due else ""]
    rival = client.application.test_client()
    rival_user = make_user("rival@example.com", "Rival")
    login(rival, "rival@example.com")
    mine = services.create_pool(rival_user, "Rival pool", "USD", "10", date(2025, 1, 5), my_shares=0, max_term=24,
                                interest_method="none", queue_policy="fifo")
    assert rival.get(f"/boxes/{mine.id}/analytics").status_code == 200
    assert rival.get(f"/boxes/{box.id}/analytics").status_code == 404  # another box's manager
    member = client.application.test_client()
    login(member, "m1@example.com")
    assert member.get(f"/boxes/{box.id}/analytics").status_code == 404
    assert member.get(f"/boxes/{box.id}/analytics?table=now").status_code == 404
    assert member.get("/boxes/999999/analytics").status_code == 404


def test_snapshot_is_one_row_per_box_and_day(busy_pool):
    snapshot()
    snapshot()
    assert db.session.query(BoxDay).count() == 1


def test_dashboard_queries_do_not_grow(pool_factory, clock, user_client):
    box, boss, savers = pool_factory(members=2)
    box_id = box.id
    clock.today = date(2025, 6, 1)
    admin = user_client("admin@example.com", "Admin", is_admin=True)
    login(boss_client := admin.application.test_client(), "boss@example.com")
    few = count_queries(admin, "/admin/analytics"), count_queries(boss_client, f"/boxes/{box_id}/analytics")
    boss = db.session.merge(boss)
    for n in range(3):
        services.create_pool(boss, f"Pool {n}", "IRR", "1000", date(2025, 1, 5), my_shares=0, max_term=24,
                             interest_method="none", queue_policy="fifo")
    for n in range(10):
        saver = services.add_member(boss, box_id, f"عضو {n}", None, 1, date(2025, 1, 5))
        services.record_contribution(boss, box_id, saver.id, "1000", date(2025, 5, 1), key())
    snapshot()
    assert (count_queries(admin, "/admin/analytics"), count_queries(boss_client, f"/boxes/{box_id}/analytics")) == few


def test_a_persian_box_counts_its_own_months(make_user, clock, client, box_sets_language):
    """29 Esfand 1403 and 1 Farvardin 1404 are both in March 2025, but in two months of the box."""
    clock.today = date(2025, 4, 10)
    boss = make_user("boss@example.com", "مدیر صندوق")
    box = services.create_pool(boss, "صندوق قرض‌الحسنه", "IRR", "1000", date(2025, 3, 1), timezone="Asia/Tehran",
                               locale="fa", calendar="persian", my_shares=0, max_term=24, interest_method="none",
                               queue_policy="fifo")
    saver = services.add_member(boss, box.id, "مریم", None, 1, date(2025, 3, 1))
    services.record_contribution(boss, box.id, saver.id, "1000", date(2025, 3, 20), key())
    services.record_contribution(boss, box.id, saver.id, "2000", date(2025, 3, 21), key())
    b = figures.one_box(box)
    assert b.months[-1] == "1404-01" and b.months[-2] == "1403-12"
    assert b.moved == {"1403-12": 1000, "1404-01": 2000} and b.payments == {"1403-12": 1, "1404-01": 1}
    login(client, "boss@example.com")
    rows = list(csv.reader(io.StringIO(client.get(f"/boxes/{box.id}/analytics?table=months").get_data(as_text=True))))
    assert rows[0][0] == "ماه (تقویم خورشیدی)" and rows[-2][0] == "1403-12" and rows[-1][0] == "1404-01"
    snapshot()  # the trend charts' days are the box's month and day: 21 Farvardin 1404 (they read "ar 1404")
    page = client.get(f"/boxes/{box.id}/analytics").get_data(as_text=True)
    assert "<title>۰۱/۲۱: " in page and not english_left(page), english_left(page)
    assert "(ریال)" in page and "(IRR)" not in page  # the charts' titles name the money as the page does
