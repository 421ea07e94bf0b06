"""One confirm step before every irreversible action, for every product.

An action's form posts as usual. Its view first asks `needed()`: until the person has said yes
(the field `confirmed=1`), it answers `ask(...)`: what will happen, with the amounts (from the
service's preview), and a form that posts the same fields again with confirmed=1. Without
JavaScript that is a page inside the box (templates/box/confirm.html); when the form posts with
htmx, the same block is sent into the layout's dialog (HX-Retarget, whatever the form's own
target), which static/js/app.js opens. The action itself then posts as a plain form either way."""
from flask import make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hamyan.core import uow
from hamyan.extensions import htmx
from hamyan.web import render

CONFIRMED = "confirmed"


def needed() -> bool:
    return request.form.get(CONFIRMED) != "1"


def ask(nav, title: str, lines: list[str], button: str, *, back: str, danger: bool = True,
        blocked: str | None = None, note: str | None = _l("It cannot be undone.")):
    """The confirm step for the action posted to this URL. `lines` say what will happen (with the
    amounts); `back` is where "Cancel" leads; `blocked` instead says why it cannot happen now and
    what to do (no yes button); `note` is said last (what can still be done about it)."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != CONFIRMED]
    response = make_response(render("box/confirm.html", "confirm", nav=nav, title=title, lines=lines, button=button,
                                    back=back, danger=danger, blocked=blocked, note=note, fields=fields,
                                    action=request.full_path.rstrip("?")))
    if htmx:  # whatever the form's own target (its errors swap into the form), the step goes to the dialog
        response.headers["HX-Retarget"] = "#confirm-dialog"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def same_name(nav, error, button: str, *, back: str):
    """A name another member already has (boxes.services.SameName) is a warning, not a refusal: the
    confirm step says so, and yes posts the form again (the view passes not needed() as same_name_ok)."""
    return ask(nav, _("Another person of the same name?"), [error.message], button, back=back, danger=False, note=None)


def trial(func, *args, **kwargs) -> tuple[object, str | None]:
    """The write `func(*args)` tried and rolled back (core.uow.dry_run): (what it would return,
    None), or (None, why it would be refused now) for ask(blocked=...)."""
    result, error = uow.dry_run(func, *args, **kwargs)
    if error is not None and error.status == 404:
        raise error
    return result, (error.message if error is not None else None)


def refusal(func, *args, **kwargs) -> str | None:
    """Why the write `func(*args)` would be refused now; None when it would go through."""
    return trial(func, *args, **kwargs)[1]
