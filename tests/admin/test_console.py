"""The admin console: every page answers admins (with Persian text in the data) and 404s everyone
else; boxes of every product with their volumes, the outbox and health; lists page and filter."""
import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.notify.services import notify
from hamyan.core import uow
from tests.admin.conftest import count_queries
from tests.cashbox.helpers import fill_shares, first_round, make_box

PAGES = ("/admin/users", "/admin/boxes", "/admin/plans", "/admin/subscriptions", "/admin/outbox", "/admin/health",
         "/admin/jobs", "/admin/backups", "/admin/activity", "/admin/partners", "/admin/messages")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_every_admin_page_is_404_to_everyone_but_admins(client, user_client, backups, who):
    viewer = client if who == "anonymous" else user_client("member@example.com")
    for path in PAGES + ("/admin", "/admin/nothing-here"):
        assert viewer.get(path).status_code == 404, path
        assert viewer.post(path).status_code == 404, path  # not 405 or a sign-in redirect either


def test_every_admin_page_answers_an_admin_with_the_tab_bar(admin_client, backups):
    for path in PAGES:
        page = admin_client.get(path).get_data(as_text=True)
        assert 'aria-label="Admin pages"' in page and 'aria-current="page"' in page, path


def test_boxes_with_their_volumes_found_by_name_and_product(admin_client, make_user):
    boss = make_user("boss@example.com", "رئیس")
    box = cb.create_cashbox(boss, "صندوق خانوادگی", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined")
    make_box(boss)
    members = fill_shares(boss, box, ["سارا", "رضا"])
    cb.start_round(boss, box.id, first_round(box).id)
    cb.record_payment(boss, box.id, members[0].id, "1000000")
    page = admin_client.get("/admin/boxes?q=خانوادگی").get_data(as_text=True)
    assert "صندوق خانوادگی" in page and "Test cashbox" not in page
    assert "3 members" in page and "1 entry" in page and "active" in page and "رئیس" in page
    assert "No box matches" in admin_client.get("/admin/boxes?kind=rosca").get_data(as_text=True)
    for bad in ("kind=nope", "page=x", "q=" + "%" * 300):
        assert admin_client.get(f"/admin/boxes?{bad}").status_code == 200


def test_boxes_page_queries_do_not_grow_with_boxes(admin_client, make_user):
    boss = make_user("boss@example.com")
    for _ in range(2):
        make_box(boss)
    few = count_queries(admin_client, "/admin/boxes")
    for _ in range(12):
        make_box(boss)
    assert count_queries(admin_client, "/admin/boxes") == few


def test_outbox_filters_by_recipient_status_and_channel(admin_client):
    with uow.transaction():
        notify("sara@example.com", "یادآوری پرداخت", "متن")
        notify("reza@example.com", "Receipt", "text")
    page = admin_client.get("/admin/outbox?q=sara").get_data(as_text=True)
    assert "یادآوری پرداخت" in page and "Receipt" not in page
    assert "No message matches" in admin_client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Receipt" in admin_client.get("/admin/outbox?channel=email&status=bogus").get_data(as_text=True)


def test_health_page_names_each_part(admin_client, backups):
    page = admin_client.get("/admin/health").get_data(as_text=True)
    for part in ("Database", "Migrations", "Scheduler", "Outbox", "Webhooks", "Newest backup", "Disk"):
        assert part in page


def test_outbox_and_subscriptions_pages_cost_the_same_however_many_rows(admin_client, make_user):
    from hamyan import plans

    plan = plans.create_plan(admin_client.user, "پایه")

    def add(start, stop):
        for n in range(start, stop):
            user = make_user(f"u{n}@example.com", f"کاربر {n}")
            plans.subscribe(admin_client.user, user.id, plan.id)
            with uow.transaction():
                notify(user.email, "سلام", "متن")

    add(0, 2)
    few = [count_queries(admin_client, path) for path in ("/admin/outbox", "/admin/subscriptions")]
    add(2, 20)
    assert [count_queries(admin_client, path) for path in ("/admin/outbox", "/admin/subscriptions")] == few
