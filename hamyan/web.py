"""Helpers every HTML view uses: full page or htmx partial, redirects htmx understands, and
service errors shown on the form field they concern."""
from flask import flash, redirect, render_template, url_for
from jinja2_fragments.flask import render_block

from hamyan.core.errors import ServiceError
from hamyan.extensions import htmx


def render(template: str, block: str | None = None, **context):
    """The whole page, or just `block` of it when htmx asked (and not for a history restore)."""
    if block and htmx and not htmx.history_restore_request:
        return render_block(template, block, **context)
    return render_template(template, **context)


def redirect_to(endpoint_or_url: str, **values):
    url = url_for(endpoint_or_url, **values) if not endpoint_or_url.startswith("/") else endpoint_or_url
    if htmx:
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


def apply_error(form, error: ServiceError) -> None:
    """Put a service error on the matching form field, or on the form as a whole."""
    placed = False
    for name, message in error.fields.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + [message]
            placed = True
    if not placed:
        if form is not None:
            form.form_errors.append(error.message)
        else:
            flash(error.message, "danger")
