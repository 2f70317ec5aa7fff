"""The on-disk state of a batch: Parquet parts per chunk plus `manifest.json`.

Layout of a batch directory::

    manifest.json          identity (code version, input hashes, seed), status of every chunk
                           and, for each finished chunk, the size, rows and checksum of its parts
    region/part-<chunk>.parquet   one file per finished chunk (likewise states/, runs/)
    .casim.lock            held by the one process writing the directory (`dirlock`)

Workers write a chunk's parts as hidden temporary files (`.part-...tmp`, which
Parquet readers skip); the parent fsyncs and renames them into place, then
records the chunk. A chunk counts as done only once the manifest says so, and
the manifest is rewritten (atomically, and at most every few seconds on long
batches) only after the chunk's parts are in place. So after a crash at any
moment, files that the manifest does not list are leftovers of an unfinished
chunk: resuming deletes them and reruns those runs. Resuming also checks every recorded part against
its record (`integrity`) and reruns the chunks whose parts are missing, truncated or altered. Readers
read only the parts of the chunks the manifest records as done, checked the same way.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.integrity import Damage, DamagedOutput, bytes_record, file_problem, file_record, parse_parquet, read_checked
from model.io import now_iso, replace_durably, write_bytes_atomic, write_json_atomic

PART_DIRS = ("region", "states", "runs")
IDENTITY_KEYS = ("code_version", "experiment_sha256", "input_files", "samples_sha256")


class BatchMismatch(ValueError):
    """The directory holds another batch (different inputs or code), or a batch without --resume."""


def part_options(frame: pd.DataFrame) -> dict:
    """Parquet options for a part: dictionary-encode text columns only (on float columns it takes
    most of the writing time and saves nothing)."""
    return {"use_dictionary": frame.select_dtypes(include=["object", "string"]).columns.tolist()}


def part_path(out_dir, table: str, chunk_id: str) -> Path:
    return Path(out_dir) / table / f"part-{chunk_id}.parquet"


def to_ranges(runs: np.ndarray) -> list[list[int]]:
    """Sorted run ids as [start, stop) ranges, to keep the manifest short."""
    runs = np.asarray(runs, dtype=np.int64)
    if runs.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(runs) != 1) + 1
    return [[int(part[0]), int(part[-1]) + 1] for part in np.split(runs, breaks)]


def from_ranges(ranges) -> np.ndarray:
    return np.concatenate([np.arange(a, b) for a, b in ranges]) if ranges else np.zeros(0, np.int64)


def count_runs(manifest: dict, status: str) -> int:
    """Runs of a batch manifest's chunks with this status ('done' or 'failed')."""
    return sum(b - a for c in manifest.get("chunks", {}).values() if c["status"] == status for a, b in c["runs"])


