"""One parser per kind of input, shared by forms and the API: what a person typed (or a partner
sent) becomes a value, or a ValidationError naming the field with a message a person can act on.

Digits may be Latin, Persian or Arabic-Indic. An amount is digits with an optional decimal part for
the currency; never scientific notation, never a float, so `1e9` is refused instead of becoming a
billion. Its grammar:

    amount  = whole [ DECIMAL digits ]
    whole   = digits | 1*3digits 1*( GROUP 3digits )

where DECIMAL and GROUP are the separators of a locale. What a person types in a box's form uses
the box's locale (`12,50` in a de_DE box is 12.50; `1.250,50` is 1250.50); the API and services use
the canonical form, the `en` one (`1250.50`, `1,250.50`), so a client never depends on a box's
locale. Spaces are dropped (a locale that groups with spaces groups freely); anything else,
`1,2,3`, `1_000`, `1E+999999999`, is refused with a message on the field."""
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_decimal_symbol, get_group_symbol

from flask_babel import gettext as _

from hamyan.core.errors import ValidationError

# Far above any real amount, far below BIGINT overflow even after many postings.
MAX_AMOUNT = 10**15
MAX_ID = 2**31 - 1  # ids are INT columns: larger ones cannot exist (and overflow SQLite's driver)
MAX_DENOMINATOR = 1000

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬،", "01234567890123456789.,,")
_LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# The canonical (API) grammar; AMOUNT_PATTERN is what the OpenAPI document declares.
AMOUNT_PATTERN = r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
_DECIMAL = re.compile(r"^\d+(?:\.(\d+))?$")
_FRACTION = re.compile(r"^(\d{1,4})(?:/(\d{1,4}))?$|^(\d?\.\d{1,4})$")


def latin_digits(text: str) -> str:
    """`text` with Persian and Arabic-Indic digits written as Latin ones, and nothing else changed (a
    name or number people type, such as a unit's "۱۲ الف")."""
    return text.translate(_LATIN_DIGITS)


def normalize(value) -> str:
    """Text with Latin digits and separators, and no spaces (people type "1 250" and "۱۲۵۰")."""
    return re.sub(r"\s+", "", str(value if value is not None else "")).translate(_DIGITS)


def _separators(locale: str | None) -> tuple[str, str]:
    """(decimal, group) of a locale, in the characters normalize() leaves; the canonical ones for None."""
    if not locale:
        return ".", ","
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return ".", ","
    decimal = normalize(get_decimal_symbol(parsed)) or "."
    group = normalize(get_group_symbol(parsed))  # empty when the locale groups with a space
    return decimal, (group if group != decimal else "")


def _amount_grammar(locale: str | None) -> tuple[re.Pattern, str, str]:
    decimal, group = _separators(locale)
    whole = rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+|\d+" if group else r"\d+"
    return re.compile(rf"^({whole})(?:{re.escape(decimal)}(\d+))?$"), decimal, group


