"""`sources`: where each dataset comes from, how good its sources are, whether credentials are
set, how old the cache is.

Credentials are reported as set or not set, never shown. The cache's age is the age
of the newest file under `<cache dir>/<provider>/`, the layout the HTTP cache uses.
Each bundled dataset is listed with its provider, the quality of its curated figures' sources
(primary, secondary, aggregator: see the data's NOTICE.md), the days it covers and its rows;
`--json` prints the same for scripts that audit what they rely on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from marketshock.app import Json, NoColor, also_after, app

if TYPE_CHECKING:
    from marketshock.config import Settings
    from marketshock.models.series import Quality, Source
    from marketshock.models.sources import DatasetSource, ProviderSource, QualityCounts

# What each live provider serves (the mission's provider table) and what it needs.
LIVE_PROVIDERS: dict[str, str] = {
    "yahoo": "index levels, stock and ETF prices, after-hours moves, crypto daily history (BTC-USD, ETH-USD)",
    "coingecko": "total crypto market value, current crypto quotes",
    "coinbase": "crypto daily candles (alternative to Yahoo)",
    "fred": "weekly jobless claims (ICSA, CCSA, IC4WSA)",
    "sec": "capex actuals (EDGAR XBRL company concepts)",
    "stooq": "index levels and stock prices as CSV (alternative to Yahoo)",
}


def newest_file_time(directory: Path) -> dt.datetime | None:
    """Modification time of the newest file under `directory` (any depth); None when there is none."""
    newest: float | None = None
    if not directory.is_dir():
        return None
    for path in directory.rglob("*"):
        try:
            if path.is_file():
                mtime = path.stat().st_mtime
                newest = mtime if newest is None or mtime > newest else newest
        except OSError:  # removed while we looked: another process pruning the cache
            continue
    return None if newest is None else dt.datetime.fromtimestamp(newest, dt.UTC)


def age_text(then: dt.datetime | None, now: dt.datetime) -> str:
    if then is None:
        return "empty"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds}s old"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m old"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m old"
    return f"{hours // 24}d old"


def credentials(provider: str, settings: Settings) -> str:
    """Whether what a provider needs is configured: never the value itself."""
    if provider == "fred":
        return "API key set" if settings.fred.api_key else "no API key (keyless fredgraph.csv)"
    if provider == "sec":
        return "User-Agent set" if settings.sec.user_agent else "no User-Agent (required by the SEC)"
    return "none needed"


def bundled_datasets(directory: str | None = None) -> str:
    from marketshock import instruments
    from marketshock.providers import bundled

    table = instruments.load(directory)
    daily, sessions, moves = (", ".join(r.symbol for r in table.bundled(form)) for form in instruments.FORMS)
    capex = ", ".join(bundled.load_capex(directory))
    return (
        f"daily prices ({daily}); index closes ({sessions}); index moves ({moves}); "
        f"claims ({', '.join(bundled.CLAIMS)}); "
        f"capex ({capex}); Challenger job cuts; ETF flows; crypto market value; "
        f"{bundled.FIRST_DAY} .. {bundled.LAST_DAY}"
    )


def quality_summary(sources: Sequence[Source]) -> tuple[Quality | None, QualityCounts]:
    """The lowest quality among the figures' best sources, and how many figures have each."""
    from marketshock.models.series import QUALITIES
    from marketshock.models.sources import QualityCounts

    counts = Counter(s.quality or "unmarked" for s in sources)
    marked = [s.quality for s in sources if s.quality is not None]
    lowest = max(marked, key=QUALITIES.index) if marked else None
    return lowest, QualityCounts(
        primary=counts["primary"],
        secondary=counts["secondary"],
        aggregator=counts["aggregator"],
        unmarked=counts["unmarked"],
        aggregator_only=sum(1 for s in sources if s.aggregator_only),
    )


