"""The API's per-field messages in the caller's language (the rule of every API message: the
person's chosen language, else Accept-Language; see hamyan.i18n.select_locale).

marshmallow keeps its messages as English templates, copied into each field as a schema is
declared (at import, with no request to say the language), and fills them in when it refuses a
value. So its templates are replaced, once and before any API schema is declared (this module is
imported first by hamyan.blueprints.api), by Messages: English text that is written in the
request's language when marshmallow fills it in. Range composes its sentence in English as it is
declared, so the API declares ranges with this module's Range."""
import marshmallow as ma
from flask_babel import gettext


class Message(str):
    """A message template of marshmallow's, in English (the catalogue's msgid), written in the
    request's language when it is filled in: a field's or validator's as it refuses a value
    (marshmallow calls format), a schema's own ("Unknown field.") when the API writes its error."""

    def format(self, *args, **kwargs) -> str:
        return str.format(gettext(str.__str__(self)), *map(_said, args), **{k: _said(v) for k, v in kwargs.items()})

    def __str__(self) -> str:
        return self.format()


def _said(value):
    """A number in a message in the request's digits (Persian ones in Persian); anything else as it is."""
    from hamyan.core.parse import said_number

    return said_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


N_ = Message  # marks the text for the catalogue (hamyan.i18n.KEYWORDS)

FIELD_MESSAGES = {
    ma.fields.Field: {"required": N_("Missing data for required field."), "null": N_("Field may not be null."),
                      "validator_failed": N_("Invalid value.")},
    ma.fields.Nested: {"type": N_("Invalid type.")},
    ma.fields.List: {"invalid": N_("Not a valid list.")},
    ma.fields.String: {"invalid": N_("Not a valid string."), "invalid_utf8": N_("Not a valid utf-8 string.")},
    ma.fields.Number: {"invalid": N_("Not a valid number."), "too_large": N_("Number too large.")},
    ma.fields.Integer: {"invalid": N_("Not a valid integer.")},
    ma.fields.Decimal: {"special": N_("Special numeric values (nan or infinity) are not permitted.")},
    ma.fields.Boolean: {"invalid": N_("Not a valid boolean.")},
    ma.fields.Date: {"invalid": N_("Not a valid date.")},
    ma.fields.Email: {"invalid": N_("Not a valid email address.")},
    ma.fields.Mapping: {"invalid": N_("Not a valid mapping type.")},
}
for field_class, messages in FIELD_MESSAGES.items():
    field_class.default_error_messages = {**field_class.default_error_messages, **messages}
ma.Schema.error_messages = {"type": N_("Invalid input type."), "unknown": N_("Unknown field.")}
ma.validate.Length.message_min = N_("Shorter than minimum length {min}.")
ma.validate.Length.message_max = N_("Longer than maximum length {max}.")
ma.validate.Length.message_all = N_("Length must be between {min} and {max}.")
ma.validate.Length.message_equal = N_("Length must be {equal}.")
ma.validate.OneOf.default_message = N_("Must be one of: {choices}.")


class Range(ma.validate.Range):
    """marshmallow's Range (inclusive bounds, as every range of the API is) saying so in whole
    sentences, which translate (marshmallow's own are put together from English pieces)."""

    def __init__(self, min=None, max=None):  # noqa: A002 (marshmallow's names)
        if max is None:
            error = N_("Must be greater than or equal to {min}.")
        elif min is None:
            error = N_("Must be less than or equal to {max}.")
        else:
            error = N_("Must be greater than or equal to {min} and less than or equal to {max}.")
        super().__init__(min, max, error=error)
