"""The Sim layer: what to run (`RunSpec`), running it as one vectorised ensemble, its tables and outputs.

`run_ensemble(spec)` runs every replicate of a scenario at once and returns the `region`, `states`
and `runs` tables; `write_outputs(out_dir, spec)` also writes them, with `manifest.json`, into an
output directory that appears whole or not at all, holding the directory's lock (`dirlock`) so that
one process writes it at a time. Batches (`experiments`) run many `RunSpec`s in chunks; the command
line (`casim run`) adds its figures through `write_outputs(..., extra=...)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .dirlock import hold_directory, run_lock_file
from .events import Event
from .integrity import file_record
from .io import atomic_directory, code_version, file_hash, now_iso, write_json_atomic, write_parquet_atomic
from .model import CentralAsiaModel
from .uncertainty import DEFAULT_MODE, posterior_file

TABLES = ("region", "states", "runs")


@dataclass
class RunSpec:
    """What to run: one scenario as an ensemble of replicates."""
    scenario: str = "baseline"
    description: str = ""                    # the scenario file's description (for reports)
    replicates: int = 1
    seed: int = 0
    start_year: int = 2025
    end_year: int = 2040
    steps_per_year: int = 4
    params: dict = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    input_files: list[str] = field(default_factory=list)
    run_seeds: list[int] | None = None       # explicit per-run seeds (batches); default from `seed`
    replicate_ids: list[int] | None = None   # replicate index of each run; default 0..n-1
    record: str = "all"                      # steps in the region/states tables: all, year_end or final
    uncertainty: str = DEFAULT_MODE          # parameter draws per replicate: posterior, prior or point


def run_ensemble(spec: RunSpec) -> tuple[CentralAsiaModel, dict[str, pd.DataFrame]]:
    """Run all replicates of `spec` as one vectorised ensemble; returns the model and its tables."""
    model = CentralAsiaModel(n_runs=spec.replicates, seed=spec.seed, params=spec.params, run_seeds=spec.run_seeds,
                             replicate_ids=spec.replicate_ids,
                             start_year=spec.start_year, end_year=spec.end_year,
                             steps_per_year=spec.steps_per_year, scenario=spec.scenario,
                             events=list(spec.events), record=spec.record, uncertainty=spec.uncertainty)
    model.run()
    tables = model.results()
    tables["runs"] = model.runs_table()
    return model, tables


def uncertainty_record(model: CentralAsiaModel) -> dict:
    """The manifest's account of parameter uncertainty: mode, posterior file and the paths drawn per run."""
    file = posterior_file() if model.uncertainty == "posterior" else None
    return {"mode": model.uncertainty, "posterior": str(file) if file else None, "drawn": list(model.params.drawn)}


def run_manifest(spec: RunSpec, model: CentralAsiaModel, started: str, status: str = "done",
                 files: dict | None = None) -> dict:
    """What a run directory holds: code version, input hashes (the scenario files, the actor table and the
    posterior draws the model ran on), the parameters at the end of the run (after its events; one that differs
    between runs is named here, and runs.parquet has the values each run started with), the uncertainty mode,
    the scheduled events with their dates, seeds, timings, status, and each file's record (size, rows,
    checksum), which `casim verify` and the readers check."""
    uncertainty = uncertainty_record(model)
    inputs = [*spec.input_files, model.actors.path, *([uncertainty["posterior"]] if uncertainty["posterior"] else [])]
    return {
        "kind": "run",
        "code_version": code_version(),
        "scenario": spec.scenario,
        "description": spec.description,
        "input_files": {str(p): file_hash(p) for p in inputs},
        "params": {path: (value if not isinstance(value, list) else "per run (runs.parquet)")
                   for path, value in model.params.resolved().items()},  # at the end, after the events
        "uncertainty": uncertainty,
        "overrides": {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in model.params.overrides.items()},
        "horizon": {"start_year": spec.start_year, "end_year": spec.end_year, "steps_per_year": spec.steps_per_year},
        "events": event_records(spec),
        "master_seed": spec.seed,
        "run_seeds": [int(s) for s in model.seeds],
        "executor": "in-process (one vectorised ensemble)",
        "started": started,
        "finished": now_iso(),
        "runs": {str(k): status for k in range(model.n_runs)},
        "files": files or {},
    }


def event_records(spec: RunSpec) -> list[dict]:
    """The scenario's scheduled events as its manifest lists them (date, label, shock and arguments), by step."""
    return [event.record(spec.start_year, spec.steps_per_year) for event in sorted(spec.events, key=lambda e: e.step)]


def write_outputs(out_dir: str | Path, spec: RunSpec, csv: bool = False,
                  extra: Callable[[dict[str, pd.DataFrame], Path], object] | None = None) -> dict[str, pd.DataFrame]:
    """Run `spec` and write its tables as Parquet (and CSV) with `manifest.json`, atomically.

    Holds the directory's lock (`dirlock.run_lock_file`) from before the run until the directory is in place.

    Args:
        out_dir: the output directory; it is replaced whole once everything is written, or left as it was.
        spec: what to run.
        csv: also write CSV copies of the tables.
        extra: `extra(tables, directory)` writes more files (figures, say) into the directory before it
            is moved into place, so they are part of the same atomic output (and of the manifest's records).
    Returns:
        The `region`, `states` and `runs` tables.
    Raises:
        DirectoryBusy: another process is writing `out_dir`.
    """
    with hold_directory(run_lock_file(out_dir)):
        started = now_iso()
        model, tables = run_ensemble(spec)
        with atomic_directory(out_dir) as tmp:
            rows = {}
            for name in TABLES:
                write_parquet_atomic(tmp / f"{name}.parquet", tables[name])
                rows[f"{name}.parquet"] = rows[f"{name}.csv"] = len(tables[name])
                if csv:
                    tables[name].to_csv(tmp / f"{name}.csv", index=False)
            if extra is not None:
                extra(tables, tmp)
            files = {path.relative_to(tmp).as_posix(): file_record(path, rows.get(path.name))
                     for path in sorted(tmp.rglob("*")) if path.is_file()}
            write_json_atomic(tmp / "manifest.json", run_manifest(spec, model, started, files=files))
    return tables
