"""Batch experiments (issue D): speed against mesa.batch_run, flat memory, worker scaling. Last line is JSON.

- speedup_vs_mesa_batch_run: N = 10,000 runs of 64 quarterly steps (2025-2040), both with 2 processes and
  both paying their pool's start-up. Peer: `mesa.batch_run(CentralAsiaModel, parameters={"seed": range(N)},
  max_steps=64, number_processes=2, data_collection_period=-1)`, R=1 per run, model reporters collected at
  the final step only (its cheapest setting). Ours: `run_batch` in chunks of 500 runs with `record="final"`
  and the region table (the final state of every run, as the peer's final reporters) plus the runs table.
  Also reported: ours writing every step of region + states (`record="all"`), and both in one process
  (batch_run number_processes=1 in-process vs our InlineExecutor), on 500 runs.
- peak_rss_ratio_100k_vs_1k: peak RSS of the whole `casim batch` process tree (parent + workers, sampled
  from /proc every 50 ms) for 100,000 runs vs 1,000 runs; short horizon (1 year = 4 steps, region table
  only) so the 100k batch takes minutes, not hours. Same chunk size (500) and 2 workers.
- scaling_2_workers_vs_1: wall time of one batch of 20,000 runs x 64 steps with 1 worker / with 2, in the
  setting of the headline comparison (record="final", region table); medians of 3, the two worker counts
  measured alternately. Also reported writing every step of region + states (record="all", the default),
  which writes about 2.5 GB of Parquet and so also measures the disk.
- runs_per_second: the 2-worker record="all" batch of the scaling test (every step written); also
  reported for record="final".

Each side pays its pool's start-up. mesa.batch_run's pool spawns its workers (Mesa sets the spawn start
method), which import numpy, pandas, Mesa and the model: about 1.5 s on 2 cores. On Linux ours forks them
from the already-importing parent (`experiments.executors.default_start_method`), in milliseconds; the
start method is in the JSON. At N = 10,000 the peer takes about 9 minutes. `--runs N` compares on N runs.

Usage: python benchmarks/batch.py [--quick] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa
import pandas as pd
import tqdm

from experiments.batch import BatchPlan, ScenarioEntry, run_batch
from experiments.executors import InlineExecutor, ProcessExecutor, default_start_method
from model import CentralAsiaModel
from model.run import RunSpec

# mesa.batch_run opens a (disabled) tqdm bar whose monitor thread would outlive it; in a process with a second
# thread our pool spawns its workers instead of forking them. Neither side displays a bar, so no monitor.
tqdm.tqdm.monitor_interval = 0

STEPS = 64  # 2025-2040, quarterly
CHUNK = 500  # runs per chunk (balance_sweep's); results do not depend on it
REPEATS = 3  # our batches take seconds: median of 3 (the peer's take minutes: run once)
FULL = {"start_year": 2025, "end_year": 2040, "steps_per_year": 4}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plan_of(n_runs: int, horizon=FULL, outputs=("region", "states"), record="all") -> BatchPlan:
    return BatchPlan(scenarios=[ScenarioEntry("baseline", RunSpec(scenario="baseline"))],
                     samples=pd.DataFrame(index=range(1)), replicates=n_runs, master_seed=1,
                     horizon=horizon, outputs=outputs, record=record, identity={"code_version": "benchmark"})


def one_batch(n_runs: int, workers: int, tmp: Path, record="all", outputs=("region", "states"),
              inline=False) -> float:
    """Wall time of one `run_batch` call (pool start-up included) on n_runs runs x 64 steps; checks the tables."""
    out = tmp / f"ours-{n_runs}-{workers}-{record}-{inline}"
    executor = InlineExecutor() if inline else ProcessExecutor(workers)
    seconds = timed(lambda: run_batch(plan_of(n_runs, outputs=outputs, record=record), out, executor, CHUNK,
                                      force=True, quiet=True))
    region = pd.read_parquet(out / "region")
    assert len(pd.read_parquet(out / "runs")) == n_runs
    assert len(region) == n_runs * (1 if record == "final" else STEPS + 1) and region["step"].max() == STEPS
    shutil.rmtree(out)  # up to 2.5 GB
    return seconds


def ours(n_runs: int, workers: int, tmp: Path, **setting) -> float:
    """Median of REPEATS batches."""
    return statistics.median(one_batch(n_runs, workers, tmp, **setting) for _ in range(REPEATS))


def scaling_times(n_runs: int, tmp: Path, **setting) -> dict[int, float]:
    """Median wall times with 1 and with 2 workers, measured alternately so that drift of this VM's
    speed (10-25% over minutes) falls on both alike."""
    times = {1: [], 2: []}
    for _ in range(REPEATS):
        for workers in (1, 2):
            times[workers].append(one_batch(n_runs, workers, tmp, **setting))
    return {workers: statistics.median(t) for workers, t in times.items()}


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
    parser.add_argument("--runs", type=int, help="runs of the comparison with mesa.batch_run (default 10000)")
    args = parser.parse_args()
    n_versus, n_scaling, n_big = (400, 2000, 20_000) if args.quick else (10_000, 20_000, 100_000)
    n_versus = args.runs or n_versus
    n_one = 100 if args.quick else 500  # in one process there is no start-up to amortise
    load_at_start = os.getloadavg()[0]
    final_only = {"record": "final", "outputs": ("region",)}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        peer = {2: mesa_batch_run(n_versus, 2), 1: mesa_batch_run(n_one, 1)}
        mine = {2: ours(n_versus, 2, tmp, **final_only), 1: ours(n_one, 1, tmp, **final_only, inline=True)}
        mine_all_steps = ours(n_versus, 2, tmp)
        modes = {"final": final_only, "all": {}}
        scaling = {mode: scaling_times(n_scaling, tmp, **setting) for mode, setting in modes.items()}
        rss_small, _ = peak_rss_of_batch(1_000, tmp)
        rss_big, big_s = peak_rss_of_batch(n_big, tmp)
    speedup = {p: peer[p] / mine[p] for p in (1, 2)}
    ratio = {record: times[1] / times[2] for record, times in scaling.items()}
    print(f"{n_versus} runs x {STEPS} steps, 2 processes: mesa.batch_run {peer[2]:.1f} s; casim batch "
          f"{mine[2]:.2f} s with final states ({speedup[2]:.0f}x), {mine_all_steps:.2f} s with every step of "
          f"region + states ({peer[2] / mine_all_steps:.0f}x)")
    print(f"{n_one} runs x {STEPS} steps, 1 process: mesa.batch_run {peer[1]:.1f} s; casim batch (inline) "
          f"{mine[1]:.2f} s with final states ({speedup[1]:.0f}x)")
    for record, times in scaling.items():
        print(f"{n_scaling} runs x {STEPS} steps, {record} steps written: 1 worker {times[1]:.1f} s, 2 workers "
              f"{times[2]:.1f} s (scaling {ratio[record]:.2f}, {n_scaling / times[2]:.0f} runs/s)")
    print(f"peak RSS of the batch process tree (4-step runs): 1,000 runs {rss_small / 1024:.0f} MB, "
          f"{n_big:,} runs {rss_big / 1024:.0f} MB (ratio {rss_big / rss_small:.2f}; {n_big:,} runs in {big_s:.0f} s)")
    print(json.dumps({
        "speedup_vs_mesa_batch_run": round(speedup[2], 1),
        "speedup_vs_mesa_batch_run_all_steps_written": round(peer[2] / mine_all_steps, 1),
        "speedup_vs_mesa_batch_run_1_process": round(speedup[1], 1),
        "mesa_batch_run_s": {str(p): round(v, 2) for p, v in peer.items()},
        "casim_batch_s": {str(p): round(v, 3) for p, v in mine.items()},
        "casim_batch_all_steps_s": round(mine_all_steps, 3),
        "runs_compared": {"2_processes": n_versus, "1_process": n_one}, "steps": STEPS, "chunk_size": CHUNK,
        "peak_rss_ratio_100k_vs_1k": round(rss_big / rss_small, 3),
        "peak_rss_mb": {"1000": round(rss_small / 1024, 1), str(n_big): round(rss_big / 1024, 1)},
        "peak_rss_horizon_steps": 4,
        "scaling_2_workers_vs_1": round(ratio["final"], 3),
        "scaling_2_workers_vs_1_all_steps_written": round(ratio["all"], 3),
        "scaling_s": {record: {str(w): round(t, 2) for w, t in times.items()} for record, times in scaling.items()},
        "scaling_runs": n_scaling,
        "runs_per_second": round(n_scaling / scaling["all"][2], 1),
        "runs_per_second_record_final": round(n_scaling / scaling["final"][2], 1),
        "worker_start_method": default_start_method(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
        "quick": args.quick,
    }))


if __name__ == "__main__":
    main()
