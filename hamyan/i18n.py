"""Languages of the interface (Flask-Babel): English and Persian.

Which language a page speaks: the person's own choice (User.language, on the profile page), else
the one this browser chose (the switch in the footer, for visitors: LANGUAGE_COOKIE), else the box's locale on the pages of a box, else the browser's Accept-Language, else English.
The API answers in the language of the request's Accept-Language, else English. Times
are shown in the box's timezone.

Translations are split per area, one catalogue each under hamyan/translations/<area>/, so people
translating different areas never edit the same file; Flask-Babel merges them at run time
(BABEL_TRANSLATION_DIRECTORIES). `flask i18n update <area>` extracts that area's strings, updates
its Persian catalogue and compiles it; the compiled .mo files are committed (a test checks they
match their .po), so a fresh clone runs as it is. /work/notes/i18n.md and the README tell how."""
import re
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import click
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, format_percent
from flask import current_app, g, has_app_context, has_request_context, request
from flask.cli import AppGroup
from flask_babel import Babel, force_locale, get_locale, get_translations, pgettext
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup, escape

from hamyan.dues.calendar import format_day, format_moment, month_label

LANGUAGES = ("en", "fa")
LANGUAGE_NAMES = {"en": "English", "fa": "فارسی"}
RTL_LANGUAGES = frozenset({"fa"})
LANGUAGE_COOKIE = "hamyan_language"
PACKAGE = Path(__file__).parent
TRANSLATIONS = PACKAGE / "translations"

# Which catalogue a file's strings go to: the first area whose path prefix (under hamyan/) the file
# starts with; everything else is `core` (base, partials, auth, home, box, members, errors, forms,
# the shared services). A new file needs no entry unless it belongs to a product or to admin/notify.
AREA_PATHS = {
    "cashbox": ("blueprints/cashbox/", "templates/cashbox/"),
    "moneypool": ("blueprints/moneypool/", "templates/moneypool/", "lending/"),
    "aptbox": ("blueprints/aptbox/", "templates/aptbox/"),
    "rosca": ("blueprints/rosca/", "templates/rosca/", "rotation/"),
    "admin": ("blueprints/admin/", "templates/admin/", "analytics/", "templates/analytics/", "audit/",
              "templates/audit/", "partners/", "templates/partners/", "plans/", "backup/"),
    "notify": ("notify/", "templates/notify/", "statements/", "templates/statements/", "hamyar/",
               "templates/hamyar/", "scheduling/"),
}
AREAS = ("core",) + tuple(AREA_PATHS)
# How strings are found: Python's gettext calls, and Jinja's {% trans %} and _() (trimmed, as the
# app's Jinja policy renders them).
# pgettext: a word that means something else elsewhere ("charged": a fine's status, an amount's
# column) gets a context, so each meaning has its own translation in every catalogue. N_: a message
# translated when it is finally written (marshmallow's, hamyan.blueprints.api.messages).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
JINJA_OPTIONS = {"trimmed": "true"}


def area_of(relative_path: str) -> str:
    """The area of a file, by its path under hamyan/ (with forward slashes)."""
    for area, prefixes in AREA_PATHS.items():
        if relative_path.startswith(prefixes):
            return area
    return "core"


def area_files(area: str) -> list[Path]:
    """The Python modules and templates whose strings belong to `area`'s catalogue."""
    files = sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".html") and p.is_file()
                   and "translations" not in p.parts and "static" not in p.parts)
    return [p for p in files if area_of(p.relative_to(PACKAGE).as_posix()) == area]


def catalogue(area: str, language: str = "fa") -> Path:
    return TRANSLATIONS / area / language / "LC_MESSAGES" / "messages.po"


def page_box():
    """The box of the page (its `box_id`), once per request; None elsewhere."""
    if not has_request_context():
        return None
    if "i18n_box" not in g:
        from hamyan.boxes.models import Box
        from hamyan.core import parse
        from hamyan.extensions import db

        box_id = parse.record_id((request.view_args or {}).get("box_id"))
        g.i18n_box = db.session.get(Box, box_id) if box_id else None
    return g.i18n_box


