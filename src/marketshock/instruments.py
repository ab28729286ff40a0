"""The instrument table: every market marketshock can show, as data, and the universe a run shows.

One row a market in `data/instruments.csv` (or the same file in the directory
`bundled.dir` names): its symbol, name, kind, calendar, how the bundled data holds
it, and each provider's own symbol. The bundled and the live providers read the same
rows; a watchlist entry that is not a row becomes one at run time (`adhoc`), with the
providers' usual symbol conventions. Adding a bundled asset is one data file plus one
row; adding a live one is one row, or a watchlist entry.

Columns (empty means "none"):
    symbol       marketshock's name, as commands take and print it (upper case)
    name         the display name
    kind         crypto | index | etf | stock
    calendar     utc-days (crypto trades every UTC day) or the exchange's ISO 10383 MIC (XNYS, XKRX, ...)
    timezone     the exchange's IANA time zone (UTC for crypto)
    form         how the bundled `file` holds it: bars (daily OHLCV), sessions (curated index closes
                 with market-measure notes), moves (curated reported day moves, no level)
    file         the bundled file, if any. A `sessions` row may name two, space-separated: a long
                 daily history (date, open, high, low, close, volume; its day change computed from
                 consecutive closes) and then the curated closes, which start after it; the days
                 between them are a gap in the data, shown as one
    yahoo, stooq, coinbase, coingecko   each provider's own symbol or id
    proxy_for    what an ETF stands in for ("S&P 500"): it is named as a proxy, never as the index
    live_proxy   for `moves` rows: the instrument whose live closes stand in for the reported moves
    aliases      other spellings, space-separated (^GSPC for SPX)
    default      yes when the instrument is in the default watchlist
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal, NamedTuple

from marketshock.errors import ConfigError

Kind = Literal["crypto", "index", "etf", "stock"]
Form = Literal["bars", "sessions", "moves"]
KINDS: tuple[Kind, ...] = ("crypto", "index", "etf", "stock")
FORMS: tuple[Form, ...] = ("bars", "sessions", "moves")
UTC_DAYS = "utc-days"
TABLE_FILE = "instruments.csv"
COLUMNS = (
    "symbol",
    "name",
    "kind",
    "calendar",
    "timezone",
    "form",
    "file",
    "yahoo",
    "stooq",
    "coinbase",
    "coingecko",
    "proxy_for",
    "live_proxy",
    "aliases",
    "default",
)
# The watchlist's groups and the kinds each holds.
GROUPS: dict[str, tuple[Kind, ...]] = {
    "crypto": ("crypto",),
    "indices": ("index",),
    "etfs": ("etf",),
    "companies": ("stock",),
}
# A symbol a user may type: letters, digits and the punctuation tickers use (BRK.B, BTC-USD, ^N225).
SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,19}$")


class Instrument(NamedTuple):
    """One row of the instrument table. A NamedTuple, as the other records on the start-up
    path are: creating a frozen dataclass of 16 fields costs a run about 1 ms."""

    symbol: str
    name: str
    kind: Kind
    calendar: str = UTC_DAYS
    timezone: str = "UTC"
    form: Form = "bars"
    file: str | None = None
    yahoo: str | None = None
    stooq: str | None = None
    coinbase: str | None = None
    coingecko: str | None = None
    proxy_for: str | None = None
    live_proxy: str | None = None
    aliases: tuple[str, ...] = ()
    default: bool = False
    listed: bool = True  # False: made at run time from a watchlist entry or a -s symbol

    @property
    def series_calendar(self) -> str:
        """The calendar a series of it is cut by: "utc-days" or "sessions" (see models.series)."""
        return UTC_DAYS if self.calendar == UTC_DAYS else "sessions"

    @property
    def bundled(self) -> bool:
        return self.file is not None

    @property
    def offline(self) -> bool:
        """Whether the bundled data can show it: its own file, or, for a listed company, the
        bundled capex table (companies have no bundled prices)."""
        return self.bundled or (self.kind == "stock" and self.listed)


@dataclass(frozen=True)
class InstrumentTable:
    """The rows of one instrument table, in file order, with their aliases."""

    rows: tuple[Instrument, ...]
    _by_name: dict[str, Instrument] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for row in self.rows:
            for name in (row.symbol, *row.aliases):
                self._by_name.setdefault(name.upper(), row)

    def get(self, symbol: str) -> Instrument | None:
        """The row named `symbol` or one of its aliases (any case), or None."""
        return self._by_name.get(symbol.strip().upper())

    def of_kind(self, *kinds: str) -> list[Instrument]:
        return [r for r in self.rows if r.kind in kinds]

    def bundled(self, *forms: str) -> list[Instrument]:
        """The rows the bundled data holds, in table order (of these forms, if given)."""
        return [r for r in self.rows if r.bundled and (not forms or r.form in forms)]

    def defaults(self, group: str) -> tuple[str, ...]:
        """The default watchlist of one group (`crypto`, `indices`, `etfs`, `companies`)."""
        return tuple(r.symbol for r in self.rows if r.default and r.kind in GROUPS[group])


def adhoc(symbol: str, kind: Kind) -> Instrument:
    """A row for a symbol the table does not list, named by the providers' usual conventions:
    crypto `SOL` is Yahoo `SOL-USD` and Coinbase `SOL-USD`; an index is asked of Yahoo as typed
    (`^FTSE`); a stock or ETF `NVDA` is Yahoo `NVDA` and Stooq `nvda.us`."""
    clean = symbol.strip().upper()
    if kind == "crypto":
        base = clean.removesuffix("-USD")
        return Instrument(base, base, "crypto", yahoo=f"{base}-USD", coinbase=f"{base}-USD", listed=False)
    if kind == "index":
        name = clean.lstrip("^")
        return Instrument(name, name, "index", "XNYS", "America/New_York", yahoo=f"^{name}", listed=False)
    stooq = f"{clean.lower()}.us" if "^" not in clean else None
    return Instrument(clean, clean, kind, "XNYS", "America/New_York", yahoo=clean, stooq=stooq, listed=False)


def valid_symbol(symbol: str) -> bool:
    return bool(SYMBOL.match(symbol.strip().upper()))


def _optional(text: str) -> str | None:
    text = text.strip()
    return text or None


def parse(text: str, origin: str) -> InstrumentTable:
    """The table from its CSV text. Raises ConfigError naming `origin`, the line and the column
    for a row that does not fit (a user's own data directory is configuration)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(f"{origin}: missing column(s) {', '.join(missing)}")
    rows: list[Instrument] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        cells = {k: (v or "") for k, v in raw.items() if k is not None}
        symbol = cells["symbol"].strip().upper()
        where = f"{origin} line {line}"
        if not valid_symbol(symbol):
            raise ConfigError(f"{where}: symbol {cells['symbol']!r} is not a ticker-like name")
        if symbol in seen:
            raise ConfigError(f"{where}: symbol {symbol} is listed twice")
        seen.add(symbol)
        kind, form = cells["kind"].strip(), cells["form"].strip() or "bars"
        if kind not in KINDS:
            raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if form not in FORMS:
            raise ConfigError(f"{where}: form {form!r} is not one of {', '.join(FORMS)}")
        if form == "moves" and not cells["live_proxy"].strip() and not cells["file"].strip():
            raise ConfigError(f"{where}: a 'moves' row needs a file or a live_proxy")
        default = cells["default"].strip().lower()
        if default not in ("yes", "no", ""):
            raise ConfigError(f"{where}: default must be yes or no, not {default!r}")
        rows.append(
            Instrument(
                symbol=symbol,
                name=cells["name"].strip() or symbol,
                kind=kind,  # narrowed to Kind by the check against KINDS above
                calendar=cells["calendar"].strip() or UTC_DAYS,
                timezone=cells["timezone"].strip() or "UTC",
                form=form,  # narrowed to Form by the check against FORMS above
                file=_optional(cells["file"]),
                yahoo=_optional(cells["yahoo"]),
                stooq=_optional(cells["stooq"]),
                coinbase=_optional(cells["coinbase"]),
                coingecko=_optional(cells["coingecko"]),
                proxy_for=_optional(cells["proxy_for"]),
                live_proxy=_optional(cells["live_proxy"].upper()),
                aliases=tuple(a.upper() for a in cells["aliases"].split()),
                default=default == "yes",
            )
        )
    _check_names(rows, origin)
    return InstrumentTable(tuple(rows))


def _check_names(rows: list[Instrument], origin: str) -> None:
    """Every symbol and alias names one instrument; a live proxy is a row; a file is a plain
    name inside the data directory. Raises ConfigError naming the symbol."""
    owner: dict[str, str] = {row.symbol: row.symbol for row in rows}
    for row in rows:
        for alias in row.aliases:
            if owner.setdefault(alias, row.symbol) != row.symbol:
                raise ConfigError(f"{origin}: {row.symbol}: alias {alias} already names {owner[alias]}")
        if row.live_proxy is not None and row.live_proxy not in owner:
            raise ConfigError(f"{origin}: {row.symbol}: live_proxy {row.live_proxy} is not a symbol of the table")
        names = (row.file or "").split()
        if len(names) > (2 if row.form == "sessions" else 1):
            raise ConfigError(f"{origin}: {row.symbol}: file {row.file!r} names too many files for a {row.form} row")
        for name in names:
            if name != PurePath(name).name or name.startswith("."):
                raise ConfigError(f"{origin}: {row.symbol}: file {name!r} must be a file name in the data directory")


@functools.cache
def _package_table() -> InstrumentTable:
    from importlib import resources

    text = resources.files("marketshock.data").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return parse(text, f"marketshock/data/{TABLE_FILE}")


@functools.cache
def load(directory: str | None = None) -> InstrumentTable:
    """The instrument table of a data directory (None: the package's own). Cached per process."""
    if directory is None:
        return _package_table()
    from pathlib import Path

    path = Path(directory).expanduser() / TABLE_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"bundled.dir: cannot read {path}: {error.__class__.__name__}") from None
    return parse(text, str(path))


