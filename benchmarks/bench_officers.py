"""The officers' standing over a program of national size (issue 14): the officers API
list and page for HQ, its standing filters, the refresher rule, and the plan of the
officers' query with PostgreSQL's JIT on and off.

Usage (after ``seed_demo --scale national`` on the database in DATABASE_URL):
    DATABASE_URL=postgres://... python benchmarks/bench_officers.py [REPEATS]
Prints the median and best of REPEATS runs (default 15) with the statements each runs
(under the settings' ``jit``: off unless PG_JIT=on), then EXPLAIN ANALYZE of each request's
slowest statement under ``SET jit = on`` and ``SET jit = off``.
"""

import re
import statistics
import sys
import time

from _setup import setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 15
slow: list[tuple[str, str]] = []
chief = get_user_model().objects.get(username="chief")
api = APIClient()
api.force_authenticate(chief)
page = Client()
page.force_login(chief)


def timed(label, call):
    call()  # warm up
    times, slowest = [], None
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (label, response.status_code)
        slowest = max(q.captured_queries, key=lambda s: float(s["time"]))
        count = len(q.captured_queries)
    print(
        f"{label:<52} median {statistics.median(times) * 1000:8.1f} ms  best {min(times) * 1000:8.1f} ms  {count:3d} statements"
    )
    slow.append((label, slowest["sql"]))
    return slowest["sql"]


def explain(sql):
    for jit in ("on", "off"):
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {jit}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql)
            plan = "\n".join(r[0] for r in cursor.fetchall())
            cursor.execute("RESET jit")
        execution = re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)
        jit_time = re.search(r"Timing: Generation [\d.]+ ms.*Total ([\d.]+) ms", plan)
        print(
            f"    jit={jit:<3} execution {execution} ms" + (f" (JIT total {jit_time.group(1)} ms)" if jit_time else "")
        )
    return plan


if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM training_officer")
        print(f"officers: {cursor.fetchone()[0]}")
sql = timed("GET /api/v1/officers/ (50 rows, HQ)", lambda: api.get("/api/v1/officers/", {"page_size": 50}))
for query in ("refresher_due=true", "can_act=true", "can_act=false", "recertified=false", "card_state=lapsed"):
    timed(f"GET /api/v1/officers/?{query}", lambda query=query: api.get(f"/api/v1/officers/?{query}&page_size=50"))
timed("GET /officers/ (HTML, HQ)", lambda: page.get("/officers/"))

from portal import dates  # noqa: E402
from training.rules import RefresherOverdueRule  # noqa: E402

start = time.perf_counter()
found = sum(1 for _ in RefresherOverdueRule().evaluate(today=dates.today()))
print(f"{'rule training.refresher_overdue':<52} {time.perf_counter() - start:8.3f} s ({found} officers)")

if connection.vendor == "postgresql":
    print("EXPLAIN ANALYZE of each request's slowest statement:")
    for label, statement in slow:
        print(f"  {label}")
        plan = explain(statement)
        if "-v" in sys.argv:
            print(statement)
            print(plan)
