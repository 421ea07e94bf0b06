"""Operator plans: the boxes a subscriber may create and the members of each of their boxes are
capped by the box rules themselves, so services, pages and the API all refuse with one clear message;
trial and renewal dates decide which plan holds; admins manage plans (404 to everyone else)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hamyan import plans
from hamyan.audit.models import AuditEvent
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.plans.models import Plan, Subscription
from tests.cashbox.helpers import make_box


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.com", "مدیر", is_admin=True)


@pytest.fixture
def small_plan(admin):
    return plans.create_plan(admin, "پایه", max_boxes="۱", max_members="3", trial_days="14", price_rials="5000000",
                             is_default=True)


def test_box_limit_refused_in_the_service_and_the_api(client, make_user, api_token, admin, small_plan):
    boss = make_user("boss@example.com", "رئیس")
    make_box(boss)
    with pytest.raises(plans.LimitReached) as refused:
        make_box(boss)
    assert refused.value.fields["name"].startswith("Your plan “پایه” allows 1 box in use and you have 1 box in use")
    response = client.post("/api/v1/cashboxes", headers=api_token(boss), json=dict(
        name="Another", currency="USD", contribution="50", share_count=2, period_kind="weekly",
        first_due=date.today().isoformat(), draw_mode="random"))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "plan_limit" and "allows 1 box in use" in error["fields"]["name"]
    assert db.session.scalar(select(db.func.count(Box.id))) == 1
    make_box(admin)  # admins are never limited
    make_box(admin)


def test_archived_boxes_leave_the_box_count_until_restored(user_client, admin, small_plan):
    """The cap is on live boxes: archiving an old box (read-only, off the dashboard) frees its place;
    restoring takes a place again, so it is refused while the plan is full (archive-create-restore
    cannot pass the cap)."""
    boss = user_client("boss@example.com", "رئیس")
    old = make_box(boss.user)
    boxes.archive(boss.user, old.id)
    new = make_box(boss.user)  # the archived box does not count
    with pytest.raises(plans.LimitReached) as refused:
        boxes.restore(boss.user, old.id)
    assert refused.value.fields["name"].startswith("The plan “پایه” of this box's creator allows 1 box in use and "
                                                   "they have 1 box in use (archived boxes do not count).")
    assert db.session.get(Box, old.id).archived_at is not None
    page = boss.post(f"/boxes/{old.id}/restore")
    assert page.status_code == 403 and "Archive another box first" in page.get_data(as_text=True)
    boxes.archive(boss.user, new.id)
    boxes.restore(boss.user, old.id)
    assert db.session.get(Box, old.id).archived_at is None


def test_member_limit_refused_in_the_service_the_page_and_the_api(client, make_user, user_client, api_token,
                                                                  small_plan):
    boss = user_client("boss@example.com", "رئیس")
    box = make_box(boss.user)
    boxes.add_member(boss.user, box.id, "سارا")
    boxes.add_member(boss.user, box.id, "رضا")  # the manager makes 3
    with pytest.raises(plans.LimitReached, match="This box has 3 members, the most its owner's plan “پایه” allows"):
        boxes.add_member(boss.user, box.id, "مینا")
    page = boss.post(f"/boxes/{box.id}/members/add", data={"add-display_name": "مینا", "add-role": "member"})
    assert "the most its owner&#39;s plan" in page.get_data(as_text=True)  # on the form, not a bare error page
    api = client.post(f"/api/v1/cashboxes/{box.id}/members", headers=api_token(boss.user), json={"display_name": "مینا"})
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "plan_limit"
    assert db.session.scalar(select(db.func.count(Membership.id)).where(Membership.box_id == box.id)) == 3


def test_a_subscription_lifts_the_default_plan_until_it_lapses(make_user, admin, small_plan, clock):
    big = plans.create_plan(admin, "حرفه‌ای", max_boxes="5", max_members="", trial_days="0", price_rials="0")
    boss = make_user("boss@example.com")
    start = date(2026, 12, 7)
    clock.set(start)
    sub = plans.subscribe(admin, boss.id, big.id)
    assert (sub.started_on, sub.trial_ends_on, sub.renews_on) == (start, None, start + timedelta(days=30))
    assert plans.plan_of(boss.id).id == big.id
    make_box(boss)
    make_box(boss)
    clock.set(start + timedelta(days=31))  # not renewed: lapsed, the default plan holds again
    assert plans.status(db.session.get(Subscription, sub.id)) == "lapsed"
    with pytest.raises(plans.LimitReached):
        make_box(boss)
    plans.subscribe(admin, boss.id, big.id, renews_on="2027-06-01")
    make_box(boss)
    plans.cancel(admin, boss.id)
    assert plans.plan_of(boss.id).id == small_plan.id


def test_a_first_subscription_starts_with_the_trial(make_user, admin, small_plan, clock):
    boss = make_user("boss@example.com")
    clock.set(date(2026, 12, 7))
    sub = plans.subscribe(admin, boss.id, small_plan.id)
    assert sub.trial_ends_on == sub.renews_on == date(2026, 12, 21) and plans.status(sub) == "trial"


def test_plan_input_is_checked_field_by_field(admin, small_plan):
    with pytest.raises(ValidationError) as refused:
        plans.create_plan(admin, "", max_boxes="-1", max_members="x", trial_days="1000", price_rials="1e9")
    assert set(refused.value.fields) == {"name", "max_boxes", "max_members", "trial_days", "price_rials"}
    with pytest.raises(Exception, match="Another plan has this name"):
        plans.create_plan(admin, "پایه")
    with pytest.raises(ValidationError, match="Renews on"):
        plans.subscribe(admin, admin.id, small_plan.id, renews_on="1400-01-01")
    assert db.session.scalar(select(db.func.count(Plan.id))) == 1


def test_one_default_plan_at_most(admin, small_plan):
    other = plans.create_plan(admin, "دیگر", is_default=True)
    assert [p.id for p in db.session.scalars(select(Plan).where(Plan.is_default))] == [other.id]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_plan_pages_are_404_to_everyone_but_admins(client, user_client, small_plan, who):
    viewer = client if who == "anonymous" else user_client("member@example.com")
    for path in ("/admin/plans", f"/admin/plans/{small_plan.id}", "/admin/subscriptions"):
        assert viewer.get(path).status_code == 404
        assert viewer.post(path, data={"name": "x"}).status_code == 404
    assert viewer.post("/admin/users/1/subscription", data={"plan_id": small_plan.id}).status_code == 404
    assert db.session.scalar(select(db.func.count(Plan.id))) == 1


def test_admin_makes_a_plan_and_puts_a_user_on_it(user_client, make_user):
    admin = user_client("admin@example.com", "مدیر", is_admin=True)
    wrong = admin.post("/admin/plans", data={"name": "طلایی", "max_boxes": "دو", "trial_days": "7"})
    assert wrong.status_code == 200 and "Boxes must be a whole number." in wrong.get_data(as_text=True)
    assert admin.post("/admin/plans", data={"name": "طلایی", "max_boxes": "۲", "max_members": "50",
                                            "trial_days": "7", "price_rials": "12000000"}).status_code == 302
    plan = db.session.scalars(select(Plan)).one()
    assert (plan.max_boxes, plan.max_members, plan.price_rials) == (2, 50, 12000000)
    assert "طلایی" in admin.get("/admin/plans").get_data(as_text=True)
    sara = make_user("sara@example.com", "سارا")
    assert admin.post(f"/admin/users/{sara.id}/subscription", data={"plan_id": plan.id, "renews_on": ""}).status_code == 302
    page = admin.get(f"/admin/users/{sara.id}").get_data(as_text=True)
    assert "طلایی" in page and "trial" in page
    assert "سارا" in admin.get("/admin/subscriptions?q=سارا").get_data(as_text=True)
    bad = admin.post(f"/admin/users/{sara.id}/subscription", data={"plan_id": plan.id, "renews_on": "tomorrow"},
                     follow_redirects=True)
    assert "Renews on: enter a date as YYYY-MM-DD." in bad.get_data(as_text=True)
    assert admin.post(f"/admin/plans/{plan.id}", data={"name": "طلایی", "max_boxes": "3"}).status_code == 302
    assert db.session.get(Plan, plan.id).max_boxes == 3
    assert admin.get("/admin/plans/999999").status_code == 404
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == admin.user.id)).all()
    assert {"plans.create_plan", "plans.subscribe", "plans.update_plan"} <= set(actions)
