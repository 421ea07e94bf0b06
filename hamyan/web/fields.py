"""Form fields shared by every product."""
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms import validators
from wtforms.validators import StopValidation

from hamyan import i18n
from hamyan.core import parse
from hamyan.core.errors import ValidationError
from hamyan.dues import calendar


class Length(validators.Length):
    """WTForms' Length, its limit said as core.parse.text says one, in the page's digits (WTForms'
    own message writes it in Latin digits on Persian pages). A rule with its own message keeps it."""

    def __call__(self, form, field):
        if self.message is None and self.max != -1 and field.data and len(field.data) > self.max:
            raise validators.ValidationError(_("%(label)s has at most %(limit)s characters.", label=field.label.text,
                                               limit=parse.said_number(self.max)))
        super().__call__(form, field)


class NumberField(StringField):
    """A number people type (a count, days, a percent, a fraction, a month, a list of numbers): a
    text input, since <input type=number> holds Latin digits only, read by the parser of its kind
    (core.parse) in any digits. Its value, pre-filled or shown again after an error, is written in
    the page's digits (Persian on Persian pages, unless the box chose Latin ones: i18n.digits), so
    a form sent back unchanged says the same number."""

    def _value(self) -> str:
        return i18n.digits(self._shown(), i18n.page_box())

    def _shown(self) -> str:
        return super()._value()


class AmountField(NumberField):
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

    def _shown(self) -> str:
        return self.raw_data[0] if self.raw_data else super()._shown()


class DayField(StringField):
    """A date as people of the box type it, read by the one date parser (dues.calendar.parse_day):
    Jalali (1405/09/11, any digits) in a Persian-calendar box, where the input is text with a Jalali
    example rather than the browser's Gregorian picker; ISO elsewhere. `data` is a date (or None).

    The calendar is the form's own `calendar` field when it has one (a new box's form), else that
    of the box in the URL (`box_id`)."""

    def __init__(self, label=None, validators=None, *, required: bool = True, _form=None, **kwargs):
        super().__init__(label, validators, _form=_form, **kwargs)
        self.required, self.owner = required, _form
        if required:
            self.flags.required = True

    @property
    def calendar(self) -> str:
        return _calendar(self.owner)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0]

    def pre_validate(self, form) -> None:
        raw = self.data
        if raw is None or isinstance(raw, str) and not parse.normalize(raw):
            self.data = None
            if self.required:
                raise StopValidation(_("Enter a date."))
            return
        try:
            self.data = calendar.parse_day(raw, self.calendar, self.name, str(self.label.text))
        except ValidationError as error:
            raise StopValidation(error.message) from None

    def _value(self) -> str:
        shown = self.raw_data[0] if self.raw_data else self.data
        return day_value(shown, self.calendar, i18n.page_box()) if shown else ""

    def __call__(self, **kwargs):
        if hasattr(getattr(self.owner, "calendar", None), "data"):
            # The calendar is chosen on this very form and may change before it is sent (without
            # script): a text input that takes either, never a picker that only holds Gregorian dates.
            attributes = {**calendar.input_attributes("persian"),
                          "placeholder": f"{calendar.JALALI_EXAMPLE} · {calendar.ISO_EXAMPLE}"}
        else:
            attributes = _in_page_digits(calendar.input_attributes(self.calendar), i18n.page_box())
        return super().__call__(**{**attributes, **kwargs})


def day_value(day, calendar_name: str, box) -> str:
    """A day (or what was typed for one) as a date input shows it: ISO in a Gregorian box's picker,
    a Jalali day in the page's digits (the parser reads either)."""
    text = calendar.day_text(day, calendar_name) if isinstance(day, date) else str(day)
    return i18n.digits(text, box) if calendar_name == "persian" else text


def day_input(box, day=None) -> Markup:
    """The attributes of a hand-written date input of `box` (dues.calendar.input_attributes), with
    `day` as its value (day_value)."""
    attributes = _in_page_digits(calendar.input_attributes(getattr(box, "calendar", "gregorian")), box)
    if day is not None:
        attributes = {**attributes, "value": day_value(day, getattr(box, "calendar", "gregorian"), box)}
    return Markup(" ".join(f'{name}="{escape(value)}"' for name, value in attributes.items()))


def _in_page_digits(attributes: dict, box) -> dict:
    """A Jalali date input's example in the page's digits (a Gregorian one is the browser's picker)."""
    if "placeholder" not in attributes:
        return attributes
    return {**attributes, "placeholder": i18n.digits(attributes["placeholder"], box)}


def _calendar(form) -> str:
    own = getattr(form, "calendar", None)
    if own is not None and hasattr(own, "data"):
        return own.data if own.data in ("gregorian", "persian") else "gregorian"
    box = i18n.page_box()
    return box.calendar if box is not None else "gregorian"


def _currency_and_locale(form) -> tuple[str | None, str]:
    own = getattr(form, "currency", None)
    if own is not None:
        code = (own.data or "").strip().upper()
        locale = getattr(form, "locale", None)
        return (code if len(code) == 3 and code.isalpha() else None), (locale.data if locale is not None else "en")
    box = i18n.page_box()
    if box is None:
        raise RuntimeError("AmountField needs a currency: a `currency` field on the form or a box_id in the URL")
    return box.currency, box.locale
