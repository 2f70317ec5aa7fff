"""Batch experiments: scenarios x samples x replicates, run in chunks, streamed to Parquet parts.

Run identity. Run ids are numbered scenario-major:
`run = (scenario * n_samples + sample) * replicates + replicate`.
A run's seed depends only on (master seed, sample, replicate) (`model.rng.run_seed`, the one seed
scheme: sample 0 replicate k is replicate k of `casim run` with the same seed), never on the
scenario, so replicate k of every scenario shares its random numbers (common
random numbers), and never on chunking, workers, executor or resumption. Its parameter draw
(`model.uncertainty`, the plan's `uncertainty` mode) depends only on (master seed, replicate): replicate k
draws the same vector in every scenario and sample, and a sample's design values win over the draw.

Each chunk (runs of one scenario) is one vectorised `CentralAsiaModel` with
per-run parameter arrays. A worker that shares the batch directory's filesystem
writes its tables as temporary Parquet files there and returns their names, so
the parent only renames them into place and updates the manifest; a remote Dask
worker returns Parquet bytes for the parent to write (see `batchstore`). Each part goes with its record
(size, rows, checksum; `integrity`), which the manifest keeps and which resume and readers check.

One process writes a batch directory at a time: `run_batch` holds the directory's lock (`dirlock`) from
before it reads the manifest until its last write. A disk fault (full, read-only, no permission) stops
the batch at once, with every finished chunk kept, rather than failing each remaining chunk in turn.
"""
from __future__ import annotations

import dataclasses
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from tqdm import tqdm

from model.dirlock import batch_lock_file, hold_directory
from model.integrity import Damage, bytes_record, disk_fault, file_record
from model.io import write_parquet_temporary
from model.rng import run_seed
from model.run import RunSpec, event_records, run_ensemble
from model.uncertainty import DEFAULT_MODE

from .batchstore import BatchStore, part_options, part_path, read_batch_table


@dataclass(frozen=True)
class ScenarioEntry:
    """One scenario of a batch: its label and a template with `.run_spec(replicates, seed)` or a `RunSpec`."""
    name: str
    template: object


