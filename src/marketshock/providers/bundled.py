"""The bundled dataset of the February 2026 shock, read from package data.

Files live in `marketshock/data/` (see its NOTICE.md for where each came from). They
are read with importlib.resources, so an installed wheel carries them, and parsed
into the same models the live providers produce.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import gzip
import io
import itertools
import math
import operator
import zlib
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from marketshock import instruments
from marketshock.errors import ConfigError, NoDataError, UnknownSymbolError, first_reason
from marketshock.instruments import Instrument
from marketshock.models.series import (
    Columns,
    Corroboration,
    DailyCloses,
    DailyFlows,
    MarketCapPoint,
    PriceSeries,
    QuotedMonthlyFlow,
    Source,
    suspect_split_days,
)
from marketshock.providers import columns_cache

if TYPE_CHECKING:
    # Imported where they are made: a `crypto` run creates none of these models.
    from marketshock.models.capex import CapexRecord
    from marketshock.models.economic import ClaimsFirstPrint, MonthlySeries, WeeklySeries
    from marketshock.models.sessions import IndexMoves, IndexSession, IndexSessions

NAME = "bundled"
# --as-of may fall anywhere from the first bundled observation (the first week of the jobless
# claims) to the last: a section shows what its data covers at that date, and lists in
# `coverage` what it does not (no BTC before 2014-09-17).
FIRST_DAY = dt.date(1967, 1, 7)
LAST_DAY = dt.date(2026, 3, 26)
# The last full day before the article (GMT Eight, 2026-02-07).
DEFAULT_AS_OF = dt.date(2026, 2, 6)

_STOOQ_KOSPI_REPO = "afatirium/GARCHvsLSTM @ d6c62d26e5e8c0d6d847a40bbd1a67add53af716"
_YAHOO_REPO = "jonsflow/risk-divergence @ 56e053be2c81d2747028d7daa98ac5c1077fea51"


# Curated tables that are not instruments: the claims series and the capex tickers.
CLAIMS = {
    "ICSA": ("fred_icsa_weekly.csv.gz", "Initial jobless claims (SA)"),
    "CCSA": ("fred_ccsa_weekly.csv.gz", "Continuing claims (SA)"),
}
CLAIMS_VINTAGE = dt.date(2026, 3, 26)  # the day the bundled claims series were taken from FRED


def _raw(name: str, directory: str | None = None) -> bytes:
    """A bundled file's bytes as stored: from the package, or from `directory` (`bundled.dir`)."""
    if directory is None:
        return resources.files("marketshock.data").joinpath(name).read_bytes()
    path = Path(directory).expanduser() / name
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigError(f"bundled.dir: cannot read {path}: {error.__class__.__name__}") from None


def _decoded(name: str, raw: bytes) -> str:
    return (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")


def _text(name: str, directory: str | None = None) -> str:
    """A bundled file's text: from the package, or from `directory` (the `bundled.dir` setting)."""
    return _decoded(name, _raw(name, directory))


def _rows(name: str, directory: str | None = None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(name, directory))))


def columns(name: str, directory: str | None = None) -> list[str]:
    """The header of a bundled table, which may hold no rows (the ETF flow quotes, issue 19)."""
    return list(csv.DictReader(io.StringIO(_text(name, directory))).fieldnames or ())


# Columns of a curated table that say how good a figure's source is. A row names its best source
# (the table's source column), its quality mark, when that page was published, the other pages
# that report the same figure ("quality date reference" entries, " | " between them, "-" for an
# unknown date) and, where no primary source was found, why. They are optional in a user's file.
QUALITY_SUFFIXES = ("quality", "published", "corroboration", "source_note")


def quality_column(column: str) -> bool:
    return column.endswith(QUALITY_SUFFIXES)


