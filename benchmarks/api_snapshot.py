"""The JSON of API list and detail pages, saved to compare a change of a serializer or
queryset with what the API answered before (field clients depend on every field, value,
order and page).

Usage, on the same database before and after the change:
    DATABASE_URL=postgres://... python benchmarks/api_snapshot.py save var/snapshot-before
    DATABASE_URL=postgres://... python benchmarks/api_snapshot.py compare var/snapshot-before

``compare`` prints the pages that differ (the first differing path in each) and exits 1
if any does. Requests run in process (``django.test.Client``) as HQ (``chief``), a field
program manager (``pm.houston``) and OCIO (``ocio``), with the benchmarks' settings.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
from _setup import setup_django  # noqa: E402

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

PEOPLE = {"hq": "chief", "pm": "pm.houston", "ocio": "ocio"}

LISTS = {
    "installations": [
        "page_size=50",
        "page_size=500",
        "page=3&page_size=50",
        "status=in_progress&page_size=200",
        "status=operational&page_size=100",
        "status=unconfirmed&page_size=100",
        "ordering=-priority_rank&page_size=100",
        "ordering=agency__name&page_size=100",
        "current_step=3&page_size=100",
        "q=county&page_size=100",
        "page_size=1000&page=2",
    ],
    "findings": [
        "page_size=50",
        "page_size=500",
        "page=4&page_size=50",
        "is_open=true&page_size=200",
        "is_open=false&page_size=200",
        "severity=high&severity=critical&page_size=200",
        "ordering=severity&page_size=200",
        "ordering=-first_seen_at&page_size=100",
        "status=waived&page_size=100",
        "mine=true&page_size=100",
    ],
    "officers": [
        "page_size=50",
        "page_size=500",
        "page=7&page_size=50",
        "can_act=false&page_size=200",
        "can_act=true&page_size=200",
        "refresher_due=true&page_size=200",
        "recertified=false&page_size=200",
        "card_state=lapsed&page_size=200",
        "card_state=warning&page_size=100",
        "status=suspended&status=revoked&page_size=200",
        "ordering=-certified_on&page_size=100",
        "q=smith&page_size=100",
    ],
}


def pages(client: Client) -> dict[str, object]:
    found = {}
    for name, queries in LISTS.items():
        first_ids = []
        for query in queries:
            response = client.get(f"/api/v1/{name}/?{query}")
            found[f"{name}?{query}"] = [response.status_code, response.content.decode()]
            if response.status_code == 200 and not first_ids:
                first_ids = [row["id"] for row in response.json()["results"][:3]]
        for pk in first_ids:
            response = client.get(f"/api/v1/{name}/{pk}/")
            found[f"{name}/{pk}"] = [response.status_code, response.content.decode()]
    return found


def snapshot() -> dict[str, dict]:
    User = get_user_model()
    result = {}
    for label, username in PEOPLE.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        result[label] = pages(client)
    return result


def first_difference(a, b, path="") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.80} != {b!r:.80}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r:.80} != {b!r:.80}"


def main() -> int:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    taken = snapshot()
    if mode == "save":
        folder.mkdir(parents=True, exist_ok=True)
        for label, found in taken.items():
            (folder / f"{label}.json").write_text(json.dumps(found, indent=1, sort_keys=False))
        print(f"saved {sum(len(f) for f in taken.values())} pages to {folder}")
        return 0
    differ = 0
    for label, found in taken.items():
        before = json.loads((folder / f"{label}.json").read_text())
        for key in sorted(before.keys() | found.keys()):
            if before.get(key) == (list(found[key]) if key in found else None):
                continue
            differ += 1
            old, new = before.get(key) or [None, "null"], found.get(key) or [None, "null"]
            problem = first_difference([old[0], json.loads(old[1])], [new[0], json.loads(new[1])], f"{label} {key}")
            print(problem or f"{label} {key}: the same JSON, other bytes")
    print(f"{differ} pages differ of {sum(len(f) for f in taken.values())}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
