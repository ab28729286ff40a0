"""Settings from defaults, the TOML config file and MARKETSHOCK_* environment variables.

Precedence: environment > file > defaults. Every effective value remembers where it
came from (for `config show`). A broken file (bad TOML, unknown key, wrong type) is a
`ConfigError` naming the file, the key and what is wrong; the CLI exits 2 on it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from marketshock.errors import ConfigError, shown_path
from marketshock.formatting import add_secret

APP_NAME = "marketshock"
CONFIG_ENV = "MARKETSHOCK_CONFIG"


class _Section(BaseModel):
    """A section of the settings. Validators are built on first use, and a section left at its
    defaults is made by `model_construct`, unvalidated: building the validators of all 18
    settings models costs about 10 ms, and a run without a config file or MARKETSHOCK_*
    variable has nothing to validate. The defaults are held to the fields' own rules by a test
    (tests/test_config_cmd.py)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class HttpSettings(_Section):
    timeout: float = Field(10.0, gt=0, description="seconds to wait for a response, per request")
    # 3 s: the kernel itself resends a lost SYN after 1 s (and 3 s), so one attempt already holds
    # two; a host that has not answered the handshake by then is down or filtered, and a run on a
    # machine whose packets are dropped must end in seconds, not after timeout x retries.
    connect_timeout: float = Field(
        3.0, gt=0, description="seconds to wait for a connection (at most `timeout`); not retried"
    )
    retries: int = Field(3, ge=0, le=10, description="retries on connect/read errors, HTTP 429 and 5xx")
    # 8: the SEC asks for at most 10 requests a second, and Yahoo throttles bursts; a report's
    # 10-11 requests to each of them then go out in two rounds, not one at a time.
    max_per_host: int = Field(8, ge=1, le=32, description="requests in flight at once to one host")
    # 64 MiB: Yahoo's largest answer (decades of daily bars) is a few MiB; nothing marketshock asks for comes close.
    max_body_mb: float = Field(64.0, gt=0, description="largest response body, in MiB after decompression")
    deadline: float | None = Field(
        None, gt=0, description="seconds one request may take in all (default: timeout x (retries + 1) + 8 x retries)"
    )


