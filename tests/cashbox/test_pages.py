"""The cashbox pages: forms with inline errors, htmx partials, double submits, PDFs that read back."""
import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Cashbox, Holding, Payment
from hamyan.dues.calendar import format_day
from hamyan.extensions import db
from tests.test_reports import wait_until_finished
from tests.cashbox.helpers import utc_today

HX = {"HX-Request": "true"}


def _new_box(c, **over):
    data = dict(name="Family box", currency="USD", timezone="UTC", locale="en", calendar="gregorian",
                contribution="100", share_count="3", period_kind="monthly", period_days="",
                first_due=(utc_today() - timedelta(days=1)).isoformat(), draw_mode="predefined",
                grace_days="2", fine_kind="none", fine_value="", winner_policy="net")
    data.update(over)
    return c.post("/cashbox/new", data=data)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_new_box_form_shows_errors_inline(user_client):
    c = user_client("manager@example.com", "Manager")
    assert "New cashbox" in c.get("/cashbox/new").get_data(as_text=True)
    r = _new_box(c, contribution="-3", currency="XYZ")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "is-invalid" in page
    assert "Unknown currency code" in page
    r = _new_box(c, contribution="-3")
    assert "The amount must be more than zero." in r.get_data(as_text=True)
    r = c.post("/cashbox/new", data={"name": ""}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.get_data(as_text=True) and "new-box-form" in r.get_data(as_text=True)
    assert db.session.query(Cashbox).count() == 0
    r = _new_box(c)
    assert r.status_code == 302 and "/setup" in r.headers["Location"]
    assert "cashbox" in c.get("/").get_data(as_text=True).lower()


def test_a_round_in_the_browser_without_js(user_client):
    c = user_client("manager@example.com", "Manager")
    setup = _new_box(c).headers["Location"]
    box_id = int(setup.split("/")[2])
    for name in ("Ann", "Bob", "Cyrus Ω"):
        assert c.post(setup, data={"what": "member", "display_name": name}).status_code == 302
    ids = {m.display_name: m.id for m in cb.active_members(box_id)}
    # An htmx save of one share returns just that share's row, with the error inline when wrong.
    # Holders are named by typing (a name picker), never picked from a list of every member.
    assert "<option" not in c.get(setup).get_data(as_text=True).split('id="share-1"')[1].split("</tr>")[0]
    r = c.post(setup, data={"what": "holders", "share": "1", "s1-member_0": "ann", "s1-fraction_0": "1/2",
                            "s1-member_1": "Zed", "s1-fraction_1": "1/2"}, headers=HX)
    row = r.get_data(as_text=True)
    assert "No member here is called “Zed”" in row and r.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Holding)) == 0
    r = c.post(setup, data={"what": "holders", "share": "1", "s1-member_0": "Ann", "s1-fraction_0": "3/4",
                            "s1-member_1": "Bob", "s1-fraction_1": "1/2"}, headers=HX)
    row = r.get_data(as_text=True)
    assert row.lstrip().startswith('<tr id="share-1">') and "add up to 5/4" in row
    r = c.post(setup, data={"what": "holders", "share": "1", "s1-member_0": "Ann", "s1-fraction_0": "1/2",
                            "s1-member_1": "Bob", "s1-fraction_1": "1/2"}, headers=HX)
    assert "held</span>" in r.get_data(as_text=True) and 'value="Bob"' in r.get_data(as_text=True)
    r = c.post(setup, data={"what": "start"}, follow_redirects=True)
    assert "Not fully held: 2, 3" in r.get_data(as_text=True)
    for n, name in ((2, "Cyrus Ω"), (3, "Ann")):
        assert c.post(setup, data={"what": "holders", "share": str(n), f"s{n}-member_0": name,
                                   f"s{n}-fraction_0": "1"}).status_code == 302
    assert c.post(setup, data={"what": "order", "order": "3, 1, 4"}, follow_redirects=True).status_code == 200
    assert "exactly once" in c.post(setup, data={"what": "order", "order": "3, 1, 4"}).get_data(as_text=True)
    assert c.post(setup, data={"what": "order", "order": "3, 1, 2"}).status_code == 302
    r = c.post(setup, data={"what": "start"})  # the confirm step says what starting means
    assert "Yes, start round 1" in r.get_data(as_text=True) and "$300.00" in r.get_data(as_text=True)
    assert c.post(setup, data={"what": "start", "confirmed": "1"}).status_code == 302

    dash = f"/cashbox/{box_id}"
    page = c.get(dash).get_data(as_text=True)
    assert "Record a payment" in page and "$300.00" in page and "Cyrus Ω" in page
    # A bad payment: the form comes back with the error under the field (htmx: just the form).
    r = c.post(f"{dash}/payments", data={"membership_id": ids["Ann"], "amount": "100.001", "method": "cash",
                                         "request_id": "r1"}, headers=HX)
    assert r.status_code == 200 and "at most 2 decimal places" in r.get_data(as_text=True)
    assert "<html" not in r.get_data(as_text=True)
    # A double submit of the same form records one payment.
    for _ in range(2):
        r = c.post(f"{dash}/payments", data={"membership_id": ids["Ann"], "amount": "150", "method": "cash",
                                             "request_id": "r2"})
        assert r.status_code == 302
    assert db.session.query(Payment).count() == 1
    # The member is named (typed, offered as you type from the names lookup): no list of every member.
    form = page[page.index('id="payment-form"'):]
    assert 'list="member-names"' in form and form[:form.index("</form>")].count("<option") == 2  # the methods
    names = c.get(f"{dash}/names?member=yrus&field=member&block=names", headers=HX).get_data(as_text=True)
    assert names == '<option value="Cyrus Ω"></option>'
    r = c.post(f"{dash}/payments", data={"member": "Nobody", "amount": "50", "method": "cash", "request_id": "r0"})
    assert r.status_code == 200 and "No member here is called “Nobody”" in r.get_data(as_text=True)
    assert db.session.query(Payment).count() == 1
    for name, amount in ((" bob ", "50"), ("Cyrus Ω", "100")):
        assert c.post(f"{dash}/payments", data={"member": name, "amount": amount, "method": "bank",
                                                "reference": "TX-9", "request_id": name}).status_code == 302
    assert db.session.query(Payment).count() == 3
    r = c.post(f"{dash}/draw", data={"period": "1"})
    assert "Yes, draw period 1" in r.get_data(as_text=True) and "Period 1: share" not in r.get_data(as_text=True)
    r = c.post(f"{dash}/draw", data={"period": "1", "confirmed": "1"}, follow_redirects=True)
    assert "Period 1: share 3 wins" in r.get_data(as_text=True)
    r = c.post(f"{dash}/draw", data={"period": "1"}, follow_redirects=True)
    assert "already been drawn" in r.get_data(as_text=True)
    r = c.post(f"{dash}/draw", data={"period": "2", "override_reason": "x" * 501}, follow_redirects=True)
    assert "Reason to draw before the period is fully paid has at most 500 characters." in r.get_data(as_text=True)
    grid = c.get(f"{dash}?block=grid", headers=HX).get_data(as_text=True)
    assert grid.lstrip().startswith('<div id="grid">') and "paid" in grid

    me = c.get(f"/cashbox/{box_id}/members/{ids['Ann']}").get_data(as_text=True)
    assert "won</strong> period 1" in me and "wins period 2" in me
    # What Ann pays next and when: 1/2 of share 1 + share 3 for period 2, due a month after period 1.
    period_2 = cb.round_state(cb.current_round(box_id)).periods[1].due_date
    assert 'id="next-payment">$150.00</div><div class="small text-muted">due ' + format_day(period_2) in me
    assert "<th>Due on</th>" in me

    year = utc_today().year
    r = c.get(f"{dash}/statement.pdf?start={year - 1}-01-01&end={year + 1}-12-31&membership_id={ids['Ann']}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _pdf_text(r.data)
    # Ann paid 150 (1/2 of share 1 and share 3 for period 1) and received the 300 pot of share 3.
    assert "Member statement: Ann" in text and "Total in $150.00" in text and "Total out $300.00" in text
    assert "Closing balance -$150.00" in text
    by_name = c.get(f"{dash}/statement.pdf?start={year - 1}-01-01&end={year + 1}-12-31&member=ann")
    assert by_name.mimetype == "application/pdf" and "Member statement: Ann" in _pdf_text(by_name.data)
    r = c.get(f"{dash}/statement.pdf?start={year - 1}-01-01&end={year + 1}-12-31&member=Nobody")
    assert r.mimetype == "text/html" and "No member here is called “Nobody”" in r.get_data(as_text=True)
    # Days the wrong way round come back on the form's field too, not on a page of their own
    r = c.get(f"{dash}/statement.pdf?start={year + 1}-12-31&end={year - 1}-01-01&member=ann")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html", r.status_code
    assert re.search(r'id="statement-end"[^>]*>\s*<div class="invalid-feedback">The last day is before the first day.', page)
    # The box report is made in the background: asking answers at once with its progress page.
    r = c.post(f"/boxes/{box_id}/reports/manager", data={"start": f"{year - 1}-01-01", "end": f"{year + 1}-12-31"})
    assert r.status_code == 302 and "/reports/jobs/" in r.headers["Location"]
    job = wait_until_finished(int(r.headers["Location"].rsplit("/", 1)[1]))
    text = _pdf_text(c.get(r.headers["Location"] + ".pdf").data)
    assert job.status == "done" and "Box manager report" in text and "Total in $300.00" in text
    assert "Closing balance $0.00" in text


def test_payments_paginate(user_client):
    c = user_client("manager@example.com", "Manager")
    box_id = int(_new_box(c, share_count="1", contribution="1000").headers["Location"].split("/")[2])
    ann = cb.add_member(c.user, box_id, "Ann")
    r = cb.current_round(box_id)
    cb.set_holders(c.user, box_id, r.id, 1, [(ann.id, "1")])
    cb.start_round(c.user, box_id, r.id)
    for i in range(30):
        cb.record_payment(c.user, box_id, ann.id, "1")
    last = db.session.query(Payment).order_by(Payment.id.desc()).first()
    undo = f"/cashbox/{box_id}/payments/{last.id}/reverse"
    ask = c.post(undo, data={"reason": "entered twice"}).get_data(as_text=True)  # the confirm step first
    assert "Undo <bdi>Ann</bdi>&#39;s payment?" in ask and f"The payment of $1.00 from <bdi>Ann</bdi> on" in ask and f"(entry #{last.entry.number})" in ask
    assert "The reason recorded: “<bdi>entered twice</bdi>”" in ask and last.reversal is None
    r = c.post(undo, data={"reason": "entered twice", "confirmed": "1"}, follow_redirects=True)
    assert "is undone" in r.get_data(as_text=True) and "Payment undone: entered twice" in r.get_data(as_text=True)
    blocked = c.post(undo, data={"reason": "again"}).get_data(as_text=True)
    assert "already been undone" in blocked and 'id="confirm-yes"' not in blocked
    page1 = c.get(f"/cashbox/{box_id}/payments").get_data(as_text=True)
    page2 = c.get(f"/cashbox/{box_id}/payments?page=2&block=list", headers=HX).get_data(as_text=True)
    assert page1.count("</tr>") == 26 and page2.count("</tr>") == 6 and "<html" not in page2


def test_setup_forms_show_major_units(user_client):
    c = user_client("manager@example.com", "Manager")
    setup = _new_box(c, contribution="1250.50", fine_kind="percent", fine_value="2.5").headers["Location"]
    page = c.get(setup).get_data(as_text=True)
    assert 'value="1250.50"' in page and 'value="2.5"' in page
    r = c.post(setup, data={"what": "round", "contribution": "0", "share_count": "3", "period_kind": "days",
                            "period_days": "10", "first_due": "2026-01-01", "draw_mode": "random"})
    assert "more than zero" in r.get_data(as_text=True)
    r = c.post(setup, data={"what": "round", "contribution": "5", "share_count": "3", "period_kind": "days",
                            "period_days": "0", "first_due": "2026-01-01", "draw_mode": "random"})
    assert "Days per period must be from 1 to 366." in r.get_data(as_text=True)
    r = c.post(setup, data={"what": "round", "contribution": "99", "share_count": "4", "period_kind": "days",
                            "period_days": "10", "first_due": "2026-01-01", "draw_mode": "random"})
    assert r.status_code == 302
    page = c.get(setup).get_data(as_text=True)
    assert 'id="share-4"' in page and "Jan 11, 2026" in page


def test_setup_pages_its_shares(user_client):
    c = user_client("manager@example.com", "Manager")
    setup = _new_box(c, share_count="120").headers["Location"]
    first, third = c.get(setup).get_data(as_text=True), c.get(setup + "?page=3").get_data(as_text=True)
    assert 'id="share-50"' in first and 'id="share-51"' not in first and "Shares 101–120" in first
    assert 'id="share-101"' in third and 'id="share-120"' in third and 'id="share-1"' not in third


def test_double_submitted_new_box_and_member_forms_create_one(user_client):
    c = user_client("manager@example.com", "Manager")
    setup = _new_box(c).headers["Location"]
    again = _new_box(c)
    assert again.status_code == 200 and "You already have a cashbox with this name" in again.get_data(as_text=True)
    assert db.session.query(Cashbox).count() == 1
    for _ in range(2):
        r = c.post(setup, data={"what": "member", "display_name": "Ann"})
    assert "Ann is already a member" in r.get_data(as_text=True) and 'id="confirm-yes"' in r.get_data(as_text=True)
    box_id = int(setup.split("/")[2])
    assert [m.display_name for m in cb.active_members(box_id)] == ["Ann", "Manager"]
    # another Ann is added once the manager says so
    r = c.post(setup, data={"what": "member", "display_name": "ann", "confirmed": "1"})
    assert r.status_code == 302
    assert sorted(m.display_name for m in cb.active_members(box_id)) == ["Ann", "Manager", "ann"]


def test_one_share_each_gives_every_member_a_whole_share(user_client):
    c = user_client("manager@example.com", "Manager")
    setup = _new_box(c, share_count="2").headers["Location"]
    box_id = int(setup.split("/")[2])
    page = c.get(setup).get_data(as_text=True)
    assert page.index('id="add-member-form"') < page.index("Holders and parts")  # members before shares
    for name in ("سارا کریمی", "Reza"):
        c.post(setup, data={"what": "member", "display_name": name})
    assert "One share each" in c.get(setup).get_data(as_text=True)
    r = c.post(setup, data={"what": "one_share_each"}, follow_redirects=True)
    assert "Each of the 3 members holds one share." in r.get_data(as_text=True)
    round_ = cb.current_round(box_id)
    held = {s.number: [(h.membership.display_name, str(h.fraction)) for h in s.holdings] for s in round_.shares}
    assert held == {1: [("Manager", "1")], 2: [("Reza", "1")], 3: [("سارا کریمی", "1")]}
    cb.start_round(c.user, box_id, round_.id)  # every share is fully held
    r = c.post(setup, data={"what": "one_share_each"}, follow_redirects=True)
    assert "has already started" in r.get_data(as_text=True)
