"""Form fields shared by every product."""
from flask import request
from flask_babel import gettext as _
from wtforms import StringField
from wtforms.validators import StopValidation

from hamyan.core import parse
from hamyan.core.errors import ValidationError


class AmountField(StringField):
    """An amount of money as people of the box's locale write it (`12,50` in a de_DE box). When the
    form validates it is parsed with core.parse.amount in that locale, a parse error going inline on
    the field; then `minor` is the amount in minor units and `data` the canonical text ("12.50")
    that services parse like the API's, while the form still shows again what was typed.

    The currency and locale are the form's own `currency` / `locale` fields when it has them (a new
    box's form), else those of the box in the URL (`box_id`)."""

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
                raise StopValidation(_("Enter an amount."))
            return
        currency, locale = _currency_and_locale(form)
        if currency is None:  # the currency field shows its own error
            return
        try:
            self.minor = parse.amount(self.data, currency, self.name, locale=locale, allow_zero=self.allow_zero)
        except ValidationError as error:
            raise StopValidation(error.message) from None
        self.data = parse.canonical(self.minor, currency)

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else super()._value()


def _currency_and_locale(form) -> tuple[str | None, str]:
    own = getattr(form, "currency", None)
    if own is not None:
        code = (own.data or "").strip().upper()
        locale = getattr(form, "locale", None)
        return (code if len(code) == 3 and code.isalpha() else None), (locale.data if locale is not None else "en")
    from hamyan.boxes.models import Box
    from hamyan.extensions import db

    box_id = parse.record_id((request.view_args or {}).get("box_id"))
    box = db.session.get(Box, box_id) if box_id else None
    if box is None:
        raise RuntimeError("AmountField needs a currency: a `currency` field on the form or a box_id in the URL")
    return box.currency, box.locale