@dataclass
class BatchPlan:
    """Everything that defines a batch's runs (and so its results)."""
    scenarios: list[ScenarioEntry]
    samples: pd.DataFrame               # one row per sample, columns = dotted paths (may be empty)
    replicates: int
    master_seed: int
    horizon: dict | None = None         # start_year/end_year/steps_per_year overriding the scenarios'
    outputs: tuple[str, ...] = ("region", "states")
    record: str = "all"                 # steps written to region/states: all, year_end or final
    identity: dict = field(default_factory=dict)  # input hashes etc. that resume must match
    common_seeds: bool = False          # replicate k of every sample shares a seed (sensitivity designs)
    uncertainty: str = DEFAULT_MODE     # parameter draws per replicate (model.uncertainty): posterior, prior, point

    @property
    def n_samples(self) -> int:
        return len(self.samples)

    @property
    def n_runs(self) -> int:
        return len(self.scenarios) * self.n_samples * self.replicates

    def scenario_details(self) -> dict[str, dict]:
        """Each scenario's description and scheduled events with their dates (`model.run.event_records`), for
        the manifest (reports read them from there)."""
        specs = {e.name: scenario_spec(e.template, self.horizon, 1) for e in self.scenarios}
        return {name: {"description": spec.description, "events": event_records(spec)} for name, spec in specs.items()}

    def identify(self, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(scenario index, sample, replicate) of each run id."""
        rest, replicate = np.divmod(np.asarray(runs, dtype=np.int64), self.replicates)
        scenario, sample = np.divmod(rest, self.n_samples)
        return scenario, sample, replicate

    def tasks(self, todo: np.ndarray, chunk_size: int):
        """Yield a `ChunkTask` per chunk of the runs in `todo` (sorted ids); chunks never mix scenarios."""
        scenario_of = self.identify(todo)[0]
        for s, entry in enumerate(self.scenarios):
            runs = todo[scenario_of == s]
            for start in range(0, runs.size, chunk_size):
                yield self.task(entry, runs[start:start + chunk_size])

    def task(self, entry: ScenarioEntry, runs: np.ndarray) -> "ChunkTask":
        _, sample, replicate = self.identify(runs)
        seed_sample = np.zeros_like(sample) if self.common_seeds else sample
        seeds = np.array([run_seed(self.master_seed, a, b) for a, b in zip(seed_sample, replicate)], dtype=np.int64)
        params = {path: self.samples[path].to_numpy()[sample] for path in self.samples.columns}
        return ChunkTask(chunk_id=f"{runs[0]:09d}-{runs[-1]:09d}", scenario=entry.name, template=entry.template,
                         runs=runs, samples=sample, replicates=replicate, seeds=seeds, params=params,
                         horizon=self.horizon, outputs=self.outputs, record=self.record,
                         master_seed=self.master_seed, uncertainty=self.uncertainty)


@dataclass
class ChunkTask:
    """One vectorised ensemble to run in a worker (picklable)."""
    chunk_id: str
    scenario: str
    template: object
    runs: np.ndarray
    samples: np.ndarray
    replicates: np.ndarray
    seeds: np.ndarray
    params: dict[str, np.ndarray]
    horizon: dict | None
    outputs: tuple[str, ...]
    record: str = "all"
    part_dir: str | None = None    # where the worker writes its parts; None: it returns them as bytes
    master_seed: int = 0           # keys each replicate's parameter draw, with the replicate index
    uncertainty: str = DEFAULT_MODE


def scenario_spec(template, horizon: dict | None, replicates: int) -> RunSpec:
    """A scenario's RunSpec on the batch's horizon (a `RunSpec` template, or a `model.scenario.Scenario`,
    which places its events on steps for the horizon it is given)."""
    if isinstance(template, RunSpec):
        return dataclasses.replace(template, **(horizon or {}), replicates=replicates)
    horizon = dict(horizon or {})
    steps_per_year = horizon.pop("steps_per_year", template.steps_per_year)
    if steps_per_year != template.steps_per_year:
        template = template.model_copy(update={"steps_per_year": steps_per_year})
    return template.run_spec(replicates=replicates, seed=0, **horizon)


def chunk_spec(task: ChunkTask) -> RunSpec:
    """The RunSpec of a chunk: the scenario's, with the chunk's seeds, replicates, sampled parameters (pinned) and the
    batch's master seed and uncertainty mode (each replicate's parameter draw)."""
    spec = scenario_spec(task.template, task.horizon, len(task.runs))
    spec.scenario = task.scenario
    spec.run_seeds = [int(s) for s in task.seeds]
    spec.replicate_ids = [int(r) for r in task.replicates]
    spec.params = {**spec.params, **task.params}
    spec.record = task.record
    spec.seed, spec.uncertainty = task.master_seed, task.uncertainty
    return spec


def run_chunk(task: ChunkTask) -> dict:
    """Run one chunk in a worker; returns {"parts": {table: part}, "records": {table: record}, "seconds": float}.

    With `task.part_dir` each part is a hidden temporary file the worker wrote there (the parent renames it
    into place once it is durable); without, the part's Parquet bytes (a worker on another machine). A
    part's record (size, rows, checksum of what the worker wrote) goes to the manifest.
    """
    started = time.perf_counter()
    parts, records = {}, {}
    for name, frame in chunk_tables(task).items():
        if task.part_dir:
            target = part_path(task.part_dir, name, task.chunk_id)
            parts[name] = write_parquet_temporary(target, frame, **part_options(frame))
            records[name] = file_record(parts[name], len(frame))
        else:
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False, **part_options(frame))
            parts[name] = buffer.getvalue()
            records[name] = bytes_record(parts[name], len(frame))
    return {"parts": parts, "records": records, "seconds": time.perf_counter() - started}


def chunk_tables(task: ChunkTask) -> dict[str, pd.DataFrame]:
    """The chunk's output tables and runs table, with batch run ids, sample indices and sampled parameters."""
    _, tables = run_ensemble(chunk_spec(task))
    out = {}
    for name in (*task.outputs, "runs"):
        frame = tables[name]
        local = frame["run"].to_numpy()
        frame["run"] = task.runs[local]
        if "sample" in frame:  # the runs table has the column, for a model's own design
            frame["sample"] = task.samples[local]
        else:
            frame.insert(frame.columns.get_loc("replicate") + 1, "sample", task.samples[local])
        if name == "runs":
            for path, values in task.params.items():
                frame[path] = values
        out[name] = frame
    return out


@dataclass
class BatchSummary:
    runs_total: int
    runs_done: int
    runs_failed: int
    ran_now: int
    seconds: float
    failed_chunks: dict
    damaged_chunks: dict[str, list[Damage]] = field(default_factory=dict)  # found on resume, and rerun
    verify_seconds: float = 0.0           # checking the finished chunks' parts on resume

    @property
    def ok(self) -> bool:
        return self.runs_failed == 0 and self.runs_done == self.runs_total


class ProgressBar(tqdm):
    """A tqdm bar without tqdm's monitor thread, which would outlive the batch and make the next one's
    local workers spawn instead of fork (`executors.default_start_method`). Redrawn on every chunk."""

    monitor_interval = 0


