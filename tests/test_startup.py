"""Start-up stays light: `marketshock --help` (and `--version`, and a command's `--help`)
import neither pandas nor httpx, nor even pydantic, Rich or asyncio: only Typer and the CLI
module. Proved on a real process with `python -X importtime`, which logs every import the
process makes, lazy ones included. No timing is asserted: `bench/startup.py` measures."""

from __future__ import annotations

import functools
import re
import sys

import pytest

from harness import PROJECT, process

HEAVY = ("pandas", "numpy", "httpx", "plotext", "matplotlib", "jinja2")
# What the data commands import lazily, once they run.
LATER = ("pydantic", "rich", "asyncio", "marketshock.runner", "marketshock.providers", "marketshock.models")
HELP_RUNS = {
    "--help": (("--help",), HEAVY + LATER),
    "--version": (("--version",), HEAVY + LATER),
    # Typer itself builds pydantic adapters for a command's parameters, even to print its help.
    "crypto --help": (("crypto", "--help"), HEAVY + tuple(p for p in LATER if p != "pydantic")),
}
CASES = [(run, package) for run, (_, packages) in HELP_RUNS.items() for package in packages]


# `-X importtime` logs the `import` statement only: a module loaded by importlib.import_module
# (the section registry's dotted paths) is missing from it. So the process also lists, on its
# way out, every module it holds.
MODULES_AT_EXIT = "modules at exit: "
RUN_AND_LIST = (
    "import atexit, runpy, sys\n"
    f"atexit.register(lambda: print({MODULES_AT_EXIT!r} + ' '.join(sorted(sys.modules)), file=sys.stderr))\n"
    "sys.argv[0] = 'marketshock'\n"
    "runpy.run_module('marketshock', run_name='__main__', alter_sys=True)\n"
)


@functools.cache
def imported_modules(*args: str) -> frozenset[str]:
    run = process(*args, argv=[sys.executable, "-X", "importtime", "-c", RUN_AND_LIST, *args])
    assert run.code == 0, run.err[-2000:]
    names = set()
    for line in run.err.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip())
        elif line.startswith(MODULES_AT_EXIT):
            names.update(line.removeprefix(MODULES_AT_EXIT).split())
    assert any(line.startswith(MODULES_AT_EXIT) for line in run.err.splitlines())  # the list was printed
    assert "marketshock.cli" in names  # the log was parsed: the CLI itself shows up
    return frozenset(names)


def loaded(names: frozenset[str], package: str) -> list[str]:
    return sorted(n for n in names if n == package or n.startswith(package + "."))


@pytest.mark.parametrize(("run", "package"), CASES, ids=[f"{r}: {p}" for r, p in CASES])
def test_help_and_version_import_nothing_heavy_nor_what_commands_need_later(run, package):
    args, _ = HELP_RUNS[run]
    assert loaded(imported_modules(*args), package) == []


def test_a_data_command_does_import_its_machinery():
    # The other side of the coin: the lazy imports happen when a command runs, so the checks
    # above do not pass because the log misses lazily imported modules.
    names = imported_modules("labor", "--offline", "--json")
    assert loaded(names, "pydantic") and "marketshock.runner" in names


def test_json_output_does_not_import_rich():
    # Scripts and cron jobs read --json: the table machinery is not their start-up cost.
    names = imported_modules("crypto", "--offline", "--json")
    assert loaded(names, "rich") == []
    assert loaded(names, "marketshock.render") == []


@pytest.mark.slow
def test_the_startup_benchmark_runs_and_reports_every_case():
    run = process(argv=[sys.executable, str(PROJECT / "bench" / "startup.py"), "--runs", "1"])
    assert run.code == 0, run.err
    for case in ("python -c pass", "marketshock --help", "marketshock crypto --offline --json"):
        assert re.search(rf"^{re.escape(case)} +\d+\.\d ms", run.out, re.MULTILINE), run.out


