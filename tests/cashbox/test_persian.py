"""The cashbox in Persian: every page right to left with no English left, as manager and member (names,
references and codes set apart as values), its flashes, form errors and CSV headings in Persian."""
import re

import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.boxes import services as boxes
from tests.cashbox.helpers import fill_shares, first_round
from tests.i18n import english_left, persian_page

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}


def persian(client, url: str) -> str:
    """The page as a Persian reader gets it: right to left, nothing English."""
    response = client.get(url, headers=FA)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html, url
    assert not english_left(html), (url, english_left(html))
    return html


@pytest.fixture
def persian_box(user_client):
    """A Persian-calendar cashbox with a running round, a payment and a member who signs in."""
    manager = user_client("boss@example.com", "رئیس")
    member = user_client("sara@example.com", "سارا")
    box = cb.create_cashbox(manager.user, "صندوق خانوادگی", "IRR", "1000000", 3, "monthly", "2026-12-01",
                            "random", timezone="Asia/Tehran", locale="fa_IR", calendar="persian",
                            fine_kind="fixed", fine_value="50000", grace_days="2")
    joined = boxes.add_member(manager.user, box.id, "سارا", "sara@example.com")
    others = fill_shares(manager.user, box, ["رضا", "مریم"])
    cb.set_holders(manager.user, box.id, first_round(box).id, 3, [(joined.id, "1")])
    cb.start_round(manager.user, box.id, first_round(box).id)
    cb.record_payment(manager.user, box.id, others[0].id, "1000000", method="bank", reference="TX-12")
    return dict(box=box, manager=manager, member=member, joined=joined, others=others)


def test_new_cashbox_page_and_its_errors_read_in_persian(persian_box):
    c = persian_box["manager"]
    persian_page(c, "/cashbox/new")
    wrong = c.post("/cashbox/new", data={"name": "", "contribution": "-3", "currency": "XYZ"}, headers=FA)
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and "is-invalid" in page and not english_left(page)


def test_payments_page_and_csv_read_in_persian(persian_box):
    box = persian_box["box"]
    assert "واریز بانکی" in persian(persian_box["manager"], f"/cashbox/{box.id}/payments")
    persian(persian_box["member"], f"/cashbox/{box.id}/payments")  # her own payments: none yet
    persian(persian_box["manager"], f"/cashbox/{box.id}/payments?q=هیچ")
    csv = persian_box["manager"].get(f"/cashbox/{box.id}/payments?export=csv", headers=FA).get_data(as_text=True)
    headings = csv.splitlines()[0].lstrip("\ufeff").split(",")
    # Persian headings in the English order (a word another area also translates may read its way).
    assert headings[:4] == ["تاریخ پرداخت", "عضو", "قسط (IRR)", "جریمه‌ها (IRR)"] and len(headings) == 8
    assert not re.search("[a-z]", ",".join(headings)), headings


def _draw_first(persian_box):
    box, manager = persian_box["box"], persian_box["manager"]
    r = first_round(box)
    cb.draw(manager.user, box.id, 1, "پیش از پرداخت کامل")
    return r


def test_every_page_reads_in_persian_as_manager_and_member(persian_box):
    box, manager, member, joined = (persian_box[k] for k in ("box", "manager", "member", "joined"))
    r = first_round(box)
    base = f"/cashbox/{box.id}"
    # /collect (box/bulk.html), /fines (the shared fines list) and /names (the picker page) are core's.
    manager_pages = ("", "/me", f"/members/{joined.id}", "/setup", "/payments",
                     f"/rounds/{r.id}/periods/1/draw")
    for url in manager_pages:
        persian(manager, base + url)
    for url in ("", "/me", "/payments", f"/rounds/{r.id}/periods/1/draw"):
        persian(member, base + url)
    _draw_first(persian_box)
    for client in (manager, member):
        page = persian(client, base)
        assert "قرعه‌کشی" in page
        draw = persian(client, f"{base}/rounds/{r.id}/periods/1/draw")
        assert "با هم می‌خوانند" in draw and 'dir="rtl"' in draw
    persian(member, base + "/me")


def test_a_draft_round_setup_page_reads_in_persian(user_client):
    manager = user_client("boss@example.com", "رئیس")
    box = cb.create_cashbox(manager.user, "صندوق تازه", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    persian(manager, f"/cashbox/{box.id}/setup")
    persian(manager, f"/cashbox/{box.id}")
    fill_shares(manager.user, box, ["رضا"])
    persian(manager, f"/cashbox/{box.id}/setup")


def test_flashes_and_confirm_steps_speak_persian(persian_box):
    box, manager, others = persian_box["box"], persian_box["manager"], persian_box["others"]
    done = manager.post(f"/cashbox/{box.id}/payments", data={"member": "مریم", "amount": "1000000", "method": "cash"},
                        headers=FA, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "ثبت شد" in page and not english_left(page)
    wrong = manager.post(f"/cashbox/{box.id}/payments", data={"member": "مریم", "amount": "-5", "method": "bank"},
                         headers=FA)
    assert not english_left(wrong.get_data(as_text=True))
    ask = manager.post(f"/cashbox/{box.id}/draw", data={"period": "1", "override_reason": "لازم است"}, headers=FA)
    page = ask.get_data(as_text=True)
    assert "قرعه دوره" in page and not english_left(page), english_left(page)


def test_service_errors_speak_persian_on_the_page_and_in_the_api(persian_box, api_token, client):
    box, manager = persian_box["box"], persian_box["manager"]
    page = manager.post(f"/cashbox/{box.id}/draw", data={"period": "2", "override_reason": "لازم است"},
                        headers=FA, follow_redirects=True).get_data(as_text=True)
    assert "نخست قرعه دوره ۱ را بکشید." in page and not english_left(page), english_left(page)
    headers = {**api_token(manager.user), **FA}
    answer = client.post(f"/api/v1/cashboxes/{box.id}/draws", json={"period": 2, "override_reason": "لازم است"},
                         headers=headers)
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "validation_error"  # codes stay English
    assert error["message"] == error["fields"]["period"] == "نخست قرعه دوره ۱ را بکشید."
    answer = client.post(f"/api/v1/cashboxes/{box.id}/payments", headers=headers,
                         json={"membership_id": persian_box["joined"].id, "amount": "999000000"})
    message = answer.get_json()["error"]["message"]
    assert answer.status_code == 422 and message.startswith("این مبلغ بیشتر از بدهی سارا") and "۳٬۰۰۰٬۰۰۰" in message
    english = client.post(f"/api/v1/cashboxes/{box.id}/draws", json={"period": 2, "override_reason": "x"},
                          headers=api_token(manager.user))
    assert english.get_json()["error"]["message"] == "Draw period 1 first."
