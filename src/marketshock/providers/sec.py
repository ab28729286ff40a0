"""SEC EDGAR: tickers to CIKs (`/files/company_tickers.json`) and capex actuals from the XBRL
company-concept API (`/api/xbrl/companyconcept/CIK##########/us-gaap/{concept}.json`).

Capex is filed under more than one concept over the years and across companies (Amazon uses
PaymentsToAcquireProductiveAssets), so the pick is the latest full-year fact across all the
synonym concepts, never the first concept that has any fact: a 10-K, fiscal period FY, a
period of about a year, filed on or before the as-of date (a fiscal year filed in July is not
known in February). When one period was filed more than once (a later 10-K repeats it as the
prior year, possibly restated), the latest filing known on the as-of date wins.

The SEC requires a User-Agent that names the requester and a contact. It comes from
`sec.user_agent` or MARKETSHOCK_SEC_USER_AGENT; without it no request is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from marketshock.analytics import SESSION_CLOSES, SESSION_OPENS
from marketshock.errors import BadResponse, MissingSetting, NoDataError, UnknownSymbolError
from marketshock.providers.http import RequestSpec, json_body

PROVIDER = "sec"
CAPEX_CONCEPTS = ("PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets")
ANNUAL_FORMS = ("10-K", "10-K/A", "10-KT")
# CIKs never change: for the default companies the ticker map is not needed, which takes a
# round trip off the critical path (taken from company_tickers.json of 2026-02-01).
KNOWN_CIKS = {"AMZN": 1018724, "GOOGL": 1652044, "MSFT": 789019, "META": 1326801, "QCOM": 804328}
MISSING_USER_AGENT = (
    "the SEC requires a User-Agent with a contact: set MARKETSHOCK_SEC_USER_AGENT='Your Name you@example.com' "
    "or sec.user_agent in the config file"
)


@dataclass(frozen=True)
class Company:
    ticker: str
    cik: int
    title: str


@dataclass(frozen=True)
class CapexFact:
    concept: str
    value_usd: float
    start: dt.date
    end: dt.date
    fiscal_year: int
    form: str
    filed: dt.date
    accession: str


def headers(user_agent: str | None, dataset: str) -> dict[str, str]:
    if not user_agent or not user_agent.strip():
        raise MissingSetting(PROVIDER, dataset, MISSING_USER_AGENT)
    return {"User-Agent": user_agent.strip()}


def tickers_request(files_base_url: str, user_agent: str | None, *, ttl: float) -> RequestSpec:
    dataset = "ticker map"
    return RequestSpec(
        PROVIDER,
        dataset,
        f"{files_base_url.rstrip('/')}/files/company_tickers.json",
        headers=headers(user_agent, dataset),
        ttl=ttl,
    )


def parse_tickers(text: str) -> dict[str, Company]:
    dataset = "ticker map"
    body = json_body(PROVIDER, dataset, text)
    if not isinstance(body, dict):
        raise BadResponse(PROVIDER, dataset, "expected an object of companies")
    if not body:
        raise NoDataError(PROVIDER, dataset, "the ticker map is empty")
    companies: dict[str, Company] = {}
    for key, item in body.items():
        if not isinstance(item, dict) or not isinstance(item.get("cik_str"), int) or not item.get("ticker"):
            raise BadResponse(PROVIDER, dataset, f"entry {key!r} lacks `cik_str` or `ticker`")
        ticker = str(item["ticker"]).upper()
        companies.setdefault(ticker, Company(ticker, item["cik_str"], str(item.get("title", ""))))
    return companies


def company(companies: dict[str, Company], ticker: str) -> Company:
    found = companies.get(ticker.upper())
    if found is None:
        raise UnknownSymbolError(PROVIDER, "capex", f"ticker {ticker!r} is not in the SEC's ticker map")
    return found


def concept_request(cik: int, concept: str, base_url: str, user_agent: str | None, *, ttl: float) -> RequestSpec:
    dataset = f"CIK{cik:010d} {concept}"
    return RequestSpec(
        PROVIDER,
        dataset,
        f"{base_url.rstrip('/')}/api/xbrl/companyconcept/CIK{cik:010d}/us-gaap/{concept}.json",
        headers=headers(user_agent, dataset),
        ttl=ttl,
        empty_on=(404,),  # the company never filed under this concept: an answer, cached like one
    )


def _usd_entries(body: Any, concept: str, dataset: str) -> list[dict[str, Any]]:
    """The USD entries of `concept` from a company-concept body or a company-facts body."""
    if not isinstance(body, dict):
        raise BadResponse(PROVIDER, dataset, "expected a JSON object")
    if "units" in body:
        if body.get("tag") not in (None, concept):
            raise BadResponse(PROVIDER, dataset, f"the body is for concept {body.get('tag')!r}, asked for {concept!r}")
        units = body["units"]
    elif isinstance(body.get("facts"), dict):
        units = body["facts"].get("us-gaap", {}).get(concept, {}).get("units", {})
    else:
        raise BadResponse(PROVIDER, dataset, "neither `units` (company concept) nor `facts` (company facts)")
    if not isinstance(units, dict):
        raise BadResponse(PROVIDER, dataset, "`units` is not an object")
    entries = units.get("USD", [])
    if not isinstance(entries, list):
        raise BadResponse(PROVIDER, dataset, "`units.USD` is not a list")
    return entries


def _date(entry: dict[str, Any], field: str, dataset: str) -> dt.date:
    try:
        return dt.date.fromisoformat(entry[field])
    except (KeyError, TypeError, ValueError):
        raise BadResponse(PROVIDER, dataset, f"a fact's `{field}` is missing or not a date") from None


def annual_facts(text: str, concept: str, *, dataset: str) -> list[CapexFact]:
    """Every full-year 10-K fact of `concept` in a body (company concept or company facts);
    an empty body (a 404: never filed under this concept) has none."""
    if text == "":
        return []
    facts = []
    for entry in _usd_entries(json_body(PROVIDER, dataset, text), concept, dataset):
        if not isinstance(entry, dict):
            raise BadResponse(PROVIDER, dataset, "a fact is not an object")
        if entry.get("form") not in ANNUAL_FORMS or entry.get("fp") != "FY" or "start" not in entry:
            continue
        start, end = _date(entry, "start", dataset), _date(entry, "end", dataset)
        if not 350 <= (end - start).days <= 380:
            continue  # a quarter or a trailing period inside an annual report
        value = entry.get("val")
        if not isinstance(value, int | float):
            raise BadResponse(PROVIDER, dataset, f"the fact for {end} has no numeric `val`")
        facts.append(
            CapexFact(
                concept=concept,
                value_usd=float(value),
                start=start,
                end=end,
                fiscal_year=int(entry.get("fy") or end.year),
                form=str(entry["form"]),
                filed=_date(entry, "filed", dataset),
                accession=str(entry.get("accn", "")),
            )
        )
    return facts


def latest_annual(facts: list[CapexFact], as_of: dt.date, *, ticker: str) -> CapexFact:
    """The latest full fiscal year known on `as_of`, across concepts, in its latest filing then.
    Its fiscal year is the `fy` of the first 10-K that reported the period (later 10-Ks repeat
    it as a prior year under their own `fy`)."""
    known = [f for f in facts if f.filed <= as_of]
    if not known:
        raise NoDataError(PROVIDER, f"{ticker} capex", f"no full-year 10-K capex fact filed on or before {as_of}")
    end = max(f.end for f in known)
    same_period = [f for f in known if f.end == end]
    first = min(same_period, key=lambda f: f.filed)
    latest = max(same_period, key=lambda f: (f.filed, f.concept == CAPEX_CONCEPTS[0]))
    return CapexFact(**{**latest.__dict__, "fiscal_year": first.fiscal_year})


# --- earnings releases: the submissions API -------------------------------------------------------

EARNINGS_ITEM = "2.02"  # Form 8-K Item 2.02, Results of Operations and Financial Condition
EARNINGS_FORMS = ("8-K", "8-K/A")
NEW_YORK = ZoneInfo("America/New_York")
# EDGAR accepts filings 06:00-22:00 New York time on business days: a reading of the clock
# outside those hours is not the filing's.
EDGAR_OPENS, EDGAR_CLOSES = dt.time(6, 0), dt.time(22, 0)


@dataclass(frozen=True)
class EarningsRelease:
    """One 8-K with Item 2.02, as the submissions API lists it.

    `accepted_at` is aware, in New York time; `clock` says how EDGAR's `acceptanceDateTime`
    was read (see `accepted_clock`). `url` is the filing's index page on www.sec.gov."""

    cik: int
    accession: str
    form: str
    items: tuple[str, ...]
    filed: dt.date
    accepted_at: dt.datetime
    clock: str
    url: str
    row: int = 0  # its index in `filings.recent` (EDGAR lists newest first)
    skipped: tuple[str, ...] = ()  # accessions of 2.02 filings with an unreadable date, passed over


