"""Languages of the interface (Flask-Babel): English and Persian.

Which language a page speaks: the person's own choice (User.language, on the profile page), else
the one this browser chose (the switch in the footer, for visitors: LANGUAGE_COOKIE), else the box's locale on the pages of a box, else the browser's Accept-Language, else English. Times
are shown in the box's timezone.

Translations are split per area, one catalogue each under hamyan/translations/<area>/, so people
translating different areas never edit the same file; Flask-Babel merges them at run time
(BABEL_TRANSLATION_DIRECTORIES). `flask i18n update <area>` extracts that area's strings, updates
its Persian catalogue and compiles it; the compiled .mo files are committed (a test checks they
match their .po), so a fresh clone runs as it is. /work/notes/i18n.md and the README tell how."""
from pathlib import Path

import click
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from flask import current_app, g, has_app_context, has_request_context, request
from flask.cli import AppGroup
from flask_babel import Babel, get_locale
from markupsafe import Markup, escape

from hamyan.dues.calendar import format_day, format_moment

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
# column) gets a context, so each meaning has its own translation in every catalogue.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
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


def writing_language(box=None) -> str:
    """The language being written: a message's (notify.services.speaking: its reader's), else the
    page's, else (a job's PDF) the box's."""
    spoken = g.get("message_language") if has_app_context() else None
    if spoken:
        return spoken
    return str(get_locale() or "en") if has_request_context() else (language_of(getattr(box, "locale", None)) or "en")


def display_locale(box=None) -> str:
    """The locale dates and numbers are written in: the page's language, in the box's own regional
    form when the box speaks it (a de_DE box on an English page writes English dates)."""
    language = writing_language(box)
    box_locale = getattr(box, "locale", None)
    return box_locale if box_locale and language_of(box_locale) == language else language


def persian_digits(box=None) -> bool:
    """Whether numbers are written in Persian digits: on Persian pages, unless the box chose Latin ones."""
    return writing_language(box) == "fa" and not getattr(box, "latin_digits", False)


def digits(text, box=None) -> str:
    """`text` with its digits as the page writes them (Persian on Persian pages, see persian_digits)."""
    from hamyan.money import PERSIAN_DIGITS

    text = "" if text is None else str(text)
    return text.translate(PERSIAN_DIGITS) if persian_digits(box) else text


def number(value, box=None) -> str:
    """A count or other number as the page writes it (۱٬۲۳۴ on Persian pages)."""
    persian = persian_digits(box)
    return digits(format_decimal(value, locale=display_locale(box), numbering_system="default" if persian else "latn"), box)


def show_money(amount: int, box, plain: bool = False) -> str:
    """The one way a page shows an amount of `box`: in the box's currency (tomans if the rial box
    chose so), in the page's language (the box's own number format on pages of its language),
    with the page's digits. `plain`: the number alone, for a table whose header names the unit."""
    from hamyan import money

    show = money.format_plain if plain else money.format_money
    return show(amount, box.currency, _money_locale(box), toman=bool(getattr(box, "show_toman", False)),
                latin_digits=not persian_digits(box))


def show_day(day, box=None) -> str:
    """The one way a day is written (the `day` filter): Jalali with the month's name in a
    Persian-calendar box, in the language and digits being written."""
    return digits(format_day(day, getattr(box, "calendar", "gregorian"), display_locale(box)), box)


def show_moment(moment, box=None) -> str:
    """A stored UTC time as pages show it: on the box's clock (`box`: a box, or anything with a
    timezone, such as a person's notification settings; none: UTC), calendar, language and digits."""
    return digits(format_moment(moment, getattr(box, "timezone", "UTC"), getattr(box, "calendar", "gregorian"),
                                display_locale(box)), box)


def unit_of(box) -> str:
    """The unit a box's amounts are shown in (ریال, تومان, IRR, toman, USD...), for table headers."""
    from hamyan import money

    return money.unit_name(box.currency, _money_locale(box), bool(getattr(box, "show_toman", False)))


def _money_locale(box) -> str:
    """Persian pages (and messages) write amounts the Persian way; other pages in the box's own number format."""
    return display_locale(box) if writing_language(box) == "fa" else box.locale


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


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(TRANSLATIONS / area) for area in AREAS)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters["ltr"] = ltr
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.filters["digits"] = digits
    app.jinja_env.filters["num"] = number
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