class BatchStore:
    """Reads and updates one batch directory.

    Args:
        out_dir: the batch directory.
        identity: what must match to resume (code version, input hashes) plus descriptive fields.
        resume: continue an existing batch; retry_failed: also rerun failed chunks (implies resume).
        force: resume despite an identity mismatch, or (without resume) discard an existing batch.
    """

    def __init__(self, out_dir, identity: dict, resume=False, retry_failed=False, force=False):
        self.dir = Path(out_dir)
        self.path = self.dir / "manifest.json"
        resume = resume or retry_failed
        if self.path.exists() and resume:
            self.manifest = read_manifest(self.dir)  # a damaged one is a DamagedOutput naming it
            self._check_identity(identity, force)
            self.manifest.update({k: identity.get(k) for k in IDENTITY_KEYS})
        elif self.path.exists() and not force:
            raise BatchMismatch(f"{self.dir} already holds a batch: use --resume to continue it, "
                                "--force to start it again, or another --out")
        else:
            if self.dir.exists() and force:
                for name in (*PART_DIRS, "manifest.json"):
                    target = self.dir / name
                    shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
            self.manifest = {"kind": "batch", **identity, "started": now_iso(), "status": "running", "chunks": {}}
        if retry_failed:
            self.manifest["chunks"] = {k: c for k, c in self.manifest["chunks"].items() if c["status"] == "done"}
        started = time.perf_counter()
        self.damaged = self._forget_damaged_chunks() if resume else {}
        self.verify_seconds = time.perf_counter() - started
        self.remove_leftovers()
        self.save()

    def _check_identity(self, identity: dict, force: bool) -> None:
        was, now = self.manifest.get("record", "all"), identity.get("record", "all")  # "all" before the option
        if was != now:  # one table would mix runs with different steps: not even --force
            raise BatchMismatch(f"cannot resume {self.dir}: its tables hold record={was!r} steps, this batch "
                                f"writes record={now!r}. Start again with --force (without --resume), or another --out")
        was, now = self.manifest.get("uncertainty", "point"), identity.get("uncertainty", "point")  # point before draws
        if was != now:  # replicate k would run other parameters than the finished runs: not even --force
            raise BatchMismatch(f"cannot resume {self.dir}: its runs drew their parameters with uncertainty={was!r}, "
                                f"this batch uses uncertainty={now!r}. Resume with --uncertainty {was}, or start "
                                "again with --force (without --resume), or another --out")
        changed = [k for k in IDENTITY_KEYS if self.manifest.get(k) != identity.get(k)]
        if changed and not force:
            details = "; ".join(f"{k}: was {self.manifest.get(k)!r}, now {identity.get(k)!r}" for k in changed)
            raise BatchMismatch(f"cannot resume {self.dir}: inputs or code changed ({details}). "
                                "Use --force to resume anyway, or another --out")

    def _forget_damaged_chunks(self) -> dict[str, list[Damage]]:
        """Check every finished chunk's parts against their records; chunks with a missing, truncated or
        altered part count as not run (their other parts become leftovers). Returns them with their damage."""
        damaged = {}
        for chunk_id, chunk in list(self.manifest["chunks"].items()):
            if chunk["status"] == "done":
                damage = chunk_damage(self.dir, chunk_id, chunk)
                if damage:
                    damaged[chunk_id] = damage
                    del self.manifest["chunks"][chunk_id]
        return damaged

    def remove_leftovers(self) -> None:
        """Delete temporary files and parts of chunks the manifest does not record as done."""
        done = {f"part-{cid}.parquet" for cid, c in self.manifest["chunks"].items() if c["status"] == "done"}
        for name in PART_DIRS:
            folder = self.dir / name
            for file in folder.iterdir() if folder.is_dir() else ():
                if file.name not in done:
                    file.unlink()

    def save(self) -> None:
        started = time.monotonic()
        self.manifest["updated"] = now_iso()
        write_json_atomic(self.path, self.manifest)
        self._saved_at, self._save_seconds = time.monotonic(), time.monotonic() - started

    def save_soon(self) -> None:
        """Save, unless the last save is more recent than 20 times its duration: a rewrite costs O(chunks),
        which would make long batches quadratic. Resume stays exact: a chunk not saved yet counts as
        unfinished (its parts are leftovers) and runs again."""
        if time.monotonic() - self._saved_at >= 20 * self._save_seconds:
            self.save()

    def runs_with(self, status: str) -> np.ndarray:
        """Run ids of chunks with this status ('done' or 'failed')."""
        parts = [from_ranges(c["runs"]) for c in self.manifest["chunks"].values() if c["status"] == status]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def record_done(self, chunk_id: str, runs, parts: dict[str, bytes | str], seconds: float,
                    records: dict[str, dict] | None = None) -> None:
        """Put the chunk's Parquet parts in place (Parquet bytes, or a worker's temporary file beside the part),
        durably and atomically, then mark the chunk done in the manifest with each part's record (size, rows,
        checksum; computed here when the worker sent none)."""
        records = dict(records or {})
        for name, part in parts.items():
            target = part_path(self.dir, name, chunk_id)
            if isinstance(part, bytes):
                records.setdefault(name, bytes_record(part, parquet_rows(part)))
                write_bytes_atomic(target, part)
            else:
                records.setdefault(name, file_record(part, parquet_rows(Path(part).read_bytes())))
                replace_durably(part, target)
        self.manifest["chunks"][chunk_id] = {"runs": to_ranges(runs), "status": "done", "seconds": round(seconds, 3),
                                             "parts": records}
        self.save_soon()

    def record_failed(self, chunk_id: str, runs, error: str) -> None:
        self.manifest["chunks"][chunk_id] = {"runs": to_ranges(runs), "status": "failed", "error": error}
        self.save_soon()

    def finish(self, executor: str) -> dict:
        """Final status and counts; returns the summary written to the manifest."""
        self.remove_leftovers()  # temporary files of workers that died while writing
        counts = {s: int(self.runs_with(s).size) for s in ("done", "failed")}
        failed = {k: c["error"] for k, c in self.manifest["chunks"].items() if c["status"] == "failed"}
        self.manifest.update(status="failed" if failed else "done", finished=now_iso(), executor=executor,
                             summary={"runs_done": counts["done"], "runs_failed": counts["failed"],
                                      "runs_total": self.manifest["n_runs"], "failed_chunks": failed})
        self.save()
        return self.manifest["summary"]