def language_of(locale: str | None) -> str | None:
    """The interface language for a locale such as "fa_IR", or None when we do not speak it."""
    try:
        language = Locale.parse(locale or "", sep="_" if "_" in (locale or "") else "-").language
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return language if language in LANGUAGES else None


def select_locale() -> str | None:
    if not has_request_context():
        return None  # jobs and commands: the default (English); a message to a person chooses its own
    if request.path.startswith("/api/"):  # a program says what it reads; a box's locale would tell a
        return request.accept_languages.best_match(LANGUAGES, "en")  # caller who may not see it that it exists
    from flask_login import current_user

    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return request.cookies[LANGUAGE_COOKIE]
    box = page_box() if current_app.config["BOX_SETS_LANGUAGE"] else None
    if box is not None and language_of(box.locale):
        return language_of(box.locale)
    return request.accept_languages.best_match(LANGUAGES)


def select_timezone() -> str | None:
    box = page_box() if has_request_context() else None
    return box.timezone if box is not None else None


# What a new box is, by the language of the page that creates it: a Persian page makes a Persian box.
NEW_BOX = {"fa": ("fa_IR", "persian")}


def new_box_locale() -> str:
    """A new box's locale, as the creating page speaks (fa_IR on a Persian page, else en)."""
    return NEW_BOX.get(str(get_locale()), ("en", "gregorian"))[0]


def new_box_calendar() -> str:
    """A new box's calendar, as the creating page speaks (Jalali on a Persian page, else Gregorian):
    the first due date a Persian manager types is Jalali."""
    return NEW_BOX.get(str(get_locale()), ("en", "gregorian"))[1]


def writing_language(box=None) -> str:
    """The language being written: a message's (notify.services.speaking: its reader's), else the
    page's, else (a job's PDF) the box's."""
    spoken = g.get("message_language") if has_app_context() else None
    if spoken:
        return spoken
    return str(get_locale() or "en") if has_request_context() else (language_of(getattr(box, "locale", None)) or "en")


class Writing(NamedTuple):
    language: str
    locale: str  # of dates and numbers (display_locale)
    persian_digits: bool


def writing(box=None) -> Writing:
    """How a value of `box` is written now: the language (writing_language), the locale of its dates
    and numbers, and its digits, worked out once for a value (a page formats hundreds)."""
    language = writing_language(box)
    box_locale = getattr(box, "locale", None)
    return Writing(language, box_locale if box_locale and _language_of(box_locale) == language else language,
                   language == "fa" and not getattr(box, "latin_digits", False))


@lru_cache(maxsize=256)
def _language_of(locale: str) -> str | None:
    return language_of(locale)


def display_locale(box=None) -> str:
    """The locale dates and numbers are written in: the page's language, in the box's own regional
    form when the box speaks it (a de_DE box on an English page writes English dates)."""
    return writing(box).locale


def persian_digits(box=None) -> bool:
    """Whether numbers are written in Persian digits: on Persian pages, unless the box chose Latin ones."""
    return writing(box).persian_digits


def digits(text, box=None, how: Writing | None = None) -> str:
    """`text` with its digits as the page writes them (Persian on Persian pages, see persian_digits).
    `how`: writing(box), when already worked out (as by the template filters, once a render)."""
    return _digits(text, (how or writing(box)).persian_digits)


def _digits(text, persian: bool) -> str:
    from hamyan.money import PERSIAN_DIGITS

    text = "" if text is None else str(text)
    return text.translate(PERSIAN_DIGITS) if persian else text


def number(value, box=None, how: Writing | None = None) -> str:
    """A count or other number as the page writes it (۱٬۲۳۴ on Persian pages)."""
    how = how or writing(box)
    return _number(value, how.locale, how.persian_digits)


@lru_cache(maxsize=4096, typed=True)
def _number(value, locale: str, persian: bool) -> str:
    # Babel's pattern work on every call, for the same few counts of a page: the pure results are kept.
    return _digits(format_decimal(value, locale=locale, numbering_system="default" if persian else "latn"), persian)


def listed(items) -> str:
    """Items (names, numbers already written) separated as the language being written separates a
    list: "Ali, Sara" in English, "علی، سارا" in Persian."""
    return pgettext("between the items of a list", ", ").join(map(str, items))


