"""The whole `report --offline --json` at the default as-of date (2026-02-06), minus
`generated_at`, against a committed golden file: any change to any figure, headline, note
or source shows up here as a reviewable diff.

When a change is deliberate, regenerate the file and review its diff before committing:

    python -m pytest tests/test_golden_report.py --update-golden
    git diff tests/golden/
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "report_offline_2026-02-06.json"


def canonical(envelope: dict) -> str:
    envelope = {k: v for k, v in envelope.items() if k != "generated_at"}
    return json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def report(cli) -> dict:
    run = cli("report", "--offline", "--json")
    assert run.code == 0, run.err
    return run.json()


def test_report_is_as_of_2026_02_06_from_the_bundled_data(report):
    assert (report["as_of"], report["source"], report["command"]) == ("2026-02-06", "bundled", "report")


def test_generated_at_is_the_only_field_left_out_and_is_utc(report):
    assert report["generated_at"].endswith("Z")
    assert set(json.loads(canonical(report))) == set(report) - {"generated_at"}


def test_report_matches_the_golden_file(report, update_golden):
    actual = canonical(report)
    if update_golden:
        GOLDEN.write_text(actual, encoding="utf-8")
        pytest.skip(f"rewrote {GOLDEN.name}: review `git diff tests/golden/` before committing")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: create it with `pytest {__file__} --update-golden`"
    expected = GOLDEN.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), "golden", "now", n=2
            )
        )
        pytest.fail(f"report differs from {GOLDEN.name} (regenerate with --update-golden if deliberate):\n{diff}")
