"""The interface in English and Persian (hamyan/i18n.py): the catalogues are complete and compiled,
the language follows the person, then the box, then the browser; Persian pages are right to left
and have no English left."""
import io
from collections import Counter

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from hamyan import i18n
from hamyan.boxes import services as boxes
from hamyan.core import uow
from tests.conftest import login
from tests.i18n import english_left, persian_page

CATALOGUES = [(area, i18n.catalogue(area)) for area in i18n.AREAS]
HOW = "run `flask i18n update {area}` and translate what it lists (see README, Translations)"


def _read(path):
    with path.open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("area, path", CATALOGUES, ids=i18n.AREAS)
def test_every_persian_message_is_translated_and_none_is_fuzzy(area, path):
    po = _read(path)
    untranslated = [m.id for m in po if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert not untranslated, f"{path}: untranslated {untranslated[:10]}; " + HOW.format(area=area)
    assert not fuzzy, f"{path}: fuzzy (the English changed; check the translation, drop the fuzzy flag) {fuzzy[:10]}"
    problems = [(m.id, errors) for m, errors in po.check() if errors]
    assert not problems, f"{path}: placeholders differ from the English: {problems[:5]}"


@pytest.mark.parametrize("area, path", CATALOGUES, ids=i18n.AREAS)
def test_the_compiled_catalogue_is_the_po_file(area, path):
    compiled = io.BytesIO()
    write_mo(compiled, _read(path), use_fuzzy=False)
    assert path.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        f"{path.with_suffix('.mo')} is out of date: run `flask i18n compile`")


@pytest.mark.parametrize("area, path", CATALOGUES, ids=i18n.AREAS)
def test_no_message_is_in_a_catalogue_twice(area, path):
    """A merge that keeps both sides' entries can keep one message twice, translated two ways; reading
    the catalogue then keeps one of them without a word."""
    keys = Counter()
    for entry in path.read_text(encoding="utf-8").split("\n\n"):
        text = "\n".join(line for line in entry.splitlines() if line and not line.startswith("#"))
        if "msgid" in text and "msgstr" in text:
            keys[text[:text.index("msgstr")]] += 1
    twice = [key for key, count in keys.items() if count > 1]
    assert not twice, f"{path}: in it twice (keep one entry): {twice[:5]}"


@pytest.mark.parametrize("area", i18n.AREAS)
def test_each_catalogue_holds_every_string_its_files_mark(area):
    marked = {m.id for m in i18n.extract(area) if m.id}
    held = {m.id for m in _read(i18n.catalogue(area)) if m.id}
    assert not marked - held, f"{area}: marked but not in its catalogue {sorted(marked - held, key=str)[:10]}; " + HOW.format(area=area)


def test_a_message_in_several_catalogues_reads_the_same_in_each():
    """Flask-Babel merges the catalogues: one area's Persian for a msgid would win over another's. A
    word meaning something else in another area gets a context (pgettext) instead."""
    said = {}
    for area, path in CATALOGUES:
        for m in _read(path):
            if m.id and m.string:
                said.setdefault((m.context, str(m.id if isinstance(m.id, str) else m.id[0])), {})[area] = m.string
    differ = {key: by_area for key, by_area in said.items() if len({str(s) for s in by_area.values()}) > 1}
    assert not differ, f"one msgid, different Persian in different areas (agree, or give a context): {list(differ.items())[:5]}"


def test_every_file_belongs_to_one_area():
    assert i18n.area_of("templates/cashbox/dashboard.html") == "cashbox"
    assert i18n.area_of("rotation/draws.py") == "rosca"
    assert i18n.area_of("templates/statements/member.html") == "notify"
    assert i18n.area_of("templates/partials/forms.html") == "core"
    every = {p for area in i18n.AREAS for p in i18n.area_files(area)}
    assert sum(len(i18n.area_files(area)) for area in i18n.AREAS) == len(every)


def test_no_message_is_marked_inside_an_f_string():
    """Extraction does not look inside f-strings: a message marked there never reaches a catalogue, and a
    catalogue update drops the Persian someone added by hand (the name picker's "added %(day)s" was)."""
    import ast

    markers = {name for name in i18n.KEYWORDS}
    hidden = []
    for path in i18n.PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.relative_to(i18n.PACKAGE)}:{call.lineno}" for call in ast.walk(node)
                           if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in markers]
    assert not hidden, f"mark these outside the f-string: {hidden}"


def test_no_ledger_memo_is_written_in_english_by_the_code():
    """A memo is read on a box's receipts, statements and pages: written with i18n.box_text in the box's
    language, never as an f-string or a fixed English text (a Persian box's members read English)."""
    import ast

    english = []
    for path in i18n.PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "memo" and (
                    isinstance(node.value, (ast.JoinedStr, ast.BinOp))
                    or isinstance(node.value, ast.Constant) and node.value.value):
                english.append(f"{path.relative_to(i18n.PACKAGE)}:{node.value.lineno}")
    assert not english, f"write these memos with i18n.box_text: {english}"


def _box(owner, locale="fa_IR", calendar="persian"):
    with uow.transaction():
        return boxes.create_box(owner, "cashbox", "صندوق خانوادگی رضایی", "IRR", "Asia/Tehran", locale, calendar)