@dataclass(frozen=True)
class Unreadable:
    """An 8-K (or 8-K/A) with Item 2.02 whose `acceptanceDateTime` or `filingDate` is no
    timestamp: skipped, unless it may be the latest release (see `latest_release`).
    `filed` is None when the filing date itself is unreadable."""

    accession: str
    form: str
    filed: dt.date | None
    row: int


@dataclass(frozen=True)
class Releases:
    """What a submissions body says about a company's earnings releases: the readable ones,
    oldest first, and the 2.02 filings whose dates could not be read."""

    releases: list[EarningsRelease]
    unreadable: tuple[Unreadable, ...] = ()
    recent_from: dt.date | None = None  # the oldest filing date in `filings.recent`
    older_files: tuple[str, ...] = ()  # `filings.files` names: older filings, not read


def submissions_request(cik: int, base_url: str, user_agent: str | None, *, ttl: float) -> RequestSpec:
    """Step one for a company's filing history: `/submissions/CIK##########.json` on data.sec.gov."""
    dataset = f"CIK{cik:010d} submissions"
    return RequestSpec(
        PROVIDER,
        dataset,
        f"{base_url.rstrip('/')}/submissions/CIK{cik:010d}.json",
        headers=headers(user_agent, dataset),
        ttl=ttl,
        empty_on=(404,),  # EDGAR has no submissions file for this CIK: no filings, cached like an answer
    )