def checked_base_url(value: str | None) -> str | None:
    """An http(s) URL with a host and a valid port, else ValueError (a config error, exit 2),
    before any request: a malformed one would otherwise fail every request of its provider."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        _ = parts.port  # raises on a port out of range or not a number
    except ValueError as error:
        raise ValueError(f"{value!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r}: expected http:// or https:// and a host name (e.g. https://example.com)")
    return value.strip()


class ProviderSettings(_Section):
    base_url: str = Field(description="scheme and host; the adapter adds the real path")

    @field_validator("base_url", "api_base_url", "files_base_url", check_fields=False)
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return checked_base_url(value)


class FredProviderSettings(ProviderSettings):
    base_url: str = Field("https://fred.stlouisfed.org", description="host of fredgraph.csv")
    # FRED serves fredgraph.csv and its JSON API from two hosts. Unset: the real API host when
    # base_url is the real one, else base_url itself, so one variable points a test server or mirror at both.
    api_base_url: str | None = Field(None, description="host of the JSON API (default: api.stlouisfed.org)")


class SecProviderSettings(ProviderSettings):
    base_url: str = Field("https://data.sec.gov", description="host of the XBRL APIs")
    # The same for the SEC: company_tickers.json lives on www.sec.gov, the XBRL APIs on data.sec.gov.
    files_base_url: str | None = Field(None, description="host of /files/company_tickers.json (default: www.sec.gov)")


def _default(model: type[_Section], **values: Any) -> Any:
    """A field whose default is a `model` with these values (else its own defaults), made
    unvalidated (see `_Section`)."""
    return Field(default_factory=lambda: model.model_construct(**values))


class ProvidersSettings(_Section):
    yahoo: ProviderSettings = _default(ProviderSettings, base_url="https://query1.finance.yahoo.com")
    coingecko: ProviderSettings = _default(ProviderSettings, base_url="https://api.coingecko.com")
    coinbase: ProviderSettings = _default(ProviderSettings, base_url="https://api.exchange.coinbase.com")
    fred: FredProviderSettings = _default(FredProviderSettings)
    sec: SecProviderSettings = _default(SecProviderSettings)
    stooq: ProviderSettings = _default(ProviderSettings, base_url="https://stooq.com")


class FredSettings(_Section):
    api_key: SecretStr | None = Field(None, description="FRED API key; without one the keyless fredgraph.csv is used")


class SecSettings(_Section):
    user_agent: str | None = Field(
        None, description="'Name contact@example.com': the SEC requires a User-Agent with a contact"
    )


class SnapshotSettings(_Section):
    dir: str | None = Field(None, description="where `snapshot` writes; default: the platform's user data directory")


class AlertSettings(_Section):
    """One `[[alerts]]` rule: `marketshock alerts` and `snapshot` evaluate it (see alerts.py)."""

    name: str = Field(min_length=1, description="names the rule in output, notifications and errors")
    when: str = Field(
        description="when it fires: metric paths (history --list), < <= > >= == !=, numbers, and, or, parentheses"
    )
    notify: list[str] = Field(
        [], description="notification URLs (apprise: mailto://, slack://, ntfys://, json://, ...)"
    )


class CacheSettings(_Section):
    dir: str | None = Field(
        None,
        description="cache directory (HTTP answers, parsed bundled files); default: the platform's user cache dir",
    )
    enabled: bool = Field(True, description="false: never read or write the cache (HTTP answers, parsed bundled files)")


class CuratedSettings(_Section):
    """The user's own rows, added to the bundled curated tables (same columns; a row with the
    same key replaces the bundled one)."""

    capex_file: str | None = Field(None, description="CSV with the columns of the bundled capex_curated.csv")
    job_cuts_file: str | None = Field(None, description="CSV with the columns of challenger_*_curated.csv")
    etf_flows_file: str | None = Field(None, description="CSV with the columns of etf_flow_quotes_curated.csv")
    market_cap_file: str | None = Field(None, description="CSV with the columns of crypto_market_cap_curated.csv")


class BundledSettings(_Section):
    dir: str | None = Field(
        None,
        description="a directory laid out like the bundled dataset (instruments.csv and its files) to use "
        "instead of the package's own; default: the package's data",
    )

    @field_validator("dir")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        # MARKETSHOCK_BUNDLED_DIR= (set but empty) means "not set", never "the current directory".
        return value if value and value.strip() else None


def _watchlist_field(about: str) -> Any:
    return Field(
        None,
        description=f"{about}: the default universe of every command (-s/-t replace it for one run); "
        "unset: the instrument table's defaults",
    )


class WatchlistSettings(_Section):
    """The user's universe: symbols of the instrument table, or any symbol the live providers serve."""

    @field_validator("*", mode="before")
    @classmethod
    def _symbols(cls, value: Any) -> Any:
        # The environment gives "BTC,SOL"; the config file a TOML list. Symbols are upper case.
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            return [v.strip().upper() if isinstance(v, str) else v for v in value if v != "" and str(v).strip()]
        return value

    @field_validator("*")
    @classmethod
    def _ticker_like(cls, value: list[str] | None) -> list[str] | None:
        from marketshock import instruments

        if value is None:
            return None
        for symbol in value:
            if not instruments.valid_symbol(symbol):
                raise ValueError(f"{symbol!r} is not a ticker-like symbol")
        return list(dict.fromkeys(value))

    crypto: list[str] | None = _watchlist_field("crypto assets (BTC, SOL: Yahoo SOL-USD, Coinbase SOL-USD)")
    indices: list[str] | None = _watchlist_field("indices (KOSPI, N225, ^FTSE: Yahoo's symbol)")
    etfs: list[str] | None = _watchlist_field("ETFs, each named as the proxy it is")
    companies: list[str] | None = _watchlist_field("companies for earnings-capex (capex actuals from the SEC)")


class ReportSettings(_Section):
    """Which facts make the report's headlines: only the significant ones."""

    headline_zscore: float = Field(2.0, gt=0, description="a day's move of at least this many sigma")
    headline_superlative_months: int = Field(
        12, ge=1, description="a superlative ('lowest since ...') reaching back at least this many months"
    )
    headlines: int = Field(6, ge=0, description="at most this many headlines, the most unusual first")


def _providers_field(default: list[str], description: str) -> Any:
    return Field(default, min_length=1, description=f"{description}; fallback order")


