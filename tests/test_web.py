"""hamyan.web: a view names the htmx partials it may return; any other block asked for gets the
full page, never a 500."""
from datetime import date
from html.parser import HTMLParser

import pytest

from hamyan import demo
from hamyan.blueprints.moneypool import services as pool_services
from hamyan.extensions import db

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


def test_html_a_view_returns_is_sent_as_it_is(app):
    """No response is rewritten after its view: the phone cards' labels are the templates' own."""
    html = "<table><thead><tr><th>Paid on</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    with app.test_request_context("/"):
        response = app.process_response(app.make_response(html))
    assert response.get_data(as_text=True) == html


class StackedCells(HTMLParser):
    """(column heading, data-label) of each body cell of the tables a phone stacks into cards (in a
    .table-responsive), a cell across several columns or with nothing in it left out."""

    def __init__(self):
        super().__init__()
        self.cells, self.divs, self.headings, self.text = [], [], [], None
        self.in_head = self.column = 0
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        span = int(attrs.get("colspan") or 1)
        if self.text is not None:
            self.text.append(" ")  # a heading's lines (<br>, <div>) read as words
        if tag == "div":
            self.divs.append("table-responsive" in (attrs.get("class") or ""))
        elif not any(self.divs):
            return
        elif tag == "thead":
            self.in_head, self.headings = True, []
        elif tag == "tr":
            self.column = 0
        elif tag in ("th", "td") and self.text is None:
            if self.in_head:
                self.cell = span
            else:
                under = set(self.headings[self.column:self.column + span])
                self.cell = (under.pop() if len(under) == 1 and span == 1 else None, tag, attrs.get("data-label"))
                self.column += span
            self.text = []

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()
        elif tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.text is not None:
            said = " ".join("".join(self.text).split())
            if self.in_head:
                self.headings += [said] * self.cell
            elif self.cell[0] and self.cell[1] == "td" and said:
                self.cells.append((self.cell[0], " ".join((self.cell[2] or "").split())))
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_every_cell_of_a_stacked_table_says_its_columns_heading(app, demo_users, language):
    """On a phone a table's rows are cards, each cell led by its data-label (app.css): the label a
    template writes is the heading of the cell's column, in the page's language."""
    from hamyan.boxes.models import Box
    from tests.conftest import login

    boxes = {box.kind: box.id for box in db.session.scalars(db.select(Box))}
    pages = {"manager@demo.hamyan": [f"/cashbox/{boxes['cashbox']}", f"/cashbox/{boxes['cashbox']}/payments",
                                     f"/pools/{boxes['moneypool']}", f"/pools/{boxes['moneypool']}/loans",
                                     f"/buildings/{boxes['aptbox']}/units", f"/rosca/{boxes['rosca']}/seats",
                                     f"/rosca/{boxes['rosca']}/pricing", f"/rosca/{boxes['rosca']}/periods",
                                     f"/boxes/{boxes['rosca']}/members"],
             "admin@demo.hamyan": ["/admin/jobs", "/admin/analytics"]}
    for who, urls in pages.items():
        client = login(app.test_client(), who, demo.DEMO_PASSWORD)
        for url in urls:
            parser = StackedCells()
            parser.feed(client.get(url, headers={"Accept-Language": language}).get_data(as_text=True))
            assert parser.cells, url
            wrong = [(heading, label) for heading, label in parser.cells if heading != label]
            assert not wrong, (url, wrong[:3])


def test_a_list_page_carries_the_labels_in_the_full_page_and_in_its_htmx_partial(pool_client):
    for headers in ({}, HX):
        page = pool_client.get(f"/pools/{pool_client.box.id}/loans?block=list", headers=headers).get_data(as_text=True)
        assert 'data-label="Borrower"' in page or "No loans yet." in page


def test_a_status_badge_is_written_in_the_language_being_written_each_time(app):
    """Badges are made once per status and language (a grid shows hundreds): a Persian one never
    reaches an English page, nor the reverse."""
    from flask_babel import force_locale

    from hamyan.web import status_badge

    with app.test_request_context("/"):
        for _ in range(2):
            with force_locale("fa"):
                assert status_badge("late") == '<span class="badge text-bg-danger">معوق</span>'
            with force_locale("en"):
                assert status_badge("late") == '<span class="badge text-bg-danger">late</span>'


def test_a_url_made_once_for_many_numbers_is_url_for_of_each(app):
    """A table's row links and a pager's page links are built once with a stand-in (url_maker): the
    same URLs as url_for, path or query, with other arguments in their order."""
    from flask import url_for

    from hamyan.web import url_maker

    with app.test_request_context("/"):
        member = url_maker("cashbox.member", "membership_id", box_id=7)
        page = url_maker("cashbox.dashboard", "periods", box_id=7, block="grid", q="a b", page=2)
        for n in (1, 7, 12, 918273645, 10**12):
            assert member(n) == url_for("cashbox.member", box_id=7, membership_id=n)
            assert page(n) == url_for("cashbox.dashboard", periods=n, box_id=7, block="grid", q="a b", page=2)


def test_kept_translations_and_formats_follow_the_locale_in_macros_imported_once(app):
    """Templates keep the page's catalogues and number formats with the render, and a macro
    module (imported once, living across requests) with itself: each keeps them only while the
    locale is the same, so an English page after a Persian one is English again."""
    from flask_babel import force_locale
    from types import SimpleNamespace

    template = app.jinja_env.from_string(
        "{% from 'cashbox/_macros.html' import round_badge %}{{ round_badge(r) }} {{ _('Paid') }} "
        "{{ 1234|num(box) }} {{ 1234|amount(box) }}")
    box = SimpleNamespace(locale="en", currency="USD", latin_digits=False, show_toman=False)
    with app.test_request_context("/"):
        for _ in range(2):
            with force_locale("fa"):
                assert template.render(r=SimpleNamespace(status="active"), box=box) == \
                    '<span class="badge text-bg-success">فعال</span> پرداخت\u200cشده ۱٬۲۳۴ ۱۲٫۳۴'
            with force_locale("en"):
                assert template.render(r=SimpleNamespace(status="active"), box=box) == \
                    '<span class="badge text-bg-success">active</span> Paid 1,234 12.34'
