"""The snapshot store never surprises: --keep keeps what it just wrote, the tool's own pictures
are part of the store, and someone else's files cost one line in the cron log, not one each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness import invoke
from marketshock import store


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two bundled days, each with its svg and html picture, written once by the real command."""
    out = tmp_path_factory.mktemp("snapshots")
    for day in ("2026-02-05", "2026-02-06"):
        args = ("snapshot", "--offline", "--as-of", day, "--out", str(out), "--export", "svg", "--export", "html")
        assert invoke(*args).code == 0
    return out


@pytest.fixture
def snapshots(written: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(written, tmp_path / "snapshots"))


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


# --- --keep ------------------------------------------------------------------------


def test_keep_never_deletes_the_snapshot_it_just_wrote(snapshots: Path):
    result = invoke("snapshot", "--offline", "--as-of", "2026-02-01", "--out", str(snapshots), "--keep", "1")
    assert result.code == 0
    assert Path(result.out.splitlines()[0]).is_file()
    assert [n for n in names(snapshots) if n.endswith(".json")] == ["2026-02-01.json", "2026-02-06.json"]


def test_keep_with_no_overwrite_never_deletes_the_snapshot_it_kept(snapshots: Path):
    assert invoke("snapshot", "--offline", "--as-of", "2026-02-01", "--out", str(snapshots)).code == 0
    args = ("snapshot", "--offline", "--as-of", "2026-02-01", "--out", str(snapshots), "--no-overwrite", "--keep", "1")
    result = invoke(*args)
    assert result.code == 0 and Path(result.out.strip()).is_file()


def test_prune_spares_the_protected_snapshot_and_still_keeps_the_latest(tmp_path: Path):
    for day in ("2026-02-01", "2026-02-04", "2026-02-05", "2026-02-06"):
        (tmp_path / f"{day}.json").write_text("{}")
    pruned = store.prune(tmp_path, keep=2, protect=tmp_path / "2026-02-01.json")
    assert [p.name for p in pruned] == ["2026-02-04.json"]
    assert names(tmp_path) == ["2026-02-01.json", "2026-02-05.json", "2026-02-06.json"]


# --- pictures are part of the store ------------------------------------------------


def test_history_says_nothing_about_exported_pictures(snapshots: Path):
    result = invoke("history", "crypto.BTC.price", "--dir", str(snapshots))
    assert (result.code, result.err) == (0, "")


def test_diff_says_nothing_about_exported_pictures(snapshots: Path):
    result = invoke("diff", "2026-02-05", "2026-02-06", "--dir", str(snapshots))
    assert (result.code, result.err) == (0, "")


def test_history_json_does_not_list_pictures_as_skipped(snapshots: Path):
    doc = invoke("history", "crypto.BTC.price", "--dir", str(snapshots), "--json").json()
    assert doc["data"]["skipped"] == []


# --- foreign files -----------------------------------------------------------------


def _litter(snapshots: Path) -> None:
    (snapshots / "README.txt").write_text("mine")
    (snapshots / "notes.md").write_text("mine")
    (snapshots / "old").mkdir()


def test_foreign_files_are_one_summary_line(snapshots: Path):
    _litter(snapshots)
    result = invoke("history", "crypto.BTC.price", "--dir", str(snapshots))
    assert result.code == 0
    assert result.err_lines == [
        f"marketshock: skipped 3 files that are not snapshots in {snapshots} (list them with -v)"
    ]


def test_verbose_lists_each_foreign_file(snapshots: Path):
    _litter(snapshots)
    result = invoke("-v", "history", "crypto.BTC.price", "--dir", str(snapshots))
    assert result.code == 0
    assert sorted(Path(line.split()[2].rstrip(":")).name for line in result.err_lines) == [
        "README.txt",
        "notes.md",
        "old",
    ]


def test_foreign_files_never_change_what_keep_deletes(snapshots: Path):
    _litter(snapshots)
    assert invoke("snapshot", "--offline", "--as-of", "2026-02-06", "--out", str(snapshots), "--keep", "1").code == 0
    assert names(snapshots) == ["2026-02-06.html", "2026-02-06.json", "2026-02-06.svg", "README.txt", "notes.md", "old"]
