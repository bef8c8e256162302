"""The sweep serial and as a Celery group over one and two workers, on the data in
DATABASE_URL, through the broker in REDIS_URL (skipped without it). Steady sweeps
(nothing new), interleaved with a serial one each time. Writes var/benchmarks/sweep-workers.json.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _setup import ROOT, setup_django

if not os.environ.get("REDIS_URL"):
    print("REDIS_URL is not set: the parallel sweep needs a broker; skipped")
    sys.exit(0)
setup_django()

from portal.compliance.sweep import sweep_run  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_SWEEP_ROUNDS", "2"))


def timed(parallel: bool) -> float:
    start = time.perf_counter()
    run = sweep_run(parallel=parallel, notify=False, triggered_by="benchmark")
    assert run.status == "succeeded", run.error
    return time.perf_counter() - start


results = []
for workers in (1, 2):
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "portal", "worker", f"-c{workers}", "-l", "warning"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        time.sleep(8)  # the worker connects to the broker
        timed(True)  # warm the worker's connections and imports
        serial, parallel = [], []
        for _ in range(ROUNDS):
            serial.append(timed(False))
            parallel.append(timed(True))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    row = {
        "metric": f"steady sweep, Celery group over {workers} worker process(es) vs serial",
        "portal": round(statistics.median(parallel), 3),
        "floor": round(statistics.median(serial), 3),
        "unit": "s",
    }
    row["ratio"] = round(row["portal"] / row["floor"], 2)
    results.append(row)
    print(f"{row['metric']:<62} {row['portal']:>8} {row['floor']:>8} {row['ratio']:>6}x")
out = ROOT / "var" / "benchmarks" / "sweep-workers.json"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps(results, indent=2))
print(f"written {out}")
