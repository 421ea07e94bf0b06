"""What a form shows in its inputs on a Persian page: numbers pre-filled (an edit form, a default, a
form shown again after an error) are written in the page's digits (hamyan.web.fields.NumberField:
Persian digits on Persian pages, Latin ones where the box chose them and on English pages), and a
form sent back unchanged saves the same values. Names inside an aria-label stay bare."""
import re
from datetime import date

import pytest
from flask_babel import refresh

from hamyan.blueprints.cashbox import services as cb
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.web.fields import AmountField, DayField, NumberField
from tests.conftest import login
from tests.i18n import form_sent

FA = {"Accept-Language": "fa-IR,fa;q=0.9"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def boss(make_user):
    return make_user("boss@example.com", "رئیس")


@pytest.fixture
def box(boss):
    """A rial cashbox in Jalali whose reminders go out 5 days before a due date and 2 and 9 days after."""
    box = cb.create_cashbox(boss, "صندوق خانوادگی", "IRR", "1000000", 2, "monthly", "2026-12-01", "predefined",
                            timezone="Asia/Tehran", locale="fa_IR", calendar="persian")
    with uow.transaction():
        box.reminder_days_before, box.reminder_late_days = 5, "2,9"
    return box


def _shown(app, box, language, data):
    """The values three fields show, rendered for a page of `box` in `language`."""
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        days = NumberField()
        amount = AmountField()
        due = DayField()

    with app.test_request_context(f"/boxes/{box.id}/settings", headers={"Accept-Language": language}):
        refresh()
        form = Form(formdata=None, data=data, meta={"csrf": False})
        return form.days._value(), form.amount._value(), form.due._value()


def test_a_field_shows_its_number_in_the_pages_digits(app, box):
    values = {"days": "14", "amount": "1250000", "due": date(2026, 12, 2)}
    assert _shown(app, box, "fa", values) == ("۱۴", "۱۲۵۰۰۰۰", "۱۴۰۵/۰۹/۱۱")
    assert _shown(app, box, "en", values) == ("14", "1250000", "1405/09/11")
    box.latin_digits = True  # a box that chose Latin digits on its Persian pages
    assert _shown(app, box, "fa", values) == ("14", "1250000", "1405/09/11")


def test_the_settings_form_shows_the_reminder_days_in_the_pages_digits(client, box):
    login(client, "boss@example.com")
    page = client.get(f"/boxes/{box.id}/settings", headers=FA).get_data(as_text=True)
    shown = form_sent(page, "reminder_days_before")
    assert (shown["reminder_days_before"], shown["reminder_late_days"]) == ("۵", "۲، ۹")
    english = form_sent(client.get(f"/boxes/{box.id}/settings", headers=EN).get_data(as_text=True),
                        "reminder_days_before")
    assert (english["reminder_days_before"], english["reminder_late_days"]) == ("5", "2, 9")


def test_a_persian_form_sent_back_unchanged_saves_the_same_values(client, box):
    login(client, "boss@example.com")
    sent = form_sent(client.get(f"/boxes/{box.id}/settings", headers=FA).get_data(as_text=True), "reminder_days_before")
    response = client.post(f"/boxes/{box.id}/settings", data=sent, headers=FA)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.refresh(box)
    assert (box.reminder_days_before, box.reminder_late_days, box.name) == (5, "2,9", "صندوق خانوادگی")


def test_a_form_shown_again_after_an_error_keeps_the_pages_digits(client, box):
    login(client, "boss@example.com")
    page = client.post("/cashbox/new", headers=FA, data={
        "name": "", "currency": "IRR", "timezone": "Asia/Tehran", "calendar": "persian", "locale": "fa_IR",
        "contribution": "1000000", "share_count": "12", "period_kind": "days", "period_days": "14",
        "first_due": "1405/09/11", "draw_mode": "random", "grace_days": "3"}).get_data(as_text=True)
    assert "is-invalid" in page
    shown = form_sent(page, "contribution")
    assert [shown[name] for name in ("contribution", "share_count", "period_days", "grace_days", "first_due")] == [
        "۱۰۰۰۰۰۰", "۱۲", "۱۴", "۳", "۱۴۰۵/۰۹/۱۱"]


def test_names_in_aria_labels_stay_bare(client, boss, box):
    """An aria-label is heard, never shown, so bidi cannot scramble it; invisible isolates in it would
    only keep a person (voice control) or a tool from finding "Edit Sara Smith" by its name."""
    login(client, "boss@example.com")
    cb.add_member(boss, box.id, "Sara Smith")
    page = client.get(f"/boxes/{box.id}/members", headers=FA).get_data(as_text=True)
    assert 'aria-label="ویرایش Sara Smith"' in page
    english = client.get(f"/boxes/{box.id}/members", headers=EN).get_data(as_text=True)
    assert 'aria-label="Edit رئیس"' in english
    assert not re.search('aria-label="[^"]*[\u2066-\u2069]', page + english)


def test_a_forms_length_limit_is_said_in_the_pages_digits(app):
    """Issue 15: a too-long cashbox draw reason was told "... 500 ..." in Latin digits on a Persian
    page (WTForms' own message); every form's Length says its limit as core.parse does."""
    from werkzeug.datastructures import MultiDict

    from hamyan.blueprints.cashbox.forms import DrawForm

    for language, limit in (("fa", "۵۰۰"), ("en", "500")):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()
            form = DrawForm(formdata=MultiDict({"override_reason": "x" * 501}), meta={"csrf": False})
            assert not form.validate()
            said = form.override_reason.errors[0]
            assert limit in said and not re.search("[0-9]" if language == "fa" else "[۰-۹]", said), said
