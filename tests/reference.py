"""The regression reference: a small committed run of the model, regenerated only on purpose.

`tests/data/reference/` holds the scenario (every shock fires in 2025-2027), and the region and states
tables of its 5 replicates (seed 2024, every column, every quarter). `tests/test_reference.py` runs the
scenario afresh and compares every value within RTOL (ATOL for values near zero). A change to the
model that moves a trajectory fails that test; if the change is meant, regenerate the reference with

    make reference        # runs: python tests/reference.py

and commit the new Parquet files with the change, so that the diff is reviewed with it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"
SCENARIO = REFERENCE_DIR / "scenario.yaml"
TABLES = ("region", "states")
RTOL, ATOL = 1e-9, 1e-12


def fresh_tables() -> dict[str, pd.DataFrame]:
    """The reference scenario's region and states tables, run now with the packaged actors and calibration, at the
    calibrated point (parameter draws are tested as invariants in tests/test_uncertainty.py)."""
    from model.run import run_ensemble
    from model.scenario import load_scenario

    _, tables = run_ensemble(load_scenario(SCENARIO).run_spec(uncertainty="point"))  # the events' magnitudes by hand
    return {name: tables[name] for name in TABLES}


def stored_tables() -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(REFERENCE_DIR / f"{name}.parquet") for name in TABLES}


def main() -> int:
    for name, frame in fresh_tables().items():
        frame.to_parquet(REFERENCE_DIR / f"{name}.parquet", index=False)
        print(f"wrote {REFERENCE_DIR / name}.parquet ({len(frame)} rows, {len(frame.columns)} columns)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REFERENCE_DIR.parents[2]))  # run from a checkout without installing
    sys.exit(main())