def _session_part(at: dt.datetime) -> str:
    clock = at.timetz().replace(tzinfo=None)
    if clock < SESSION_OPENS:
        return "before open"
    return "during session" if clock < SESSION_CLOSES else "after close"


def accepted_clock(raw: str) -> tuple[dt.datetime, str]:
    """EDGAR's `acceptanceDateTime` ("2026-02-05T16:05:12.000Z") as an aware New York time,
    and how it was read.

    The trailing Z is not reliable: for some filers the value is UTC, for others it is the New
    York clock with a Z appended (edgartools issue #557 shows one of each from the same week;
    finagg issue #64 reports it holds per filer), and nothing in the string says which. So both
    readings are made: one that falls outside EDGAR's hours (06:00-22:00 New York) is not the
    filing's; when both are possible and one puts the release inside the regular session and the
    other outside it, the one outside wins (companies release earnings outside the session: the
    exchanges ask them to). Else the UTC reading, as the format says. Raises ValueError on a
    value that is no timestamp."""
    stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    naive = stamp.replace(tzinfo=None)
    as_utc = naive.replace(tzinfo=dt.UTC).astimezone(NEW_YORK)
    as_new_york = naive.replace(tzinfo=NEW_YORK)

    def open_hours(at: dt.datetime) -> bool:
        return EDGAR_OPENS <= at.timetz().replace(tzinfo=None) <= EDGAR_CLOSES

    utc_ok, ny_ok = open_hours(as_utc), open_hours(as_new_york)
    if utc_ok and not ny_ok:
        return as_utc, "UTC, as marked (the New York reading falls outside EDGAR's hours)"
    if ny_ok and not utc_ok:
        return as_new_york, "New York time marked Z (the UTC reading falls outside EDGAR's hours)"
    utc_part, ny_part = _session_part(as_utc), _session_part(as_new_york)
    if utc_part == ny_part:
        return as_utc, "UTC, as marked (either reading gives the same session)"
    if utc_part == "during session":
        return (
            as_new_york,
            "New York time marked Z (read as UTC it would fall during the session)",
        )
    if ny_part == "during session":
        return as_utc, "UTC, as marked (read as New York time it would fall during the session)"
    return as_utc, "UTC, as marked"


def _columns(recent: dict[str, Any], dataset: str) -> dict[str, list[Any]]:
    needed = ("accessionNumber", "filingDate", "acceptanceDateTime", "form", "items")
    cols: dict[str, list[Any]] = {}
    for name in needed:
        column = recent.get(name)
        if not isinstance(column, list):
            raise BadResponse(PROVIDER, dataset, f"`filings.recent.{name}` is missing or not a list")
        cols[name] = column
    if len({len(c) for c in cols.values()}) != 1:
        raise BadResponse(PROVIDER, dataset, "the columns of `filings.recent` differ in length")
    return cols


def parse_earnings_releases(text: str, *, cik: int, dataset: str) -> list[EarningsRelease]:
    """The readable releases of `parse_submissions`, oldest first."""
    return parse_submissions(text, cik=cik, dataset=dataset).releases


