"""The agencies list under load beside the minimal list, interleaved (issue 14, "under
load"): gunicorn serving the benchmark settings, ``wrk -t2 -c8`` alternating short runs
of the portal's ``/api/v1/agencies/`` (the Unit Chief, token) and the floor's
``/floor/agencies/``, so that both see the same load on a shared machine. The section
``load`` of ``bench_national.py`` runs each for 10 s one after the other; on two cores
shared with other work its ratio moved from 0.47x to 0.99x between two runs of the same
code. This prints each round and the median of the rounds' ratios.

Usage: DATABASE_URL=... REDIS_URL=... python benchmarks/bench_load.py [ROUNDS] [SECONDS]
(default 5 rounds of 4 s each way, sync and gthread workers). Writes
var/benchmarks/load.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
import bench_national as bench  # noqa: E402  (sets Django up)

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
WORKERS = [
    (name, int(threads))
    for name, threads in (w.split(":") for w in os.environ.get("BENCH_WORKERS", "sync:1,gthread:4").split(","))
]


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, in seconds (0 once it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry))
    return found


def _backends() -> list[int]:
    """The PostgreSQL backends connected to this database, but this script's own."""
    with bench.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def cpu_of(server) -> tuple[float, float]:
    """CPU seconds used so far by the server's processes and by the database's backends."""
    workers = sum(_cpu_seconds(pid) for pid in [server.proc.pid, *_children(server.proc.pid)])
    backends = sum(_cpu_seconds(pid) for pid in _backends()) if bench.connection.vendor == "postgresql" else 0.0
    return workers, backends


SPLIT: dict[str, list[tuple[float, float]]] = {"portal": [], "floor": []}


def timed_wrk(server, path, headers, seconds, which):
    """(requests a second, CPU milliseconds a request of the server and the database)."""
    before = cpu_of(server)
    rate = bench.wrk(server.port, path, headers, seconds=seconds)
    after = cpu_of(server)
    if not rate:
        return rate, None
    requests = rate * seconds
    workers, backends = ((a - b) * 1000 / requests for a, b in zip(after, before, strict=True))
    SPLIT[which].append((workers, backends))
    return rate, workers + backends


def main() -> None:
    _user, key = bench.people()["HQ"]
    auth = {"Authorization": f"Token {key}"}
    results = []
    for worker_class, threads in WORKERS:
        server = bench.Server(worker_class=worker_class, threads=threads)
        ratios, cpu_ratios = [], []
        try:
            bench.wrk(server.port, "/api/v1/agencies/", auth, seconds=2)  # warm every worker
            bench.wrk(server.port, "/floor/agencies/", {}, seconds=2)
            for n in range(ROUNDS):
                first, second = ("portal", "floor") if n % 2 == 0 else ("floor", "portal")
                rates, cpu = {}, {}
                for which in (first, second):
                    path, headers = ("/api/v1/agencies/", auth) if which == "portal" else ("/floor/agencies/", {})
                    rates[which], cpu[which] = timed_wrk(server, path, headers, SECONDS, which)
                ratio = rates["portal"] / rates["floor"]
                cpu_ratio = cpu["floor"] / cpu["portal"]
                ratios.append(ratio)
                cpu_ratios.append(cpu_ratio)
                load = os.getloadavg()[0]
                print(
                    f"{worker_class:<8} round {n + 1}: portal {rates['portal']:7.1f} rps {cpu['portal']:5.1f} ms CPU"
                    f"  floor {rates['floor']:7.1f} rps {cpu['floor']:5.1f} ms CPU"
                    f"  rate ratio {ratio:.2f}  CPU ratio {cpu_ratio:.2f}  (load {load:.1f})",
                    flush=True,
                )
                results.append(
                    {
                        "workers": worker_class,
                        "round": n + 1,
                        "rps": rates,
                        "cpu_ms_per_request": cpu,
                        "ratio": round(ratio, 3),
                        "cpu_ratio": round(cpu_ratio, 3),
                    }
                )
        finally:
            server.stop()
        print(
            f"{worker_class:<8} median over {ROUNDS} rounds: rate ratio {statistics.median(ratios):.2f},"
            f" CPU ratio (floor's CPU a request / the portal's) {statistics.median(cpu_ratios):.2f}",
            flush=True,
        )
        for which, split in SPLIT.items():
            print(
                f"{worker_class:<8} {which}: CPU a request, median: gunicorn"
                f" {statistics.median(w for w, _ in split):.2f} ms, PostgreSQL {statistics.median(b for _, b in split):.2f} ms"
            )
            split.clear()
    bench.OUT.mkdir(parents=True, exist_ok=True)
    (bench.OUT / "load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