def parquet_rows(data: bytes) -> int:
    return pq.read_metadata(pa.BufferReader(data)).num_rows


def chunk_damage(out_dir, chunk_id: str, chunk: dict) -> list[Damage]:
    """The missing, truncated or altered parts of a finished chunk. A chunk recorded before parts had records
    (an older casim) is only checked for parts missing from a table folder that exists."""
    out_dir = Path(out_dir)
    if "parts" in chunk:
        found = ((name, file_problem(part_path(out_dir, name, chunk_id), record))
                 for name, record in chunk["parts"].items())
    else:
        found = ((name, "missing") for name in PART_DIRS
                 if (out_dir / name).is_dir() and not part_path(out_dir, name, chunk_id).is_file())
    return [Damage(part_path(out_dir, name, chunk_id), problem, chunk_id) for name, problem in found if problem]


def read_manifest(out_dir) -> dict:
    """A batch or run directory's manifest.json; a missing or unreadable one is a `DamagedOutput`."""
    path = Path(out_dir) / "manifest.json"
    try:
        manifest = json.loads(read_checked(path, None))
    except ValueError as exc:
        if isinstance(exc, DamagedOutput):
            raise
        raise DamagedOutput(out_dir, [Damage(path, f"not valid JSON ({exc})")]) from None
    if not isinstance(manifest, dict):
        raise DamagedOutput(out_dir, [Damage(path, "not a casim manifest")])
    return manifest


def read_batch_table(out_dir, name: str, manifest: dict | None = None) -> pd.DataFrame | None:
    """Table `name` of a batch directory: the parts of the chunks its manifest records as done, each checked
    against its record, in chunk order. Parts of unfinished chunks (a batch still running, or killed) are
    not read. Returns None when the batch has no such table (or no finished chunk yet).

    Raises:
        DamagedOutput: every missing, truncated, altered or unreadable part, by path.
    """
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir) if manifest is None else manifest
    tables, damage = [], []
    for chunk_id, chunk in sorted(manifest.get("chunks", {}).items()):
        if chunk["status"] != "done":
            continue
        record = chunk.get("parts", {}).get(name)
        if record is None and ("parts" in chunk or not (out_dir / name).is_dir()):
            continue  # this batch does not write the table
        path = part_path(out_dir, name, chunk_id)
        try:
            tables.append(parse_parquet(path, read_checked(path, record)))
        except DamagedOutput as exc:
            damage += [Damage(d.path, d.problem, chunk_id) for d in exc.damage]
    if damage:
        raise DamagedOutput(out_dir, damage, manifest)
    return pa.concat_tables(tables, promote_options="default").to_pandas() if tables else None