def parse_corroboration(text: str) -> tuple[Corroboration, ...]:
    """`secondary 2026-02-05 https://... | aggregator - https://...`: raises ValueError when malformed."""
    entries = []
    for entry in (e.strip() for e in text.split(" | ")):
        if not entry:
            continue
        parts = entry.split(" ", 2)
        if len(parts) != 3:
            raise ValueError(f"corroboration entry {entry!r} is not 'quality date reference'")
        quality, published, reference = parts
        entries.append(
            Corroboration.model_validate(
                {"quality": quality, "published": None if published == "-" else published, "reference": reference}
            )
        )
    return tuple(entries)


def curated_source(provider: str, reference: str, note: str, row: dict[str, str], prefix: str = "source_") -> Source:
    """A curated row's source with its quality columns (`source_quality`, `published`, ... or, for a
    table with several sourced figures a row, `<figure>_quality`, `<figure>_published`, ...)."""
    quality_key = f"{prefix}quality"
    stem = "" if prefix == "source_" else prefix
    published = row.get(f"{stem}published", "").strip()
    return Source.model_validate(
        {
            "provider": provider,
            "reference": reference,
            "note": note,
            "quality": row.get(quality_key, "").strip() or None,
            "published": published or None,
            "corroboration": parse_corroboration(row.get(f"{stem}corroboration", "")),
            "quality_note": row.get(f"{stem}source_note", "").strip(),
        }
    )


P = ParamSpec("P")
R = TypeVar("R")


