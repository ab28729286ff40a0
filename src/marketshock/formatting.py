"""Numbers and text for people: "$60,074", "-16.1%", "$185B", sparklines, safe text.

Pure string functions shared by the tables and the headlines; no Rich here.
"""

from __future__ import annotations

import re

_SPARKS = "▁▂▃▄▅▆▇█"
# C0/C1 control characters (ESC among them): provider text must never drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(text: str) -> str:
    """Provider or data text made inert: control characters and escapes removed."""
    return _CONTROL.sub("", text)


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
