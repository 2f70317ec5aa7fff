"""Reading output directories (DESIGN section 6) and picking per-run values such as `influence_CHN@2035`."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from casim.errors import UserError

TABLES = ("region", "states", "runs")
_OUTPUT_REF = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*@\s*(\d{4})\s*$")


def read_table(out_dir: str | Path, name: str) -> pd.DataFrame | None:
    """One table of an output directory: `name.parquet` as a file or a directory of parts, else `name.csv`.

    Returns None when the directory has no such table.
    """
    out_dir = Path(out_dir)
    parquet = out_dir / f"{name}.parquet"
    if parquet.is_file() or (parquet.is_dir() and any(parquet.glob("*.parquet"))):
        return pd.read_parquet(parquet)
    if (out_dir / name).is_dir() and any((out_dir / name).glob("*.parquet")):
        return pd.read_parquet(out_dir / name)
    if (out_dir / f"{name}.csv").is_file():
        return pd.read_csv(out_dir / f"{name}.csv")
    return None


def load_output(out_dir: str | Path) -> dict:
    """The tables and manifest of a `casim run` or `casim batch` output directory.

    Returns:
        {"region", "states", "runs": DataFrame or None, "manifest": dict, "path": Path}.

    Raises:
        UserError: the directory does not exist or has no region table.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError(f"{out_dir}: no such output directory")
    tables = {name: read_table(out_dir, name) for name in TABLES}
    if tables["region"] is None:
        raise UserError(f"{out_dir}: not a casim output directory (no region.parquet, region/ parts or region.csv)")
    manifest_path = out_dir / "manifest.json"
    tables["manifest"] = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    tables["path"] = out_dir
    return tables


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
        raise UserError(f"unknown column '{column}'{_suggest(column, frame.columns)}")
    rows = frame if state is None else frame[frame["state"] == state]
    rows = rows[rows["year"] == year]
    if rows.empty:
        years = sorted(frame["year"].unique())
        raise UserError(f"year {year} is not in the outputs (years {years[0]}-{years[-1]})")
    last = rows["step"].max()
    return rows[rows["step"] == last].set_index("run")[column].sort_index()


def _suggest(name, options) -> str:
    import difflib

    close = difflib.get_close_matches(name, [str(o) for o in options], n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
