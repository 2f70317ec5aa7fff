"""Reading output directories (DESIGN section 6); `column@year` values are picked by `model.outputs.OutputRef`."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from casim.errors import UserError
from experiments.outputdir import current_writer, load_manifest, output_kind, read_output_table
from model.dirlock import StillBeingWritten
from model.integrity import DamagedOutput

TABLES = ("region", "states", "runs")


def read_table(out_dir: str | Path, name: str) -> pd.DataFrame | None:
    """One table of an output directory: `name.parquet` (a file, or a directory of parts), a batch's finished
    parts in `name/`, else `name.csv`; each file checked against the manifest's record.

    Returns None when the directory has no such table.

    Raises:
        DamagedOutput: a missing, truncated or altered file, by path.
    """
    return read_output_table(out_dir, name)


def load_output(out_dir: str | Path) -> dict:
    """The tables and manifest of a `casim run` or `casim batch` output directory.

    A directory another process is writing is read as far as it is finished, with a `StillBeingWritten`
    warning naming the writer.

    Returns:
        {"region", "states", "runs": DataFrame or None, "manifest": dict, "path": Path}.

    Raises:
        UserError: the directory does not exist or has no region table.
        DamagedOutput: a missing, truncated or altered file, by path.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError(f"{out_dir}: no such output directory")
    manifest = load_manifest(out_dir)
    kind = output_kind(out_dir, manifest)
    writer = current_writer(out_dir, kind) if manifest else None
    tables, damage = {}, []
    for name in TABLES:  # every bad file of every table in one report
        try:
            tables[name] = read_output_table(out_dir, name, manifest)
        except DamagedOutput as exc:
            damage += exc.damage
    if damage:
        raise DamagedOutput(out_dir, damage, manifest)
    if writer is not None:
        warnings.warn(StillBeingWritten(_being_written(out_dir, kind, writer, tables["runs"], manifest)), stacklevel=2)
    if tables["region"] is None:
        if kind == "batch" and manifest:
            raise UserError(f"{out_dir}: the batch has no finished runs yet")
        raise UserError(f"{out_dir}: not a casim output directory (no region.parquet, region/ parts or region.csv)")
    tables["manifest"] = manifest
    tables["path"] = out_dir
    return tables


def _being_written(out_dir, kind, writer, runs, manifest) -> str:
    if kind == "batch":
        done = 0 if runs is None else len(runs)
        return (f"{out_dir} is still being written by {writer.describe()}: reading the {done:,} of "
                f"{manifest.get('n_runs', 0):,} runs finished so far")
    return f"{out_dir} is being rewritten by {writer.describe()}: reading its previous outputs"
