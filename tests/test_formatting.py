"""`marketshock.formatting`: numbers and text for people, and text made inert."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketshock import formatting as f

SPARKS = "▁▂▃▄▅▆▇█"
money = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False)


# --- safe_text ---------------------------------------------------------------------


def test_safe_text_removes_escape_sequences_whole_and_control_characters():
    assert f.safe_text("Bit\x1b[31mcoin\x1b[0m\x07\x00") == "Bitcoin"
    assert f.safe_text("a\x9b31mb\x7fc") == "abc"  # the 8-bit CSI and DEL too


def test_safe_text_removes_window_title_and_other_string_escapes():
    assert f.safe_text("FRED\x1b]0;pwned\x07 error") == "FRED error"
    assert f.safe_text("a\x1b]2;title\x1b\\b") == "ab"  # OSC ended by ESC backslash
    assert f.safe_text("a\x1bP+q\x1b\\b\x1b7c") == "abc"  # DCS, and a two-character escape


def test_safe_text_removes_bidi_overrides():
    assert f.safe_text("abc\u202edcba") == "abcdcba"


def test_safe_text_keeps_ordinary_text_newlines_and_tabs():
    assert f.safe_text("KOSPI 코스피 -5%: sidecar\tat 09:06\n") == "KOSPI 코스피 -5%: sidecar\tat 09:06\n"


def test_safe_text_leaves_rich_markup_as_text_for_rich_to_show_verbatim():
    assert f.safe_text("[bold red]x[/]") == "[bold red]x[/]"


def test_safe_text_one_line_folds_line_breaks_into_spaces():
    assert f.safe_text("Bad Request.\r\n  URL: x\n", one_line=True) == "Bad Request.   URL: x"


def test_safe_text_masks_api_key_query_values():
    text = "URL: https://api.test/fred?series_id=ICSA&api_key=abcd1234&file_type=json"
    assert f.safe_text(text) == "URL: https://api.test/fred?series_id=ICSA&api_key=***&file_type=json"
    assert f.safe_text("GET /x?token=zz9&a=1") == "GET /x?token=***&a=1"


def test_safe_text_leaves_a_plain_key_parameter_of_a_cited_page_alone():
    url = "https://en.asiatoday.co.kr/view.php?key=20260203010000722"
    assert f.safe_text(url) == url


def test_safe_text_masks_a_registered_secret_in_every_encoding():
    f.add_secret("planted/key+42")
    text = "a planted/key+42 b planted%2Fkey%2B42 c planted%2Fkey%2B42"
    assert "planted" not in f.safe_text(text)


def test_a_secret_too_short_to_mask_safely_is_not_registered():
    f.add_secret("ab")
    assert f.safe_text("about a tab") == "about a tab"


@given(st.text())
def test_safe_text_output_has_no_control_characters(text):
    cleaned = f.safe_text(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", cleaned)
    assert f.safe_text(cleaned) == cleaned


@given(st.text())
def test_safe_text_one_line_is_one_line(text):
    assert "\n" not in f.safe_text(text, one_line=True)


# --- usd / usd_short ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(60074.2, 0, "$60,074"), (-1234.5, 2, "-$1,234.50"), (0.5, 2, "$0.50"), (None, 0, "n/a")],
)
def test_usd(value, decimals, expected):
    assert f.usd(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (185e9, "$185B"),
        (2.02e12, "$2.02T"),
        (131.819e9, "$131.8B"),
        (509.7e6, "$509.7M"),
        (-3e9, "-$3B"),
        (-136.5e6, "-$136.5M"),
        (4.38e12, "$4.38T"),
        (12_345, "$12.3K"),
        (950, "$950"),
        (None, "n/a"),
    ],
)
def test_usd_short(value, expected):
    assert f.usd_short(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(999.96e9, "$1T"), (999_999, "$1M"), (9.9999e9, "$10B")])
def test_usd_short_rounding_up_moves_to_the_next_unit(value, expected):
    assert f.usd_short(value) == expected


@given(money)
def test_usd_short_reads_back_close_to_the_value(value):
    text = f.usd_short(value)
    match = re.fullmatch(r"(-?)\$([\d,.]+)([KMBT]?)", text)
    assert match, text
    sign, digits, suffix = match.groups()
    mantissa = float(digits.replace(",", ""))
    if suffix:
        assert mantissa >= 1, text
        assert mantissa < 1000 or suffix == "T", text  # never "$1000B": that is "$1T"
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[suffix]
    back = (-1 if sign else 1) * mantissa * scale
    assert back == pytest.approx(value, rel=0.006, abs=0.51)


# --- pct / number / signed / price ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(-16.13, 1, "-16.1%"), (51.72, 1, "+51.7%"), (-1.44, 2, "-1.44%"), (None, 1, "n/a")],
)
def test_pct_always_carries_a_sign(value, decimals, expected):
    assert f.pct(value, decimals) == expected


def test_number_and_signed_group_thousands():
    assert f.number(108435) == "108,435"
    assert f.number(212250.0) == "212,250"
    assert f.number(4899.3, 2) == "4,899.30"
    assert f.signed(19000) == "+19,000"
    assert f.signed(-5000) == "-5,000"
    assert f.number(None) == f.signed(None) == "n/a"


def test_price_keeps_cents_only_below_a_thousand():
    assert f.price(70555.39) == "70,555"
    assert f.price(60.07) == "60.07"
    assert f.price(None) == "n/a"


# --- sparkline -----------------------------------------------------------------------


def test_sparkline_maps_the_low_to_the_lowest_bar_and_the_high_to_the_highest():
    assert f.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == SPARKS
    assert f.sparkline([5, 1, 9]) == "▅▁█"


def test_sparkline_of_a_flat_or_empty_series():
    flat = f.sparkline([3, 3, 3])
    assert len(flat) == 3 and len(set(flat)) == 1 and flat[0] not in (SPARKS[0], SPARKS[-1])
    assert f.sparkline([]) == ""


@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=60))
def test_sparkline_has_one_bar_a_value_in_order(values):
    line = f.sparkline(values)
    assert len(line) == len(values)
    assert set(line) <= set(SPARKS)
    levels = [SPARKS.index(c) for c in line]
    if min(values) < max(values):
        assert levels[values.index(min(values))] == 0
        assert levels[values.index(max(values))] == len(SPARKS) - 1
    pairs = list(zip(values, levels, strict=True))
    assert all(l1 <= l2 for v1, l1 in pairs for v2, l2 in pairs if v1 < v2)  # a higher value, never a lower bar


# --- ordinal / month_name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "first"), (2, "second"), (7, "seventh"), (8, "8th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th")],
)  # fmt: skip
def test_ordinal(n, expected):
    assert f.ordinal(n) == expected


def test_month_name():
    assert [f.month_name(m) for m in (1, 2, 12)] == ["January", "February", "December"]
