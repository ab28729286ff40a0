"""A built wheel carries the bundled dataset, and the installed (non-editable) package runs
from it: `pip install .` on a fresh machine gives the same figures as this checkout.

The wheel is built from a copy of the project's files, without build isolation and without
an index (setuptools comes from the test extra), so the test never reaches the network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harness import PROJECT, Run, process

pytestmark = pytest.mark.slow

DATA_DIR = PROJECT / "src" / "marketshock" / "data"


def pip(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-index", "--quiet", "--disable-pip-version-check"],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, source / name)
    shutil.copytree(PROJECT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("dist")
    pip("wheel", "--no-build-isolation", "--no-deps", "--wheel-dir", str(out), ".", cwd=source)
    (built,) = out.glob("marketshock-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed into a directory of its own, the way pip installs it anywhere."""
    target = tmp_path_factory.mktemp("site")
    pip("install", "--no-deps", "--target", str(target), str(wheel))
    return target


def test_the_wheel_carries_every_data_file_and_the_notice(wheel):
    shipped = {p.name for p in DATA_DIR.iterdir() if p.suffix in (".csv", ".gz", ".md")}
    assert "NOTICE.md" in shipped and any(n.endswith(".csv.gz") for n in shipped)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"marketshock/data/{n}" for n in shipped} <= names


def test_the_wheel_has_the_console_script(wheel):
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        assert "marketshock = marketshock.cli:main" in archive.read(entry_points).decode()


def run_installed(installed: Path, *argv: str) -> Run:
    # PYTHONPATH puts the installed copy ahead of this checkout's editable install.
    return process(argv=[sys.executable, *argv], env={"PYTHONPATH": str(installed)}, timeout=60, cwd=installed)


def test_the_installed_package_reads_its_data_through_importlib_resources(installed):
    code = (
        "import marketshock, importlib.resources as r; print(marketshock.__file__); "
        "print(r.files('marketshock.data').joinpath('NOTICE.md').read_text(encoding='utf-8').splitlines()[0])"
    )
    done = run_installed(installed, "-c", code)
    assert done.code == 0, done.err
    module_file, first_line = done.out.splitlines()
    assert Path(module_file).is_relative_to(installed)  # not this checkout
    assert first_line == "# The bundled dataset: the February 2026 shock"


def test_the_installed_package_computes_the_figures_from_its_own_data(installed):
    done = run_installed(installed, "-m", "marketshock", "crypto", "--offline", "--json")
    assert done.code == 0, done.err
    btc = done.json()["data"]["assets"][0]
    assert (btc["symbol"], btc["lowest_since"], btc["lowest_since_months"]) == ("BTC", "2024-10-11", 16)