def _filed(raw: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def parse_submissions(text: str, *, cik: int, dataset: str) -> Releases:
    """Step three for the submissions API: every 8-K (or 8-K/A) in `filings.recent` whose
    `items` include 2.02, oldest first. The body is columnar: `filings.recent` holds parallel
    lists (`accessionNumber`, `filingDate`, `acceptanceDateTime`, `form`, `items`, ...), one
    element a filing. Older filings, in `filings.files`, are not read: the recent list holds at
    least the last year, enough for the latest release; when the as-of date is older, the answer
    says which files were not read (`older_files`, `recent_from`). A filing whose date is no timestamp is
    set aside (`unreadable`), not a reason to drop the others. Raises BadResponse on another shape."""
    if text == "":
        return Releases([])  # a 404: no submissions file
    body = json_body(PROVIDER, dataset, text)
    if not isinstance(body, dict) or not isinstance(body.get("filings"), dict):
        raise BadResponse(PROVIDER, dataset, "expected an object with `filings`")
    recent = body["filings"].get("recent")
    if not isinstance(recent, dict):
        raise BadResponse(PROVIDER, dataset, "`filings.recent` is missing")
    cols = _columns(recent, dataset)
    releases, unreadable = [], []
    for i, form in enumerate(cols["form"]):
        items = tuple(s.strip() for s in str(cols["items"][i] or "").split(",") if s.strip())
        if form not in EARNINGS_FORMS or EARNINGS_ITEM not in items:
            continue
        accession = str(cols["accessionNumber"][i])
        filed = _filed(cols["filingDate"][i])
        try:
            accepted, clock = accepted_clock(str(cols["acceptanceDateTime"][i]))
        except ValueError:
            accepted = None
        if accepted is None or filed is None:
            unreadable.append(Unreadable(accession, str(form), filed, i))
            continue
        folder = accession.replace("-", "")
        releases.append(
            EarningsRelease(
                cik=cik,
                accession=accession,
                form=str(form),
                items=items,
                filed=filed,
                accepted_at=accepted,
                clock=clock,
                url=f"https://www.sec.gov/Archives/edgar/data/{cik}/{folder}/{accession}-index.htm",
                row=i,
            )
        )
    files = body["filings"].get("files") or []
    older = tuple(str(f.get("name", "")) for f in files if isinstance(f, dict)) if isinstance(files, list) else ()
    dates = [d for d in map(_filed, cols["filingDate"]) if d is not None]
    return Releases(
        sorted(releases, key=lambda r: r.accepted_at),
        tuple(unreadable),
        recent_from=min(dates) if dates else None,
        older_files=older,
    )


def latest_release(found: Releases | list[EarningsRelease], as_of: dt.date, *, ticker: str) -> EarningsRelease:
    """The last original 8-K with Item 2.02 accepted on or before `as_of` (New York date): an
    8-K/A amends a release days or weeks later (a corrected exhibit), it is not the news the
    market reacted to, so it is taken only when no original 8-K is known then (its `form`
    says so). Releases oldest first.

    A filing with an unreadable date is passed over (listed in the answer's `skipped`) unless
    it may be the latest release itself: listed above the pick, filed (as far as can be told)
    by `as_of`, and of the form that would be picked. Then BadResponse, as nothing else can be
    said for sure. NoDataError when there is no release (saying that the older filings, listed
    in `filings.files`, were not read when there are any)."""
    if not isinstance(found, Releases):
        found = Releases(found)
    releases, unreadable = found.releases, found.unreadable
    dataset = f"{ticker} earnings release"
    known = [r for r in releases if r.accepted_at.date() <= as_of]
    originals = [r for r in known if r.form == "8-K"]
    pick = (originals or known)[-1] if known else None
    maybe_known = [bad for bad in unreadable if bad.filed is None or bad.filed <= as_of]
    for bad in maybe_known:
        if pick is None or (bad.row < pick.row and (bad.form == "8-K" or pick.form != "8-K")):
            raise BadResponse(PROVIDER, dataset, f"filing {bad.accession}: a date is not ISO 8601")
    if pick is None and found.older_files:
        # The recent list stops at `recent_from`: before it, nothing was read, so nothing is claimed.
        since = f" (from {found.recent_from})" if found.recent_from else ""
        cause = f"no 8-K with Item 2.02 by {as_of} among the recent filings{since}; older filings not read"
        raise NoDataError(PROVIDER, dataset, cause)
    if pick is None:
        raise NoDataError(PROVIDER, dataset, f"no 8-K with Item 2.02 accepted on or before {as_of}")
    return replace(pick, skipped=tuple(bad.accession for bad in maybe_known))
