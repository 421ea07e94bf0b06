"""Core's pages and words in Persian: the report job page at each step, the shared lists (fines,
members: filters, cells, CSV headings), month names, and a box service's refusal shown in Persian."""
import json
import re
from datetime import date
from types import SimpleNamespace

import marshmallow as ma
import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.statements.jobs import ReportJob
from tests.cashbox.helpers import fill_shares, first_round
from tests.i18n import english_left, persian_page

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}


@pytest.fixture
def persian_box(user_client):
    """A Persian-calendar cashbox with a running round; the manager signs in."""
    manager = user_client("boss@example.com", "رئیس")
    box = cb.create_cashbox(manager.user, "صندوق خانوادگی", "IRR", "1000000", 2, "monthly", "2026-11-01",
                            "predefined", timezone="Asia/Tehran", locale="fa_IR", calendar="persian",
                            fine_kind="fixed", fine_value="50000", grace_days="0")
    fill_shares(manager.user, box, ["رضا", "مریم"])
    cb.start_round(manager.user, box.id, first_round(box).id)
    return dict(box=box, manager=manager)


def test_the_report_job_page_reads_in_persian_at_every_step(persian_box):
    box, manager = persian_box["box"], persian_box["manager"]
    with uow.transaction():
        job = ReportJob(box_id=box.id, kind="manager", params=json.dumps({"end": "2026-12-31", "start": "2026-01-01"}),
                        requested_by_id=manager.user.id)
        db.session.add(job)
    url = f"/boxes/{box.id}/reports/jobs/{job.id}"
    page = persian_page(manager, url)
    assert "گزارش مدیر، از ۱۱ دی ۱۴۰۴ تا ۱۰ دی ۱۴۰۵" in page and "در انتظار آغاز…" in page
    for status, pages, said in (("running", 3, "در حال ساختن گزارش: ۳ صفحه چیده شد…"),
                                ("done", 4, "گزارش آماده است (۴ صفحه)."),
                                ("failed", None, "گزارش ساخته نشد")):
        with uow.transaction():
            job = db.session.get(ReportJob, job.id)
            job.status, job.pages, job.error = status, pages, "The report could not be made; the error has been logged."
        assert said in persian_page(manager, url), status


def test_lists_read_in_persian_with_their_filters_cells_and_csv(persian_box):
    box, manager = persian_box["box"], persian_box["manager"]
    page = persian_page(manager, f"/cashbox/{box.id}/fines?status=waived&start=1405/01/01")
    assert "بخشوده" in page and "اعمال‌شده" in page
    assert re.search(r"[۰-۹]+ مورد پیدا شد", page)  # the count in the page's digits too
    wrong = manager.get(f"/cashbox/{box.id}/fines?status=x&start=1405/09/10&end=1405/01/01", headers=FA)
    page = wrong.get_data(as_text=True)
    assert "وضعیت: یکی از اعمال‌شده یا بخشوده را انتخاب کنید." in page and "پیش از روز" in page
    assert not english_left(page), english_left(page)
    page = persian_page(manager, f"/boxes/{box.id}/members")
    csv = manager.get(f"/boxes/{box.id}/members?export=csv", headers=FA).get_data(as_text=True)
    assert csv.splitlines()[0].lstrip("\ufeff") == "نام,نقش,پیوستن,رفتن,حساب کاربری دارد,ایمیل"


def test_a_member_who_holds_a_share_is_refused_removal_in_persian(persian_box):
    box, manager = persian_box["box"], persian_box["manager"]
    reza = next(m for m in box.memberships if m.display_name == "رضا")
    page = persian_page(manager, f"/boxes/{box.id}/members/{reza.id}/edit")
    assert "سهم ۱ دور در جریان ۱ را دارند" in page
    asked = manager.post(f"/boxes/{box.id}/members/{reza.id}/remove", headers=FA)
    page = asked.get_data(as_text=True)
    assert "رضا هنوز حذف‌شدنی نیست: سهم ۱ دور در جریان ۱ را دارند و در دور ۱ مبلغ" in page
    assert not english_left(page), english_left(page)


def test_the_api_says_its_errors_in_the_callers_language_with_english_codes(client):
    error = client.get("/api/v1/me", headers={"Accept-Language": "fa"}).get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"] == "یک توکن معتبر (Bearer) لازم است."
    error = client.get("/api/v1/no-such-route", headers={"Accept-Language": "fa", "Accept": "application/json"}).get_json()
    assert error["error"]["code"] == "not_found" and "نشانی" in error["error"]["message"]


LATIN = re.compile(r"[A-Za-z]")


