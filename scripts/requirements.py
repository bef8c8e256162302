#!/usr/bin/env python3
"""Print the project's requirements from pyproject.toml, one per line.

The portal is a Django project, not an installable package, so its dependencies are
installed from the list this script prints:

    python scripts/requirements.py --dev > /tmp/req.txt && pip install -r /tmp/req.txt

Without ``--dev`` only ``[project].dependencies`` are printed; with ``--dev`` the
``[project.optional-dependencies].dev`` list follows them.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def requirements(pyproject: Path = PYPROJECT, *, dev: bool = False) -> list[str]:
    with pyproject.open("rb") as handle:
        project = tomllib.load(handle).get("project", {})
    lines = list(project.get("dependencies", []))
    if dev:
        lines += project.get("optional-dependencies", {}).get("dev", [])
    seen: set[str] = set()
    unique = []
    for line in lines:
        line = line.strip()
        if line and line not in seen:
            seen.add(line)
            unique.append(line)
    return unique


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="include the dev extras")
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT, help="path to pyproject.toml")
    args = parser.parse_args(argv)
    for line in requirements(args.pyproject, dev=args.dev):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
