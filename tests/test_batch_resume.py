"""Exact resume: a real `casim batch` killed with SIGKILL several times ends with the tables of an uninterrupted batch."""
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import pandas as pd

from cli_batches import done_runs, experiment_text, manifest
from experiments.batch import read_table

EXPERIMENT = experiment_text(replicates=8, chunk_size=2, end_year=2026, name="resume_check")
N_RUNS = 40


def batch_command(experiment, out, *extra):
    return [sys.executable, "-m", "casim.cli", "batch", str(experiment), "--out", str(out), "--quiet", *extra]


def kill_during_progress(command, out, delay):
    """Start `command` in its own process group; once it has finished a new chunk, wait `delay` s and
    SIGKILL the whole group (so the kill lands at a random point of computing or writing a chunk)."""
    before = done_runs(out)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while process.poll() is None and done_runs(out) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return process.returncode


def test_sigkill_at_random_moments_then_resume_gives_the_uninterrupted_tables(tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(EXPERIMENT)
    reference, out = tmp_path / "reference", tmp_path / "killed"
    finished = subprocess.run(batch_command(experiment, reference, "--workers", "2", "--chunk-size", "7"),
                              capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr

    rng = random.Random(5)
    kills, progress = 0, []
    while kills < 4 and done_runs(out) < N_RUNS:
        code = kill_during_progress(batch_command(experiment, out, "--resume"), out, rng.uniform(0.0, 0.4))
        kills += code == -signal.SIGKILL
        progress.append(done_runs(out))
    # A crash after a chunk's parts were renamed into place but before the manifest recorded them (it is
    # rewritten at most every few seconds) leaves parts and temporary files the manifest does not know.
    # Whatever state the kills left, make that one now: forget the last recorded chunk, as the manifest saved
    # before it finished would, and leave other rows in its part and half a file beside it. Resume must
    # discard both and run the chunk again.
    record = manifest(out)
    forgotten = max(c for c, chunk in record["chunks"].items() if chunk["status"] == "done")
    del record["chunks"][forgotten]
    (out / "manifest.json").write_text(json.dumps(record))
    read_table(reference, "region").head(3).to_parquet(out / "region" / f"part-{forgotten}.parquet")
    (out / "states" / f".part-{forgotten}.parquet.abc.tmp").write_bytes(b"half a file")
    left = N_RUNS - done_runs(out)
    final = subprocess.run(batch_command(experiment, out, "--resume"), capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    assert re.search(rf"\({left} run now", final.stdout), final.stdout   # the forgotten chunk ran again
    print(f"kills: {kills}, runs done after each: {progress}; then chunk {forgotten} forgotten")
    assert kills >= 2 and any(0 < p < N_RUNS for p in progress)

    for name in ("region", "states", "runs"):
        expected, got = read_table(reference, name), read_table(out, name)
        assert got["run"].nunique() == N_RUNS
        pd.testing.assert_frame_equal(expected, got)
    record = manifest(out)
    assert record["status"] == "done" and record["summary"]["runs_done"] == N_RUNS
    parts = sorted(f"part-{c}.parquet" for c in record["chunks"])
    for name in ("region", "states", "runs"):    # nothing but the recorded chunks' parts
        assert sorted(p.name for p in (out / name).iterdir()) == parts, name