def _checked(dataset: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A loader whose file does not fit its columns (a missing column, a bad number or date, a
    corrupt .gz) says so in one line naming the dataset and the directory: ConfigError, exit 2
    (the files of `bundled.dir` are the user's)."""

    def decorate(load: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(load)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return load(*args, **kwargs)
            except (KeyError, ValueError, IndexError, TypeError, EOFError, zlib.error, gzip.BadGzipFile) as error:
                directory = kwargs.get("directory", args[-1] if len(args) > 1 else None)
                where = f"bundled.dir {directory}" if isinstance(directory, str) else "bundled data"
                what = f"{dataset} of {args[0]}" if args and isinstance(args[0], str) else dataset
                problem = first_reason(error)  # a ValidationError's own message names the day
                if isinstance(error, KeyError):
                    problem = f"no column {problem}"
                raise ConfigError(f"{where}: {what}: the file does not fit: {problem[:200]}") from None

        return checked

    return decorate


def _instrument(symbol: str, form: str, dataset: str, directory: str | None) -> Instrument:
    """The table's row for a bundled series of this form; UnknownSymbolError naming what is bundled."""
    table = instruments.load(directory)
    row = table.get(symbol)
    if row is None or row.file is None or row.form != form:
        known = ", ".join(r.symbol for r in table.bundled())
        raise UnknownSymbolError(NAME, dataset, f"unknown symbol {symbol!r} (bundled data has {known})")
    return row


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _opt_float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _opt_date(text: str) -> dt.date | None:
    return _date(text) if text.strip() else None


def load_price_series(symbol: str, directory: str | None = None, *, cache: Path | None = None) -> PriceSeries:
    """Daily bars of a `bars` row of the instrument table, from its bundled file (columns
    date, open, high, low, close, volume; prices in USD), read column by column and validated
    once as a `PriceSeries`. Cached per process by symbol and directory, however the call spells
    them: every section asking for a symbol shares one parse. `cache`: the cache root whose
    `columns/` keeps the file's parsed columns between runs (columns_cache), None for none.
    Raises UnknownSymbolError, ConfigError."""
    series = _PRICE_SERIES.get((symbol, directory))
    if series is None:
        series = _PRICE_SERIES[symbol, directory] = parse_price_series(symbol, directory, cache=cache)
    return series


# The parsed series by (symbol, directory): a dict rather than functools.cache, so that
# `load_daily_closes` can share a series already parsed instead of reading the file again.
_PRICE_SERIES: dict[tuple[str, str | None], PriceSeries] = {}


@_checked("price history")
def parse_price_series(symbol: str, directory: str | None = None, *, cache: Path | None = None) -> PriceSeries:
    """`load_price_series` without the per-process cache: the file's columns (from `cache` when
    it holds them) validated anew."""
    spec = _instrument(symbol, "bars", "price history", directory)
    assert spec.file is not None  # _instrument checked it
    columns = _columns(spec.file, directory, cache)
    return PriceSeries(
        symbol=spec.symbol,
        name=spec.name,
        calendar=spec.series_calendar,
        exchange=None if spec.series_calendar == "utc-days" else spec.calendar,  # judges doubtful rows
        proxy_for=spec.proxy_for,
        source=_daily_source(spec),
        **columns._asdict(),
    )


def _columns(name: str, directory: str | None, cache: Path | None = None) -> Columns:
    """A bundled daily file as columns: dates parsed, prices and volumes as floats (an empty
    open, high, low or volume cell is None). Read back from `cache` when it holds this file's
    bytes parsed; otherwise parsed, each column converted at once rather than a dict and a
    model per row, and stored there. Not yet validated: `PriceSeries` does that."""
    if cache is None:
        return _parse_columns(_text(name, directory))
    raw = _raw(name, directory)
    columns = columns_cache.get(cache, name, raw)
    if columns is None:
        columns = _parse_columns(_decoded(name, raw))
        columns_cache.put(cache, name, raw, columns)
    return columns


def _parse_columns(text: str) -> Columns:
    header, by_column = _split_columns(text)
    by_name = dict(zip(header, by_column, strict=True))
    return Columns(
        dates=tuple(map(dt.date.fromisoformat, by_name["date"])),
        opens=_opt_floats(by_name["open"]),
        highs=_opt_floats(by_name["high"]),
        lows=_opt_floats(by_name["low"]),
        closes=tuple(map(float, by_name["close"])),
        volumes=_opt_floats(by_name["volume"]),
    )


def _split_columns(text: str) -> tuple[list[str], list[list[str]]]:
    """A CSV text's header and its columns of cells. A file of plain cells (no quote, no blank
    line: every bundled series) is split in one pass over the text and sliced into columns,
    several times faster than the csv module's rows; any other file goes through the csv module.
    ValueError when a row has more or fewer cells than the header."""
    text = text.replace("\r\n", "\n").strip("\n")
    head, _, body = text.partition("\n")
    header = head.split(",")
    width = len(header)
    if '"' not in text and body and set(map(str.count, body.split("\n"), itertools.repeat(","))) == {width - 1}:
        cells = body.replace("\n", ",").split(",")
        return header, [cells[i::width] for i in range(width)]
    rows = csv.reader(io.StringIO(text))
    header = next(rows)
    cells_by_row = [row for row in rows if row]
    if not cells_by_row:
        return header, [[] for _ in header]
    return header, [list(column) for column in zip(*cells_by_row, strict=True)]


def _opt_floats(cells: Sequence[str]) -> tuple[float | None, ...]:
    try:
        return tuple(map(float, cells))  # the common case: no empty cell
    except ValueError:
        return tuple(map(_opt_float, cells))


def _daily_source(spec: Instrument) -> Source:
    return Source(
        provider="Yahoo Finance",
        reference=f"{spec.yahoo or spec.symbol} daily bars via yfinance ({_YAHOO_REPO})",
        note="UTC calendar days" if spec.series_calendar == "utc-days" else "exchange sessions, adjusted prices",
    )


def load_daily_closes(symbol: str, directory: str | None = None, *, cache: Path | None = None) -> DailyCloses:
    """Dates and closes only (the shock statistics, the index rows), cached per process like
    `load_price_series`. Without a `cache` the open, high, low and volume cells are not
    converted: a figure of closes never reads them, and they cost more to parse than the closes
    (four columns of a few thousand floats each, held for the whole run); with one, the file's
    columns come from it (parsed whole and stored there on a miss). Where `PriceSeries`'s
    normalisation could change a row (dates out of order, a missing crypto day, a non-positive
    close that may be a placeholder, a repeated close on a day of zero volume that may be a
    flat holiday bar), the whole series is parsed and normalised instead and its closes
    returned, so either way the closes are those of `load_price_series`; a series parsed whole
    already is shared. Raises UnknownSymbolError, ConfigError."""
    parsed = _PRICE_SERIES.get((symbol, directory))
    closes = _closes_only(symbol, directory, cache=cache) if parsed is None else None
    if closes is None:
        return DailyCloses.from_prices(load_price_series(symbol, directory, cache=cache))
    return closes


@functools.cache
@_checked("price history")
def _closes_only(symbol: str, directory: str | None, *, cache: Path | None = None) -> DailyCloses | None:
    """The closes of a bundled daily file already normal; None when `PriceSeries` would have
    to normalise it (see `load_daily_closes`)."""
    spec = _instrument(symbol, "bars", "price history", directory)
    assert spec.file is not None  # _instrument checked it
    volume_cells: Sequence[str] = ()
    volumes: tuple[float | None, ...] | None = None
    columns = None
    if cache is not None:
        # A bad open, high, low or volume cell: as without a cache, only a figure that reads
        # those cells fails on it (a bad close fails below as well).
        with contextlib.suppress(ValueError):
            columns = _columns(spec.file, directory, cache)
    if columns is not None:
        dates, closes, volumes = columns.dates, columns.closes, columns.volumes
    else:
        header, by_column = _split_columns(_text(spec.file, directory))
        by_name = dict(zip(header, by_column, strict=True))
        volume_cells = by_name["volume"]
        for name in ("open", "high", "low"):  # a missing column is an error whichever figure reads the file
            by_name[name]
        dates = tuple(map(dt.date.fromisoformat, by_name["date"]))
        closes = tuple(map(float, by_name["close"]))
    crypto = spec.series_calendar == "utc-days"
    if not closes or not all(map(math.isfinite, closes)) or min(closes) <= 0:
        return None
    if not all(map(operator.lt, dates, dates[1:])):
        return None
    if crypto and (dates[-1] - dates[0]).days + 1 != len(dates):
        return None
    # A flat holiday bar repeats the previous close with zero volume, in a series that has volume
    # (VIX reports none): only such rows need a look, and the volume column only when there is one.
    repeated = [] if crypto else [i for i, (p, c) in enumerate(itertools.pairwise(closes), 1) if p == c]
    if volumes is None:
        repeats = any(_opt_float(volume_cells[i]) == 0 for i in repeated)
        if repeats:
            volumes = _opt_floats(volume_cells)
    else:
        repeats = any(volumes[i] == 0 for i in repeated)
    if repeats and volumes is not None and any(volumes):
        return None
    return DailyCloses.model_construct(
        symbol=spec.symbol,
        name=spec.name,
        calendar=spec.series_calendar,
        dates=dates,
        closes=closes,
        source=_daily_source(spec),
        proxy_for=spec.proxy_for,
        gaps=(),
        suspect=() if crypto else suspect_split_days(dates, closes),
    )


@functools.cache
@_checked("index closes")
def load_recent_index_sessions(symbol: str, directory: str | None = None) -> IndexSessions:
    """`load_index_sessions` without the long daily history before the break (its sessions are
    left out; the break is the same, read from the history's last line): what figures as of a
    date past the break read, at a tenth of the cost (KOSPI: 11,728 sessions not built)."""
    from marketshock.models.sessions import IndexSessions

    spec = _instrument(symbol, "sessions", "index closes", directory)
    assert spec.file is not None  # _instrument checked it
    *history, curated_file = spec.file.split()
    sessions = _curated_sessions(curated_file, directory)
    breaks: tuple[tuple[dt.date, dt.date], ...] = ()
    if history and sessions:
        last_line = _text(history[0], directory).rstrip().rsplit("\n", 1)[-1]
        breaks = _break(_date(last_line.split(",", 1)[0]), sessions[0].date)
    return IndexSessions(symbol=spec.symbol, name=spec.name, sessions=tuple(sessions), breaks=breaks)


def _break(last: dt.date, first: dt.date) -> tuple[tuple[dt.date, dt.date], ...]:
    """The span with no sessions between a history's last day and the curated closes' first
    (none when they meet); ValueError when the two overlap."""
    if first <= last:
        raise ValueError(f"the curated closes start {first}, not after the history's last day {last}")
    return ((last + dt.timedelta(days=1), first - dt.timedelta(days=1)),) if (first - last).days > 1 else ()


def _curated_sessions(curated_file: str, directory: str | None) -> list[IndexSession]:
    from marketshock.models.sessions import IndexSession

    return [
        IndexSession(
            date=_date(r["date"]),
            close=_opt_float(r["close"]),
            change_pct=_opt_float(r["change_pct"]),
            intraday_low=_opt_float(r["intraday_low"]),
            market_measure=r["market_measure"],
            source=curated_source("curated", r["source_url"], r["note"], r),
        )
        for r in _rows(curated_file, directory)
    ]


@functools.cache
@_checked("index closes")
def load_index_sessions(symbol: str, directory: str | None = None) -> IndexSessions:
    """Curated closes of a `sessions` row (the source's stated day change, intraday low and
    market-measure notes such as a sidecar). Where the row's `file` names a long daily history
    first (KOSPI: Stooq 1980-2024), its closes come before the curated ones, each day change
    computed from the previous close, and the days between the two files are a break: no session,
    no change across it. Raises UnknownSymbolError."""
    from marketshock.models.sessions import IndexSessions

    spec = _instrument(symbol, "sessions", "index closes", directory)
    assert spec.file is not None  # _instrument checked it
    *history, curated_file = spec.file.split()
    sessions = _curated_sessions(curated_file, directory)
    breaks: tuple[tuple[dt.date, dt.date], ...] = ()
    if history:
        earlier = _history_sessions(spec, history[0], directory)
        if earlier and sessions:
            breaks = _break(earlier[-1].date, sessions[0].date)
        return IndexSessions(symbol=spec.symbol, name=spec.name, sessions=(*earlier, *sessions), breaks=breaks)
    return IndexSessions(symbol=spec.symbol, name=spec.name, sessions=tuple(sessions), breaks=breaks)


def _history_sessions(spec: Instrument, name: str, directory: str | None) -> list[IndexSession]:
    """A long daily history (date, open, high, low, close, volume) as sessions: the day change
    from the previous row's close, which is the previous session's (the rows are every session).

    Validated as columns (dates parsed and strictly increasing, prices parsed as floats: what
    `IndexSession` would check of each row), then each session made with `model_construct`,
    all sharing one fields-set: a validated model carries a set of its own, the largest part of
    its size, and KOSPI's history since 1980 is some 11,700 sessions (12 MiB as validated
    models, 4 MiB so). The shared set is never changed: the models are frozen, and pydantic's
    copies copy it."""
    from marketshock.models.sessions import IndexSession

    provider = "Stooq" if "stooq" in name else "bundled"
    reference = f"{spec.stooq or spec.symbol} daily CSV ({name})"
    if provider == "Stooq":
        reference = f"{spec.stooq} daily CSV q/d/l/?s={spec.stooq}&i=d, as committed in {_STOOQ_KOSPI_REPO}"
    source = Source(provider=provider, reference=reference, note="day change computed from consecutive closes")
    header, by_column = _split_columns(_text(name, directory))
    by_name = dict(zip(header, by_column, strict=True))
    dates = tuple(map(dt.date.fromisoformat, by_name["date"]))
    closes = tuple(map(float, by_name["close"]))
    lows = _opt_floats(by_name["low"])  # the intraday low; open, high and volume are not read
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise ValueError(f"{name}: {dates[i]} is not after {dates[i - 1]}")
    # What IndexSession's validation would not catch either: a close or low no index level can be.
    for day, close, low in zip(dates, closes, lows, strict=True):
        if not (math.isfinite(close) and close > 0) or (low is not None and not (math.isfinite(low) and low > 0)):
            raise ValueError(f"{name}: the close or low of {day} is not a positive finite number")
    changes = [None, *(round((c / p - 1) * 100, 2) if p else None for p, c in itertools.pairwise(closes))]
    fields = set(IndexSession.model_fields)
    construct = IndexSession.model_construct
    return [
        construct(fields, date=d, close=c, change_pct=ch, intraday_low=lo, market_measure="", source=source)
        for d, c, ch, lo in zip(dates, closes, changes[: len(dates)], lows, strict=True)
    ]


@functools.cache
@_checked("index moves")
def load_index_moves(symbol: str, directory: str | None = None) -> IndexMoves:
    """Curated reported day moves of a `moves` row (no level). Raises UnknownSymbolError."""
    from marketshock.models.sessions import IndexMove, IndexMoves

    spec = _instrument(symbol, "moves", "index moves", directory)
    assert spec.file is not None  # _instrument checked it
    moves = tuple(
        IndexMove(
            date=_date(r["date"]),
            change_pct=float(r["change_pct"]),
            measured_at=r["measured_at"],
            source=curated_source("curated", r["source"], r["note"], r),
        )
        for r in _rows(spec.file, directory)
    )
    return IndexMoves(symbol=spec.symbol, name=spec.name, moves=moves)


@functools.cache
@_checked("claims")
def load_weekly_claims(series_id: str, directory: str | None = None) -> WeeklySeries:
    """FRED's weekly `series_id` (ICSA: initial claims, CCSA: continuing claims; a count of people,
    seasonally adjusted) in the vintage of CLAIMS_VINTAGE, from its bundled file (`week_ending`
    and a column named as the series, one row a week). UnknownSymbolError for another series;
    ConfigError for a file that does not fit (a missing column, a cell that is no date or number)."""
    from marketshock.models.economic import WeeklySeries

    if series_id.upper() not in CLAIMS:
        raise UnknownSymbolError(NAME, "claims", f"unknown FRED series {series_id!r}")
    file, name = CLAIMS[series_id.upper()]
    column = series_id.upper()
    header, by_column = _split_columns(_text(file, directory))
    by_name = dict(zip(header, by_column, strict=True))
    # Parsed as columns and kept as columns: the series validates them once; a model a week
    # (some 3,100 a series since 1967) cost more than the rest of the load.
    return WeeklySeries(
        series_id=column,
        name=name,
        vintage=f"FRED vintage of {CLAIMS_VINTAGE} (revised)",
        vintage_date=CLAIMS_VINTAGE,
        weeks=tuple(map(dt.date.fromisoformat, by_name["week_ending"])),
        values=tuple(map(float, by_name[column])),
        source=Source(provider="FRED", reference=f"https://fred.stlouisfed.org/series/{column}"),
    )


@functools.cache
@_checked("claims first prints")
def load_claims_first_prints(directory: str | None = None) -> tuple[ClaimsFirstPrint, ...]:
    from marketshock.models.economic import ClaimsFirstPrint

    def opt_int(text: str) -> int | None:
        return int(text) if text.strip() else None

    return tuple(
        ClaimsFirstPrint(
            week_ending=_date(r["week_ending"]),
            initial=int(r["initial"]),
            change=opt_int(r["change"]),
            four_week_avg=opt_int(r["four_week_avg"]),
            continuing=opt_int(r["continuing"]),
            continuing_week_ending=_opt_date(r["continuing_week_ending"]),
            released=_date(r["released"]),
            source=curated_source("US Department of Labor (as reported)", r["source_url"], r["note"], r),
        )
        for r in _rows("claims_first_print.csv", directory)
    )


@functools.cache
@_checked("job cuts")
def load_job_cuts(directory: str | None = None) -> MonthlySeries:
    return job_cuts_from_rows(
        _rows("challenger_january_job_cuts_curated.csv", directory)
        + _rows("challenger_other_months_curated.csv", directory)
    )


def job_cuts_from_rows(rows: list[dict[str, str]]) -> MonthlySeries:
    from marketshock.models.economic import MonthlySeries, MonthlyValue

    values = sorted(
        (
            MonthlyValue(
                year=int(r["year"]),
                month=int(r["month"]),
                value=float(r["announced_job_cuts"]),
                released=_opt_date(r["release_date"]),
                source=curated_source("Challenger, Gray & Christmas", r["source_url"], r["note"], r),
            )
            for r in rows
        ),
        key=lambda v: (v.year, v.month),
    )
    return MonthlySeries(series_id="CHALLENGER", name="Announced job cuts (Challenger)", values=tuple(values))


@functools.cache
@_checked("capex")
def load_capex(directory: str | None = None) -> dict[str, CapexRecord]:
    return capex_from_rows(_rows("capex_curated.csv", directory))


def capex_from_rows(rows: list[dict[str, str]]) -> dict[str, CapexRecord]:
    from marketshock.models.capex import CapexRecord

    def source(r: dict[str, str], figure: str) -> Source | None:
        url = r[f"{figure}_source"]
        return curated_source("curated", url, "", r, prefix=f"{figure}_") if url else None

    records = {}
    for r in rows:
        records[r["ticker"]] = CapexRecord(
            ticker=r["ticker"],
            name=r["name"],
            report_date=_date(r["report_date"]),
            report_timing=r["report_timing"],
            actual_fiscal_year=int(r["actual_fiscal_year"]) if r["actual_fiscal_year"] else None,
            capex_actual_usd=_opt_float(r["capex_actual_usd"]),
            capex_actual_basis=r["capex_actual_basis"],
            capex_actual_source=source(r, "capex_actual"),
            guidance_year=int(r["guidance_year"]) if r["guidance_year"] else None,
            guidance_low_usd=_opt_float(r["guidance_low_usd"]),
            guidance_high_usd=_opt_float(r["guidance_high_usd"]),
            guidance_text=r["guidance_text"],
            guidance_source=source(r, "guidance"),
            reaction_pct=_opt_float(r["reaction_pct"]),
            reaction_session=r["reaction_session"] or None,
            reaction_date=_opt_date(r["reaction_date"]),
            reaction_text=r["reaction_text"],
            reaction_source=source(r, "reaction"),
            gaps=tuple(g.strip() for g in r["gap_note"].split(";") if g.strip()),
        )
    return records


@functools.cache
@_checked("ETF flows")
def load_etf_daily_flows(directory: str | None = None) -> tuple[DailyFlows, ...]:
    def flows(scope: str, file: str, column: str, source: Source) -> DailyFlows:
        rows = _rows(file, directory)
        return DailyFlows(
            scope=scope,
            dates=tuple(_date(r["date"]) for r in rows),
            net_flows_usd=tuple(float(r[column]) * 1e6 for r in rows),  # the files are in US$ millions
            source=source,
        )

    return (
        flows(
            "all US spot bitcoin ETFs",
            "farside_btc_etf_total_daily.csv",
            "total_net_flow_usd_m",
            Source(
                provider="Farside Investors", reference="https://farside.co.uk/btc/", note="daily totals to 2025-12-31"
            ),
        ),
        flows(
            "BlackRock IBIT",
            "farside_ibit_daily.csv",
            "ibit_net_flow_usd_m",
            Source(
                provider="Farside Investors",
                reference="https://farside.co.uk/bitcoin-etf-flow-all-data/",
                note="daily flows to 2026-02-12",
            ),
        ),
    )


@functools.cache
@_checked("ETF flow quotes")
def load_etf_quoted_flows(directory: str | None = None) -> tuple[QuotedMonthlyFlow, ...]:
    return quoted_flows_from_rows(_rows("etf_flow_quotes_curated.csv", directory))


def quoted_flows_from_rows(rows: list[dict[str, str]]) -> tuple[QuotedMonthlyFlow, ...]:
    return tuple(
        QuotedMonthlyFlow(
            month=r["month"],
            net_flow_usd=float(r["net_flow_usd"]),
            qualifier=r["qualifier"],
            scope=r["basis"],
            known_from=_date(r["known_from"]),
            source=curated_source(r["provider"], r["source_url"], r["note"], r),
        )
        for r in rows
    )


@functools.cache
@_checked("crypto market value")
def load_market_cap_points(directory: str | None = None) -> tuple[MarketCapPoint, ...]:
    return market_cap_from_rows(_rows("crypto_market_cap_curated.csv", directory))


def market_cap_from_rows(rows: list[dict[str, str]]) -> tuple[MarketCapPoint, ...]:
    return tuple(
        MarketCapPoint(
            provider=r["provider"],
            kind=r["kind"],
            date=_date(r["date"]),
            value_usd=float(r["value_usd"]),
            source=curated_source(r["provider"], r["source_url"], r["note"], r),
        )
        for r in rows
    )


class BundledData:
    """`MarketData` over the bundled files: the package's own, or those of `directory`
    (the `bundled.dir` setting) for the series the instrument table names. `cache`: the cache
    root that keeps the daily files' parsed columns between runs (None: parse every run)."""

    name = NAME
    directory: str | None = None  # None: the package's own data
    cache: Path | None = None  # None: no parsed-columns cache

    def __init__(self, directory: str | None = None, cache: Path | None = None) -> None:
        self.directory = directory
        self.cache = cache

    async def price_history(self, symbol: str) -> PriceSeries:
        return load_price_series(symbol, self.directory, cache=self.cache)

    async def daily_closes(self, symbol: str) -> DailyCloses:
        return load_daily_closes(symbol, self.directory, cache=self.cache)

    async def index_sessions(self, symbol: str) -> IndexSessions:
        return load_index_sessions(symbol, self.directory)

    async def index_sessions_as_of(self, symbol: str, as_of: dt.date) -> IndexSessions:
        recent = load_recent_index_sessions(symbol, self.directory)
        if recent.breaks and as_of > recent.breaks[-1][1]:
            return recent  # past the break: the history before it is part of no figure
        return load_index_sessions(symbol, self.directory)

    async def index_moves(self, symbol: str) -> IndexMoves:
        return load_index_moves(symbol, self.directory)

    async def weekly_claims(self, series_id: str) -> WeeklySeries:
        return load_weekly_claims(series_id, self.directory)

    async def claims_first_prints(self) -> list[ClaimsFirstPrint]:
        return list(load_claims_first_prints(self.directory))

    async def job_cuts(self) -> MonthlySeries:
        return load_job_cuts(self.directory)

    async def capex(self, ticker: str) -> CapexRecord:
        records = load_capex(self.directory)
        if ticker.upper() not in records:
            raise UnknownSymbolError(
                NAME, "capex", f"unknown ticker {ticker!r} (bundled data has {', '.join(records)})"
            )
        return records[ticker.upper()]

    async def etf_daily_flows(self) -> list[DailyFlows]:
        return list(load_etf_daily_flows(self.directory))

    async def etf_quoted_flows(self) -> list[QuotedMonthlyFlow]:
        return list(load_etf_quoted_flows(self.directory))

    async def market_cap_points(self) -> list[MarketCapPoint]:
        points = load_market_cap_points(self.directory)
        if not points:
            raise NoDataError(NAME, "market cap", "no points")
        return list(points)
