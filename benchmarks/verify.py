"""What checking the parts costs on resume (issue 23): a 100,000-run batch resumed from half-way. Last line is JSON.

A batch of N runs x 64 quarterly steps (2025-2040), `record="final"`, region and states tables, chunks of 250
runs (the default), 2 worker processes, runs once. Then, REPEATS times: half of its chunks (the second half,
as after a kill half-way) are forgotten (dropped from the manifest, their parts deleted) and the batch is
resumed with `run_batch(..., resume=True)`. That resume first checks every part of the other half against
its record (size and BLAKE2b checksum) and then runs the missing half.

- verify_fraction_of_resume: time of that check (`BatchSummary.verify_seconds`, timed inside the resume)
  over the whole resume's wall time; median of the repeats. The target is <= 5%.
- resume_with / resume_without: the same resume with the check switched off (the check replaced by one that
  finds nothing), interleaved with the real one, round by round, so that the VM's drift falls on both sides;
  their ratio is the end-to-end view of the same cost, within this machine's noise (10-25%).
- verify_all_s: `casim verify`'s check of the whole finished batch (every part read and hashed), and its
  share of the time the batch took to run: what checking every part of a batch costs, on resume or not.

Usage: python benchmarks/verify.py [--runs N] [--repeats K]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import tqdm

from experiments import batchstore
from experiments.batch import BatchPlan, ScenarioEntry, run_batch
from experiments.executors import ProcessExecutor
from experiments.outputdir import verify_output
from model.io import write_json_atomic
from model.run import RunSpec

tqdm.tqdm.monitor_interval = 0  # no monitor thread: the pools fork their workers (executors.default_start_method)

CHUNK = 250
WORKERS = 2
FULL = {"start_year": 2025, "end_year": 2040, "steps_per_year": 4}


def plan_of(n_runs: int) -> BatchPlan:
    return BatchPlan(scenarios=[ScenarioEntry("baseline", RunSpec(scenario="baseline"))],
                     samples=pd.DataFrame(index=range(1)), replicates=n_runs, master_seed=1, horizon=FULL,
                     outputs=("region", "states"), record="final", identity={"code_version": "benchmark"})


def forget_second_half(out: Path, finished: dict) -> int:
    """Put the batch back to a kill half-way: the finished manifest minus its second half of chunks, whose
    parts are deleted. Returns the runs left to do."""
    chunks = sorted(finished["chunks"])
    forgotten = chunks[len(chunks) // 2:]
    for chunk_id in forgotten:
        for table in batchstore.PART_DIRS:
            batchstore.part_path(out, table, chunk_id).unlink(missing_ok=True)
    half = {**finished, "status": "running", "chunks": {c: finished["chunks"][c] for c in chunks if c not in forgotten}}
    write_json_atomic(out / "manifest.json", half)
    return sum(b - a for c in forgotten for a, b in finished["chunks"][c]["runs"])


def resume(plan: BatchPlan, out: Path, check: bool):
    """One resume; with `check=False` the parts of finished chunks are taken on trust (the code before the check)."""
    real = batchstore.BatchStore._forget_damaged_chunks
    if not check:
        batchstore.BatchStore._forget_damaged_chunks = lambda self: {}
    try:
        started = time.perf_counter()
        summary = run_batch(plan, out, ProcessExecutor(WORKERS), CHUNK, resume=True, quiet=True)
        seconds = time.perf_counter() - started
    finally:
        batchstore.BatchStore._forget_damaged_chunks = real
    assert summary.ok and not summary.damaged_chunks
    return seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    plan = plan_of(args.runs)
    with tempfile.TemporaryDirectory(prefix="casim-verify-bench-") as tmp:
        out = Path(tmp) / "batch"
        started = time.perf_counter()
        assert run_batch(plan, out, ProcessExecutor(WORKERS), CHUNK, quiet=True).ok
        batch_s = time.perf_counter() - started
        finished = batchstore.read_manifest(out)
        part_bytes = sum(p.stat().st_size for p in out.rglob("part-*.parquet"))
        n_parts = sum(len(c["parts"]) for c in finished["chunks"].values())

        started = time.perf_counter()
        verification = verify_output(out)
        verify_all_s = time.perf_counter() - started
        assert verification.sound and verification.checked == n_parts

        with_check, without_check, verify_s, fractions = [], [], [], []
        for round_ in range(args.repeats):
            for check in ((True, False) if round_ % 2 == 0 else (False, True)):
                todo = forget_second_half(out, finished)
                seconds, summary = resume(plan, out, check)
                assert summary.ran_now == todo
                if check:
                    with_check.append(seconds)
                    verify_s.append(summary.verify_seconds)
                    fractions.append(summary.verify_seconds / seconds)
                else:
                    without_check.append(seconds)
            print(f"round {round_ + 1}: resume of {todo:,} runs with the check {with_check[-1]:.1f} s "
                  f"(check {verify_s[-1]:.3f} s, {100 * fractions[-1]:.2f}%), without {without_check[-1]:.1f} s")

    fraction = statistics.median(fractions)
    ratio = statistics.median(with_check) / statistics.median(without_check)
    print(f"{args.runs:,} runs x 64 steps, record final: batch {batch_s:.1f} s, {n_parts} parts, "
          f"{part_bytes / 1e6:.1f} MB")
    print(f"check on resume from half-way: {statistics.median(verify_s):.3f} s = {100 * fraction:.2f}% of the "
          f"resume's {statistics.median(with_check):.1f} s (target <= 5%); resume with / without the check "
          f"{ratio:.3f} (interleaved medians)")
    print(f"casim verify of the whole batch: {verify_all_s:.3f} s ({part_bytes / 1e6 / verify_all_s:.0f} MB/s), "
          f"{100 * verify_all_s / batch_s:.2f}% of the time the batch took")
    print(json.dumps({
        "runs": args.runs, "steps": 64, "record": "final", "chunk_size": CHUNK, "workers": WORKERS,
        "parts": n_parts, "part_mb": round(part_bytes / 1e6, 2), "batch_s": round(batch_s, 2),
        "verify_fraction_of_resume": round(fraction, 5),
        "verify_on_resume_s": [round(v, 4) for v in verify_s],
        "resume_with_check_s": [round(v, 2) for v in with_check],
        "resume_without_check_s": [round(v, 2) for v in without_check],
        "resume_with_vs_without": round(ratio, 4),
        "verify_all_s": round(verify_all_s, 4),
        "verify_all_fraction_of_batch": round(verify_all_s / batch_s, 5),
        "load_average_1min": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
    }))


if __name__ == "__main__":
    main()
