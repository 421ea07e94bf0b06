"""Helpers for testing pages in Persian: english_left(html) finds English a Persian page still shows,
persian_page(client, url) fetches a page as a Persian reader and asserts it is all Persian.

What is not checked, because it is not the interface's own words: <script>, <style>, <code>,
anything isolated as a value (<bdi>, dir="ltr": names, emails, references; see the `bdi`/`ltr`
filters; in a <title>, Unicode's isolates: the `isolate` filter), elements marked translate="no", and
the few Latin words Persian text uses as they are.
The `box_sets_language` fixture (tests/conftest.py) makes a fa_IR box's pages Persian, as in production."""
import re
from html.parser import HTMLParser

# Said in Latin letters in Persian too.
LATIN_WORDS = frozenset({"API", "CSV", "PDF", "IP", "UTC", "JSON", "SMS", "URL", "IBAN", "English", "OK"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_SKIPPED = frozenset({"script", "style", "code", "bdi", "template"})
_READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
# A value set apart by Unicode's isolates (FSI or LRI ... PDI), as a <title> sets names apart.
_ISOLATED = re.compile("[\u2066\u2068][^\u2069]*\u2069")
# Inputs that show their value as text; a date picker, an email, a link and a phone hold Latin digits.
_TEXT_INPUTS = frozenset({"text", "search"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class _Reader(HTMLParser):
    """Collects the bits of a page's text and read attributes for which `wrong(text)` holds, outside
    the `skipped` elements and the values set apart left to right; with `values`, the values text
    inputs show too (a typed number left to right is still written in the page's digits)."""

    def __init__(self, wrong, skipped=_SKIPPED, values=False):
        super().__init__(convert_charrefs=True)
        self.wrong, self.skipped, self.values = wrong, skipped, values
        self.stack: list[bool] = []  # per open element: is its content skipped
        self.found: list[str] = []

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (tag in self.skipped or attrs.get("dir") == "ltr" or attrs.get("translate") == "no"
                or tag == "input" and attrs.get("type") == "hidden")
        if not (self._skipping() or skip):
            for name in _READ_ATTRIBUTES:
                self._check(attrs.get(name) or "")
        if (self.values and tag == "input" and (attrs.get("type") or "text") in _TEXT_INPUTS
                and attrs.get("translate") != "no" and not self._skipping()):
            self._check(attrs.get("value") or "")
        if tag not in _VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self._check(data)

    def _check(self, text: str) -> None:
        if self.wrong(text):
            self.found.append(" ".join(text.split())[:120])


def latin_words(text: str) -> list[str]:
    """The words of `text` in Latin letters that Persian text does not use as they are."""
    return [w for w in _WORD.findall(text) if w not in LATIN_WORDS and not (w.isupper() and len(w) == 3)]


def box_memos(box_id: int) -> list[str]:
    """Every memo of the box's ledger entries, oldest first."""
    from sqlalchemy import select

    from hamyan.extensions import db
    from hamyan.ledger.models import Entry

    return list(db.session.scalars(select(Entry.memo).filter_by(box_id=box_id).order_by(Entry.id)))


def pdf_text(pdf: bytes) -> str:
    """A PDF's text as pypdf reads it back (a right-to-left line may come in visual order)."""
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def english_left(html: str) -> list[str]:
    """The bits of text (and placeholders, titles, labels) of a page that are still in English; the
    page's <title> and <body> are read, the <head>'s links and metadata are not."""
    reader = _Reader(lambda text: latin_words(_ISOLATED.sub("", text)))
    reader.feed(html)
    return reader.found


def latin_digits(html: str) -> list[str]:
    """The bits of text (and placeholders, titles, labels, and the values text inputs show) of a
    Persian page that write a number in Latin digits; names set apart (<bdi>) are read too, values
    kept left to right (dir="ltr", <code>) are not, but for what an input shows (unless it is a code,
    translate="no")."""
    reader = _Reader(re.compile("[0-9]").search, _SKIPPED - {"bdi"}, values=True)
    reader.feed(html)
    return reader.found


def persian_page(client, url: str, status: int = 200) -> str:
    """The page at `url` as a reader whose browser asks for Persian: right to left, and no English left."""
    response = client.get(url, headers={"Accept-Language": "fa-IR,fa;q=0.9"})
    assert response.status_code == status, (url, response.status_code)
    html = response.get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html, url
    left = english_left(html)
    assert not left, f"{url} still shows English: {left}"
    return html


class _Forms(HTMLParser):
    """The forms of a page, each as the fields a browser sends when it is submitted unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.select = self.option = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        if not self.forms:
            return
        fields, name = self.forms[-1], attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file", "reset"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                fields[name] = attrs.get("value") or ("on" if attrs.get("type") in ("checkbox", "radio") else "")
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            value = attrs.get("value")
            if self.select not in self.forms[-1] or "selected" in attrs:
                fields[self.select] = value if value is not None else ""
        elif tag == "textarea" and name:
            self.textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1][self.textarea] += data


def form_sent(html: str, field: str) -> dict:
    """What the page's form that holds `field` sends, submitted as it is shown (pre-filled values,
    selected options, ticked boxes): a round trip of a form its reader leaves unchanged."""
    reader = _Forms()
    reader.feed(html)
    found = [form for form in reader.forms if field in form]
    assert found, f"no form with a field {field!r}"
    return found[0]
