"""A price series is held in columns and validated once: finite numbers, equal columns, the
normalisation rules; the row view is plain tuples built from the columns."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from pydantic import ValidationError

from marketshock import instruments
from marketshock.errors import BadResponse, ConfigError
from marketshock.models.series import Bar, Columns, DailyCloses, PriceSeries, Source
from marketshock.providers import bundled, coinbase

D = dt.date
SOURCE = Source(provider="test")


def series(columns: Columns, calendar: str = "utc-days") -> PriceSeries:
    return PriceSeries(symbol="BTC", name="Bitcoin", calendar=calendar, source=SOURCE, **columns._asdict())


def columns_of(closes: list[float]) -> Columns:
    days = tuple(D(2025, 6, 1) + dt.timedelta(days=i) for i in range(len(closes)))
    return Columns(days, tuple(closes), tuple(closes), tuple(closes), tuple(closes), (1.0,) * len(closes))


def test_a_series_given_as_columns_equals_the_same_series_given_as_bars():
    columns = columns_of([100.0, 101.0, 99.5])
    as_bars = PriceSeries(symbol="BTC", name="Bitcoin", calendar="utc-days", source=SOURCE, bars=columns.bars())
    assert series(columns) == as_bars


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_close_that_is_not_a_finite_number_is_rejected_naming_its_day(bad):
    columns = columns_of([100.0, 101.0, 99.5])
    with pytest.raises(ValidationError, match="the close of 2025-06-02 is not a finite number"):
        series(columns._replace(closes=(100.0, bad, 99.5)))


def test_columns_of_different_lengths_are_rejected():
    full = columns_of([100.0, 101.0])
    with pytest.raises(ValidationError, match="differ in length"):
        series(full._replace(volumes=(1.0,)))


def test_columns_out_of_order_are_normalised_like_bars():
    shuffled = Columns.of_bars(reversed(columns_of([100.0, 101.0, 102.0]).bars()))
    assert series(shuffled).closes == (100.0, 101.0, 102.0)


def test_the_row_view_reads_the_columns():
    view = series(columns_of([100.0, 101.0])).bars
    assert view[-1] == Bar(date=D(2025, 6, 2), open=101.0, high=101.0, low=101.0, close=101.0, volume=1.0)


def test_up_to_cuts_every_column_and_a_copy_does_not_keep_the_longer_row_view():
    whole = series(columns_of([100.0, 101.0, 102.0]))
    assert len(whole.bars) == 3  # the view is built before the cut
    known = whole.up_to(D(2025, 6, 2))
    assert (known.dates, known.closes, len(known.bars)) == ((D(2025, 6, 1), D(2025, 6, 2)), (100.0, 101.0), 2)


def test_a_provider_value_that_is_not_a_number_is_no_bar():
    with pytest.raises(BadResponse, match="candle 0: a price is not a number"):
        coinbase.parse_candles("[[1748822400, 1.0, 3.0, 2.0, true, 10]]", dataset="d")


def test_two_readers_of_a_bundled_history_share_one_parse():
    assert bundled.load_price_series("SPY").closes is bundled.load_daily_closes("SPY").closes
    assert bundled.load_price_series("SPY") is bundled.load_price_series("SPY")


PLAIN = "date,open,high,low,close,volume\n2025-06-01,1,2,0.5,1.5,10\n2025-06-02,,2,1,1.8,\n"


def patched_history(monkeypatch, text: str) -> PriceSeries:
    packaged = bundled._text
    monkeypatch.setattr(bundled, "_text", lambda name, d=None: text if name.endswith(".csv.gz") else packaged(name, d))
    return bundled.parse_price_series("BTC")  # uncached: the file is patched


@pytest.mark.parametrize(
    "variant",
    [
        PLAIN.replace("\n", "\r\n"),  # Windows line ends
        PLAIN.replace("2025-06-02,,2", '"2025-06-02",,"2"'),  # quoted cells: through the csv module
        PLAIN.replace("\n2025-06-02", "\n\n2025-06-02"),  # a blank line
    ],
)
def test_a_history_file_in_another_csv_spelling_reads_as_the_plain_one(monkeypatch, variant):
    plain = patched_history(monkeypatch, PLAIN)
    assert patched_history(monkeypatch, variant) == plain
    assert (plain.opens, plain.volumes, plain.closes) == ((1.0, None), (10.0, None), (1.5, 1.8))


def test_a_history_row_with_a_cell_too_many_is_a_config_error(monkeypatch):
    with pytest.raises(ConfigError, match="price history of BTC: the file does not fit"):
        patched_history(monkeypatch, PLAIN.replace("1.8,", "1.8,7,"))


@pytest.mark.parametrize("symbol", [r.symbol for r in instruments.load().bundled("bars")])
def test_the_closes_alone_of_a_bundled_history_equal_those_of_the_whole_series(symbol):
    closes_only = bundled._closes_only(symbol, None)
    assert closes_only == bundled.DailyCloses.from_prices(bundled.parse_price_series(symbol))


def closes_of_patched(monkeypatch, text: str, symbol: str = "BTC") -> DailyCloses:
    packaged = bundled._text
    monkeypatch.setattr(bundled, "_text", lambda name, d=None: text if name.endswith(".csv.gz") else packaged(name, d))
    monkeypatch.setattr(bundled, "_PRICE_SERIES", {})
    monkeypatch.setattr(bundled, "_closes_only", bundled._closes_only.__wrapped__)  # uncached: the file is patched
    return bundled.load_daily_closes(symbol)


FLAT = (
    "date,open,high,low,close,volume\n2025-06-02,1,1,1,1.5,10\n2025-06-03,1.5,1.5,1.5,1.5,0\n2025-06-04,1,2,1,1.8,9\n"
)


@pytest.mark.parametrize(
    ("symbol", "text"),
    [
        ("BTC", PLAIN.replace("2025-06-02", "2025-06-03")),  # a missing crypto day: a gap
        ("BTC", PLAIN.replace("1.5,10", "0,10").replace("1,2,0.5", "0,0,0")),  # a placeholder of zeros
        ("BTC", PLAIN + "2025-06-02,1,2,1,1.9,5\n"),  # a date twice: the later row wins
        ("SPY", FLAT.replace("2025-06-03", "2025-06-07")),  # a flat bar on a Saturday: no session
        ("SPY", FLAT),  # a flat bar on a session: kept
    ],
)
def test_closes_of_a_history_to_normalise_are_those_of_the_normalised_series(monkeypatch, symbol, text):
    closes = closes_of_patched(monkeypatch, text, symbol)
    bundled._PRICE_SERIES.clear()  # the patched dict: parse anew
    whole = bundled.parse_price_series(symbol)
    assert (closes.dates, closes.closes, closes.gaps) == (whole.dates, whole.closes, whole.gaps)


@pytest.mark.parametrize("close", [0.0, -5.0, -100340.0])
def test_a_close_no_price_can_be_is_a_gap_even_with_an_open_high_and_low(close):
    # A broken row, not a move: a day change of -100% (or -200%) and statistics across it are wrong.
    columns = columns_of([100.0, 101.0, 99.5])
    s = series(columns._replace(closes=(100.0, close, 99.5)))
    assert s.dates == (D(2025, 6, 1), D(2025, 6, 3)) and s.gaps == (D(2025, 6, 2),)


def test_a_session_close_no_price_can_be_is_a_gap_on_a_session_day():
    days = (D(2026, 2, 2), D(2026, 2, 3), D(2026, 2, 4))  # Monday to Wednesday, NYSE sessions
    closes = (100.0, 0.0, 99.0)
    s = PriceSeries(
        symbol="SPY",
        name="SPY",
        calendar="sessions",
        exchange="XNYS",
        source=SOURCE,
        **Columns(days, (99.0,) * 3, (101.0,) * 3, (98.0,) * 3, closes, (1.0,) * 3)._asdict(),
    )
    assert s.dates == (D(2026, 2, 2), D(2026, 2, 4)) and s.gaps == (D(2026, 2, 3),)


def test_a_series_a_provider_sent_that_does_not_fit_is_a_bad_response_so_the_chain_falls_back():
    from marketshock.providers import fetchers

    inst = instruments.load().get("BTC")
    bars = columns_of([100.0, 101.0]).bars()
    broken = (bars[0], bars[1]._replace(volume=math.inf))
    with pytest.raises(
        BadResponse, match=r"yahoo: BTC price history: the series does not fit \(the volume of 2025-06-02"
    ):
        fetchers.price_series(inst, broken, "yahoo", "https://example.test")


def test_a_long_index_history_with_a_close_no_level_can_be_is_a_config_error(tmp_path):
    import gzip

    from harness import dataset_copy, invoke

    directory = dataset_copy(tmp_path)
    path = directory / "kospi_daily_stooq.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    lines[-2] = ",".join([*lines[-2].split(",")[:4], "nan", *lines[-2].split(",")[5:]])
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    result = invoke(
        "indices", "--offline", "-s", "KOSPI", "--as-of", "2024-01-26", env={"MARKETSHOCK_BUNDLED_DIR": str(directory)}
    )
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "is not a positive finite number" in result.err


def test_a_bundled_history_that_fails_the_series_checks_says_which_day_in_its_error(tmp_path):
    import gzip

    from harness import dataset_copy, invoke

    directory = dataset_copy(tmp_path)
    path = directory / "etf_spy_daily_yahoo.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    close = lines[0].split(",").index("close")
    cells = lines[-1].split(",")
    day, cells[close] = cells[0], "nan"
    lines[-1] = ",".join(cells)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    result = invoke("chart", "spy", "--offline", env={"MARKETSHOCK_BUNDLED_DIR": str(directory)})
    assert result.code == 2
    assert result.err_lines[-1].endswith(f"the file does not fit: the close of {day} is not a finite number")
