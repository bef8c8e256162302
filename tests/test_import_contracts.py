"""The apps talk through named contracts only (docs/architecture.md): import-linter's
contracts in ``.importlinter`` hold, and they do catch an import that breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "agreements", "staffing", "itdeploy", "training", "oversight")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the packages found in ``cwd``, as ``make test`` runs it."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory) -> Path:
    """The five packages and the contracts, copied, so a test can add a forbidden import."""
    where = tmp_path_factory.mktemp("contracts")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations"))
    shutil.copy(ROOT / ".importlinter", where / ".importlinter")
    return where


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("portal/views.py", "from staffing.models import Assignment", "Apps build on agreements"),
        ("agreements/views.py", "from training.models import Officer", "Apps build on agreements"),
        (
            "itdeploy/views.py",
            "from training.selectors import certified_officers_by_agency",
            "Apps build on agreements",
        ),
        ("training/views.py", "from agreements.importers import read_ice_file", "Other apps use agreements only"),
    ],
)
def test_an_import_across_the_contracts_breaks_them(copy_of_the_code, module, line, contract):
    path = copy_of_the_code / module
    original = path.read_text()
    path.write_text(original + f"\n{line}  # added by the test\n")
    try:
        result = lint_imports(copy_of_the_code)
    finally:
        path.write_text(original)
    assert result.returncode == 1
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and f"{module.removesuffix('.py').replace('/', '.')} -> " in broken
