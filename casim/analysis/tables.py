"""Reading output directories (DESIGN section 6) and picking per-run values such as `influence_CHN@2035`."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from casim.errors import UserError
from model.dirlock import StillBeingWritten
from model.integrity import DamagedOutput
from experiments.outputdir import current_writer, load_manifest, output_kind, read_output_table
from model.errors import did_you_mean

TABLES = ("region", "states", "runs")
_OUTPUT_REF = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*@\s*(\d{4})\s*$")


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


def parse_output_ref(text: str) -> tuple[str, int]:
    """Split `column@year` (e.g. `influence_CHN@2035`) into its column and year."""
    match = _OUTPUT_REF.match(text)
    if not match:
        raise UserError(f"output '{text}': expected COLUMN@YEAR such as influence_CHN@2035")
    return match.group(1), int(match.group(2))


def value_at(frame: pd.DataFrame, column: str, year: int, state: str | None = None) -> pd.Series:
    """Per-run value of `column` at the last step of `year` (indexed by run).

    Args:
        frame: a region or states table (one row per run x step [x state]).
        column: the column name; `state` selects the state's rows of a states table.
        year: calendar year; the value is taken at that year's last recorded step.
    """
    if column not in frame.columns:
        raise UserError(f"unknown column '{column}'{did_you_mean(column, frame.columns)}")
    rows = frame if state is None else frame[frame["state"] == state]
    rows = rows[rows["year"] == year]
    if rows.empty:
        years = sorted(frame["year"].unique())
        raise UserError(f"year {year} is not in the outputs (years {years[0]}-{years[-1]})")
    last = rows["step"].max()
    return rows[rows["step"] == last].set_index("run")[column].sort_index()
