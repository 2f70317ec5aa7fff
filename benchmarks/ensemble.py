"""Speed of the vectorised ensemble (issue A). Prints a table, then one JSON line.

- us_per_run_step: microseconds per run-step at R = 1, 100, 1000, 10000 (64 steps, one process),
  stepping only (record=False) and with every step recorded for results() (record=True). After a warm-up
  run, the sizes are measured round-robin, best of 5 (of 2 at R = 10000), so that the VM's drift and the
  process's first-use costs fall on all sizes alike instead of on whichever is measured first.
- single_run_64_steps_ms: build CentralAsiaModel(n_runs=1) and step it 64 times.
- speedup_vs_mesa_batch_run: mesa.batch_run driving the same class with n_runs=1 for 200 runs x 64 steps
  (one process, collecting the model reporters at the end only: batch_run's cheapest setting) against one
  ensemble of 200 runs x 64 steps that also keeps only the final step (record="final") and builds its
  result tables from it: the same output on both sides. Same process, interleaved, best of 3 each.
  speedup_vs_mesa_batch_run_all_steps: the same peer against an ensemble that records every step and
  builds the full per-step region and states tables (more output than the peer returns).

Usage: python benchmarks/ensemble.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import os
import time

import mesa

from model import CentralAsiaModel

STEPS = 64


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_of(repeats, fn) -> float:
    return min(timed(fn) for _ in range(repeats))


def time_steps(model) -> float:
    """Wall time of 64 steps of a built model."""
    start = time.perf_counter()
    for _ in range(STEPS):
        model.step()
    return time.perf_counter() - start


def per_run_step(sizes: list[int], repeats: int) -> dict:
    """{record: {R: best us per run-step}}, every size and mode measured once per round (R = 10000: 2 rounds)."""
    time_steps(CentralAsiaModel(n_runs=100, seed=1))  # warm-up: first-use costs, the CPU's clock
    rounds = {n: repeats if n < 10000 else min(repeats, 2) for n in sizes}
    best = {record: {n: float("inf") for n in sizes} for record in (False, True)}
    for round_ in range(repeats):
        for n in (n for n in sizes if round_ < rounds[n]):
            for record in (False, True):
                seconds = time_steps(CentralAsiaModel(n_runs=n, seed=1, record=record))
                best[record][n] = min(best[record][n], seconds / (STEPS * n) * 1e6)
    return best


def single_run_ms(repeats: int) -> float:
    def go():
        model = CentralAsiaModel(seed=1)
        for _ in range(STEPS):
            model.step()
    return best_of(repeats, go) * 1e3


def speedup_vs_batch_run(n_runs: int, repeats: int) -> dict:
    def peer():
        mesa.batch_run(CentralAsiaModel, parameters={"seed": list(range(n_runs))}, iterations=1,
                       max_steps=STEPS, number_processes=1, data_collection_period=-1, display_progress=False)

    def ours(record):
        def go():
            model = CentralAsiaModel(n_runs=n_runs, seed=0, record=record)
            for _ in range(STEPS):
                model.step()
            tables = model.results()
            assert len(tables["region"]) == n_runs * (1 if record == "final" else STEPS + 1)
        return go

    # interleaved, so that drift in the machine's speed falls on both sides alike
    sides = {"peer": peer, "final": ours("final"), "all": ours("all")}
    times = {name: [] for name in sides}
    for _ in range(repeats):
        for name, fn in sides.items():
            times[name].append(timed(fn))
    peer_s, final_s, all_s = (min(times[name]) for name in sides)
    return {"mesa_batch_run_s": peer_s, "ensemble_s": final_s, "speedup": peer_s / final_s,
            "ensemble_all_steps_s": all_s, "speedup_all_steps": peer_s / all_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip R=10000")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    sizes = [1, 100, 1000] if args.quick else [1, 100, 1000, 10000]
    timings = per_run_step(sizes, 2 if args.quick else 5)
    stepping, recording = timings[False], timings[True]
    single = single_run_ms(repeats)
    versus = speedup_vs_batch_run(200, repeats)
    for n in sizes:
        print(f"R={n:>6}: {stepping[n]:8.2f} us/run-step stepping, {recording[n]:8.2f} with recording")
    print(f"single run, 64 steps: {single:.1f} ms")
    print(f"200 runs x 64 steps: mesa.batch_run {versus['mesa_batch_run_s']:.2f} s (final reporters), "
          f"ensemble {versus['ensemble_s']:.3f} s (final-step tables), speedup {versus['speedup']:.0f}x; "
          f"ensemble with every step's tables {versus['ensemble_all_steps_s']:.3f} s ({versus['speedup_all_steps']:.0f}x)")
    print(json.dumps({
        "us_per_run_step": {str(n): round(v, 3) for n, v in stepping.items()},
        "us_per_run_step_recording": {str(n): round(v, 3) for n, v in recording.items()},
        "single_run_64_steps_ms": round(single, 2),
        "speedup_vs_mesa_batch_run": round(versus["speedup"], 1),
        "speedup_vs_mesa_batch_run_all_steps": round(versus["speedup_all_steps"], 1),
        "mesa_batch_run_s": round(versus["mesa_batch_run_s"], 3),
        "ensemble_200_runs_s": round(versus["ensemble_s"], 4),
        "ensemble_200_runs_all_steps_s": round(versus["ensemble_all_steps_s"], 4),
        "cpu_count": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
