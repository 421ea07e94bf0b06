"""One way for a form to name a person of a box, however many people it has: the field is typed
text; as you type, htmx fills the field's <datalist> with matching names from a lookup page, which
without JavaScript is a plain search page to copy a name from; the server then resolves the name
(names are unique among a box's active members) or puts an error on the field, and nothing is
written. A select of every member would grow with the box (partials/picker.html draws the field).

`people` is a query of (id, name) of whom a form may name: a product decides who that is."""
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_

from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.web import render

SHOWN = 20  # names a lookup offers; typing more of the name narrows them
# The nouns the products name people by, in the page's language.
NOUNS = {"member": _l("member"), "person": _l("person"), "saver": _l("saver"),
         "member without an account": _l("member without an account")}


def noun_word(noun) -> str:
    """`noun` (a product's word for whom a picker names) as the page says it."""
    return str(NOUNS.get(str(noun), noun))


def lookup_text() -> str:
    """What a lookup is asked for: ?q= from its search page, or the value of the field that asks
    (htmx sends the typing field's own value under its name, and that name in `field`)."""
    return request.args.get(request.args.get("field") or "q", request.args.get("q", ""))[:100]


def names(people: Select, text: str, limit: int = SHOWN) -> list[str]:
    """Names among `people` containing `text` (any case), by name."""
    name = people.selected_columns[1]
    query = people.with_only_columns(name)
    text = text.strip()
    if text:  # SQLite lowers only ASCII: a name with other letters is found as written too
        query = query.where(or_(func.lower(name).contains(text.lower(), autoescape=True),
                                name.contains(text, autoescape=True)))
    return list(db.session.scalars(query.order_by(name).limit(limit)))


def named(people: Select, name: str, field: str, noun: str) -> int:
    """The id of the one of `people` called `name` (any case); a ValidationError on `field` if none."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Choose a %(noun)s.", noun=noun_word(noun)), field=field)
    id_, name_column = people.selected_columns[:2]
    ids = db.session.scalars(people.with_only_columns(id_).where(
        or_(func.lower(name_column) == name.lower(), name_column == name)).limit(2)).all()
    if len(ids) != 1:
        raise ValidationError(_("No %(noun)s here is called “%(name)s”; choose one from the list.", noun=noun_word(noun), name=name),
                              field=field)
    return ids[0]


def resolve(people: Select, field, noun: str) -> int | None:
    """The id of the one of `people` a picker field names, or None with the error put on the field."""
    try:
        return named(people, field.data, field.name, noun)
    except ValidationError as error:
        field.errors = [*field.errors, error.message]
        return None


def all_named(people: Select, field, noun: str) -> list[int] | None:
    """The ids of the names typed into a list of picker fields (a FieldList; blanks skipped, each
    name once), or None with an error put on each entry that no one of `people` is called."""
    ids = [resolve(people, entry, noun) for entry in field.entries if (entry.data or "").strip()]
    return None if None in ids else list(dict.fromkeys(ids))


def lookup_page(people: Select, noun: str, back: str, **context):
    """A picker's lookup: the search page of `noun`s, or for htmx the datalist's options. `context`
    is what the box layout needs (nav)."""
    text = lookup_text()
    return render("box/names.html", partials=("names",), noun=noun_word(noun), q=text, names=names(people, text), back=back,
                  **context)
