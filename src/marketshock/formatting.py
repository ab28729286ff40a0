"""Numbers and text for people: "$60,074", "-16.1%", "$185B", sparklines, safe text.

Pure string functions shared by the tables and the headlines; no Rich here.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

_SPARKS = "▁▂▃▄▅▆▇█"

# Terminal escape sequences, removed whole so no "[31m" is left behind: CSI (ESC [ or the
# 8-bit 0x9b ... final byte), OSC/DCS/SOS/PM/APC strings (ESC ] ... up to BEL or ESC \, or
# to the end when unterminated), and ESC with one or two more characters (ESC 7, ESC ( B).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0/C1 control characters (ESC among them) and the Unicode bidi overrides that reorder what a
# terminal shows: outside text must never drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")
# Query parameters that carry a key: their value is masked wherever a URL is shown or stored.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "x_cg_demo_api_key"})
# A bare `key=` is left alone in text: sources cite pages such as `view.php?key=20260203...`.
_SECRET_QUERY = re.compile(
    r"((?<![A-Za-z0-9_])(?:api_key|apikey|access_token|token|x_cg_demo_api_key))(=|%3D)[^&\s\"'<>;)\]]+",
    re.IGNORECASE,
)
MASK = "***"
_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    """Register a configured secret (an API key): from now on `safe_text` masks it, also in
    its URL-encoded forms, wherever it turns up. Values shorter than 4 characters are ignored
    (masking "a" everywhere would mask nothing and wreck every message)."""
    if value and len(value) >= 4:
        _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def redact(text: str) -> str:
    """`text` with every registered secret and every `api_key=`-style query value masked.
    The part of `safe_text` that is also applied to bodies stored in the cache."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def safe_text(text: str, *, one_line: bool = False) -> str:
    """The one sanitiser for text from outside (provider bodies and reason phrases, header
    values, URLs, user arguments echoed back), before it is shown or stored: terminal escape
    sequences and control characters removed, secrets masked (`redact`). `one_line` also folds
    tabs and line breaks into one space, for a message that must stay on one line.

    Rich markup is left as it is, to be shown as text: everything printed through Rich goes in
    a `rich.text.Text` (never parsed as markup), and plain stderr lines are never parsed at all.
    """
    text = _CONTROL.sub("", _ESCAPES.sub("", str(text)))
    if one_line:
        text = _LINE_BREAKS.sub(" ", text).strip()
    return redact(text)


def usd(value: float | None, decimals: int = 0) -> str:
    """$60,074 (or with decimals); n/a for a gap."""
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{decimals}f}"


def usd_short(value: float | None) -> str:
    """$185B, $2.02T, $131.8B, $509.7M: money at the scale a reader thinks in."""
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    units = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
    for i, (scale, suffix) in enumerate(units):
        if amount >= scale:
            text = _short_mantissa(amount / scale)
            if float(text) >= 1000 and i > 0:  # 999.96B rounds to "1000": say $1T instead
                scale, suffix = units[i - 1]
                text = _short_mantissa(amount / scale)
            return f"{sign}${text}{suffix}"
    return f"{sign}${amount:,.0f}"


def _short_mantissa(scaled: float) -> str:
    text = f"{scaled:.2f}" if scaled < 10 else f"{scaled:.1f}"
    return text.rstrip("0").rstrip(".")


def pct(value: float | None, decimals: int = 1) -> str:
    """-16.1%, +51.7%; n/a for a gap."""
    if value is None:
        return "n/a"
    return f"{value:+.{decimals}f}%"


def number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{decimals}f}"


def signed(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:+,.{decimals}f}"


def price(value: float | None) -> str:
    """Prices: two decimals below 1,000, none above."""
    if value is None:
        return "n/a"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def sparkline(values: list[float]) -> str:
    """One unicode character a value, scaled to this series' own range."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _SPARKS[len(_SPARKS) // 2] * len(values)
    span = high - low
    return "".join(_SPARKS[min(len(_SPARKS) - 1, int((v - low) / span * len(_SPARKS)))] for v in values)


def ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}
    if n in words:
        return words[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_name(month: int) -> str:
    return MONTHS[month - 1]
