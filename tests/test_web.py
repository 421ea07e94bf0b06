"""hamyan.web: a view names the htmx partials it may return; any other block asked for gets the
full page, never a 500."""
from datetime import date

import pytest

from hamyan.blueprints.moneypool import services as pool_services

HX = {"HX-Request": "true"}


@pytest.fixture
def pool_client(user_client):
    c = user_client("manager@example.com", "Manager")
    c.box = pool_services.create_pool(c.user, "Neighbours", "USD", "10", date(2025, 1, 5), my_shares=1)
    return c


@pytest.mark.parametrize("tail", ["", "/loans"])
def test_an_htmx_request_for_a_block_the_view_does_not_name_gets_the_full_page(pool_client, tail):
    for block in ("nonexistent", "page", "content"):
        r = pool_client.get(f"/pools/{pool_client.box.id}{tail}?block={block}", headers=HX)
        assert r.status_code == 200, block
        assert "<html" in r.get_data(as_text=True)


def test_an_htmx_request_for_a_named_partial_gets_just_that_block(pool_client):
    r = pool_client.get(f"/pools/{pool_client.box.id}?block=members", headers=HX)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in page and 'id="members"' in page
    # Without htmx (a bookmarked link) the same URL is the whole page.
    assert "<html" in pool_client.get(f"/pools/{pool_client.box.id}?block=members").get_data(as_text=True)


@pytest.mark.parametrize("currency, typed, minor, error", [
    ("USD", "1,250.50", 125050, None),
    ("IRR", " ۱۲۵۰ ", 1250, None),
    ("EUR@de_DE", "12,50", 1250, None),
    ("EUR@de_DE", "1.250,50", 125050, None),
    ("EUR@de_DE", "1,2,3", None, "Enter a number in digits, e.g. 1250 or 1.250,50."),
    ("EUR@de_DE", "1_000", None, "Enter a number in digits, e.g. 1250 or 1.250,50."),
    ("USD", "1E+999999999", None, "Enter a number in digits, e.g. 1250 or 1,250.50."),
    ("USD", "1e9", None, "Enter a number in digits, e.g. 1250 or 1,250.50."),
    ("USD", "1.234", None, "USD amounts have at most 2 decimal places."),
    ("IRR", "10.5", None, "IRR amounts are whole numbers."),
    ("USD", "0", None, "The amount must be more than zero."),
    ("USD", "", None, "Enter an amount."),
])
def test_amount_field_keeps_the_text_and_parses_for_the_box_currency(app, currency, typed, minor, error):
    from flask import request
    from flask_wtf import FlaskForm

    from hamyan.boxes.models import Box
    from hamyan.core import parse, uow
    from hamyan.extensions import db
    from hamyan.web.fields import AmountField

    class PaymentForm(FlaskForm):
        amount = AmountField("Amount")

    currency, _, locale = currency.partition("@")
    with uow.transaction():
        box = Box(kind="cashbox", name="Fund", currency=currency, locale=locale or "en")
        db.session.add(box)
    with app.test_request_context(f"/cashbox/{box.id}/payments", method="POST", data={"amount": typed}):
        request.view_args = {"box_id": box.id}
        form = PaymentForm()
        assert form.validate() is (error is None)
        # the form shows what was typed; services get the canonical text ("12.50" for a de_DE "12,50")
        assert form.amount._value() == typed and form.amount.minor == minor
        assert form.amount.data == (typed if minor is None else parse.canonical(minor, currency))
        assert form.amount.errors == ([error] if error else [])


def test_every_body_cell_is_labelled_with_its_column_heading_for_the_phone_cards():
    from hamyan.web.stack import label_cells
    html = ('<table><thead><tr><th>Paid on</th><th colspan="2">P1<br><span>1404/01/05</span></th><th></th></tr></thead>'
            '<tbody><tr><th scope="row">نام</th><td class="num">1</td><td data-label="own">2</td>'
            '<td hx-vals=\'{"a": ">"}\'>x</td></tr><tr><td colspan="4">Nothing.</td></tr></tbody></table>')
    out = label_cells(html)
    assert '<td class="num" data-label="P1 1404/01/05">1</td>' in out  # the row's <th> takes the first column
    assert '<td data-label="own">2</td>' in out  # a template's own label stays
    assert '<td hx-vals=\'{"a": ">"}\'>x</td>' in out  # the empty heading (a button column) gives none
    assert '<td colspan="4">Nothing.</td>' in out
    assert label_cells("<p>no table</p>") == "<p>no table</p>"


def test_a_list_page_carries_the_labels_in_the_full_page_and_in_its_htmx_partial(pool_client):
    for headers in ({}, HX):
        page = pool_client.get(f"/pools/{pool_client.box.id}/loans?block=list", headers=headers).get_data(as_text=True)
        assert 'data-label="Borrower"' in page or "No loans yet." in page