def test_the_apis_field_messages_are_in_the_callers_language(client, make_user, api_token):
    headers = api_token(make_user("boss@example.com", "Boss"))
    bad = {"name": "", "currency": "ریالی", "share_count": "دو", "period_kind": "ماهانه", "first_due": "۱۴۰۵/۰۹/۱۱",
           "draw_mode": None, "grace_days": 1.5, "fine_value": ["x"], "نام": "رضا"}  # contribution missing
    persian = client.post("/api/v1/cashboxes", json=bad, headers={**headers, **FA}).get_json()["error"]
    english = client.post("/api/v1/cashboxes", json=bad, headers=headers).get_json()["error"]
    assert persian["code"] == english["code"] == "validation_error" and persian["fields"].keys() == english["fields"].keys()
    assert english["fields"]["contribution"] == "Missing data for required field."
    assert english["fields"]["name"] == "Length must be between 1 and 120." and english["fields"]["نام"] == "Unknown field."
    assert persian["fields"]["contribution"] == "این فیلد لازم است." and persian["fields"]["نام"] == "فیلد ناشناخته است."
    assert persian["fields"]["name"] == "طول باید از ۱ تا ۱۲۰ باشد."  # its numbers in Persian digits (issue 15)
    assert persian["fields"].pop("period_kind").startswith("باید یکی از این‌ها باشد: ")  # then the codes, in English
    assert not [message for message in persian["fields"].values() if LATIN.search(message)], persian["fields"]
    assert all(LATIN.search(message) for message in english["fields"].values()), english["fields"]

    box = _api_cashbox(client, headers)
    wrong = client.get(f"/api/v1/cashboxes/{box}/payments?page=-1&per_page=x", headers={**headers, **FA})
    assert wrong.get_json()["error"]["fields"] == {"page": "باید از ۱ تا ۱۰۰۰۰۰۰ باشد.",
                                                    "per_page": "عدد صحیح معتبری نیست."}
    member = client.post(f"/api/v1/cashboxes/{box}/members", json={"display_name": "رضا"}, headers=headers).get_json()
    negative = client.post(f"/api/v1/cashboxes/{box}/payments", json={"membership_id": member["membership_id"],
                                                                         "amount": "-5"}, headers={**headers, **FA})
    assert negative.status_code == 422 and not LATIN.search(negative.get_json()["error"]["fields"]["amount"])


def _api_cashbox(client, headers) -> int:
    from tests.cashbox.test_api import _create

    return _create(client, headers).get_json()["box_id"]


def test_every_api_input_is_refused_in_the_callers_language(app):
    """Every field of every API route's input writes its refusals through a Message (marshmallow's
    own English templates never reach a Persian caller): declared after hamyan.blueprints.api.messages."""
    from hamyan.blueprints.api.messages import Message

    never_on_input = {"format", "invalid_awareness"}  # a date written out; aware or naive times (none taken)

    def english_left(schema, where):
        for name, field in schema.fields.items():
            messages = [m for key, m in field.error_messages.items() if isinstance(m, str) and key not in never_on_input]
            messages += [getattr(v, "error", None) or v.message_all for v in field.validators
                         if isinstance(v, (ma.validate.Range, ma.validate.Length))]
            messages += [v.error for v in field.validators if isinstance(v, ma.validate.OneOf)]
            yield from (f"{where}.{name}: {m}" for m in messages if not isinstance(m, Message))
            for inner in filter(None, (getattr(field, "inner", None), field)):
                if isinstance(inner, ma.fields.Nested):
                    yield from english_left(inner.schema, f"{where}.{name}")

    left = [problem for view in app.view_functions.values()
            for argument in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
            for problem in english_left(argument["schema"](), argument["schema"].__name__)]
    assert not left, left


def test_month_names_are_persian_in_persian_jalali_in_a_jalali_box(app):
    from flask_babel import force_locale

    from hamyan.dues.calendar import month_label
    from hamyan.notify.services import speaking
    from hamyan.statements.monthly import last_month

    assert month_label(1405, 9, "persian", "fa") == "آذر 1405" and month_label(1403, 12, "persian", "fa_IR") == "اسفند 1403"
    assert month_label(2026, 3, "gregorian", "fa") == "مارس 2026" and month_label(1405, 1, "persian", "en") == "Farvardin 1405"
    assert month_label(2026, 12, "gregorian", "en") == "December 2026"
    with app.test_request_context(headers={"Accept-Language": "fa"}):  # a month's title, in the page's language and digits
        assert last_month(date(2026, 12, 22), "persian").title() == "آذر ۱۴۰۵"
        assert last_month(date(2026, 2, 10), "gregorian").title() == "ژانویه ۲۰۲۶"
        assert last_month(date(2026, 12, 22), "persian").title(SimpleNamespace(latin_digits=True)) == "آذر 1405"
        with force_locale("en"):
            assert last_month(date(2026, 12, 22), "persian").title() == "Azar 1405"
    with app.app_context(), speaking(SimpleNamespace(language="fa")):  # an email to a Persian reader
        assert last_month(date(2026, 12, 22), "persian").title() == "آذر ۱۴۰۵"


def test_a_pager_numbers_its_pages_in_persian_digits(app):
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        html = app.jinja_env.globals["pager"](3, 12, "home.dashboard", "boxes")
    assert 'aria-current="page">۳</a>' in html and ">۱۲</a>" in html and 'aria-label="صفحه‌ها"' in html
