"""Find and export (issue 8) in a real browser at phone size (390x844): a manager records a whole
period at once on the bulk form (one member unticked, one amount adjusted), then filters the
payments by a Persian name and a Jalali date, sees a clear error for an impossible date, and
downloads the CSV, read back with the csv module."""
import csv
from datetime import timedelta

import jdatetime
from playwright.sync_api import expect

from hamyan.blueprints.cashbox import services as cb
from hamyan.core import clock
from tests.cashbox.helpers import fill_shares, first_round
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width, sign_in

NAMES = ["مریم احمدی", "علی رضایی", "Sara Khan"]


def _jalali(day) -> str:
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def _fits_the_phone(page):
    assert scroll_width(page) <= 390, page.url


def test_bulk_period_entry_filters_and_csv(page, make_user, tmp_path):
    manager = make_user("bulk.manager@example.com", "مدیر صندوق")
    today = clock.today_in("Asia/Tehran")
    box = cb.create_cashbox(manager, "صندوق خانوادگی با نامی بلند برای آزمودن", "IRR", "1000000", 3, "monthly",
                            today - timedelta(days=3), "predefined", timezone="Asia/Tehran", locale="fa_IR",
                            calendar="persian")
    members = fill_shares(manager, box, NAMES)
    cb.start_round(manager, box.id, first_round(box).id)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "bulk.manager@example.com", PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"/cashbox/{box.id}")
    page.get_by_role("link", name="Record a whole period").click()
    expect(page.get_by_role("heading", name="Record a period's payments")).to_be_visible()
    _fits_the_phone(page)
    expect(page.get_by_label("Paid on")).to_have_value(_jalali(today))
    for name in NAMES:
        expect(page.get_by_label(f"{name} paid")).to_be_checked()
    page.get_by_label(f"{NAMES[2]} paid").uncheck()
    page.get_by_label(f"Amount from {NAMES[1]}").fill("۵۰۰٬۰۰۰")
    # a bad row first: nothing is written, the row says why
    page.get_by_label(f"Amount from {NAMES[0]}").fill("abc")
    page.get_by_role("button", name="Record the ticked payments").click()
    expect(page.locator(".alert-danger").first).to_contain_text("Nothing was recorded")
    expect(page.locator(f"#bulk-{members[0].id} .invalid-feedback")).to_be_visible()
    page.get_by_label(f"Amount from {NAMES[0]}").fill("1,000,000")
    page.get_by_role("button", name="Record the ticked payments").click()
    expect(page.locator(".alert-success")).to_contain_text("2 payments recorded for period 1.")
    expect(page.get_by_text("2 found")).to_be_visible()
    _fits_the_phone(page)

    # filters: a Persian name, Jalali dates; an impossible date is named, not a crash
    page.get_by_label("Member").fill(NAMES[1])
    page.get_by_label("From").fill("1404/12/30")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".list-filters .invalid-feedback")).to_contain_text("no such day in the Persian calendar")
    page.get_by_label("From").fill(_jalali(today - timedelta(days=1)))
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 found")).to_be_visible()
    expect(page.locator("#list tbody tr")).to_have_count(1)
    _fits_the_phone(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = tmp_path / "payments.csv"
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["Paid on", "Member", "Contribution (IRR)", "Fines (IRR)"]
    assert rows[1:] and [r[:3] for r in rows[1:]] == [[_jalali(today), NAMES[1], "500000"]]


def test_every_list_fits_a_phone(page, make_user):
    """Each list page of a Persian cashbox and money pool, with its filters, at 390 px: no sideways
    scrolling, no console errors."""
    from datetime import date

    from hamyan.blueprints.moneypool import services as mp

    manager = make_user("lists.manager@example.com", "مدیر فهرست‌ها")
    today = clock.today_in("Asia/Tehran")
    box = cb.create_cashbox(manager, "صندوق فهرست‌ها", "IRR", "1000000", 2, "monthly", today - timedelta(days=3),
                            "predefined", timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    members = fill_shares(manager, box, ["زهرا محمدی نژاد اصفهانی", "Reza"])
    cb.start_round(manager, box.id, first_round(box).id)
    cb.record_payment(manager, box.id, members[0].id, "1000000", "bank", "پیگیری-۱۲۳۴۵۶۷۸۹۰")
    pool = mp.create_pool(manager, "قرض‌الحسنه محله", "IRR", "500000", date(2025, 1, 5), timezone="Asia/Tehran",
                          locale="fa_IR", calendar="persian", my_shares=1)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "lists.manager@example.com", PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    for path in (f"/cashbox/{box.id}/payments?q=پیگیری", f"/cashbox/{box.id}/fines", f"/boxes/{box.id}/members",
                 f"/cashbox/{box.id}/collect", f"/pools/{pool.id}/contributions", f"/pools/{pool.id}/loans",
                 f"/pools/{pool.id}/fines", f"/pools/{pool.id}/collect"):
        page.goto(path)
        expect(page.locator("h2").first).to_be_visible()
        _fits_the_phone(page)
