"""A manager records a whole period's payments at once (the bulk period entry of every product):
one unit of work in which each ticked row is written by the product's own payment rule, with a key
of its own, so a double submit writes nothing twice; if any row is refused, none is written and
every refused row gets its error."""
from dataclasses import dataclass
from typing import Callable

from hamyan.core import uow
from hamyan.core.errors import Conflict, ValidationError

# What a product's payment rule calls the row's amount or person: an error on these belongs to the row.
ROW_FIELDS = {"amount", "membership_id", "member_id", "member"}


@dataclass(frozen=True)
class Line:
    """One member's row of the form: what the product's payment rule names (a membership, a saver)."""

    id: int
    name: str
    owed: int  # minor units owed for the period
    note: str = ""  # e.g. what is owed from earlier periods, which a payment settles first


@uow.box_write
def record_each(actor, box_id: int, rows: list[tuple[int, str]], write: Callable[[int, str], object]) -> list:
    """write(row id, amount) for every row, in one box write. The rule authorizes each call itself.
    Errors come back as one ValidationError: `amount-<row id>` for a row's own, the rule's field
    name for what every row shares (the date, the method)."""
    done, errors = [], {}
    for row_id, amount in rows:
        try:
            done.append(write(row_id, amount))
        except (ValidationError, Conflict) as error:
            shared = {name: message for name, message in error.fields.items() if name not in ROW_FIELDS}
            errors.update(shared)
            if not shared:
                errors[f"amount-{row_id}"] = error.message
    if errors:
        raise ValidationError("Nothing was recorded: correct the rows marked below and submit again.", fields=errors)
    return done
