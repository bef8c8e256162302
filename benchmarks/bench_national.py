"""The portal beside its floor, on the data in DATABASE_URL (``seed_demo --scale national``
or ``tenth``; an empty database is seeded at ``BENCH_SCALE``, default tenth).

Measured in one run, interleaved, so the ratios hold on a shared machine:

- the sweep, first (the rule's open findings set aside) and steady, per rule: seconds and
  statements, beside hand-written set-based SQL for the rules ``floor_sql.py`` covers;
- API lists at 50 and 500 rows for HQ and a field manager: median and 95th percentile
  over one persistent connection to gunicorn, beside a minimal DRF list of the same table
  served by the same gunicorn (``benchmarks/settings.py`` adds it; production has none);
- HTML pages for HQ (median, p95; no floor);
- gunicorn under wrk: the agencies list, the floor list and a trivial endpoint;
- ICE's 1,843-row workbook: the portal's import (read, plan, change list) beside openpyxl
  reading the same file.

Prints a table and writes var/benchmarks/results.json. ``BENCH_ONLY=sweep,api,pages,load,
import`` runs some sections; ``BENCH_RULES``, ``BENCH_LISTS`` and ``BENCH_PAGES`` (comma-
separated prefixes) narrow them; ``BENCH_REPEAT`` (default 25) sets the requests per list.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
from _setup import ROOT, setup_django  # noqa: E402

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "sweep,api,pages,load,import").split(",")))
REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))


def _narrowed(env: str) -> list[str]:
    """The names an environment variable lists (comma-separated prefixes), or [] for all."""
    return [name.strip() for name in os.environ.get(env, "").split(",") if name.strip()]


#: ``BENCH_RULES=training.,staffing.primary`` times only the rules whose code starts so;
#: ``BENCH_LISTS=officers,findings`` and ``BENCH_PAGES=dashboard`` narrow the lists and pages.
RULES, ONLY_LISTS, ONLY_PAGES = _narrowed("BENCH_RULES"), _narrowed("BENCH_LISTS"), _narrowed("BENCH_PAGES")


def _picked(name: str, prefixes: list[str]) -> bool:
    return not prefixes or any(name.startswith(prefix) for prefix in prefixes)


OUT = ROOT / "var" / "benchmarks"
RESULTS: list[dict] = []


class Rollback(Exception):
    pass


def record(metric: str, portal: float | None, floor: float | None, unit: str, **extra) -> None:
    ratio = round(portal / floor, 2) if portal is not None and floor else None
    row = {"metric": metric, "portal": portal, "floor": floor, "ratio": ratio, "unit": unit, **extra}
    RESULTS.append(row)
    p = "—" if portal is None else f"{portal:.4g}"
    f = "—" if floor is None else f"{floor:.4g}"
    r = "—" if ratio is None else f"{ratio:.2f}x"
    notes = " ".join(f"{k}={v}" for k, v in extra.items())
    print(f"{metric:<58} {p:>10} {f:>10} {r:>8} {unit:<4} {notes}", flush=True)


def ensure_data() -> str:
    from agreements.models import Agency

    if not Agency.objects.exists():
        from django.core.management import call_command

        call_command("seed_demo", scale=os.environ.get("BENCH_SCALE", "tenth"))
    return f"{Agency.objects.count()} agencies"


# --- the sweep -------------------------------------------------------------------------


def timed_rolled_back(fn):
    """Run ``fn`` in a transaction rolled back afterwards: (seconds, statements, result)."""
    box = {}
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                box["result"] = fn()
                box["seconds"] = time.perf_counter() - start
            box["statements"] = len(queries.captured_queries)
            raise Rollback
    except Rollback:
        pass
    return box["seconds"], box["statements"], box.get("result")


def bench_sweep() -> None:
    import floor_sql
    import floor_sql_training
    from django.contrib.contenttypes.models import ContentType

    from portal import dates
    from portal.audit import Channel
    from portal.audit import context as audit_context
    from portal.audit import current as audit_current
    from portal.compliance.models import Finding, SweepRun, SweepStatus
    from portal.compliance.registry import registry
    from portal.compliance.sweep import apply_rule

    today = dates.today()
    this_month = today.replace(day=1)
    from training import conf as training_conf

    params = {
        "today": today,
        "this_month": this_month,
        "last_month": (this_month - dt.timedelta(days=1)).replace(day=1),
        "lapsed_before": today - dt.timedelta(days=training_conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS")),
        **floor_sql_training.params(today),  # the training rules' settings
    }
    SweepRun.objects.filter(status=SweepStatus.RUNNING, triggered_by="benchmark").delete()
    run = SweepRun.objects.create(as_of=today, triggered_by="benchmark", worker="benchmark")
    totals = {"first": [0.0, 0, 0.0], "steady": [0.0, 0, 0.0]}
    covered = {"first": [0.0, 0.0], "steady": [0.0, 0.0]}
    try:
        with audit_context(channel=Channel.SWEEP, actor_label="benchmark"):
            for rule in registry.all():
                if not _picked(rule.code, RULES):
                    continue
                for phase in ("first", "steady"):

                    def portal(rule=rule, phase=phase):
                        if phase == "first":  # set the rule's findings aside: it opens them all again
                            Finding.objects.filter(rule=rule.code).update(rule=rule.code + ".set-aside")
                        return apply_rule(rule, run, today)

                    seconds, statements, counts = timed_rolled_back(portal)
                    floor_seconds = None
                    if rule.code in floor_sql.VIOLATIONS and connection.vendor == "postgresql":
                        app, model = floor_sql.SUBJECT_TYPE[rule.code]
                        values = {
                            **params,
                            "rule": rule.code,
                            "category": rule.category,
                            "severity": rule.severity,
                            "run": run.pk,
                            "type": ContentType.objects.get_by_natural_key(app, model).pk,
                            "finding_type": ContentType.objects.get_for_model(Finding).pk,
                            "actor_label": "benchmark",
                            "request_id": audit_current().request_id,
                        }

                        def floor(rule=rule, phase=phase, values=values):
                            with connection.cursor() as cursor:
                                if phase == "first":
                                    cursor.execute(
                                        "UPDATE portal_finding SET rule = rule || '.set-aside' WHERE rule = %s",
                                        [rule.code],
                                    )
                                start = time.perf_counter()
                                rewritten = 0
                                for n, sql in enumerate(floor_sql.statements(rule.code)):
                                    cursor.execute(sql, values)
                                    if n == 4:  # the update of changed details
                                        rewritten = cursor.rowcount
                                cursor.execute("SELECT count(*) FROM floor_v")
                                found = cursor.fetchone()[0]
                                return time.perf_counter() - start, found, rewritten

                        _, _, (floor_seconds, found, rewritten) = timed_rolled_back(floor)
                        if phase == "steady" and rewritten:
                            print(f"  ! floor of {rule.code} rewrote {rewritten} details the rule keeps")
                        covered[phase][0] += seconds
                        covered[phase][1] += floor_seconds
                        if found != counts.get("open", found):
                            print(f"  ! floor of {rule.code} found {found}, the rule {counts.get('open')}")
                    totals[phase][0] += seconds
                    totals[phase][1] += statements
                    record(
                        f"sweep {phase}: {rule.code}",
                        round(seconds, 4),
                        None if floor_seconds is None else round(floor_seconds, 4),
                        "s",
                        statements=statements,
                        open=counts.get("open"),
                    )
    finally:
        run.status = SweepStatus.SUCCEEDED
        run.save(update_fields=["status"])
    for phase in ("first", "steady"):
        record(f"sweep {phase}: all rules", round(totals[phase][0], 3), None, "s", statements=totals[phase][1])
        record(
            f"sweep {phase}: rules with a hand-written floor",
            round(covered[phase][0], 3),
            round(covered[phase][1], 3),
            "s",
        )


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the benchmark settings (the portal plus the floor lists)."""

    def __init__(self, worker_class: str = "gthread", workers: int = 2, threads: int = 4):
        self.port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "portal.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--worker-class={worker_class}",
                f"--threads={threads}",
                "--keep-alive=60",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Client:
    """One persistent HTTP/1.1 connection."""

    def __init__(self, port: int, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = headers

    def get(self, path: str) -> float:
        start = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
        return elapsed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def people():
    from django.contrib.auth import get_user_model

    from portal.services import token_create

    User = get_user_model()
    found = {}
    for label, username in (("HQ", "chief"), ("field manager", "pm.houston")):
        user = User.objects.get(username=username)
        found[label] = (user, token_create(user=user, name="benchmark", expires_in_days=1).plain_key)
    return found


def session_cookie(user) -> str:
    from django.test import Client as DjangoClient

    client = DjangoClient()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


LISTS = ["agencies", "officers", "installations", "findings", "agreements"]


def bench_api(server: Server, who: dict) -> None:
    floor = Client(server.port, {})
    for label, (_user, key) in who.items():
        client = Client(server.port, {"Authorization": f"Token {key}"})
        for size in (50, 500):
            repeat = REPEAT if size == 50 else max(5, REPEAT // 3)
            for name in LISTS:
                if not _picked(name, ONLY_LISTS):
                    continue
                path = f"/api/v1/{name}/?page_size={size}"
                floor_path = f"/floor/{name}/?page_size={size}"
                client.get(path), floor.get(floor_path)  # warm both
                mine, theirs = [], []
                for _ in range(repeat):
                    mine.append(client.get(path))
                    theirs.append(floor.get(floor_path))
                record(
                    f"API {name} {size} rows, {label}: median",
                    round(statistics.median(mine) * 1000, 2),
                    round(statistics.median(theirs) * 1000, 2),
                    "ms",
                )
                record(
                    f"API {name} {size} rows, {label}: p95",
                    round(p95(mine) * 1000, 2),
                    round(p95(theirs) * 1000, 2),
                    "ms",
                )


PAGES = {
    "dashboard": "/dashboard/",
    "board": "/installations/",
    "officers": "/officers/",
    "findings": "/findings/",
    "agencies": "/agencies/",
    "readiness": "/readiness/",
    "home": "/",
}


def bench_pages(server: Server, who: dict) -> None:
    user, _key = who["HQ"]
    client = Client(server.port, {"Cookie": session_cookie(user)})
    for name, path in PAGES.items():
        if not _picked(name, ONLY_PAGES):
            continue
        client.get(path)
        times = [client.get(path) for _ in range(max(5, REPEAT // 2))]
        record(f"page {name} ({path}), HQ: median", round(statistics.median(times) * 1000, 2), None, "ms")
        record(f"page {name} ({path}), HQ: p95", round(p95(times) * 1000, 2), None, "ms")


def wrk(port: int, path: str, headers: dict, seconds: int = 10) -> float | None:
    if not shutil.which("wrk"):
        return None
    args = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
        if "Non-2xx" in line:
            print("  ! " + line.strip())
    return None


def bench_load(who: dict) -> None:
    _user, key = who["HQ"]
    auth = {"Authorization": f"Token {key}"}
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk): the load section is skipped")
        return
    for worker_class, threads in (("sync", 1), ("gthread", 4)):
        server = Server(worker_class=worker_class, threads=threads)
        try:
            trivial = wrk(server.port, "/floor/trivial/", {})
            floor_list = wrk(server.port, "/floor/agencies/", {})
            portal = wrk(server.port, "/api/v1/agencies/", auth)
            health = wrk(server.port, "/healthz/", {})
        finally:
            server.stop()
        tag = f"wrk -t2 -c8, gunicorn 2 {worker_class}" + (f" x{threads} threads" if threads > 1 else "")
        record(f"{tag}: agencies list vs minimal list", portal, floor_list, "rps")
        record(f"{tag}: agencies list vs trivial endpoint", portal, trivial, "rps")
        record(f"{tag}: /healthz/ vs trivial endpoint", health, trivial, "rps")


# --- the ICE workbook -----------------------------------------------------------------------


def _rows(path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for _row in workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()


def bench_import() -> None:
    import openpyxl

    from agreements.services import ice_import_preview

    # The largest participating list the repository holds (the 1,843-row
    # workbook is not among the fixtures; BENCH_WORKBOOK names another file).
    fixtures = ROOT / "agreements" / "tests" / "fixtures"
    path = Path(os.environ.get("BENCH_WORKBOOK") or max(fixtures.rglob("participating*.xlsx"), key=_rows))
    content = path.read_bytes()
    portal_times, floor_times, full_times = [], [], []
    rows = 0
    for _ in range(3):
        # The import needs each cell's hyperlink (the MOA's address), which openpyxl's
        # read-only mode does not give: the second floor loads the workbook in full.
        start = time.perf_counter()
        workbook = openpyxl.load_workbook(path, data_only=True)
        for row in workbook.worksheets[0].iter_rows():
            [(c.value, c.hyperlink.target if c.hyperlink else None) for c in row]
        full_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = sum(1 for _row in workbook.active.iter_rows(values_only=True))
        workbook.close()
        floor_times.append(time.perf_counter() - start)
        seconds, _statements, _ = timed_rolled_back(
            lambda: ice_import_preview(content=content, file_name=path.name, acting_user=None)
        )
        portal_times.append(seconds)
    record(
        "ICE workbook import (preview) vs openpyxl read",
        round(statistics.median(portal_times), 3),
        round(statistics.median(floor_times), 3),
        "s",
        rows=rows,
        file=path.name,
    )
    record(
        "ICE workbook import (preview) vs openpyxl full load with hyperlinks",
        round(statistics.median(portal_times), 3),
        round(statistics.median(full_times), 3),
        "s",
    )


def main() -> None:
    started = dt.datetime.now(dt.UTC)
    data = ensure_data()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    print(f"{data}, {connection.vendor}, commit {commit.strip()}, {os.cpu_count()} CPUs")
    print(f"{'metric':<58} {'portal':>10} {'floor':>10} {'ratio':>8} unit")
    if "sweep" in ONLY:
        bench_sweep()
    who = people() if ONLY & {"api", "pages", "load"} else {}
    if ONLY & {"api", "pages"}:
        server = Server()
        try:
            if "api" in ONLY:
                bench_api(server, who)
            if "pages" in ONLY:
                bench_pages(server, who)
        finally:
            server.stop()
    if "load" in ONLY:
        bench_load(who)
    if "import" in ONLY:
        bench_import()
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": started.isoformat(timespec="seconds"),
        "commit": commit.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "database": connection.vendor,
        "data": data,
    }
    target = OUT / "results.json"
    target.write_text(json.dumps({"meta": meta, "results": RESULTS}, indent=2, default=str))
    print(f"written {target}")


if __name__ == "__main__":
    main()
