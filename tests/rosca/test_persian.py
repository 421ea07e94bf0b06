"""ROSCA pages in Persian: every page right to left with no English left (names set apart as values),
for the manager and a member, before the round and during it."""
from datetime import timedelta

import pytest

from hamyan.blueprints.rosca import services as rs
from tests.i18n import english_left

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}
from tests.rosca.helpers import rosca_of, utc_today

PAGES = ("", "/pricing", "/seats", "/periods", "/market", "/market?earlier=2&later=3", "/mine", "/payments", "/fines")


@pytest.fixture
def persian_round(user_client):
    """A Persian round of three seats: the manager, a member who signs in (سارا) and one who does not."""
    manager = user_client("boss@example.com", "مدیر")
    member = user_client("sara@example.com", "سارا")
    box = rs.create_rosca(manager.user, "دورهمی دوستان", "IRR", 3, "1000000", "monthly", utc_today() - timedelta(days=1),
                          rate="2", fee="1", deposit="100000", late_fee_kind="fixed", late_fee_value="50000")
    sara = rs.add_member(manager.user, box.id, "سارا", "sara@example.com")
    reza = rs.add_member(manager.user, box.id, "Reza Ahmadi")
    rs.assign_seat(manager.user, box.id, 1, [(sara.id, "1/2"), (reza.id, "1/2")])
    rs.assign_seat(manager.user, box.id, 2, [(reza.id, "1")])
    return manager, member, box, (sara, reza)


def _walk(client, box):
    for page in PAGES:
        response = client.get(f"/rosca/{box.id}{page}", headers=FA)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in html, page
        assert not english_left(html), (page, english_left(html))


def test_pages_read_in_persian_before_and_during_the_round(persian_round):
    manager, member, box, (sara, reza) = persian_round
    _walk(manager, box)
    _walk(member, box)
    rs.assign_seat(manager.user, box.id, 3, [(sara.id, "1")])
    for membership_id, due in rs.deposit_due(rosca_of(box)).items():
        rs.record_deposit(manager.user, box.id, membership_id, str(due))
    rs.start(manager.user, box.id)
    rs.record_payment(manager.user, box.id, sara.id, "1000000")
    _walk(manager, box)
    _walk(member, box)
    rs.request_swap(manager.user, box.id, 2, 3)
    _walk(manager, box)
    _walk(member, box)
    page = manager.get(f"/rosca/{box.id}", headers=FA).get_data(as_text=True)
    assert "جایگاه" in page and "<bdi>Reza Ahmadi</bdi>" in page


def test_the_new_rosca_page_reads_in_persian(user_client):
    manager = user_client("boss@example.com", "مدیر")
    html = manager.get("/rosca/new", headers=FA).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html and not english_left(html), english_left(html)


def test_service_errors_speak_persian_on_the_page_and_in_the_api(persian_round, api_token, client):
    manager, member, box, (sara, reza) = persian_round
    page = member.post(f"/rosca/{box.id}/seats/2/take", headers=FA, follow_redirects=True).get_data(as_text=True)
    assert "جایگاه ۲ گرفته شده است." in page and not english_left(page), english_left(page)
    answer = client.put(f"/api/v1/roscas/{box.id}/seats/3/holders", headers={**api_token(manager.user), **FA},
                        json={"holders": [{"membership_id": reza.id, "fraction": "1/2"},
                                          {"membership_id": reza.id, "fraction": "1/2"}]})
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "validation_error"
    assert error["message"] == "Reza Ahmadi دو بار در جایگاه ۳ آمده است."


def test_confirm_steps_say_what_will_happen_in_persian(persian_round):
    manager, member, box, (sara, reza) = persian_round
    def asks(url: str, said: str, **data) -> None:
        page = manager.post(url, data=data, headers=FA).get_data(as_text=True)
        assert said in page and not english_left(page), (url, english_left(page))

    rs.assign_seat(manager.user, box.id, 3, [(sara.id, "1")])
    for membership_id, due in rs.deposit_due(rosca_of(box)).items():
        rs.record_deposit(manager.user, box.id, membership_id, str(due))
    asks(f"/rosca/{box.id}/start", "دور آغاز می‌شود: ۳ جایگاه هر کدام در هر دوره ۱٬۰۰۰٬۰۰۰")
    rs.start(manager.user, box.id)
    asks(f"/rosca/{box.id}/payout", "جایگاه ۱ (", override_reason="پیش از جمع شدن همه اقساط")
    swap = rs.request_swap(manager.user, box.id, 2, 3)
    asks(f"/rosca/{box.id}/market/{swap.id}/approve", "جایگاه‌های ۲ و ۳ جابه‌جا می‌شوند")