def percent(rate: float, box=None, places: int = 1) -> str:
    """A rate (0.5) as the page writes a percentage, to a tenth (۵۰٫۰% on Persian pages) or `places`."""
    how = writing(box)
    return _digits(format_percent(rate, f"#,##0.{'0' * places}%", locale=how.locale,
                                  numbering_system="default" if how.persian_digits else "latn"), how.persian_digits)


def show_money(amount: int, box, plain: bool = False, how: Writing | None = None) -> str:
    """The one way a page shows an amount of `box`: in the box's currency (tomans if the rial box
    chose so), in the page's language (the box's own number format on pages of its language),
    with the page's digits. `plain`: the number alone, for a table whose header names the unit."""
    from hamyan import money

    how = how or writing(box)
    show = money.format_plain if plain else money.format_money
    return show(amount, box.currency, _money_locale(box, how), toman=bool(getattr(box, "show_toman", False)),
                latin_digits=not how.persian_digits)


def show_day(day, box=None, how: Writing | None = None) -> str:
    """The one way a day is written (the `day` filter): Jalali with the month's name in a
    Persian-calendar box, in the language and digits being written."""
    how = how or writing(box)
    return _written_day(day, getattr(box, "calendar", "gregorian"), how.locale, how.persian_digits)


@lru_cache(maxsize=4096, typed=True)
def _written_day(day, calendar: str, locale: str, persian: bool) -> str:
    # Babel's date pattern work for each of a page's days (a grid heads its periods with them): kept.
    return _digits(format_day(day, calendar, locale), persian)


def show_month(year: int, month: int, calendar: str, box=None) -> str:
    """The one way a month of a calendar is named (a building's monthly charge, a statement's email):
    in the language and digits being written ("آذر ۱۴۰۵"; a job's: the box's)."""
    how = writing(box)
    return _digits(month_label(year, month, calendar, how.language), how.persian_digits)


def show_moment(moment, box=None, how: Writing | None = None) -> str:
    """A stored UTC time as pages show it: on the box's clock (`box`: a box, or anything with a
    timezone, such as a person's notification settings; none: UTC), calendar, language and digits."""
    how = how or writing(box)
    return _digits(format_moment(moment, getattr(box, "timezone", "UTC"), getattr(box, "calendar", "gregorian"),
                                 how.locale), how.persian_digits)


def unit_of(box) -> str:
    """The unit a box's amounts are shown in (ریال, تومان, IRR, toman, USD...), for table headers."""
    from hamyan import money

    return money.unit_name(box.currency, _money_locale(box, writing(box)), bool(getattr(box, "show_toman", False)))


def _money_locale(box, how: Writing) -> str:
    """Persian pages (and messages) write amounts the Persian way; other pages in the box's own number format."""
    return how.locale if how.language == "fa" else box.locale


def box_language(box) -> str:
    """The language a box speaks to people who did not choose theirs: its locale's, as on its pages."""
    box_says = current_app.config["BOX_SETS_LANGUAGE"]
    return (language_of(box.locale) if box_says else None) or current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def writing_in(language: str):
    """Inside this, gettext, dates, amounts and digits are written in `language`, whatever the
    request's or the job's own."""
    outer = g.get("message_language")
    g.message_language = language
    try:
        with force_locale(language):
            yield language
    finally:
        g.message_language = outer


class Amount(int):
    """An amount of a box's minor units, written as money in a record's text (box_text)."""


class Month(NamedTuple):
    """A month of a calendar, named in a record's text (box_text) as show_month names it."""
    year: int
    month: int
    calendar: str


def box_text(box, message, /, **values) -> str:
    """Words a box keeps in its records (a ledger entry's memo, what a payment gateway said), which
    its members read on receipts, statements and pages: `message` (marked with _l, named
    placeholders) in the box's language. Numbers (int) are written in the box's digits, an Amount
    as the box's money, a date on its calendar, a Month by its name, a marked word (_l) in that language, a
    list as the language lists (each item written so); text people typed (names, reasons, references: str)
    stays as typed."""
    def written(value):
        if isinstance(value, list):
            return listed(map(written, value))
        if isinstance(value, Amount):
            return show_money(value, box)
        if isinstance(value, int):
            return digits(value, box)
        if isinstance(value, date):
            return show_day(value, box)
        if isinstance(value, Month):
            return show_month(*value, box)
        return str(value)

    with writing_in(box_language(box)):
        return str(message) % {name: written(value) for name, value in values.items()}


