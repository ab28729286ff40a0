"""Exit codes and partial failure, through `cli.main()` in this process: a section whose data
fails is reported (a line on stderr, an entry in the JSON's `errors`) while the others print;
0 when everything was produced, 3 when part was, 1 when nothing was."""

from __future__ import annotations

import json
import sys

import pytest

from marketshock import cli, present, runner
from marketshock.errors import ProviderError
from marketshock.providers import bundled


class Timeout(ProviderError):
    kind = "timeout"


class BrokenData(bundled.BundledData):
    """The bundled data with chosen datasets failing the way a live provider fails."""

    def __init__(self, *failing: str) -> None:
        self.failing = set(failing)

    def __getattribute__(self, name):
        if name in object.__getattribute__(self, "failing"):

            async def fail(*args, **kwargs):
                raise Timeout("testprovider", name, "timed out after 0.5 s")

            return fail
        return super().__getattribute__(name)


@pytest.fixture
def main(monkeypatch, capsys):
    """Run `marketshock ARGS` in this process on data with the given datasets failing."""

    def run(*args: str, failing: tuple[str, ...] = ()) -> tuple[int, str, str]:
        def broken_source(request, settings, universe=None):
            return BrokenData(*failing), bundled.DEFAULT_AS_OF

        monkeypatch.setattr(runner, "data_source", broken_source)
        # --offline: the bundled universe, the one BrokenData (the bundled data) can serve.
        monkeypatch.setattr(sys, "argv", ["marketshock", "--offline", *args])
        with pytest.raises(SystemExit) as exit_:
            cli.main()
        out, err = capsys.readouterr()
        return exit_.value.code, out, err

    return run


def test_everything_produced_exits_0(main):
    code, out, err = main("labor", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["errors"] == []


def test_a_failing_section_leaves_the_others_and_exits_3(main):
    # The price histories fail however they are read: whole (crypto) or as closes (index rows, shock).
    code, out, err = main("report", "--json", failing=("price_history", "daily_closes"))
    assert code == 3
    envelope = json.loads(out)
    assert envelope["data"]["crypto"] is None
    assert envelope["data"]["labor"]["job_cuts"]["value"] == 108435  # the rest is there
    crypto_errors = [e for e in envelope["errors"] if e["section"] == "crypto"]
    assert [(e["provider"], e["kind"]) for e in crypto_errors] == [("testprovider", "timeout")]
    # Indices lose their ETF rows (price histories) but keep the curated KOSPI and MSCI rows.
    assert [r["symbol"] for r in envelope["data"]["indices"]["indices"]] == ["KOSPI", "MSCI-APXJ"]
    assert all(line.startswith("marketshock: ") for line in err.splitlines())
    assert "timed out" in err


def test_a_failing_part_of_a_section_is_listed_while_the_section_prints(main):
    code, out, err = main("labor", "--json", failing=("job_cuts",))
    assert code == 3
    envelope = json.loads(out)
    assert envelope["data"]["job_cuts"] is None
    assert envelope["data"]["claims"]["week_ending"] == "2026-01-31"
    (error,) = envelope["errors"]
    assert (error["section"], error["provider"], error["kind"]) == ("labor", "testprovider", "timeout")
    assert err == f"marketshock: labor: {error['message']}\n"


def test_crypto_prices_print_when_market_value_and_flows_fail(main):
    code, out, _ = main("crypto", "--json", failing=("market_cap_points", "etf_daily_flows"))
    assert code == 3
    data = json.loads(out)["data"]
    assert [a["symbol"] for a in data["assets"]] == ["BTC", "ETH"]
    assert (data["market_cap"], data["etf_flows"]) == ([], [])


def test_quiet_keeps_stderr_silent_but_the_json_still_lists_the_errors(main):
    code, out, err = main("-q", "labor", "--json", failing=("job_cuts",))
    assert (code, err) == (3, "")
    assert len(json.loads(out)["errors"]) == 1


def test_nothing_produced_exits_1_with_an_empty_envelope(main):
    code, out, err = main("crypto", "--json", failing=("price_history",))
    assert code == 1
    envelope = json.loads(out)
    assert envelope["data"] is None
    assert envelope["errors"][0]["section"] == "crypto"
    assert "Traceback" not in err


def test_a_table_run_with_a_failing_section_prints_the_rest(main):
    code, out, err = main("report", failing=("weekly_claims", "job_cuts"))
    assert code == 3
    assert "Bitcoin touched $60,074" in out
    assert "Challenger" not in out
    # One line a distinct cause: both datasets of this fake provider time out, so they share a
    # line naming both (issue 12).
    assert err.count("\n") == 1
    assert err.count("marketshock: labor: testprovider: job_cuts, weekly_claims: timed out after 0.5 s") == 1


def test_a_failure_shared_by_two_sections_is_one_stderr_line_naming_both():
    from marketshock.models.envelope import ErrorEntry

    shared = "yahoo: SPY price history: host name not found (query1.finance.yahoo.com)"
    errors = [
        ErrorEntry(section="indices", provider="yahoo", kind="network", message=shared),
        ErrorEntry(section="shock", provider="yahoo", kind="network", message=shared),
        ErrorEntry(section="labor", provider="fred", kind="network", message="fred: ICSA claims: timeout"),
    ]
    assert present.error_lines(errors) == [f"indices, shock: {shared}", "labor: fred: ICSA claims: timeout"]


def test_datasets_of_one_provider_failing_alike_share_one_stderr_line():
    from marketshock.models.envelope import ErrorEntry

    def refused(section: str, dataset: str) -> ErrorEntry:
        message = f"yahoo: {dataset}: connection refused (127.0.0.1:9)"
        return ErrorEntry(section=section, provider="yahoo", kind="network", message=message)

    errors = [
        refused("crypto", "BTC price history"),
        refused("indices", "SPY price history"),
        refused("crypto", "ETH price history"),
        ErrorEntry(section="labor", provider="fred", kind="http-status", message="fred: ICSA claims: HTTP 500"),
        ErrorEntry(section="labor", provider="fred", kind="network", message="fred: CCSA claims: connection refused"),
        ErrorEntry(section="crypto", provider=None, kind="no-data", message="no data at all"),
    ]
    assert present.error_lines(errors) == [
        "crypto, indices: yahoo: BTC price history, SPY price history, ETH price history: "
        "connection refused (127.0.0.1:9)",
        "labor: fred: ICSA claims: HTTP 500",
        "labor: fred: CCSA claims: connection refused",
        "crypto: no data at all",
    ]