class Universe(NamedTuple):
    """The instruments a run shows by default: the watchlist's groups, resolved against the
    table. `table` holds the instrument table plus a run-time row for every watchlist symbol
    it does not list, so a provider can look any of them up. `from_defaults` names the groups
    that are the table's defaults (not the user's), which keep the table's order. `explicit`
    holds the symbols typed for this run (-s, -t): one no provider knows is bad input, while a
    watchlist symbol no provider knows is only left out."""

    table: InstrumentTable
    groups: dict[str, tuple[str, ...]]
    from_defaults: frozenset[str] = frozenset()
    explicit: frozenset[str] = frozenset()

    def symbols(self, *groups: str) -> tuple[str, ...]:
        """The symbols of these groups, in order: the table's order where every group is a
        default, else the order the user gave."""
        picked = [s for g in groups for s in self.groups.get(g, ())]
        if all(g in self.from_defaults for g in groups):
            order = {r.symbol: n for n, r in enumerate(self.table.rows)}
            picked.sort(key=lambda s: order.get(s, len(order)))
        return tuple(dict.fromkeys(picked))

    def override(self, groups: dict[str, tuple[str, ...]]) -> Universe:
        """This universe with some groups replaced for one run (`-s`, `-t`): symbols the table
        does not list join it as run-time rows; nothing is filtered (the source decides what it
        has). Raises UsageError for a symbol of the wrong kind (`crypto -s SPY`, `indices -s BTC`)."""
        resolved, _ = universe(self.table, dict(groups), origin="option")
        given = {g: resolved.groups[g] for g in groups}
        return Universe(
            resolved.table,
            {**self.groups, **given},
            self.from_defaults - set(groups),
            frozenset(s for symbols in given.values() for s in symbols),
        )


