"""The accepted parameter vectors of the last calibration, for batch runs (`from_posterior` in experiment files)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.sampling import posterior_draw

POSTERIOR_FILE = Path(__file__).resolve().parent / "posterior.parquet"


def sample(n: int, seed: int, path: str | Path = POSTERIOR_FILE) -> pd.DataFrame:
    """`n` parameter vectors drawn uniformly with replacement from the accepted set (`posterior_draw`)."""
    return posterior_draw(path, n, seed)