def amount(value, currency: str, field: str = "amount", *, locale: str | None = None,
           allow_zero: bool = False, maximum: int = MAX_AMOUNT) -> int:
    """An amount in major units -> minor units. Text follows the grammar above for `locale` (the
    canonical one when None); a whole number from JSON is taken as is."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(_("Send the amount as text such as \"1250.50\" or a whole number."), field=field)
    raw = normalize(value)
    if not raw:
        raise ValidationError(_("Enter an amount."), field=field)
    if raw.startswith("-"):
        raise ValidationError(_("The amount must be more than zero."), field=field)
    grammar, decimal, group = _amount_grammar(locale)
    match = grammar.match(raw)
    digits = get_currency_precision(currency)
    if not match:
        raise ValidationError(_("Enter a number in digits, e.g. %(plain)s or %(other)s.", plain=said_number("1250"),
                                other=_said_example(decimal, group, digits)), field=field)
    if len(match.group(2) or "") > digits:
        unit = said_currency(currency)
        raise ValidationError(_("%(currency)s amounts have at most %(digits)s decimal places.", currency=unit,
                                digits=said_number(digits))
                              if digits else _("%(currency)s amounts are whole numbers.", currency=unit), field=field)
    whole_part = match.group(1).replace(group, "") if group else match.group(1)
    if len(whole_part) > 30:
        raise ValidationError(_("The amount is too large."), field=field)
    value = Decimal(f"{whole_part}.{match.group(2) or '0'}")
    if value > Decimal(maximum).scaleb(-digits):
        raise ValidationError(_("The amount is too large."), field=field)
    minor = int(value.scaleb(digits))
    if minor == 0 and not allow_zero:
        raise ValidationError(_("The amount must be more than zero."), field=field)
    return minor


def _said_example(decimal: str, group: str, places: int) -> str:
    """A grouped amount this grammar accepts, in the currency's decimal places (none for rials), in the
    page's digits; on Persian pages with the Persian separators (۱٬۲۵۰) where the grammar reads them
    so (normalize() reads ٬ as "," and ٫ as ".")."""
    from hamyan.i18n import persian_digits

    example = f"1{group or ' '}250" + (f"{decimal}{'50'.ljust(places, '0')[:places]}" if places else "")
    if persian_digits() and (decimal, group) in ((".", ","), (".", "")):
        example = example.translate(str.maketrans(",.", "٬٫"))
    return said_number(example)


def said_number(number) -> str:
    """A number in a message, in the page's digits (Persian on Persian pages)."""
    from hamyan.i18n import digits  # i18n reads days through this module: imported when an error is said

    return digits(number)


def said_currency(currency: str) -> str:
    """A currency in a message, as the page names it (ریال on Persian pages, else its code)."""
    from hamyan.i18n import display_locale
    from hamyan.money import unit_name

    return unit_name(currency, display_locale())


def whole(value, field: str, low: int, high: int, label: str) -> int:
    """A whole number from low to high ("12", "۱۲", or an int from JSON)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(_("%(label)s must be a whole number.", label=label), field=field)
    raw = normalize(value)
    if not re.fullmatch(r"-?\d{1,12}", raw):
        raise ValidationError(_("%(label)s must be a whole number.", label=label), field=field)
    number = int(raw)
    if not low <= number <= high:
        raise _out_of_range(field, low, high, label)
    return number


def count(value, field: str, low: int, high: int, label: str) -> int:
    """A small whole number from low to high, read as whole(); a run of digits too long for any bound
    is out of range too, rather than "not a whole number"."""
    if isinstance(value, str) and re.fullmatch(r"\d{13,}", normalize(value)):
        raise _out_of_range(field, low, high, label)
    return whole(value, field, low, high, label)


def _out_of_range(field: str, low: int, high: int, label: str) -> ValidationError:
    return ValidationError(_("%(label)s must be from %(low)s to %(high)s.", label=label, low=said_number(low),
                             high=said_number(high)), field=field)


def whole_list(value, field: str, low: int, high: int, most: int, label: str) -> tuple[int, ...]:
    """Whole numbers from low to high as people type a list, "1, 7, 30", "۱، ۷، ۳۰" or "1 7 30" (or
    a list from JSON): at most `most` different ones, answered sorted without repeats."""
    if isinstance(value, str):
        items = [item for item in re.split(r"[\s,،;؛]+", value) if item]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = None
    if not items:
        raise ValidationError(_("%(label)s: enter whole numbers separated by commas, e.g. 1, 7, 30.", label=label),
                              field=field)
    if len(items) > most * 4:  # a few repeats are fine; a long list is refused before reading it
        raise ValidationError(_("Give at most %(most)s different numbers.", most=said_number(most)), field=field)
    numbers = {count(item, field, low, high, label) for item in items}
    if len(numbers) > most:
        raise ValidationError(_("Give at most %(most)s different numbers.", most=said_number(most)), field=field)
    return tuple(sorted(numbers))


def percent(value, field: str, *, maximum: int = 100, places: int = 2, allow_zero: bool = True) -> Decimal:
    """A percentage such as "2.5" -> Decimal("2.5"), from 0 (or above 0) to maximum."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(_("Enter a percentage such as 2 or 2.5."), field=field)
    raw = normalize(value) or "0"
    match = _DECIMAL.match(raw)
    if not match:
        raise ValidationError(_("Enter a percentage such as 2 or 2.5."), field=field)
    if len(match.group(1) or "") > places:
        raise ValidationError(_("Use at most %(places)s decimal places.", places=said_number(places)), field=field)
    number = Decimal(raw)
    if number > maximum or (number == 0 and not allow_zero):
        raise ValidationError(_("Enter a percentage from 0 up to %(maximum)s.", maximum=said_number(maximum)) if allow_zero else
                              _("Enter a percentage more than 0 up to %(maximum)s.", maximum=said_number(maximum)), field=field)
    return number


