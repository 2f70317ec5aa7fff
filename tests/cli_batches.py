"""Helpers for end-to-end tests that drive the real `casim` command (`.venv/bin/casim`) in subprocesses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch import read_table

CASIM = str(Path(sys.executable).with_name("casim"))  # the console script of this environment
TABLES = ("region", "states", "runs")


def experiment_text(replicates: int, chunk_size: int, end_year: int, name: str = "disk_check") -> str:
    """An experiment of 5 LHS samples x `replicates` runs from 2025 to `end_year`, one worker."""
    return f"""\
name: {name}
scenarios: []
replicates: {replicates}
seed: 21
sample:
  method: lhs
  n: 5
  params:
    beta_trade: [0.5, 2.0]
    powers.RUS.security_capacity: [0.5, 1.0]
horizon: {{start_year: 2025, end_year: {end_year}}}
executor: {{workers: 1, chunk_size: {chunk_size}}}
"""


def casim(*args, timeout=600, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([CASIM, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs)


def batch_args(experiment, out, *extra) -> list[str]:
    return [CASIM, "batch", str(experiment), "--out", str(out), "--quiet", *extra]


def all_tables(out) -> dict[str, pd.DataFrame]:
    return {name: read_table(out, name) for name in TABLES}


def assert_tables_equal(expected: dict, out) -> None:
    got = all_tables(out)
    for name in TABLES:
        pd.testing.assert_frame_equal(expected[name], got[name])


def manifest(out) -> dict:
    return json.loads((Path(out) / "manifest.json").read_text())


def done_runs(out) -> int:
    """Runs recorded as done in the manifest on disk (0 before there is one)."""
    try:
        chunks = manifest(out)["chunks"].values()
    except (FileNotFoundError, ValueError):
        return 0
    return sum(b - a for c in chunks if c["status"] == "done" for a, b in c["runs"])


def no_traceback(result: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in result.stderr and "Traceback" not in result.stdout


def flip_silently(path: Path) -> int:
    """Flip one bit of a Parquet file so that it still parses, to different values: damage that only a
    checksum notices. Returns the byte's offset."""
    data = path.read_bytes()
    original = pq.read_table(pa.BufferReader(data))
    for offset in range(64, len(data) - 64):
        changed = bytearray(data)
        changed[offset] ^= 0x01
        try:
            table = pq.read_table(pa.BufferReader(bytes(changed)))
        except (pa.ArrowException, OSError):
            continue
        if not table.equals(original):
            path.write_bytes(bytes(changed))
            return offset
    raise AssertionError(f"no bit of {path} flips silently")
