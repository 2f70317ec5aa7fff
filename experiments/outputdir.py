"""An output directory of `casim run` or `casim batch`, from the reader's side: which kind it is, who is
writing it now, its tables read checked against the manifest, and a full check of its files.

A run directory holds `region.parquet`, `states.parquet`, `runs.parquet` (and CSV copies, plots) with a
record of each file in `manifest.json` (`files`); a batch directory holds one part per finished chunk,
recorded per chunk (`batchstore`). Readers never read a file the manifest does not vouch for: parts of
chunks still being written are not read, and a damaged file is reported by path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from model.dirlock import Holder, batch_lock_file, current_holder, run_lock_file
from model.integrity import Damage, DamagedOutput, file_problem, parse_parquet, read_checked, read_table_file

from .batchstore import PART_DIRS, chunk_damage, count_runs, part_path, read_batch_table, read_manifest

RUN_TABLES = ("region", "states", "runs")


class NotAnOutput(ValueError):
    """The path is not an output directory of `casim run` or `casim batch`."""


def output_kind(out_dir: str | Path, manifest: dict) -> str:
    """'batch' or 'run' (a manifest without a kind is guessed from the layout)."""
    kind = manifest.get("kind")
    if kind in ("batch", "run"):
        return kind
    return "batch" if (Path(out_dir) / "region").is_dir() else "run"


def current_writer(out_dir: str | Path, kind: str) -> Holder | None:
    """The process writing the directory now, or None."""
    return current_holder(batch_lock_file(out_dir) if kind == "batch" else run_lock_file(out_dir))


def load_manifest(out_dir: str | Path) -> dict:
    """The directory's manifest, or {} when it has none (tables copied without one)."""
    return read_manifest(out_dir) if (Path(out_dir) / "manifest.json").is_file() else {}


def read_output_table(out_dir: str | Path, name: str, manifest: dict | None = None) -> pd.DataFrame | None:
    """Table `name` of an output directory, each file checked against its manifest record.

    A batch's table is its finished parts; a run's is `name.parquet`, else `name.csv`. Returns None when the
    directory has no such table.

    Raises:
        DamagedOutput: a missing, truncated, altered or unreadable file, by path.
    """
    out_dir = Path(out_dir)
    manifest = load_manifest(out_dir) if manifest is None else manifest
    if manifest and output_kind(out_dir, manifest) == "batch":
        return read_batch_table(out_dir, name, manifest)
    records = manifest.get("files", {})
    for file in (f"{name}.parquet", name, f"{name}.csv"):
        path = out_dir / file
        if path.is_file():
            return read_table_file(path, records.get(file))
        if path.is_dir() and any(path.glob("*.parquet")):
            return _read_part_folder(path)
    return None


def _read_part_folder(folder: Path) -> pd.DataFrame:
    """A folder of Parquet parts without a manifest (not written by casim): read as it is, bad parts named."""
    damage, tables = [], []
    for path in sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(".")):
        try:
            tables.append(parse_parquet(path, read_checked(path, None)))
        except DamagedOutput as exc:
            damage += exc.damage
    if damage:
        raise DamagedOutput(folder.parent, damage)
    return pa.concat_tables(tables, promote_options="default").to_pandas()


@dataclass
class Verification:
    """What `verify_output` found in one directory."""
    directory: Path
    kind: str
    manifest: dict
    damage: list[Damage] = field(default_factory=list)
    checked: int = 0                      # files checked against a record
    writer: Holder | None = None          # the process writing the directory now
    notes: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.damage

    def runs(self, status: str) -> int:
        """Runs of a batch in chunks with this status ('done' or 'failed')."""
        return count_runs(self.manifest, status)


def verify_output(out_dir: str | Path) -> Verification:
    """Check every file an output directory's manifest records (size and checksum), without running anything.

    A folder holding a batch in `batch/` (`casim sensitivity`'s) is checked through it.

    Raises:
        NotAnOutput: no such directory, or no casim output in it.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise NotAnOutput(f"{out_dir}: no such directory")
    if not (out_dir / "manifest.json").exists():
        if (out_dir / "batch" / "manifest.json").exists():
            return verify_output(out_dir / "batch")
        raise NotAnOutput(f"{out_dir}: no manifest.json, so not an output directory of casim run or casim batch")
    try:
        manifest = read_manifest(out_dir)
    except DamagedOutput as exc:
        kind = output_kind(out_dir, {})
        return Verification(out_dir, kind, {}, exc.damage, writer=current_writer(out_dir, kind))
    kind = output_kind(out_dir, manifest)
    result = Verification(out_dir, kind, manifest, writer=current_writer(out_dir, kind))
    (_verify_batch if kind == "batch" else _verify_run)(result)
    return result


def _verify_batch(result: Verification) -> None:
    done = {cid: c for cid, c in result.manifest.get("chunks", {}).items() if c["status"] == "done"}
    for chunk_id, chunk in sorted(done.items()):
        result.damage += chunk_damage(result.directory, chunk_id, chunk)
        result.checked += len(chunk.get("parts", ()))
    if any("parts" not in c for c in done.values()):
        result.notes.append("some chunks were written by an older casim without checksums: only checked that "
                            "their parts exist")
    if result.writer is None:  # while a batch runs, its unfinished chunks' parts are expected
        recorded = {part_path(result.directory, name, cid) for cid in done for name in PART_DIRS}
        for name in PART_DIRS:
            folder = result.directory / name
            for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else ():
                if not path.name.startswith(".") and path not in recorded:
                    result.damage.append(Damage(path, "not recorded in manifest.json: left by a chunk that did "
                                                      "not finish (readers of the folder would count its runs)"))


def _verify_run(result: Verification) -> None:
    records = result.manifest.get("files")
    if records:
        for name, record in records.items():
            problem = file_problem(result.directory / name, record)
            if problem:
                result.damage.append(Damage(result.directory / name, problem))
        result.checked = len(records)
        return
    result.notes.append("manifest.json has no checksums (written by an older casim): only checked that the "
                        "tables can be read")
    for name in RUN_TABLES:
        try:
            read_output_table(result.directory, name, result.manifest)
        except DamagedOutput as exc:
            result.damage += exc.damage