def dataset_sources(directory: str | None = None) -> list[DatasetSource]:
    """Every bundled dataset (the package's, or those of the `bundled.dir` setting): provider,
    quality of its sources, the days it covers and its rows."""
    from marketshock import instruments
    from marketshock.models.sources import DatasetSource
    from marketshock.providers import bundled

    out: list[DatasetSource] = []

    def curated(name: str, files: list[str], sources: Sequence[Source], dates: Sequence[dt.date], rows: int) -> None:
        quality, counts = quality_summary(sources)
        providers = ", ".join(dict.fromkeys(s.provider for s in sources)) or "curated"
        out.append(
            DatasetSource(
                dataset=name,
                files=files,
                provider=providers,
                curated=True,
                quality=quality,
                quality_counts=counts,
                first=min(dates, default=None),
                last=max(dates, default=None),
                rows=rows,
                reference="a source on each figure",
            )
        )

    def series(name: str, files: list[str], source: Source, dates: Sequence[dt.date]) -> None:
        out.append(
            DatasetSource(
                dataset=name,
                files=files,
                provider=source.provider,
                curated=False,
                quality=source.quality,
                quality_counts=None,
                first=min(dates, default=None),
                last=max(dates, default=None),
                rows=len(dates),
                reference=source.reference,
            )
        )

    table = instruments.load(directory)
    for spec in table.bundled("bars"):
        closes = bundled.load_daily_closes(spec.symbol, directory)
        proxy = f", {spec.proxy_for} proxy" if spec.proxy_for else ""
        series(f"{spec.symbol} daily bars{proxy}", [spec.file or ""], closes.source, closes.dates)
    for spec in table.bundled("sessions"):
        sessions = bundled.load_index_sessions(spec.symbol, directory).sessions
        dates = [s.date for s in sessions]
        curated(f"{spec.symbol} closes", [spec.file or ""], [s.source for s in sessions], dates, len(sessions))
    for spec in table.bundled("moves"):
        moves = bundled.load_index_moves(spec.symbol, directory).moves
        curated(
            f"{spec.symbol} day moves",
            [spec.file or ""],
            [m.source for m in moves],
            [m.date for m in moves],
            len(moves),
        )
    for series_id, (file, name) in bundled.CLAIMS.items():
        weekly = bundled.load_weekly_claims(series_id, directory)
        series(
            f"{name} ({series_id}), {weekly.vintage}",
            [file],
            weekly.source,
            weekly.weeks,
        )
    prints = bundled.load_claims_first_prints(directory)
    curated(
        "jobless claims as first printed",
        ["claims_first_print.csv"],
        [c.source for c in prints],
        [c.week_ending for c in prints],
        len(prints),
    )
    cuts = bundled.load_job_cuts(directory).values
    curated(
        "Challenger job cuts",
        ["challenger_january_job_cuts_curated.csv", "challenger_other_months_curated.csv"],
        [v.source for v in cuts],
        [dt.date(v.year, v.month, 1) for v in cuts],
        len(cuts),
    )
    capex = bundled.load_capex(directory).values()
    figures = [s for r in capex for s in (r.capex_actual_source, r.guidance_source, r.reaction_source) if s]
    reports = [r.report_date for r in capex if r.report_date]  # a curated row always has its report's
    curated("capex and reactions", ["capex_curated.csv"], figures, reports, len(capex))
    for flows, file in zip(
        bundled.load_etf_daily_flows(directory),
        ("farside_btc_etf_total_daily.csv", "farside_ibit_daily.csv"),
        strict=True,
    ):
        series(f"ETF daily flows, {flows.scope}", [file], flows.source, list(flows.dates))
    quoted = bundled.load_etf_quoted_flows(directory)
    curated(
        "ETF monthly flows as quoted",
        ["etf_flow_quotes_curated.csv"],
        [q.source for q in quoted],
        [q.known_from for q in quoted],
        len(quoted),
    )
    points = bundled.load_market_cap_points(directory)
    curated(
        "crypto market value",
        ["crypto_market_cap_curated.csv"],
        [p.source for p in points],
        [p.date for p in points],
        len(points),
    )
    return out