def _kind_for(group: str, symbol: str) -> Kind:
    """The kind of an unlisted symbol by the group it is in: an `indices` entry is an index
    when it is written as one (^FTSE), else an exchange-traded fund or stock."""
    if group == "indices":
        return "index" if symbol.startswith("^") else "etf"
    return GROUPS[group][0]


def _offline(row: Instrument, group: str) -> bool:
    """Whether the bundled data can show `row` in `group`: a price file for a market, the
    curated capex table (a listed company) for `companies`."""
    return row.kind == "stock" and row.listed if group == "companies" else row.bundled


def _wrong_kind(row: Instrument, group: str) -> str | None:
    """Why a listed instrument cannot be in `group`, or None."""
    if group == "crypto" and row.kind != "crypto":
        return f"{row.symbol!r} is not a crypto asset (see `marketshock indices`)"
    if group in ("indices", "etfs") and row.kind == "crypto":
        return f"{row.symbol!r} is a crypto asset (see `marketshock crypto`)"
    return None


def universe(
    table: InstrumentTable,
    chosen: dict[str, tuple[str, ...] | None],
    *,
    bundled_only: bool = False,
    origin: str = "watchlist",
    used: tuple[str, ...] = tuple(GROUPS),
) -> tuple[Universe, list[str]]:
    """Resolve the watchlist: `chosen` maps each group to the user's symbols, or None for the
    table's defaults. With `bundled_only` (offline), defaults are the bundled rows and a
    chosen symbol the bundled data lacks is left out, named in the returned warnings (one a
    group the run `used`; a symbol given with -s is checked by the bundled source instead,
    exit 2). `origin` names where the symbols came from in messages.

    Raises UsageError for a symbol of the wrong kind for its group (`SPY` as crypto)."""
    from marketshock.errors import UsageError

    groups: dict[str, tuple[str, ...]] = {}
    defaults: set[str] = set()
    extra: list[Instrument] = []
    warnings: list[str] = []
    for group in GROUPS:
        given = chosen.get(group)
        if given is None:
            defaults.add(group)
            rows = [r for r in table.rows if r.default and r.kind in GROUPS[group]]
            groups[group] = tuple(r.symbol for r in rows if _offline(r, group) or not bundled_only)
            continue
        where = f"watchlist.{group}: " if origin == "watchlist" else ""
        symbols: list[str] = []
        left_out: list[str] = []
        for raw in given:
            row = table.get(raw)
            if row is None:
                if not valid_symbol(raw):
                    raise UsageError(f"{where}{raw[:40]!r} is not a ticker-like symbol")
                row = next((r for r in extra if r.symbol == raw.strip().upper().lstrip("^")), None)
                row = row or adhoc(raw, _kind_for(group, raw.strip().upper()))
                if row not in extra:
                    extra.append(row)
            elif (why := _wrong_kind(row, group)) is not None:
                raise UsageError(where + why)
            if bundled_only and not _offline(row, group):
                left_out.append(row.symbol)
                continue
            symbols.append(row.symbol)
        groups[group] = tuple(dict.fromkeys(symbols))
        if left_out and group in used:
            bundled = [r.symbol for r in table.rows if r.kind in GROUPS[group] and _offline(r, group)]
            warnings.append(
                f"watchlist.{group}: no bundled data for {', '.join(left_out)}; left out offline "
                f"(bundled: {', '.join(bundled) or 'none'})"
            )
    run_table = InstrumentTable((*table.rows, *extra)) if extra else table
    return Universe(run_table, groups, frozenset(defaults)), warnings


def default_universe(directory: str | None = None, *, bundled_only: bool = True) -> Universe:
    """The table's default watchlist (bundled rows only, unless told otherwise)."""
    return universe(load(directory), {}, bundled_only=bundled_only)[0]