def page_language() -> dict:
    """What base.html needs: <html lang dir> and the Bootstrap build (RTL for Persian)."""
    language = str(get_locale() or "en")
    return {"page_lang": language, "page_dir": "rtl" if language in RTL_LANGUAGES else "ltr",
            "language_names": LANGUAGE_NAMES}


def ltr(value) -> Markup:
    """A value that always reads left to right inside any text (an email, a reference, a phone, a
    code, a Latin name in Persian): isolated, so bidi never scrambles it or the text around it."""
    return Markup('<bdi dir="ltr">%s</bdi>') % escape(value)


def bdi(value) -> Markup:
    """A value typed by people (a name), isolated and read in its own direction: a Persian name in
    English text and a Latin one in Persian text both stay whole."""
    return Markup("<bdi>%s</bdi>") % escape(value)


def verbatim(value) -> Markup:
    """A reference kept as it was typed (by people, a gateway or the app: "TX-77", "از دریافتی دوره ۱"):
    isolated and read in its own direction, like a name, and never translated nor its digits changed."""
    return Markup('<bdi translate="no">%s</bdi>') % escape(value)


# Unicode's isolates: what <bdi> does, for text that holds no markup (a page's <title>).
FIRST_STRONG_ISOLATE, LEFT_TO_RIGHT_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2066", "\u2069"
_BDI_OPEN = re.compile(r"<bdi\b([^>]*)>")


def isolate(value) -> str:
    """A name (a box's, a person's) set apart in plain text, as `bdi` sets it apart in a page."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def title_text(crumbs) -> str:
    """A breadcrumb's items (<li>s) as a <title> says them: "Loans · #8", each value they set apart
    (<bdi>) still apart, by Unicode's isolates, since a title holds no markup."""
    def isolated(tag):
        return LEFT_TO_RIGHT_ISOLATE if 'dir="ltr"' in tag.group(1) else FIRST_STRONG_ISOLATE

    text = _BDI_OPEN.sub(isolated, str(crumbs)).replace("</bdi>", POP_DIRECTIONAL_ISOLATE)
    return " · ".join(filter(None, (Markup(item).striptags() for item in text.split("</li>"))))


def _current_locale():
    """flask_babel.get_locale(), read where Flask-Babel keeps it once chosen: its own function
    looks `g` up three times, each costing more than the rest of a number's formatting."""
    if not has_app_context():
        return None
    chosen = getattr(g._get_current_object().__dict__.get("_flask_babel"), "babel_locale", None)
    return chosen if chosen is not None else get_locale()


# Templates' _(), gettext() and {% trans %}: Jinja's newstyle gettext over Flask-Babel's found the
# catalogues again for every string (Flask-Babel's context three times, the locale named each time)
# under two wrappers, about 40 µs a string where a grid page translates hundreds. These keep the
# catalogues with the render (or the macro module: imported once, it outlives requests) while the
# locale stays the same, and keep the newstyle rules: the message marked safe where the template
# autoescapes, its values put in with %.
def _catalogues(eval_ctx):
    locale = _current_locale()
    kept = eval_ctx.__dict__.get("catalogues")
    if kept is None or kept[0] is not locale:
        kept = eval_ctx.catalogues = (locale, get_translations())
    return kept[1]


