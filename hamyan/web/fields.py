"""Form fields shared by every product."""
from flask import request
from wtforms import StringField
from wtforms.validators import StopValidation

from hamyan.core import parse
from hamyan.core.errors import ValidationError


class AmountField(StringField):
    """An amount of money. It keeps the text as typed (so the form shows it again with its error)
    and, when the form validates, parses it with core.parse.amount for the currency, putting a
    parse error inline on the field; `minor` is then the amount in minor units. Services parse the
    same text with the same parser, so the form and the API agree on every amount.

    The currency is the form's own `currency` field when it has one (a new box's form), else the
    currency of the box in the URL (`box_id`)."""

    def __init__(self, label=None, validators=None, *, required: bool = True, allow_zero: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required, self.allow_zero = required, allow_zero
        self.minor: int | None = None
        if required:
            self.flags.required = True

    def pre_validate(self, form) -> None:
        self.minor = None
        if not parse.normalize(self.data):
            if self.required:
                raise StopValidation("Enter an amount.")
            return
        currency = _currency(form)
        if currency is None:  # the currency field shows its own error
            return
        try:
            self.minor = parse.amount(self.data, currency, self.name, allow_zero=self.allow_zero)
        except ValidationError as error:
            raise StopValidation(error.message) from None


def _currency(form) -> str | None:
    own = getattr(form, "currency", None)
    if own is not None:
        code = (own.data or "").strip().upper()
        return code if len(code) == 3 and code.isalpha() else None
    from hamyan.boxes.models import Box
    from hamyan.extensions import db

    box_id = parse.record_id((request.view_args or {}).get("box_id"))
    box = db.session.get(Box, box_id) if box_id else None
    if box is None:
        raise RuntimeError("AmountField needs a currency: a `currency` field on the form or a box_id in the URL")
    return box.currency
