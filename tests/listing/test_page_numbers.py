"""Every list reads ?page= (and a grid's ?periods= and ?draws=) one way (web.listing.requested_page,
then paged): a number past the last page shows the last page; a word, 0, a negative, a fraction or a
number past any id's shows the first; never a 500. Each list is made two pages long (its page size
set to one row) and asked for each ugly value."""
import re
from datetime import datetime

import pytest

from hamyan import partners, plans
from hamyan.audit import views as audit_views
from hamyan.blueprints.admin import queries as admin_queries
from hamyan.blueprints.admin import views as admin_views
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox import views as cashbox_views
from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca import views as rosca_views
from hamyan.boxes.models import Membership
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.hamyar import inbox
from hamyan.notify import services as notify
from hamyan.partners import views as partner_views
from hamyan.partners.models import WebhookDelivery, WebhookSubscription
from hamyan.scheduling import JobRun
from tests.cashbox.helpers import fill_shares, first_round
from tests.conftest import login
from tests.rosca.helpers import utc_today

FIRST = ("abc", "0", "-3", "2.5", "1e3", "", "99999999999999999999999", "%00")
LAST = ("2", "۲", "3", "999", "2147483647")

# (name, url, page parameter, the pager's label, who asks); {box}, {rosca}, {key} filled in.
LISTS = [
    ("admin users", "/admin/users", "page", "Pages of users", "admin"),
    ("admin boxes", "/admin/boxes", "page", "Pages of boxes", "admin"),
    ("admin outbox", "/admin/outbox", "page", "Pages of messages", "admin"),
    ("admin subscriptions", "/admin/subscriptions", "page", "Pages of subscriptions", "admin"),
    ("admin jobs", "/admin/jobs", "page", "Pages", "admin"),
    ("all activity", "/admin/activity", "page", "Activity pages", "admin"),
    ("a box's activity", "/boxes/{box}/activity", "page", "Activity pages", "boss"),
    ("inbox", "/inbox", "page", "Pages", "boss"),
    ("partner deliveries", "/admin/partners/{key}", "page", "Delivery pages", "admin"),
    ("cashbox members", "/cashbox/{box}", "page", "Members", "boss"),
    ("cashbox periods", "/cashbox/{box}", "periods", "Periods", "boss"),
    ("cashbox draws", "/cashbox/{box}", "draws", "Draws", "boss"),
    ("cashbox member's periods", "/cashbox/{box}/me", "page", "Periods", "boss"),
    ("cashbox setup's shares", "/cashbox/{box}/setup", "page", None, "boss"),
    ("ROSCA members", "/rosca/{rosca}/periods", "page", "Member pages", "boss"),
    ("ROSCA periods", "/rosca/{rosca}/periods", "periods", "Period pages", "boss"),
]


@pytest.fixture
def two_pages(app, make_user, monkeypatch):
    """Two rows (or more) in every list, one row a page."""
    for module, name in ((admin_queries, "PER_PAGE"), (admin_views, "RUNS_PER_PAGE"), (audit_views, "PER_PAGE"),
                         (inbox, "PAGE_SIZE"), (partner_views, "DELIVERIES_PAGE"), (cashbox_views, "MEMBERS_PAGE"),
                         (cashbox_views, "GRID_PERIODS"), (cashbox_views, "MEMBER_PERIODS"),
                         (cashbox_views, "SHARES_PAGE"), (rosca_views, "MEMBERS_PAGE"), (rosca_views, "GRID_PERIODS")):
        monkeypatch.setattr(module, name, 1)
    admin = make_user("admin@example.com", "Ada", is_admin=True)
    boss = make_user("boss@example.com", "Boss")
    box = cb.create_cashbox(boss, "Family", "USD", "100", 2, "monthly", "2026-11-01", "predefined")
    sara, _ = fill_shares(boss, box, ["Sara", "Reza"])
    cb.set_holders(boss, box.id, first_round(box).id, 2, [(sara.id, "1")])  # the manager's own page has periods
    boss_member = db.session.scalar(db.select(Membership).filter_by(box_id=box.id, user_id=boss.id))
    cb.set_holders(boss, box.id, first_round(box).id, 1, [(boss_member.id, "1/2"), (sara.id, "1/2")])
    cb.start_round(boss, box.id, first_round(box).id)
    for amount in ("100", "50"):
        cb.record_payment(boss, box.id, sara.id, amount)
    rosca = rs.create_rosca(boss, "Circle", "USD", 2, "100", "monthly", utc_today(), rate="2", locale="en",
                            calendar="gregorian", timezone="UTC")
    for number, name in ((1, "Sara"), (2, "Reza")):
        rs.assign_seat(boss, rosca.id, number, [(rs.add_member(boss, rosca.id, name).id, "1")])
    rs.start(boss, rosca.id)
    for i, who in enumerate((admin, boss)):
        plans.subscribe(admin, who.id, plans.create_plan(admin, f"Plan {i}", max_boxes="", max_members="",
                                                         trial_days="0", price_rials="0").id)
    with uow.transaction():
        for i in range(2):
            notify.notify_member(boss, box.id, f"Note {i}", "Text", kind="test", channels=("inapp",))
            db.session.add(JobRun(job="test", slot=f"slot {i}", started_at=datetime(2026, 12, 1, i)))
    key, _token = partners.create_key(admin, "Shop", [box.id], False)
    with uow.transaction():
        subscription = WebhookSubscription(key_id=key.id, url="https://shop.example/hook", events="*", secret_sealed="x")
        db.session.add(subscription)
        db.session.flush()
        db.session.add_all([WebhookDelivery(subscription_id=subscription.id, event="payment.recorded", payload="{}")
                            for _ in range(2)])
    clients = {"admin": login(app.test_client(), "admin@example.com"), "boss": login(app.test_client(), "boss@example.com")}
    return clients, {"box": box.id, "rosca": rosca.id, "key": key.id}


def _shown_page(html: str, label: str) -> tuple[int, int]:
    """(the page the list shows, its last page) as its pager says."""
    nav = re.search(f'<nav aria-label="{re.escape(label)}">(.*?)</nav>', html, re.S)
    assert nav, f"no pager {label!r}"
    numbers = [int(n) for n in re.findall(r">(\d+)</a>", nav.group(1))]
    return int(re.search(r'aria-current="page">(\d+)</a>', nav.group(1)).group(1)), max(numbers)


@pytest.mark.parametrize("name, url, param, label, who", LISTS, ids=[row[0] for row in LISTS])
def test_a_list_reads_any_page_number_without_fail(two_pages, name, url, param, label, who):
    clients, ids = two_pages
    url = url.format(**ids)
    for asked in FIRST + LAST:
        response = clients[who].get(url, query_string={param: asked})
        assert response.status_code == 200, (asked, response.status_code)
        if label is None:
            continue
        shown, last = _shown_page(response.get_data(as_text=True), label)
        assert last >= 2, (asked, last)
        assert shown == (min(int(asked), last) if asked in LAST else 1), (asked, shown, last)
