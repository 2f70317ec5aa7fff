"""Batch experiments (issue D): speed against mesa.batch_run, flat memory, worker scaling. Last line is JSON.

- speedup_vs_mesa_batch_run: the same runs x steps (N runs of 64 quarterly steps, 2025-2040) with
  `mesa.batch_run(CentralAsiaModel, seed=range(N))` (R=1 per run, model reporters collected at the end only,
  its cheapest setting) against `run_batch` (chunks of R runs, every step of region + states written to
  Parquet). Both with 2 processes (the headline; both pay their pool's start-up), and both in one process
  (batch_run number_processes=1 in-process vs our InlineExecutor).
- peak_rss_ratio_100k_vs_1k: peak RSS of the whole `casim batch` process tree (parent + workers, sampled
  from /proc every 50 ms) for 100,000 runs vs 1,000 runs; short horizon (1 year = 4 steps, region table
  only) so the 100k batch takes minutes, not hours. Same chunk size (500) and 2 workers.
- scaling_2_workers_vs_1: wall time of one batch (2,000 runs x 64 steps) with 1 worker / with 2.
- runs_per_second: the 2-worker batch of the scaling test (64 steps per run, all tables written).

Usage: python benchmarks/batch.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa
import pandas as pd

from experiments.batch import BatchPlan, ScenarioEntry, run_batch
from experiments.executors import InlineExecutor, ProcessExecutor
from experiments.runner import RunSpec
from model import CentralAsiaModel

STEPS = 64  # 2025-2040, quarterly
FULL = {"start_year": 2025, "end_year": 2040, "steps_per_year": 4}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plan_of(n_runs: int, horizon=FULL, outputs=("region", "states")) -> BatchPlan:
    return BatchPlan(scenarios=[ScenarioEntry("baseline", RunSpec(scenario="baseline"))],
                     samples=pd.DataFrame(index=range(1)), replicates=n_runs, master_seed=1,
                     horizon=horizon, outputs=outputs, identity={"code_version": "benchmark"})


def ours(n_runs: int, workers: int, chunk_size: int, tmp: Path, inline: bool = False) -> float:
    out = tmp / f"ours-{n_runs}-{workers}-{chunk_size}"
    executor = InlineExecutor() if workers == 1 and inline else ProcessExecutor(workers)
    seconds = timed(lambda: run_batch(plan_of(n_runs), out, executor, chunk_size,
                                      force=True, quiet=True))
    assert len(pd.read_parquet(out / "runs")) == n_runs
    return seconds


def mesa_batch_run(n_runs: int, processes: int) -> float:
    def go():
        results = mesa.batch_run(CentralAsiaModel, parameters={"seed": list(range(n_runs))}, iterations=1,
                                 max_steps=STEPS, number_processes=processes, data_collection_period=-1,
                                 display_progress=False)
        # batch_run reports model.steps - 1; the model stops itself after its 64-step horizon
        assert len(results) == n_runs and all(r["Step"] == STEPS - 1 for r in results)
    return timed(go)


def tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, kB (from /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def peak_rss_of_batch(n_runs: int, tmp: Path) -> tuple[int, float]:
    """Peak RSS (kB) of the `casim batch` process tree for n_runs runs of 4 steps, and its wall time."""
    experiment = tmp / f"rss_{n_runs}.yaml"
    experiment.write_text(f"name: rss_{n_runs}\nscenarios: []\nreplicates: {n_runs}\nseed: 1\n"
                          "horizon: {start_year: 2025, end_year: 2025}\noutputs: [region]\n"
                          "executor: {workers: 2, chunk_size: 500}\n")
    command = [sys.executable, "-m", "casim.cli", "batch", str(experiment), "--out", str(tmp / f"rss_{n_runs}"),
               "--quiet", "--force"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(0.05)
    assert process.returncode == 0, f"batch of {n_runs} failed"
    return peak, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches (figures less reliable)")
    args = parser.parse_args()
    n_versus, n_scaling, n_big = (40, 400, 20_000) if args.quick else (200, 2000, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        peer = {p: mesa_batch_run(n_versus, p) for p in (1, 2)}
        mine = {p: ours(n_versus, p, max(1, n_versus // p), tmp, inline=True) for p in (1, 2)}
        chunk = n_scaling // 20  # 20 chunks: balanced over 2 workers
        one = ours(n_scaling, 1, chunk, tmp)
        two = ours(n_scaling, 2, chunk, tmp)
        rss_small, _ = peak_rss_of_batch(1_000, tmp)
        rss_big, big_s = peak_rss_of_batch(n_big, tmp)
    speedup = {p: peer[p] / mine[p] for p in (1, 2)}
    print(f"{n_versus} runs x {STEPS} steps: mesa.batch_run {peer[2]:.1f} s vs casim batch {mine[2]:.2f} s "
          f"with 2 processes ({speedup[2]:.0f}x); with 1: {peer[1]:.1f} s vs {mine[1]:.2f} s ({speedup[1]:.0f}x)")
    print(f"{n_scaling} runs x {STEPS} steps: 1 worker {one:.1f} s, 2 workers {two:.1f} s "
          f"(scaling {one / two:.2f}, {n_scaling / two:.0f} runs/s)")
    print(f"peak RSS of the batch process tree (4-step runs): 1,000 runs {rss_small / 1024:.0f} MB, "
          f"{n_big:,} runs {rss_big / 1024:.0f} MB (ratio {rss_big / rss_small:.2f}; {n_big:,} runs in {big_s:.0f} s)")
    print(json.dumps({
        "speedup_vs_mesa_batch_run": round(speedup[2], 1),
        "speedup_vs_mesa_batch_run_1_process": round(speedup[1], 1),
        "mesa_batch_run_s": {str(p): round(v, 2) for p, v in peer.items()},
        "casim_batch_s": {str(p): round(v, 3) for p, v in mine.items()},
        "runs_x_steps_compared": [n_versus, STEPS],
        "peak_rss_ratio_100k_vs_1k": round(rss_big / rss_small, 3),
        "peak_rss_mb": {"1000": round(rss_small / 1024, 1), str(n_big): round(rss_big / 1024, 1)},
        "peak_rss_horizon_steps": 4,
        "scaling_2_workers_vs_1": round(one / two, 3),
        "runs_per_second": round(n_scaling / two, 1),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "quick": args.quick,
    }))


if __name__ == "__main__":
    main()
