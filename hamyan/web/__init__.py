"""Helpers every HTML view uses: full page or a named htmx partial, redirects htmx understands,
service errors shown on the form field they concern, and template macros as globals.
fields.py holds the form fields shared by every product (AmountField)."""
from functools import lru_cache

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape

from hamyan.core.errors import ServiceError
from hamyan.dues import status as dues_status
from hamyan.extensions import htmx

# The one status vocabulary of hamyan.dues, shown the same on every product's pages.
STATUS_CLASS = {dues_status.PAID: "text-bg-success", dues_status.PAID_LATE: "text-bg-warning",
                dues_status.PARTLY_PAID: "text-bg-info", dues_status.DUE: "text-bg-primary",
                dues_status.LATE: "text-bg-danger", dues_status.UPCOMING: "text-bg-light border",
                "prepaid": "text-bg-info"}


def status_badge(status: str) -> Markup:
    """A status as a badge, in the page's language: a Jinja global in Python, as a grid shows one in
    each of its cells (a macro call costs many times more). Each status's badge is made once per
    language: translating its label again took a third of a 25 x 12 grid's time."""
    return _badge(status, str(get_locale()))


@lru_cache(maxsize=64)
def _badge(status: str, language: str) -> Markup:
    return Markup(f'<span class="badge {STATUS_CLASS.get(status, "text-bg-secondary")}">'
                  f'{escape(dues_status.label(status))}</span>')


def once_each(macro):
    """`macro` called once for each distinct arguments, within one render (a Jinja global: `{% set
    cell = once_each(grid_cell) %}`): a grid's 300 cells hold a few distinct contents (paid, the
    same amounts), and writing each again was most of the grid's time."""
    made = {}

    def call(*args):
        if args not in made:
            made[args] = macro(*args)
        return made[args]

    return call


_HOLE = 918273645  # stands for the varying number while a URL is built: no id or page number here takes it


def url_maker(endpoint: str, varying: str, **values):
    """url_for(endpoint, **{varying: n}, **values) for many numbers n, built once with a stand-in for
    n that each call replaces (a table links each of its rows, a pager each page: url_for each time
    was a tenth of a grid page's time)."""
    before, hole, after = url_for(endpoint, **{varying: _HOLE}, **values).partition(str(_HOLE))
    if not hole or str(_HOLE) in after:
        return lambda n: url_for(endpoint, **{varying: n}, **values)
    return lambda n: f"{before}{int(n)}{after}"


def said(message: str, **values) -> Markup:
    """A translated message with its values put in, for a flash, a confirm step or a line of a page:
    its words and values escaped, what is already markup (a name set apart by i18n.bdi) kept whole."""
    return Markup(escape(message)) % values


def render(template: str, block: str | None = None, *, partials: tuple[str, ...] = (), **context):
    """The whole page, or one block of it for htmx (not for a history restore, which wants the page).

    `block` is the partial this response is (a form shown again with its errors after an htmx POST);
    `partials` are the blocks an htmx GET may ask for with ?block=<name> (page links swapping a
    list). Any other block asked for gets the whole page, so a stale or forged link never fails."""
    if htmx and not htmx.history_restore_request:
        wanted = block or request.args.get("block")
        if wanted is not None and (wanted == block or wanted in partials):
            return render_block(template, wanted, **context)
    return render_template(template, **context)


def register_macros(app, template: str, names, prefix: str = "") -> None:
    """Make macros of `template` Jinja globals (as prefix + name): an htmx partial (render_block)
    runs only its block, where a template's top-level {% from ... import %} is undefined."""
    def macro(name):
        return lambda *args, **kwargs: getattr(app.jinja_env.get_template(template).module, name)(*args, **kwargs)

    app.jinja_env.globals.update({prefix + name: macro(name) for name in names})


def redirect_to(endpoint_or_url: str, **values):
    url = endpoint_or_url if endpoint_or_url.startswith(("/", "http://", "https://")) else url_for(endpoint_or_url, **values)
    if htmx:
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


def apply_error(form, error: ServiceError, fields: dict[str, str] | None = None) -> None:
    """Put a service error on the matching form field (`fields` maps a service's field name to the
    form's where they differ), or on the form as a whole."""
    placed = False
    for name, message in error.fields.items():
        name = (fields or {}).get(name, name)
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + [message]
            placed = True
    if not placed:
        if form is not None:
            form.form_errors.append(error.message)
        else:
            flash(error.message, "danger")
