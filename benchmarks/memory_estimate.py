"""How close the model's memory estimate (`model.arguments.footprint`, which refuses an oversized
ensemble before allocating) is to what a process really takes.

Each case runs in a fresh process: build `CentralAsiaModel(n_runs=R, record=...)`, run it, build
`results()`, and compare the growth of the process's resident memory with the estimate. Prints one
line per case, then one JSON line.

Usage: python benchmarks/memory_estimate.py
"""
from __future__ import annotations

import json
import subprocess
import sys

CASES = [("False", 2040, 20000), ("final", 2040, 20000), ("year_end", 2040, 20000), ("all", 2030, 5000),
         ("all", 2040, 5000)]

CHILD = """
import gc, sys, psutil
from model import CentralAsiaModel, arguments
from model.model import noise_sizes
record, end, n = {"False": False}.get(sys.argv[1], sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
CentralAsiaModel(n_runs=2, seed=1, end_year=2025).run().results()   # first-use costs outside the measure
gc.collect()
process = psutil.Process()
before = process.memory_info().rss
model = CentralAsiaModel(n_runs=n, seed=1, record=record, end_year=end).run()
tables = model.results() if record else None
grown = process.memory_info().rss - before
foot = arguments.footprint(model.actors, sum(noise_sizes(model.actors)))
print(grown, foot.total(n, arguments.kept_steps(model.record, model.n_steps, model.steps_per_year)))
"""


def main() -> None:
    results = []
    for record, end, n in CASES:
        out = subprocess.run([sys.executable, "-c", CHILD, record, str(end), str(n)], capture_output=True, text=True,
                             check=True).stdout.split()
        measured, estimate = int(out[0]), int(out[1])
        results.append({"record": record, "end_year": end, "runs": n, "measured_kB_per_run": measured / n / 1e3,
                        "estimate_kB_per_run": estimate / n / 1e3, "ratio": estimate / measured})
        print(f"record={record:9} to {end}, {n:,} runs: measured {measured / n / 1e3:6.1f} kB/run, "
              f"estimate {estimate / n / 1e3:6.1f} kB/run, ratio {estimate / measured:.3f}")
    print(json.dumps({"memory_estimate": results}))


if __name__ == "__main__":
    main()