def quality_text(d: DatasetSource) -> str:
    if d.quality_counts is None:
        return "the provider's series"
    c = d.quality_counts
    parts = [
        f"{n} {q}" for q, n in (("primary", c.primary), ("secondary", c.secondary), ("aggregator", c.aggregator)) if n
    ]
    if c.unmarked:
        parts.append(f"{c.unmarked} unmarked")
    alone = f" ({c.aggregator_only} on aggregators alone)" if c.aggregator_only else ""
    return ", ".join(parts) + alone


def provider_sources(settings: Settings, cache: Path, now: dt.datetime) -> list[ProviderSource]:
    from marketshock.models.sources import ProviderSource

    # Every provider the config knows, so one added there shows here too.
    return [
        ProviderSource(
            name=name,
            base_url=getattr(settings.providers, name).base_url,
            serves=LIVE_PROVIDERS.get(name, ""),
            credentials=credentials(name, settings),
            cache=age_text(newest_file_time(cache / name), now) if settings.cache.enabled else "disabled",
        )
        for name in type(settings.providers).model_fields
    ]


@app.command()
@also_after("config", "quiet", "verbose")
def sources(ctx: typer.Context, no_color: NoColor = None, json: Json = False) -> None:
    """Each provider (base URL, datasets, credentials set or not, the cache's age) and each bundled
    dataset (provider, quality of its sources, first and last day, rows)."""
    from marketshock import config, output
    from marketshock.models.sources import SourcesResult

    top = ctx.obj or {}
    loaded = config.load(top.get("config"))
    settings = loaded.settings
    now = dt.datetime.now(dt.UTC)
    from marketshock.providers.cache import cache_dir

    cache = cache_dir(settings.cache)
    if json:
        result = SourcesResult(
            providers=provider_sources(settings, cache, now), datasets=dataset_sources(settings.bundled.dir)
        )
        output.write_json(output.envelope("sources", now.date(), "bundled", result, []))
        return
    from marketshock import present, render, runner  # the table only: --json needs no Rich

    out = present.console(bool(no_color if no_color is not None else top.get("no_color")))
    universe, _ = runner.run_universe(loaded, runner.Request(command="sources"))
    for group in ("crypto", "indices", "etfs", "companies"):
        origin = "default" if group in universe.from_defaults else "watchlist"
        symbols = ", ".join(universe.symbols(group)) or "(none)"
        out.print(render.text(f"universe {group} ({origin}): {symbols}"))
    state = " (HTTP answers; parsed bundled files in columns/)" if settings.cache.enabled else " (disabled)"
    out.print(render.text(f"Cache: {cache}{state}"))
    table = render.titled_table("", out)
    for header in ("provider", "base URL", "serves", "credentials", "cache"):
        table.add_column(header, overflow="fold")
    for p in provider_sources(settings, cache, now):
        table.add_row(
            render.text(p.name),
            render.text(p.base_url),
            render.text(p.serves),
            render.text(p.credentials),
            render.text(p.cache),
        )
    table.add_row(
        render.text("bundled"),
        render.text(f"{settings.bundled.dir} (--offline)" if settings.bundled.dir else "package data (--offline)"),
        render.text(bundled_datasets(settings.bundled.dir)),
        render.text("none needed"),
        render.text("n/a"),
    )
    out.print(table)
    datasets = render.titled_table("Bundled datasets and the quality of their sources", out)
    for header in ("dataset", "provider", "sources' quality", "first", "last", "rows"):
        datasets.add_column(header, overflow="fold")
    for d in dataset_sources(settings.bundled.dir):
        datasets.add_row(
            render.text(d.dataset),
            render.text(d.provider),
            render.text(quality_text(d)),
            render.text(str(d.first or "n/a")),
            render.text(str(d.last or "n/a")),
            render.text(str(d.rows)),
        )
    out.print(datasets)