@pytest.mark.parametrize("command", ["report", "indices"])
def test_a_series_without_a_doubtful_day_never_imports_the_trading_calendars(command):
    # exchange_calendars costs ~0.7 s to import and up to seconds per calendar: it is asked only
    # about a row without a close or a placeholder bar, which the bundled series do not have.
    names = imported_modules(command, "--offline", "--json")
    assert loaded(names, "exchange_calendars") == [] and "marketshock.calendars" not in names


def test_chart_json_does_not_import_the_picture_libraries():
    # matplotlib (and numpy under it) and Jinja2 load only when a picture or a page is exported.
    names = imported_modules("chart", "BTC", "--offline", "--json")
    assert "marketshock.charts" in names
    assert loaded(names, "matplotlib") == loaded(names, "numpy") == loaded(names, "jinja2") == []


@pytest.fixture(scope="module")
def indexed_snapshots(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Two snapshots (saved `crypto --json` envelopes) and their metrics index."""
    import datetime as dt
    import json

    from marketshock import store

    out = tmp_path_factory.mktemp("snapshots")
    for day in (dt.date(2026, 2, 5), dt.date(2026, 2, 6)):
        doc = {"schema_version": 1, "command": "crypto", "as_of": day.isoformat(), "source": "bundled"}
        doc |= {"generated_at": f"{day}T23:30:00Z", "data": {"assets": [{"symbol": "BTC", "price": 1.5}]}}
        store.write_snapshot(out, day, json.dumps(doc))
    return str(out)


# What reading one metric from the index needs none of: the result and series models, the
# runner, the providers, asyncio, Rich (a table only without --json and --csv).
HISTORY_UNUSED = ("rich", "asyncio", "marketshock.runner", "marketshock.providers", "marketshock.render")
HISTORY_RUNS = {
    "history METRIC --csv": (("crypto.BTC.price", "--csv"), ("marketshock.models", *HISTORY_UNUSED)),
    "history --list": (("--list",), ("marketshock.models", *HISTORY_UNUSED)),
    # --json writes the envelope, so the envelope and history models, and those only.
    "history METRIC --json": (
        ("crypto.BTC.price", "--json"),
        (
            "marketshock.models.results",
            "marketshock.models.series",
            "marketshock.models.sessions",
            "marketshock.models.economic",
            "marketshock.models.capex",
            *HISTORY_UNUSED,
        ),
    ),
}


@pytest.mark.parametrize("run", HISTORY_RUNS)
def test_history_imports_only_what_reading_the_index_needs(run, indexed_snapshots):
    args, unused = HISTORY_RUNS[run]
    names = imported_modules("history", *args, "--dir", indexed_snapshots)
    assert "marketshock.metrics_index" in names
    assert {package: loaded(names, package) for package in unused} == {package: [] for package in unused}


# Every --json path writes an envelope: Rich, the table renderer, the pictures and the page are
# never its cost (nor, below, the terminal presenter's tables).
TABLE_ONLY = ("rich", "marketshock.render", "matplotlib", "jinja2")
JSON_RUNS = {
    "report": ("report", "--offline", "--json"),
    "indices": ("indices", "--offline", "--json"),
    "labor": ("labor", "--offline", "--json"),
    "shock": ("shock", "--offline", "--json"),
    "earnings-capex": ("earnings-capex", "--offline", "--json"),
    "alerts": ("alerts", "--offline", "--json"),
    "sources": ("sources", "--json"),
}


@pytest.mark.parametrize("run", JSON_RUNS)
def test_json_paths_import_no_table_or_picture_machinery(run):
    names = imported_modules(*JSON_RUNS[run])
    assert {p: loaded(names, p) for p in TABLE_ONLY} == {p: [] for p in TABLE_ONLY}


def test_diff_json_imports_no_table_machinery_nor_the_runner(indexed_snapshots):
    names = imported_modules("diff", "2026-02-05", "2026-02-06", "--dir", indexed_snapshots, "--json")
    unused = (*TABLE_ONLY, "marketshock.runner", "marketshock.providers", "asyncio")
    assert {p: loaded(names, p) for p in unused} == {p: [] for p in unused}


# A section command imports its own section and the machinery every run shares, not the other
# sections, the report's headline rules or the move statistics (the shock section's and the report's).
OTHER_SECTIONS = ("indices", "labor", "capex", "shock", "report", "compare")


def test_crypto_json_imports_no_other_section_nor_the_move_statistics():
    names = imported_modules("crypto", "--offline", "--json")
    assert "marketshock.sections.crypto" in names
    unused = [f"marketshock.sections.{s}" for s in OTHER_SECTIONS] + ["marketshock.move_stats", "marketshock.charts"]
    assert {p: loaded(names, p) for p in unused} == {p: [] for p in unused}


def test_crypto_json_builds_no_other_sections_models():
    # A pydantic model class costs about 0.3 ms to create: a section's run creates its own.
    names = imported_modules("crypto", "--offline", "--json")
    assert "marketshock.models.results.crypto" in names
    others = ("indices", "capex", "labor", "shock", "compare", "report")
    unused = [f"marketshock.models.results.{s}" for s in others]
    # Nor the input models of the other sections: index sessions, economic releases, capex.
    unused += ["marketshock.models.sessions", "marketshock.models.economic", "marketshock.models.capex"]
    assert {p: loaded(names, p) for p in unused} == {p: [] for p in unused}


def test_a_run_without_a_config_file_never_imports_the_toml_parser():
    # The harness's home holds no config file; tomllib is for a run that has one.
    names = imported_modules("crypto", "--offline", "--json")
    assert "marketshock.config" in names and "tomllib" not in names


def test_a_run_with_a_config_file_imports_the_toml_parser(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[report]\nheadline_zscore = 2.5\n", encoding="utf-8")
    names = imported_modules("--config", str(config), "crypto", "--offline", "--json")
    assert "tomllib" in names


def test_report_json_imports_no_snapshot_store_chart_csv_or_page_code():
    # The report runs every section; writing its envelope needs none of the other outputs.
    names = imported_modules("report", "--offline", "--json")
    unused = ("marketshock.store", "marketshock.metrics_index", "sqlite3", "marketshock.charts", "marketshock.page")
    unused += ("marketshock.csv_output", "marketshock.export", "marketshock.providers.live", "httpx")
    assert {p: loaded(names, p) for p in unused} == {p: [] for p in unused}


def test_help_imports_no_section_module_nor_the_configuration():
    # The registry's rows are data (dotted paths): listing the commands loads none of their code.
    names = imported_modules("--help")
    sections = sorted(
        n for n in names if n.startswith("marketshock.sections.") and n != "marketshock.sections.registry"
    )
    assert (sections, "marketshock.config" in names) == ([], False)


# A pydantic plugin installed beside marketshock: an entry point in the `pydantic` group whose
# module, once loaded, leaves a mark.
PLUGIN_MODULE = """
import os
from pathlib import Path

Path(os.environ["PLUGIN_MARK"]).write_text("loaded")


class _Plugin:
    def new_schema_validator(self, *args, **kwargs):
        return None, None, None


plugin = _Plugin()
"""


def run_beside_a_pydantic_plugin(tmp_path, setting: str | None):
    (tmp_path / "markplugin.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    dist = tmp_path / "markplugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: markplugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[pydantic]\nmark = markplugin:plugin\n", encoding="utf-8")
    mark = tmp_path / "mark"
    env = {"PYTHONPATH": str(tmp_path), "PLUGIN_MARK": str(mark), "PYDANTIC_DISABLE_PLUGINS": setting}
    run = process("crypto", "--offline", "--json", env=env)
    assert run.code == 0, run.err
    return mark.exists()


def test_pydantic_plugins_are_not_loaded_by_default(tmp_path):
    # Looking for them scans every installed distribution's entry points (about 10 ms a run).
    assert run_beside_a_pydantic_plugin(tmp_path, None) is False


def test_the_users_pydantic_plugins_setting_is_kept(tmp_path):
    # PYDANTIC_DISABLE_PLUGINS set, even empty, is the user's: here it loads them.
    assert run_beside_a_pydantic_plugin(tmp_path, "") is True
