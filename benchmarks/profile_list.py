"""One API list request in process, beside its floor: the statements each runs and a
profile of many requests (issue 14, "under load").

Usage (benchmark settings: DEBUG off, the floor's URLs; the database in DATABASE_URL):
    DATABASE_URL=postgres://... REDIS_URL=redis://... python benchmarks/profile_list.py \
        [PATH] [FLOOR_PATH] [REQUESTS]
(defaults ``/api/v1/agencies/``, ``/floor/agencies/``, 200). As the Unit Chief with an
API token, through the whole middleware stack (``django.test.Client``). Prints each
request's statements with their time, then the functions that took the most time of
REQUESTS requests (cumulative and own time), for the portal and for the floor.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
from _setup import setup_django  # noqa: E402

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from portal.services import token_create  # noqa: E402

args = sys.argv[1:]
PATH = args[0] if len(args) > 0 else "/api/v1/agencies/"
FLOOR = args[1] if len(args) > 1 else "/floor/agencies/"
REQUESTS = int(args[2]) if len(args) > 2 else 200
TOP = int(os.environ.get("PROFILE_TOP", "45"))

chief = get_user_model().objects.get(username=os.environ.get("PROFILE_USER", "chief"))
key = token_create(user=chief, name="profile", expires_in_days=1).plain_key
portal = Client(HTTP_AUTHORIZATION=f"Token {key}")
floor = Client()


def statements(label, client, path):
    client.get(path)  # warm: connection, caches, the token's last use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    total = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"\n== {label} {path}: {len(queries.captured_queries)} statements, {total * 1000:.1f} ms of SQL")
    for q in queries.captured_queries:
        print(f"  {float(q['time']) * 1000:7.2f} ms  {q['sql'][:400]}")


def profile(label, client, path):
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(REQUESTS):
        client.get(path)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"\n== {label} {path}: {REQUESTS} requests, {elapsed / REQUESTS * 1000:.2f} ms each (profiled)")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(TOP)
        print(out.getvalue())


def timed(label, client, path, n=REQUESTS):
    """(wall, CPU of this process) seconds a request."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        client.get(path)
    return (time.perf_counter() - start) / n, (time.process_time() - cpu) / n


statements("portal", portal, PATH)
statements("floor", floor, FLOOR)
if os.environ.get("PROFILE_ONLY_TIMES"):
    for _round in range(3):
        (p, p_cpu), (f, f_cpu) = timed("portal", portal, PATH), timed("floor", floor, FLOOR)
        print(
            f"portal {p * 1000:.2f} ms ({p_cpu * 1000:.2f} ms CPU)  floor {f * 1000:.2f} ms ({f_cpu * 1000:.2f} ms CPU)"
            f"  ratio (rate) {f / p:.2f}  (CPU of this process) {f_cpu / p_cpu:.2f}"
        )
else:
    profile("portal", portal, PATH)
    profile("floor", floor, FLOOR)