def run_batch(plan: BatchPlan, out_dir: str | Path, executor, chunk_size: int = 250, *, resume: bool = False,
              retry_failed: bool = False, force: bool = False, quiet: bool = False,
              log: Callable[[str], None] | None = None) -> BatchSummary:
    """Run the runs of `plan` that `out_dir` does not hold yet, streaming each chunk to disk.

    Args:
        plan: the batch.
        out_dir: batch directory (created; see `batchstore` for its layout).
        executor: a `ProcessExecutor` or `DaskExecutor` (not yet entered).
        chunk_size: runs per vectorised ensemble (does not change any result).
        resume, retry_failed, force: see `BatchStore`.
        quiet: no progress bar.
        log: called with notes for the user (a stale lock taken over, damaged chunks to rerun).

    Returns:
        Counts of runs done and failed, the failed chunks with their errors, the damaged chunks found on resume.

    Raises:
        DirectoryBusy: another process is writing `out_dir`.
        OSError: a disk fault (`integrity.disk_fault`); every chunk finished before it stays recorded.
    """
    log = log or (lambda message: None)
    identity = {**plan.identity, "n_runs": plan.n_runs, "record": plan.record, "uncertainty": plan.uncertainty,
                "scenario_details": plan.scenario_details()}
    with hold_directory(batch_lock_file(out_dir)) as lock:  # before the manifest is read, until the last write
        if lock.stale:
            log(f"note: {out_dir} was left by {lock.stale.describe()}, which ended without finishing; "
                "its lock was stale and is taken over")
        if lock.unlocked:
            log(f"note: {lock.unlocked}")
        store = BatchStore(out_dir, identity, resume, retry_failed, force)
        for chunk_id, damage in store.damaged.items():
            log(f"rerunning chunk {chunk_id}: " + "; ".join(str(d) for d in damage))
        todo = np.ones(plan.n_runs, bool)
        for status in ("done", "failed"):
            todo[store.runs_with(status)] = False
        todo = np.flatnonzero(todo)
        started = time.perf_counter()
        try:
            summary = _run_chunks(store, executor, plan.tasks(todo, chunk_size), todo.size, quiet)
        except OSError as exc:
            if disk_fault(exc):
                _keep_what_finished(store)
            raise
    return BatchSummary(runs_total=plan.n_runs, runs_done=summary["runs_done"], runs_failed=summary["runs_failed"],
                        ran_now=int(todo.size), seconds=time.perf_counter() - started,
                        failed_chunks=summary["failed_chunks"], damaged_chunks=store.damaged,
                        verify_seconds=store.verify_seconds)


def _run_chunks(store: BatchStore, executor, tasks, n_todo: int, quiet: bool) -> dict:
    """Run `tasks` on `executor`, recording each chunk in `store` as it finishes; returns the final summary."""
    with executor as pool, ProgressBar(total=n_todo, unit="run", disable=quiet, smoothing=0.1, miniters=1) as bar:
        pending: dict = {}
        window = 2 * pool.workers  # bounded in-flight chunks: memory stays flat
        part_dir = str(store.dir.resolve()) if pool.shares_filesystem else None

        def fill():
            for task in tasks:
                task.part_dir = part_dir
                pending[pool.submit(run_chunk, task)] = task
                if len(pending) >= window:
                    return

        fill()
        while pending:
            done, _ = pool.wait_first(set(pending))
            for future in done:
                task = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # recorded, the batch goes on, unless the disk failed
                    if disk_fault(exc):
                        raise worker_disk_fault(exc, store.dir, task.chunk_id) from exc
                    store.record_failed(task.chunk_id, task.runs, f"{type(exc).__name__}: {exc}")
                else:
                    store.record_done(task.chunk_id, task.runs, result["parts"], result["seconds"],
                                      result.get("records"))
                bar.update(len(task.runs))
            fill()
        return store.finish(pool.describe())


def worker_disk_fault(exc: OSError, out_dir: Path, chunk_id: str) -> OSError:
    """A worker's disk fault as an OSError naming the chunk's parts (pyarrow's errors name no file)."""
    return OSError(exc.errno, os.strerror(exc.errno), str(part_path(out_dir, "*", chunk_id)))


def _keep_what_finished(store: BatchStore) -> None:
    """After a disk fault (the workers have stopped): delete the unfinished chunks' files, which free some
    space, and record the chunks finished since the last save if the disk still takes the manifest. If it
    does not, the previous manifest stands (it is replaced atomically) and those chunks rerun on resume."""
    try:
        store.remove_leftovers()
        store.save()
    except OSError:
        pass


def read_table(out_dir: str | Path, name: str = "region") -> pd.DataFrame:
    """All finished parts of one table, checked against the manifest, as one DataFrame sorted by run.

    Raises:
        DamagedOutput: a missing, truncated or altered part, by path (`--resume` reruns its chunk).
    """
    frame = read_batch_table(out_dir, name)
    if frame is None:
        raise FileNotFoundError(f"{out_dir} holds no finished parts of table '{name}'")
    keys = [k for k in ("run", "step", "state") if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)
