"""A built wheel carries the bundled dataset, and the installed (non-editable) package runs
from it: `pip install .` on a fresh machine gives the same figures as this checkout.

The wheel is built from a copy of the project's files, without build isolation and without
an index (setuptools comes from the test extra), so the test never reaches the network.

The wheel also runs in a fresh virtual environment that holds its runtime dependencies and
nothing else: pandas (a test-only reference) is not among them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement

from harness import PROJECT, Run, assert_valid_envelope, process

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


def test_the_wheel_carries_the_page_template(wheel):
    assert "marketshock/templates/report.html.j2" in zipfile.ZipFile(wheel).namelist()


def test_the_wheel_has_the_console_script(wheel):
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        assert "marketshock = marketshock.entry:main" in archive.read(entry_points).decode()


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


def runtime_requirements(wheel: Path) -> list[Requirement]:
    """The wheel's Requires-Dist without the extras' (what `pip install marketshock` brings)."""
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(meta).decode().splitlines()
    reqs = [Requirement(line.partition(":")[2].strip()) for line in lines if line.startswith("Requires-Dist:")]
    return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]


def closure(requirements: list[Requirement]) -> dict[str, metadata.Distribution]:
    """The distributions of this environment that satisfy `requirements`, and theirs, recursively."""
    found: dict[str, metadata.Distribution] = {}
    expanded: set[tuple[str, str]] = set()  # (distribution, extra) whose requirements are queued
    todo = [(r, "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        dist = metadata.distribution(req.name)
        assert dist.version in req.specifier, f"{req.name} {dist.version} does not satisfy {req}"
        found[dist.name] = dist
        for wanted in ("", *req.extras):
            if (dist.name, wanted) not in expanded:
                expanded.add((dist.name, wanted))
                todo += [(Requirement(r), wanted) for r in dist.requires or ()]
    return found


@pytest.fixture(scope="module")
def bare_venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment (no system site-packages) with the wheel and its runtime
    dependencies only: theirs are copied, files and metadata, from this environment (no index,
    no network), and `pip check` then vouches that the wheel's requirements are all met."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    for dist in closure(runtime_requirements(wheel)).values():
        assert dist.files is not None, f"{dist.name} lists no files (no RECORD)"
        for file in dist.files:
            parts = PurePosixPath(str(file)).parts
            if parts[0] == ".." or "__pycache__" in parts:  # console scripts, bytecode
                continue
            target = site.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(dist.locate_file(file), target)
    pip("--python", str(python), "install", "--no-deps", str(wheel))
    checked = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "check", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return venv


def test_a_fresh_environment_without_pandas_runs_the_offline_report(bare_venv):
    python = bare_venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    no_path = {"PYTHONPATH": None}
    probe = process(argv=[str(python), "-c", "import pandas"], env=no_path, cwd=bare_venv)
    assert probe.code != 0 and "ModuleNotFoundError" in probe.err, "pandas is installed in the fresh environment"
    script = python.with_name("marketshock.exe" if sys.platform == "win32" else "marketshock")
    done = process(argv=[str(script), "report", "--offline", "--json"], env=no_path, timeout=60, cwd=bare_venv)
    assert done.code == 0, done.err
    doc = done.json()
    assert doc["command"] == "report"
    assert_valid_envelope(doc)