def test_the_language_is_the_persons_choice_else_the_boxs_else_the_browsers(client, make_user, box_sets_language):
    user = make_user("mina@example.com", "Mina")
    persian_box = _box(user)
    english_box = _box(user, "en", "gregorian")
    login(client, "mina@example.com")
    assert '<html lang="en" dir="ltr">' in client.get("/").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in client.get("/", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    page = client.get(f"/cashbox/{persian_box.id}").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page and "bootstrap.rtl.min.css" in page
    page = client.get(f"/cashbox/{english_box.id}", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "bootstrap.rtl" not in page

    response = client.post("/profile", data={"which": "language", "language-language": "en"}, follow_redirects=True)
    assert "Language saved." in response.get_data(as_text=True)
    assert user.language == "en"
    assert '<html lang="en"' in client.get(f"/cashbox/{persian_box.id}").get_data(as_text=True)
    client.post("/profile", data={"which": "language", "language-language": "fa"})
    assert '<html lang="fa"' in client.get(f"/cashbox/{english_box.id}").get_data(as_text=True)
    client.post("/profile", data={"which": "language", "language-language": "xx"})
    assert user.language == "fa"
    client.post("/profile", data={"which": "language", "language-language": ""})
    assert user.language is None


def test_a_persian_visitor_reads_the_public_pages_in_persian(client):
    for url in ("/", "/login", "/signup", "/forgot"):
        persian_page(client, url)
    assert "همیان" in persian_page(client, "/") and "صندوق قرض‌الحسنه" in persian_page(client, "/")
    assert '<p class="display-4 text-muted">۴۰۴</p>' in persian_page(client, "/no-such-page", status=404)


def test_a_persian_form_error_is_shown_in_persian(client, make_user):
    make_user("mina@example.com", "Mina")
    response = client.post("/login", data={"email": "mina@example.com", "password": "wrong-password"},
                           headers={"Accept-Language": "fa"})
    assert "ایمیل یا گذرواژه نادرست است." in response.get_data(as_text=True)
    response = client.post("/signup", data={"name": "", "email": "x", "password": "short", "confirm": "other"},
                           headers={"Accept-Language": "fa"})
    page = response.get_data(as_text=True)
    assert "از ۸ تا ۱۲۸ نویسه استفاده کنید." in page and "این فیلد اجباریست." in page
    assert not english_left(page)


def test_a_persian_member_reads_their_own_pages_in_persian(client, make_user):
    user = make_user("mina@example.com", "Mina")
    _box(user)
    user.language = "fa"
    login(client, "mina@example.com")
    for url in ("/", "/profile", "/profile/devices"):
        persian_page(client, url)


def test_the_helper_finds_english_but_not_values_set_apart():
    assert english_left('<p>صندوق <bdi>Mina</bdi> · <span dir="ltr">HMY-12</span> IRR API</p>') == []
    assert english_left('<p>صندوق Overview</p><input placeholder="Search">') == ["صندوق Overview", "Search"]
    assert english_left("<script>var x = 'text';</script><code>curl</code>") == []


def test_values_are_isolated_so_bidi_never_scrambles_them(app):
    render = app.jinja_env.from_string("{{ email|ltr }} {{ name|bdi }}").render
    assert render(email="a@b.ir", name="<Mina>") == '<bdi dir="ltr">a@b.ir</bdi> <bdi>&lt;Mina&gt;</bdi>'


def test_a_template_compiled_for_one_language_writes_its_constants_in_the_next_ones(app):
    """Jinja computes a filter of a constant (`30|num`) once, when it compiles the template, unless
    the filter asks for the render's context: the first visitor's language would stay for everyone."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        template = app.jinja_env.from_string("{{ 30|num }} {{ 1234|digits }} {{ ['a', 'b']|listed }} {{ '0.0237'|rate }}")
        assert template.render() == "30 1234 a, b 2.37%"
    with app.test_request_context(), force_locale("fa"):
        assert template.render() == "۳۰ ۱۲۳۴ a، b ۲٫۳۷%"


def test_a_texts_length_is_said_in_the_pages_digits(app):
    from flask_babel import force_locale

    from hamyan.core import parse
    from hamyan.core.errors import ValidationError

    with app.test_request_context(), force_locale("fa"):
        for value in ("", "x" * 81):
            with pytest.raises(ValidationError) as error:
                parse.text(value, "reference", label="مرجع", limit=80)
            assert "۸۰" in str(error.value.message) and "80" not in str(error.value.message)
        with pytest.raises(ValidationError) as error:
            parse.reason("", "reason", limit=200)
        assert "۲۰۰" in str(error.value.message)


def test_an_amounts_decimal_places_are_said_in_the_pages_words(app):
    from flask_babel import force_locale

    from hamyan.core import parse
    from hamyan.core.errors import ValidationError

    with app.test_request_context(), force_locale("fa"):
        with pytest.raises(ValidationError) as error:
            parse.amount("12.5", "IRR")
        assert "ریال" in str(error.value.message) and "IRR" not in str(error.value.message)
        with pytest.raises(ValidationError) as error:
            parse.amount("12.555", "USD")
        assert "۲" in str(error.value.message)
