"""The posterior draws of the last calibration, for batch runs (`from_posterior` in experiment files).

The draws are model data (`model/data/posterior.parquet`, named by `model/data/calibrated.yaml`), which every
replicate of `casim run` and `casim batch` draws from by default (`model.uncertainty`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.sampling import posterior_draw
from model.uncertainty import posterior_file

POSTERIOR_FILE = posterior_file() or Path(__file__).resolve().parent / "posterior.parquet"


def sample(n: int, seed: int, path: str | Path = POSTERIOR_FILE) -> pd.DataFrame:
    """`n` parameter vectors drawn with replacement, by weight, from the posterior draws (`posterior_draw`)."""
    return posterior_draw(path, n, seed)