@pass_eval_context
def _template_gettext(__eval_ctx, __string: str, **variables):
    text = _catalogues(__eval_ctx).ugettext(__string)
    return (Markup(text) if __eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_ngettext(__eval_ctx, __singular: str, __plural: str, __num: int, **variables):
    variables.setdefault("num", __num)
    text = _catalogues(__eval_ctx).ungettext(__singular, __plural, __num)
    return (Markup(text) if __eval_ctx.autoescape else text) % variables


def of_the_request(function):
    """A template filter whose answer depends on the request (its language and digits). Jinja works
    out a filter of a constant (`30|num`) once, when it compiles the template, and keeps that answer
    for every later render in any language, unless the filter asks for the render's context."""
    @pass_context
    def filtered(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return filtered


def template_filter(function, **options):
    """`function(value, box, how=...)` as a template filter (`|num(box)`), of the request
    (`of_the_request`), its writing(box) kept with the render (or macro module) for each kind of box
    while the locale stays the same: a grid page writes hundreds of numbers, amounts and days, and
    working it out took most of each one's time."""
    @pass_context
    def written(context, value, box=None):
        eval_ctx = context.eval_ctx
        locale = _current_locale()
        kept = eval_ctx.__dict__.get("writing")
        if kept is None or kept[0] is not locale:
            kept = eval_ctx.writing = (locale, {})
        key = (getattr(box, "locale", None), getattr(box, "latin_digits", False))
        how = kept[1].get(key)
        if how is None:
            how = kept[1][key] = writing(box)
        return function(value, box, how=how, **options)

    return written


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(TRANSLATIONS / area) for area in AREAS)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.jinja_env.filters["ltr"] = ltr
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.filters["verbatim"] = verbatim
    app.jinja_env.filters["digits"] = template_filter(digits)
    app.jinja_env.filters["num"] = template_filter(number)
    app.jinja_env.filters["money"] = template_filter(show_money)
    app.jinja_env.filters["amount"] = template_filter(show_money, plain=True)
    app.jinja_env.filters["day"] = template_filter(show_day)
    app.jinja_env.filters["local_time"] = template_filter(show_moment)
    app.jinja_env.filters["listed"] = of_the_request(listed)
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["title_text"] = title_text
    app.jinja_env.globals["unit_of"] = unit_of
    app.context_processor(page_language)
    app.cli.add_command(i18n_cli)


# ---------------------------------------------------------------- the catalogue commands

i18n_cli = AppGroup("i18n", help="Extract, update and compile the translation catalogues (one per area).")


def extract(area: str):
    """A template catalogue of every marked string of the area's files."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    template = Catalog(project="Hamyan", charset="utf-8")
    for path in area_files(area):
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = {} if method == "python" else JINJA_OPTIONS
        for line, message, comments, context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                   options=options, strip_comment_tags=True):
            template.add(message, None, [(path.relative_to(PACKAGE).as_posix(), line)],
                         auto_comments=comments, context=context)
    return template


def update(area: str, language: str = "fa") -> tuple[int, int]:
    """Bring the area's catalogue up to its files' strings, keeping translations; returns (messages,
    untranslated). A changed English string comes back fuzzy (its old translation as a guess)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = catalogue(area, language)
    template = extract(area)
    if path.exists():
        with path.open("rb") as f:
            po = read_po(f, locale=language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        po = Catalog(locale=language, project="Hamyan", version="", copyright_holder="the Hamyan authors",
                     charset="utf-8", fuzzy=False)
    po.update(template, update_header_comment=False, update_creation_date=False)
    po.obsolete.clear()  # gone strings are dropped: git keeps the history
    with path.open("wb") as f:
        write_po(f, po, width=100, sort_by_file=True, include_lineno=False)  # no line numbers: fewer conflicts
    compile_catalogue(path)
    return len(po), sum(1 for m in po if m.id and (not m.string or m.fuzzy))


def compile_catalogue(po_path: Path) -> None:
    """messages.po -> messages.mo beside it; fuzzy messages are left out (they show in English)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as f:
        po = read_po(f)
    with po_path.with_suffix(".mo").open("wb") as f:
        write_mo(f, po, use_fuzzy=False)


@i18n_cli.command("update")
@click.argument("areas", nargs=-1, type=click.Choice(AREAS + ("all",)))
def update_command(areas):
    """Extract AREA's strings, update its Persian catalogue, compile it (`all` for every area)."""
    for area in (AREAS if "all" in areas or not areas else areas):
        total, missing = update(area)
        click.echo(f"{area}: {total} messages, {missing} to translate in {catalogue(area).relative_to(PACKAGE.parent)}")


@i18n_cli.command("compile")
def compile_command():
    """Compile every catalogue (after editing a .po by hand)."""
    for area in AREAS:
        for po_path in sorted((TRANSLATIONS / area).glob("*/LC_MESSAGES/messages.po")):
            compile_catalogue(po_path)
            click.echo(f"compiled {po_path.relative_to(PACKAGE.parent)}")
