"""Find and export (issue 8) on the cashbox: payments and fines filter by member, date range (typed
in the box's calendar), status and search, paginate, and export the same rows as CSV (UTF-8 with a
BOM, amounts in the box's currency, dates in its calendar); another box's manager gets 404, and a
page costs the same queries for 5 payments as for 60."""
import csv
import io
from datetime import date, timedelta

import jdatetime
import pytest
from sqlalchemy import insert

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment
from hamyan.core import clock as core_clock
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.cashbox.helpers import fill_shares, first_round
from tests.cashbox.test_queries import count_queries

TODAY = date(2026, 3, 10)  # 1404/12/19 in the Persian calendar
NAMES = ["مریم احمدی", "علی رضایی", "Sara Khan"]


@pytest.fixture
def box_setup(user_client):
    manager = user_client("manager@example.com", "Manager")
    with core_clock.frozen(TODAY):
        box = cb.create_cashbox(manager.user, "صندوق خانواده", "IRR", "1000000", 3, "monthly",
                                TODAY - timedelta(days=40), "predefined", calendar="persian", locale="fa_IR",
                                timezone="Asia/Tehran")
        members = fill_shares(manager.user, box, NAMES)
        cb.start_round(manager.user, box.id, first_round(box).id)
        cb.record_payment(manager.user, box.id, members[0].id, "1000000", "bank", "ارجاع-۱۲۳", TODAY - timedelta(days=20))
        cb.record_payment(manager.user, box.id, members[1].id, "500000", "cash", "", TODAY - timedelta(days=5))
        mistake = cb.record_payment(manager.user, box.id, members[2].id, "700000", "bank", "REF-9", TODAY)
        cb.reverse_payment(manager.user, box.id, mistake.id, "اشتباه")
    yield box, members, manager
    

def rows_of(response):
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff"), body[:20]
    return list(csv.reader(io.StringIO(body[1:])))


def records_of(response) -> list[dict]:
    """A CSV export's rows as {header: value}."""
    header, *rows = rows_of(response)
    return [dict(zip(header, row)) for row in rows]


def test_payments_filter_search_and_export(box_setup):
    box, members, manager = box_setup
    url = f"/cashbox/{box.id}/payments"
    with core_clock.frozen(TODAY):
        page = manager.get(url).get_data(as_text=True)
        assert "3 found" in page and 'id="export-csv"' in page
        # a member named in Persian; dates typed in the Persian calendar (and Persian digits)
        page = manager.get(url, query_string={"member": NAMES[0]}).get_data(as_text=True)
        assert "1 found" in page and "ارجاع-۱۲۳" in page
        start = jdatetime.date.fromgregorian(date=TODAY - timedelta(days=6))
        page = manager.get(url, query_string={"start": f"{start.year}/{start.month}/{start.day}",
                                              "end": "۱۴۰۴/۱۲/۱۹"}).get_data(as_text=True)
        assert "2 found" in page
        assert "1 found" in manager.get(url, query_string={"status": "undone"}).get_data(as_text=True)
        assert "1 found" in manager.get(url, query_string={"q": "ref-9"}).get_data(as_text=True)
        assert "1 found" in manager.get(url, query_string={"q": "رضا"}).get_data(as_text=True)
        assert "1 found" in manager.get(url, query_string={"q": "علي"}).get_data(as_text=True)  # Arabic yeh
        response = manager.get(url, query_string={"status": "recorded", "export": "csv"})
        assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
        rows = rows_of(response)
    assert rows[0][:4] == ["Paid on", "Member", "Contribution (IRR)", "Fines (IRR)"]
    paid_on = jdatetime.date.fromgregorian(date=TODAY - timedelta(days=5))
    assert rows[1][:3] == [f"{paid_on.year:04d}/{paid_on.month:02d}/{paid_on.day:02d}", NAMES[1], "500000"]
    assert [r[1] for r in rows[1:]] == [NAMES[1], NAMES[0]] and all(r[-1] == "recorded" for r in rows[1:])


def test_bad_filters_are_shown_not_failed(box_setup):
    box, members, manager = box_setup
    url = f"/cashbox/{box.id}/payments"
    with core_clock.frozen(TODAY):
        for args, message in (({"start": "1404/12/31"}, "no such day in the Persian calendar"),
                              ({"end": "2026-02-30"}, "no such day"),
                              ({"start": "۱۴۰۴/۱۲/۱۰", "end": "1404/12/01"}, "before the From day"),
                              ({"member": "کسی نیست"}, "No member here is called"),
                              ({"status": "<b>"}, "choose one of")):
            response = manager.get(url, query_string=args)
            assert response.status_code == 200 and message in response.get_data(as_text=True), args
        for args in ({"page": "9" * 30}, {"page": "9" * 5000}, {"page": "²"}, {"page": "-3"}, {"page": "۲"}, {"q": "\u202e\x00" + "ن" * 500},
                     {"q": "%"}, {"q": "_"}, {"member": "x" * 1000}):
            response = manager.get(url, query_string=args)
            assert response.status_code == 200, args
        assert "0 found" in manager.get(url, query_string={"q": "%"}).get_data(as_text=True)  # not a wildcard
        huge = manager.get(url, query_string={"page": "9" * 30}).get_data(as_text=True)
        assert "3 found" in huge  # past the last page is the last page


