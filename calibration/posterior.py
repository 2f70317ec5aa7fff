"""The accepted parameter vectors of the last calibration, for batch runs (issue D)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

POSTERIOR_FILE = Path(__file__).resolve().parent / "posterior.parquet"


def load(path: str | Path = POSTERIOR_FILE) -> pd.DataFrame:
    """All accepted vectors: one row each, columns = dotted parameter paths plus `objective`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no posterior yet; run `casim calibrate`")
    return pd.read_parquet(path)


def sample(n: int, seed: int, path: str | Path = POSTERIOR_FILE) -> pd.DataFrame:
    """`n` parameter vectors drawn uniformly with replacement from the accepted set.

    Args:
        n: number of vectors.
        seed: seed of the draw (same seed, same rows).
    Returns:
        DataFrame with n rows; columns are dotted parameter paths (pass a row as model overrides).
    """
    frame = load(path)
    rows = np.random.default_rng(seed).integers(0, len(frame), size=n)
    return frame.drop(columns="objective").iloc[rows].reset_index(drop=True)