def fraction(value, field: str = "fraction") -> Fraction:
    """A part of one share: "1/3", "2/3", "0.5" or "1"."""
    if isinstance(value, Fraction):
        number = value
    else:
        match = _FRACTION.match(normalize(value))
        if not match:
            raise ValidationError(_("Enter a fraction like 1/2, 1/3 or 1."), field=field)
        if match.group(3):
            number = Fraction(match.group(3))
        else:
            below = int(match.group(2) or 1)
            if below == 0:
                raise ValidationError(_("A fraction cannot have 0 below the line."), field=field)
            number = Fraction(int(match.group(1)), below)
    if number <= 0 or number > 1:
        raise ValidationError(_("Each part must be more than 0 and at most one whole share."), field=field)
    if number.denominator > MAX_DENOMINATOR:
        raise ValidationError(_("Use fractions with at most %(parts)s parts.", parts=MAX_DENOMINATOR), field=field)
    return number


def day(value, field: str, label: str | None = None) -> date:
    """A date as YYYY-MM-DD (any digits), or a date object from a form field."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = normalize(value)
    label = label or _("Date")
    if not raw:
        raise ValidationError(_("%(label)s: enter a date.", label=label), field=field)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_("%(label)s: enter a date as YYYY-MM-DD.", label=label), field=field) from None


def choice(value, options, field: str, label: str) -> str:
    if value not in options:
        raise ValidationError(_("%(label)s must be one of: %(options)s.", label=label, options=", ".join(options)), field=field)
    return value


def canonical(minor: int, currency: str) -> str:
    """Minor units as canonical amount text ("1250.50"): what a form hands a service."""
    digits = get_currency_precision(currency)
    return format(Decimal(minor).scaleb(-digits), "f")


# Zero-width joiners stay allowed: Persian words need U+200C, and emoji sequences U+200D.
_ALLOWED_FORMAT = frozenset("\u200c\u200d")


def text(value, field: str, *, label: str | None = None, limit: int = 500, required: bool = True,
         multiline: bool = False) -> str:
    """Free text a person types (a name, a reference, a reason): trimmed, at most `limit`
    characters, and none that hide or reorder what others read: no control characters (NUL; line
    breaks too unless `multiline`, for a message's body), no bidi overrides or isolates, no
    zero-width spaces (the zero-width non-joiner Persian words need is kept), no lone surrogates."""
    label = label or _("The text")
    if value is not None and not isinstance(value, str):
        raise ValidationError(_("%(label)s must be text.", label=label), field=field)
    result = (value or "").strip()
    if not result and required:
        raise ValidationError(_("%(label)s is required (1 to %(limit)s characters).", label=label,
                                limit=said_number(limit)), field=field)
    if len(result) > limit:
        raise ValidationError(_("%(label)s has at most %(limit)s characters.", label=label,
                                limit=said_number(limit)), field=field)
    for char in result:
        if multiline and char in "\r\n":
            continue
        kind = unicodedata.category(char)
        if kind in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or (kind == "Cf" and char not in _ALLOWED_FORMAT):
            raise ValidationError(_("%(label)s cannot contain control or invisible characters (such as direction marks).",
                                    label=label) if multiline else
                                  _("%(label)s cannot contain control or invisible characters (such as line breaks or "
                                    "direction marks).", label=label), field=field)
    return result


def reason(value, field: str = "reason", *, limit: int = 500) -> str:
    """Why a manager did something irreversible: required, kept, shown to members."""
    result = str(value if value is not None else "").strip()
    if not result or len(result) > limit:
        raise ValidationError(_("Give a reason (up to %(limit)s characters); it is kept and shown.",
                                limit=said_number(limit)), field=field)
    return text(result, field, label=_("A reason"), limit=limit)


def record_id(value) -> int | None:
    """An id from a URL or a body, or None when it cannot name a row (the caller answers 404)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def email(value, field: str = "email") -> str:
    """The one form an address is stored and looked up in: domain in IDNA form, NFC, lower case.
    Accents stay: `mánager@` is another address than `manager@` (the column compares bytes)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        normalized = validate_email(str(value or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(str(exc), field=field) from None
    return unicodedata.normalize("NFC", normalized).lower()


def mobile(value, field: str = "phone", region: str = "IR") -> str:
    """A mobile number as E.164 (+989121234567), parsed by libphonenumber with Iran as the default
    region: 0912 123 4567, +98 912..., 0098..., Persian or Arabic-Indic digits. Landlines are refused
    (text messages go to mobiles only)."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberType

    raw = str(value or "").strip()
    if not raw:
        raise ValidationError(_("Enter a mobile number."), field=field)
    if len(raw) > 32:
        raise ValidationError(_("This is too long for a phone number."), field=field)
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        raise ValidationError(_("This is not a phone number."), field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number is not valid: check the digits."), field=field)
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValidationError(_("Enter a mobile number: text messages cannot go to a landline."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def fields(*parsers) -> dict:
    """Run each (name, parser) and return the values, or one ValidationError carrying every
    field's message, so a form shows all its errors at once."""
    errors, values = {}, {}
    for name, parser in parsers:
        try:
            values[name] = parser()
        except ValidationError as error:
            errors.update(error.fields or {name: error.message})
    if errors:
        raise ValidationError(" ".join(errors.values()), fields=errors)
    return values


def payee_account(value, field: str = "payee_account") -> str:
    """The card or account members pay a box to: an Iranian bank card (16 digits, checked by its
    Luhn digit) or a Sheba/IBAN (IR and 24 digits, checked mod 97), typed with any digits, spaces or
    dashes; answered without them ("6037991234567890", "IR820540102680020817909002")."""
    raw = normalize(value).upper().replace(" ", "").replace("-", "")
    if not raw:
        raise ValidationError(_("Enter the card number or the Sheba (IBAN)."), field=field)
    if raw.isdigit() and len(raw) == 16:
        digits = [int(d) for d in raw]
        total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
        if total % 10:
            raise ValidationError(_("This card number is not valid: check the 16 digits."), field=field)
        return raw
    if raw.startswith("IR") and raw[2:].isdigit() and len(raw) == 26:
        if int(raw[4:] + "1827" + raw[2:4]) % 97 != 1:  # I=18, R=27, then the check digits
            raise ValidationError(_("This Sheba (IBAN) is not valid: check its digits."), field=field)
        return raw
    raise ValidationError(_("Enter a 16-digit card number or a Sheba (IBAN): IR and 24 digits."), field=field)


def grouped(account: str) -> str:
    """A card or IBAN in groups of four, as printed on a card: easier to read out and copy."""
    return " ".join(account[i:i + 4] for i in range(0, len(account), 4))