def test_other_boxes_manager_and_members(box_setup, user_client):
    box, members, manager = box_setup
    other = user_client("other@example.com", "Other")
    with core_clock.frozen(TODAY):
        cb.create_cashbox(other.user, "Another", "USD", "10", 2, "monthly", TODAY, "predefined")
        for path in ("payments", "fines", "payments?export=csv", "fines?export=csv"):
            assert other.get(f"/cashbox/{box.id}/{path}").status_code == 404, path
        # a member sees only their own payments, in the page and the CSV
        user = user_client("member@example.com", "Member")
        members[1].user_id = user.user.id
        db.session.commit()
        rows = rows_of(user.get(f"/cashbox/{box.id}/payments?export=csv"))
        assert [r[1] for r in rows[1:]] == [NAMES[1]]


def test_fines_list(user_client):
    manager = user_client("manager@example.com", "Manager")
    with core_clock.frozen(TODAY - timedelta(days=70)):
        box = cb.create_cashbox(manager.user, "Fined", "USD", "10", 2, "monthly", TODAY - timedelta(days=60),
                                "predefined", fine_kind="fixed", fine_value="2")
        members = fill_shares(manager.user, box, ["Ali", "Zahra"])
        cb.start_round(manager.user, box.id, first_round(box).id)
    with core_clock.frozen(TODAY):
        assert cb.assess_fines(box.id, actor=manager.user, history=True) >= 2
        fines = cb.fines_of(first_round(box), members[0].id)
        cb.waive_fine(manager.user, box.id, fines[0][1].id, "بخشیده شد")
        page = manager.get(f"/cashbox/{box.id}/fines").get_data(as_text=True)
        assert "found" in page and "Fines" in page
        rows = rows_of(manager.get(f"/cashbox/{box.id}/fines?export=csv&member=Ali"))
        assert rows[0] == ["Late on", "Member", "Amount (USD)", "Charged on", "Status", "Why waived"]
        assert {r[1] for r in rows[1:]} == {"Ali"} and ["waived", "بخشیده شد"] in [r[4:] for r in rows[1:]]
        assert all(r[2] == "2.00" for r in rows[1:])
        waived = rows_of(manager.get(f"/cashbox/{box.id}/fines?export=csv&status=waived"))
        assert len(waived) == 2


def test_payments_page_queries_do_not_grow(box_setup):
    box, members, manager = box_setup
    url = f"/cashbox/{box.id}/payments?q=BULK&start=1404/01/01"
    entry = db.session.scalars(db.select(Entry).order_by(Entry.id)).first()
    r = first_round(box)

    def add(numbers):  # payments found by the search, each on one entry (the page loads rows' entries)
        db.session.execute(insert(Payment), [dict(round_id=r.id, membership_id=members[i % 3].id, amount=10,
                                                  method="cash", reference=f"bulk-{i}", paid_on=TODAY,
                                                  entry_id=entry.id) for i in numbers])
        db.session.commit()
        db.session.expire_all()  # requests share the test's session: count as if nothing were cached

    with core_clock.frozen(TODAY):
        add(range(1))
        with count_queries() as few:
            assert manager.get(url).status_code == 200
        add(range(1, 60))
        with count_queries() as many:
            page = manager.get(url).get_data(as_text=True)
        assert page.count("bulk-") == 25
        with count_queries() as export:
            rows = rows_of(manager.get(url + "&export=csv"))
        assert len(rows) == 1 + 60
    assert len(many) == len(few)
    assert len(export) <= len(few)


def test_csv_cells_never_run_as_formulas(box_setup):
    box, members, manager = box_setup
    with core_clock.frozen(TODAY):
        cb.record_payment(manager.user, box.id, members[0].id, "1", "bank", "=HYPERLINK(\"http://x\")", TODAY)
        rows = rows_of(manager.get(f"/cashbox/{box.id}/payments?export=csv&q=hyperlink"))
    assert rows[1][5] == "'=HYPERLINK(\"http://x\")" and rows[1][2] == "1"


def test_a_rounds_payments_keep_the_round_in_filters_and_csv(box_setup):
    box, members, manager = box_setup
    r = first_round(box)
    with core_clock.frozen(TODAY):
        page = manager.get(f"/cashbox/{box.id}/payments?round={r.id}").text
        assert f'<input type="hidden" name="round" value="{r.id}">' in page and f"round={r.id}" in page
        assert len(rows_of(manager.get(f"/cashbox/{box.id}/payments?round={r.id}&export=csv"))) == 4
        assert manager.get(f"/cashbox/{box.id}/payments?round=999999&export=csv").status_code == 404
