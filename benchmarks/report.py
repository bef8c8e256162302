"""Print a results file of bench_national.py as a Markdown table (for docs/performance.md).
Usage: python benchmarks/report.py [var/benchmarks/results.json] [PREFIX...]"""

import json
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else "var/benchmarks/results.json")
prefixes = tuple(sys.argv[2:])
data = json.loads(path.read_text())
meta = data["meta"]
print(f"{meta['date']}, commit {meta['commit']}, {meta['machine']}, {meta['database']}, {meta['data']}\n")
print("| metric | portal | floor | ratio | unit | notes |")
print("| --- | ---: | ---: | ---: | --- | --- |")
for row in data["results"]:
    if prefixes and not row["metric"].startswith(prefixes):
        continue
    notes = ", ".join(f"{k} {v}" for k, v in row.items() if k not in {"metric", "portal", "floor", "ratio", "unit"})
    cells = ["—" if row[k] is None else f"{row[k]:g}" for k in ("portal", "floor")]
    ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}x"
    print(f"| {row['metric']} | {cells[0]} | {cells[1]} | {ratio} | {row['unit']} | {notes} |")
