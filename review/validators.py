"""Validation of the unified social credit code (统一社会信用代码), GB 32100-2015.

The check-character arithmetic is python-stdnum's (``stdnum.cn.uscc``); the checks before it only
give the user a precise message (which character is wrong) instead of "invalid format".
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

# GB 32100-2015 §4: the code alphabet leaves out I, O, Z, S and V.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code_check_char(first17: str) -> str:
    """The 18th character that GB 32100-2015 §5 computes from the first 17 (mod 31)."""
    return uscc.calc_check_digit(first17)


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("The unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("The unified social credit code cannot contain %(chars)s (I, O, Z, S and V are never used)."),
            code="credit_code_chars",
            params={"chars": ", ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of the unified social credit code are the administrative division "
              "code and must be digits."),
            code="credit_code_division",
        )
    # Not uscc.validate(): it requires digits in the first two positions, while GB 32100 allows
    # letters there (registration authority "Y", "A", "N"...); only its arithmetic is used.
    if code[17] != uscc.calc_check_digit(code[:17]):
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: check the code on "
              "the business licence."),
            code="credit_code_check",
        )


def control_characters(value: str) -> list[str]:
    """Control and line/paragraph-separator characters in ``value``, as ``U+000A`` names.

    A line break in a product name or a number ends up in an e-mail subject, where Django refuses
    it (``BadHeaderError``): every e-mail of that case would then fail for ever. Tabs too: a
    single-line field never needs one.
    """
    import unicodedata

    return sorted({f"U+{ord(c):04X}" for c in value or ""
                   if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\u200d"})


def validate_single_line(value: str) -> None:
    """Model and form validator for one-line text (names, numbers)."""
    bad = control_characters(value)
    if bad:
        raise ValidationError(
            _("Write this on one line, without line breaks, tabs or other control characters "
              "(found %(chars)s)."), code="control_characters", params={"chars": ", ".join(bad)})


def nul_in(data, path: str = "") -> str | None:
    """Where a NUL character (U+0000) is in ``data`` (text, or dicts and lists of it, as parsed
    JSON is), as a field path (``items.2``), or None. PostgreSQL cannot store NUL in text, and
    psycopg refuses a query holding one: unfiltered, every such input was a 500."""
    if isinstance(data, str):
        return (path or "body") if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return name
            found = nul_in(value, name)
            if found is not None:
                return found
    if isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            found = nul_in(value, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None
