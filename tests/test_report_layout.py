"""The report as it reads (issue 13): the news first, a brief, one line a headline on a pipe,
one compact legend of sources, and a pager only where a person reads."""

from __future__ import annotations

import pytest

from harness import invoke
from marketshock import present

HEADER = "marketshock report: as of 2026-02-06, bundled dataset (--offline)"


def piped(*args: str, columns: int | None = None, env: dict[str, str] | None = None) -> list[str]:
    """stdout lines of `marketshock ARGS` written to a pipe (in process), COLUMNS as given."""
    environ = {"COLUMNS": str(columns)} if columns else {}
    run = invoke(*args, env={**environ, **(env or {})})
    assert run.code == 0, run.err
    return run.out.splitlines()


@pytest.fixture(scope="module")
def report_80() -> list[str]:
    return piped("report", "--offline", columns=80)


def test_the_first_line_says_what_and_when(report_80):
    assert report_80[0] == HEADER


def test_the_first_24_lines_hold_the_header_and_every_headline(report_80):
    headlines = [line for line in report_80 if line.startswith("- ")]
    assert 0 < len(headlines) <= 6
    assert set(headlines) <= set(report_80[:24])


def test_the_report_at_80_columns_is_under_150_lines(report_80):
    assert len(report_80) < 150


def test_a_pipe_gets_each_headline_on_one_line_whatever_the_width(report_80):
    bitcoin = next(line for line in report_80 if line.startswith("- Bitcoin"))
    assert len(bitcoin) > 80
    assert bitcoin.endswith("worst week since 2024-08-05")


def test_sources_are_one_compact_legend_at_the_end(report_80):
    legend = report_80[report_80.index("Sources (full references: -v, --json):") :]
    assert legend[1].startswith("[1] ")
    assert legend == report_80[-len(legend) :]
    text = "\n".join(report_80)
    assert "https://" not in text
    assert "56e053be2c81d2747028d7daa98ac5c1077fea51" not in text  # the data's commit: -v and --json say it


def test_verbose_keeps_every_reference(report_80):
    text = "\n".join(piped("-v", "report", "--offline", columns=200))
    assert "56e053be2c81d2747028d7daa98ac5c1077fea51" in text
    assert "https://fred.stlouisfed.org/series/ICSA" in text


def test_brief_is_the_header_and_the_headlines_in_at_most_10_lines():
    brief = piped("report", "--offline", "--brief")
    assert brief[0] == HEADER
    assert all(line.startswith("- ") for line in brief[1:])
    assert 1 < len(brief) <= 10


def test_a_pipe_is_never_paged():
    assert piped("report", "--offline", "--brief", env={"MARKETSHOCK_PAGER": "false"})[0] == HEADER


def test_each_data_command_opens_with_its_header():
    assert piped("crypto", "--offline")[0] == "marketshock crypto: as of 2026-02-06, bundled dataset (--offline)"


@pytest.mark.parametrize(
    ("environ", "pager"),
    [
        ({"MARKETSHOCK_PAGER": "most", "PAGER": "more"}, "most"),
        ({"PAGER": "more"}, "more"),
        ({}, "less -FRX"),
    ],
    ids=["MARKETSHOCK_PAGER", "PAGER", "default"],
)
def test_the_pager_is_chosen_the_way_git_chooses_it(monkeypatch, environ, pager):
    for name in ("MARKETSHOCK_PAGER", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert present.pager_command() == pager