CryptoHistoryProvider = Literal["yahoo", "coinbase"]
HistoryProvider = Literal["yahoo", "stooq"]
AsiaMeasureProvider = Literal["yahoo", "curated"]
ClaimsProvider = Literal["fred"]
CapexProvider = Literal["sec", "curated"]
MarketValueProvider = Literal["coingecko", "curated"]


class DatasetsSettings(_Section):
    """Which provider serves each live dataset, in fallback order (the first that answers wins)."""

    @field_validator("*", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        # The environment gives "yahoo,coinbase"; the config file a TOML list.
        return [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else value

    crypto_history: list[CryptoHistoryProvider] = _providers_field(
        ["yahoo", "coinbase"], "BTC/ETH daily bars (UTC days) with lows"
    )
    index_history: list[HistoryProvider] = _providers_field(
        ["yahoo", "stooq"], "index levels: KOSPI, S&P 500, Nikkei 225, Hang Seng, VIX"
    )
    etf_history: list[HistoryProvider] = _providers_field(["yahoo", "stooq"], "ETF proxies and stock prices")
    asia_measure: list[AsiaMeasureProvider] = _providers_field(
        ["yahoo", "curated"], "MSCI Asia ex-Japan day moves: the AAXJ ETF, else reported moves"
    )
    claims: list[ClaimsProvider] = _providers_field(["fred"], "weekly jobless claims")
    capex_actuals: list[CapexProvider] = _providers_field(["sec", "curated"], "last fiscal year's capex actual")
    market_value: list[MarketValueProvider] = _providers_field(
        ["coingecko", "curated"], "total crypto market value (peaks are always curated)"
    )


class Settings(_Section):
    http: HttpSettings = _default(HttpSettings)
    providers: ProvidersSettings = _default(ProvidersSettings)
    fred: FredSettings = _default(FredSettings)
    sec: SecSettings = _default(SecSettings)
    snapshot: SnapshotSettings = _default(SnapshotSettings)
    cache: CacheSettings = _default(CacheSettings)
    curated: CuratedSettings = _default(CuratedSettings)
    datasets: DatasetsSettings = _default(DatasetsSettings)
    watchlist: WatchlistSettings = _default(WatchlistSettings)
    bundled: BundledSettings = _default(BundledSettings)
    report: ReportSettings = _default(ReportSettings)
    alerts: list[AlertSettings] = Field(
        # [], not default_factory=list: pydantic copies it for each instance all the same, and it
        # asks a factory's signature whether it takes the validated data, which for a builtin
        # like `list` costs a run ~2 ms of regex compiling in inspect.
        [],
        description="alert rules, as [[alerts]] tables (no environment variable)",
    )

    @classmethod
    def defaults(cls) -> Settings:
        """The built-in settings, unvalidated (see `_Section`): what a run without a config
        file or MARKETSHOCK_* variable uses."""
        return cls.model_construct()

    @field_validator("alerts")
    @classmethod
    def _unique_names(cls, value: list[AlertSettings]) -> list[AlertSettings]:
        names = [a.name for a in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two [[alerts]] rules are named {twice[0]!r}: a rule fires once a day by its name")
        return value


# Environment variables, by the dotted key they set. Tests, mirrors and proxies rely on these names.
ENVIRONMENT: dict[str, str] = {
    "http.timeout": "MARKETSHOCK_HTTP_TIMEOUT",
    "http.connect_timeout": "MARKETSHOCK_HTTP_CONNECT_TIMEOUT",
    "http.retries": "MARKETSHOCK_HTTP_RETRIES",
    "http.max_per_host": "MARKETSHOCK_HTTP_MAX_PER_HOST",
    "http.max_body_mb": "MARKETSHOCK_HTTP_MAX_BODY_MB",
    "http.deadline": "MARKETSHOCK_HTTP_DEADLINE",
    **{f"providers.{p}.base_url": f"MARKETSHOCK_{p.upper()}_BASE_URL" for p in ProvidersSettings.model_fields},
    "providers.fred.api_base_url": "MARKETSHOCK_FRED_API_BASE_URL",
    "providers.sec.files_base_url": "MARKETSHOCK_SEC_FILES_BASE_URL",
    **{f"datasets.{d}": f"MARKETSHOCK_DATASETS_{d.upper()}" for d in DatasetsSettings.model_fields},
    "fred.api_key": "MARKETSHOCK_FRED_API_KEY",
    "sec.user_agent": "MARKETSHOCK_SEC_USER_AGENT",
    "snapshot.dir": "MARKETSHOCK_SNAPSHOT_DIR",
    "cache.dir": "MARKETSHOCK_CACHE_DIR",
    "cache.enabled": "MARKETSHOCK_CACHE_ENABLED",
    **{f"watchlist.{g}": f"MARKETSHOCK_WATCHLIST_{g.upper()}" for g in WatchlistSettings.model_fields},
    "bundled.dir": "MARKETSHOCK_BUNDLED_DIR",
    **{f"report.{k}": f"MARKETSHOCK_REPORT_{k.upper()}" for k in ReportSettings.model_fields},
}
SECRET_KEYS = frozenset({"fred.api_key"})


@dataclass(frozen=True)
class LoadedSettings:
    """Effective settings, the file they were read from, and each key's origin."""

    settings: Settings
    path: Path
    file_exists: bool
    origins: dict[str, str]  # dotted key -> "default" | "file" | "environment"


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME) / "config.toml"


def config_path(explicit: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if explicit:
        return _expanded(explicit, "--config")
    if environ.get(CONFIG_ENV):
        return _expanded(environ[CONFIG_ENV], CONFIG_ENV)
    return default_config_path()


def _expanded(path: str | Path, source: str) -> Path:
    """`~` and `~user` expanded; a user with no home directory (`~0`) is a ConfigError, not a
    RuntimeError from pathlib."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        user = str(path).split("/")[0]
        raise ConfigError(f"config file {path} (from {source}): no home directory for {user}") from None


def _is_config_file(path: Path, source: str | None) -> bool:
    """Whether there is a config file to read at `path` (`source`: the option or variable that
    named it). A directory, a FIFO or a device there, or a path that cannot even be looked at
    (too long, no permission), is a ConfigError; a missing file is for the caller to judge."""
    named = f"config file {shown_path(path)}" + (f" (from {source})" if source else "")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as error:
        if error.errno == errno.ENOTDIR:  # a parent is a file: no config there either
            return False
        raise ConfigError(f"{named}: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise ConfigError(f"{named} is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{named} is not a regular file")  # a FIFO would block the read forever
    return True


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for p in parents:
        tree = tree.setdefault(p, {})
    tree[leaf] = value


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_leaves(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def keys(model: type[BaseModel] = Settings, prefix: str = "") -> list[str]:
    """Every dotted key of the settings (`http.timeout`, ..., `alerts`), in the models' order:
    the leaves of `Settings().model_dump()`, found from the fields alone."""
    out: list[str] = []
    for name, field in model.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            out += keys(section, f"{prefix}{name}.")
        else:
            out.append(f"{prefix}{name}")
    return out


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"].lower()
    return f"{key}: {message}"


def load(explicit: str | Path | None = None, environ: Mapping[str, str] | None = None) -> LoadedSettings:
    """Read the config file (if it exists) and the environment into validated settings."""
    environ = os.environ if environ is None else environ
    path = config_path(explicit, environ)
    tree: dict[str, Any] = {}
    exists = _is_config_file(path, "--config" if explicit else CONFIG_ENV if environ.get(CONFIG_ENV) else None)
    if explicit and not exists:
        raise ConfigError(f"config file {shown_path(path)} does not exist")
    if exists:
        import tomllib  # only a run with a config file parses TOML (about 2 ms of imports)

        try:
            tree = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{shown_path(path)}: cannot read: {getattr(error, 'strerror', None) or error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{shown_path(path)}: invalid TOML: {error}") from None
        except RecursionError:  # tomllib recurses once per nesting level
            raise ConfigError(f"{shown_path(path)}: invalid TOML: nested too deeply") from None
        try:
            Settings.model_validate(tree)
        except ValidationError as error:
            raise ConfigError(f"{path}: {_describe(error)}") from None
    origins = {key: "file" for key in _leaves(tree)}
    for key, name in ENVIRONMENT.items():
        if name in environ:
            _set(tree, key, environ[name])
            origins[key] = "environment"
    try:
        settings = Settings.model_validate(tree) if tree else Settings.defaults()
    except ValidationError as error:
        loc = [str(p) for p in error.errors()[0]["loc"]]
        # The variable that set the key, or the one that set the list an item of it is in.
        key = next((".".join(loc[:n]) for n in range(len(loc), 0, -1) if ".".join(loc[:n]) in ENVIRONMENT), "")
        raise ConfigError(f"environment variable {ENVIRONMENT.get(key, '.'.join(loc))}: {_describe(error)}") from None
    for key in keys():
        origins.setdefault(key, "default")
    if settings.fred.api_key is not None:
        add_secret(settings.fred.api_key.get_secret_value())  # masked from here on, wherever it turns up
    return LoadedSettings(settings=settings, path=path, file_exists=exists, origins=origins)


# --- `config init` and config.example.toml --------------------------------------

# What a commented-out line shows for a key whose default is "not set".
_EXAMPLES: dict[str, str | float] = {
    "http.deadline": 64.0,
    "fred.api_key": "your-32-character-fred-api-key",
    "sec.user_agent": "Your Name you@example.com",
    "snapshot.dir": "~/marketshock/snapshots",
    "cache.dir": "~/.cache/marketshock",
    "providers.fred.api_base_url": "https://api.stlouisfed.org",
    "providers.sec.files_base_url": "https://www.sec.gov",
    "curated.capex_file": "~/marketshock/my_capex.csv",
    "curated.job_cuts_file": "~/marketshock/my_job_cuts.csv",
    "curated.etf_flows_file": "~/marketshock/my_etf_flows.csv",
    "curated.market_cap_file": "~/marketshock/my_market_cap.csv",
    "bundled.dir": "~/marketshock/my_dataset",
}
_HEADER = """\
# marketshock configuration, written by `marketshock config init` from the built-in defaults.
# Every key is optional: delete a line to get the default back. The MARKETSHOCK_* environment
# variable named beside a key overrides it. `marketshock config show` prints the effective
# settings and where each came from. Keep this file private if you put an API key in it.
"""


def _example(dotted: str) -> Any:
    """What a commented-out line shows for an unset key: the watchlist's defaults come from the
    instrument table, the rest from _EXAMPLES."""
    section, _, group = dotted.partition(".")
    if section == "watchlist":
        from marketshock import instruments

        return list(instruments.load().defaults(group))
    return _EXAMPLES.get(dotted, "")


def template() -> str:
    """A commented config holding every default, in TOML written by tomli-w.

    The same text is `config init`'s output and the repository's config.example.toml.
    """
    import tomli_w

    lines = [_HEADER.rstrip("\n")]

    def section(model: BaseModel, prefix: str) -> None:
        fields = type(model).model_fields
        leaves = [name for name in fields if not isinstance(getattr(model, name), BaseModel)]
        if leaves:
            lines.append(f"\n[{prefix}]")
        for name in leaves:
            dotted = f"{prefix}.{name}"
            about = fields[name].description or ""
            env = ENVIRONMENT.get(dotted)
            lines.append(f"# {about} ({env})" if env else f"# {about}")
            value = getattr(model, name)
            if value is None:
                example = tomli_w.dumps({name: _example(dotted)}).strip()
                lines.extend(f"# {line}" for line in example.splitlines())
            else:
                lines.append(tomli_w.dumps({name: value}).strip())
        for name in fields:
            child = getattr(model, name)
            if isinstance(child, BaseModel):
                section(child, f"{prefix}.{name}")

    defaults = Settings()
    for name in Settings.model_fields:
        if isinstance(getattr(defaults, name), BaseModel):
            section(getattr(defaults, name), name)
    lines.append(_ALERTS_EXAMPLE.rstrip("\n"))
    return "\n".join(lines) + "\n"


_ALERTS_EXAMPLE = """
# Alert rules: `marketshock alerts` prints the ones that fire (exit 5); `snapshot` checks them after
# writing and sends each rule's notifications at most once per as-of date. `when` uses the metric
# paths of `marketshock history --list`, < <= > >= == !=, numbers, and, or, parentheses, and
# shock.max_abs_zscore (the day's largest |z-score|). `notify` takes apprise URLs (mailto://, slack://,
# tgram://, ntfys://, discord://, json:// for a plain JSON webhook, ...). One [[alerts]] table a rule:
# [[alerts]]
# name = "btc-crash"
# when = "crypto.BTC.change_1d_pct <= -10 or shock.max_abs_zscore >= 4"
# notify = ["ntfys://ntfy.sh/my-topic"]
"""
