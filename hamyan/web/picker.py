"""One way for a form to name a person of a box, however many people it has: the field is typed
text; as you type, htmx fills the field's <datalist> with matching names from a lookup page, which
without JavaScript is a plain search page to copy a name from; the server then resolves the name
or puts an error on the field, and nothing is written. A select of every member would grow with the
box (partials/picker.html draws the field).

`people` is a query of (id, name, *boxes.services.TELLING) of whom a form may name: a product decides who that is.
Two people may share a name (the manager confirmed it): the picker then offers each as "name (detail)",
the detail telling them apart (their email half hidden, else the day they were added), and the
field resolves that label; the bare name alone is refused as naming several people."""
import re

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from hamyan import i18n
from hamyan.core.errors import ValidationError
from hamyan.dues.calendar import format_day
from hamyan.extensions import db
from hamyan.web import render

SHOWN = 20  # names a lookup offers; typing more of the name narrows them
# Arabic letters people type for the Persian ones (keyboards differ); a name is looked for both ways.
PERSIAN_LETTERS = str.maketrans("يكة", "یکه")
_LABELLED = re.compile(r"^(.*\S) \(([^()]*)\)$")  # "name (detail)"
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
    """What the picker offers for `text`: the names among `people` containing it (any case), by
    name, each shared name as one "name (detail)" per person."""
    id_, name = people.selected_columns[:2]
    text = text.strip()
    query = people
    if text:  # SQLite lowers only ASCII: a name with other letters is found as written too
        query = query.where(or_(*(condition for typed in {text, text.translate(PERSIAN_LETTERS)} for condition in (
            func.lower(name).contains(typed.lower(), autoescape=True), name.contains(typed, autoescape=True)))))
    rows = db.session.execute(query.order_by(name, id_).limit(limit)).all()
    return [label for _id, label in _told_apart(rows, _shared(people, {row[1] for row in rows}))]


def choices(people: Select) -> list[tuple[str, str]]:
    """(id, label) of each of `people` by name, those of one name told apart: a select's options,
    where a box's people are few (a ROSCA's seats)."""
    id_, name = people.selected_columns[:2]
    rows = db.session.execute(people.order_by(name, id_)).all()
    lowered = [row[1].lower() for row in rows]
    return [(str(row_id), label) for row_id, label in _told_apart(rows, {n for n in lowered if lowered.count(n) > 1})]


def _told_apart(rows, shared: set[str]) -> list[tuple[int, str]]:
    return [(row[0], _label(row) if row[1].lower() in shared else row[1]) for row in rows]


def _shared(people: Select, names: set[str]) -> set[str]:
    """Which of `names` (lowered) more than one of `people` has (asked even for none: a page's query
    count stays the same)."""
    name = people.selected_columns[1]
    named_so = people.with_only_columns(name.label("name")).where(
        func.lower(name).in_({n.lower() for n in names})).subquery()
    # Grouped here by the lowered name in Python: SQLite lowers only ASCII, and a box's few same names are few rows.
    counts: dict[str, int] = {}
    for n in db.session.scalars(select(named_so.c.name)):
        counts[n.lower()] = counts.get(n.lower(), 0) + 1
    return {n for n, count in counts.items() if count > 1}


def _label(row) -> str:
    """ "name (detail)": the email half hidden (ali.rezaei@gmail.com: al•••@gmail.com), else the day the
    person was added, in the page box's calendar."""
    _id, name, email, added = row[:4]
    if email and "@" in email:
        local, domain = email.rsplit("@", 1)
        return f"{name} ({local[:2]}•••@{domain})"
    box = i18n.page_box()
    day = format_day(added.date(), getattr(box, "calendar", "gregorian"), i18n.display_locale(box))
    detail = _("added %(day)s", day=i18n.digits(day, box))  # (outside the f-string, where extraction finds it)
    return f"{name} ({detail})"


def named(people: Select, name: str, field: str, noun: str) -> int:
    """The id of the one of `people` called `name` (any case), or labelled so when several share the
    name; a ValidationError on `field` if none, or if the name is several people's."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Choose a %(noun)s.", noun=noun_word(noun)), field=field)
    id_, name_column = people.selected_columns[:2]
    typed = {name, name.translate(PERSIAN_LETTERS)}
    rows = db.session.execute(people.where(or_(func.lower(name_column).in_({t.lower() for t in typed}),
                                               name_column.in_(typed))).limit(2)).all()
    if len(rows) == 1:
        return rows[0][0]
    if rows:
        raise ValidationError(_("Several people here are called “%(name)s”; choose one of them from the list, which "
                                "tells them apart.", name=name), field=field)
    labelled = _LABELLED.match(name)
    if labelled:
        bare = labelled.group(1)
        rows = db.session.execute(people.where(or_(func.lower(name_column) == bare.lower(), name_column == bare))).all()
        ids = [row[0] for row in rows if _label(row).lower() == name.lower()]
        if len(ids) == 1:
            return ids[0]
    raise ValidationError(_("No %(noun)s here is called “%(name)s”; choose one from the list.", noun=noun_word(noun), name=name),
                          field=field)


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
