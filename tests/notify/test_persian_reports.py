"""The product reports (a cashbox's and a ROSCA's manager report, a building's board statement) of a
Persian box, made by the report job for a manager who reads Persian: their words in Persian, Jalali
days, Persian digits, and each page's footer "صفحه ۱ از ۱". Read back with pypdf, which may give a
right-to-left line in visual order (its characters reversed): a phrase is found either way."""
from datetime import timedelta

import pytest

from hamyan.blueprints.aptbox import services as apt
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.rosca import services as rs
from hamyan.core import clock
from hamyan.dues.calendar import PERSIAN_MONTHS
from hamyan.extensions import db
from tests.aptbox.conftest import insert_units
from tests.cashbox.helpers import fill_shares, first_round, utc_today
from tests.test_reports import report_over_api


def _cashbox(manager):
    box = cb.create_cashbox(manager, "صندوق خانوادگی", "IRR", "1250000", 2, "monthly", utc_today(), "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    reza, maryam = fill_shares(manager, box, ["رضا", "مریم"])
    cb.start_round(manager, box.id, first_round(box).id)
    for m in (reza, maryam):  # two entries of a kind on a day: one line, named by its kind
        cb.record_payment(manager, box.id, m.id, "1250000")
    return box, "manager", ["گزارش مدیر صندوق", "موجودی نقد", "برندگان و پرداخت‌ها", "اقساط"]


def _rosca(manager):
    box = rs.create_rosca(manager, "دورهمی دوستان", "IRR", 2, "1250000", "monthly", utc_today(), rate="2")
    people = [rs.add_member(manager, box.id, name) for name in ("رضا", "مریم")]
    for number, m in enumerate(people, 1):
        rs.assign_seat(manager, box.id, number, [(m.id, "1")])
    rs.start(manager, box.id)
    rs.record_payment(manager, box.id, people[0].id, "1250000")
    return box, "manager", ["گزارش مدیر دورهمی گردشی", "موجودی نقد"]


def _building(manager):
    box = apt.create_building(manager, "برج یاس", "IRR", "Asia/Tehran", "fa_IR", "persian")
    units = insert_units(box, [(1, 0, 80, 2, 1, True)])
    apt.record_payment(manager, box.id, units[0].id, "1250000", reference="REF-1", key="k1")
    return box, "board", ["پرداخت‌های دریافتی از واحدها", "شارژهای ماهانه"]


def _reads(text: str, phrase: str) -> bool:
    phrase = phrase.replace("\u200c", "")  # pypdf drops the zero-width non-joiner
    return phrase in text or phrase[::-1] in text


@pytest.mark.parametrize("build", [_cashbox, _rosca, _building], ids=["cashbox", "rosca", "aptbox"])
def test_a_persian_boxs_report_reads_in_persian(build, app, make_user, api_token):
    manager = make_user("boss@example.com", "رئیس")
    manager.language = "fa"  # the report is made in its requester's language
    db.session.commit()
    box, kind, words = build(manager)
    today = clock.today(box)  # the payment's day where the box is (Tehran is a day ahead from 20:30 UTC)
    reader, text = report_over_api(app.test_client(), box.id, api_token(manager), today - timedelta(days=40),
                                   today, kind=kind)
    for phrase in words + ["صفحه ۱ از"]:
        assert _reads(text, phrase), (phrase, text)
    assert _reads(text, "۱٬۲۵۰٬۰۰۰"), text  # the payment, in Persian digits
    assert any(_reads(text, month) for month in PERSIAN_MONTHS["fa"]), text  # Jalali days
    assert not any(word in text for word in ("Page", "Opening balance", "Closing", "report", "Total", "IRR",
                                             "contribution")), text
