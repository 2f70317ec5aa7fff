"""Scores of a hindcast against observations: band coverage and skill against persistence.

Everything is on the patterns' fitted scale (log for flows, the share itself for shares) and takes arrays of
simulated values, one row per posterior-predictive draw: `samples` (D, n_obs) for the observations `obs`.

- coverage: the share of observations inside the central `level` band of their draws (0.9: 5%-95%).
- skill against persistence: 1 - sum (median - y)^2 / sum (reference - y)^2, the reference being the last
  observation of the same series and output at or before an anchor year (2019 for the held-out years, the
  base year in sample). 1 is perfect, 0 no better than "nothing changes", negative worse.
- leader agreement: the share of (state, year) pairs where the model's median puts the same power ahead
  as the data do.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .patterns import Observation


def band(samples: np.ndarray, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) per observation: the (1-level)/2 and (1+level)/2 quantiles of (D, n) draws (numpy's linear rule)."""
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(np.asarray(samples, float), [tail, 1.0 - tail], axis=0)
    return lo, hi


def inside(samples: np.ndarray, observed: np.ndarray, level: float = 0.9) -> np.ndarray:
    """(n,) bool: each observation lies within its band (ends included)."""
    lo, hi = band(samples, level)
    return (np.asarray(observed) >= lo) & (np.asarray(observed) <= hi)


def coverage(samples: np.ndarray, observed: np.ndarray, level: float = 0.9) -> float:
    """Share of observations inside their `level` band; nan for no observations."""
    hits = inside(samples, observed, level)
    return float(hits.mean()) if hits.size else float("nan")


def skill(predicted: np.ndarray, observed: np.ndarray, reference: np.ndarray) -> float:
    """1 - SSE(predicted) / SSE(reference) over the observations that have a reference; nan if none or SSE 0."""
    predicted, observed, reference = (np.asarray(a, float) for a in (predicted, observed, reference))
    ok = np.isfinite(reference) & np.isfinite(predicted)
    sse_ref = np.sum((reference[ok] - observed[ok]) ** 2)
    if not ok.any() or sse_ref == 0:
        return float("nan")
    return float(1.0 - np.sum((predicted[ok] - observed[ok]) ** 2) / sse_ref)


def persistence(obs: Sequence[Observation], history: Sequence[Observation], anchor_year: int) -> np.ndarray:
    """(n,) the persistence forecast of each observation: the y of the latest observation in `history` of the
    same pattern and output with year <= anchor_year (nan when there is none)."""
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for o in history:
        key = (o.pattern, o.output)
        if o.year <= anchor_year and (key not in latest or o.year > latest[key][0]):
            latest[key] = (o.year, o.y)
    return np.array([latest.get((o.pattern, o.output), (0, np.nan))[1] for o in obs])


def add_observation_error(samples: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Posterior-predictive draws of the data: model draws plus N(0, sigma^2) observation error, per column."""
    samples = np.asarray(samples, float)
    return samples + rng.standard_normal(samples.shape) * np.asarray(sigma, float)


def observation_table(obs: Sequence[Observation], samples: np.ndarray, reference: np.ndarray,
                      level: float = 0.9) -> pd.DataFrame:
    """One row per observation: pattern, output, year, role, y, band, median, inside, persistence reference."""
    lo, hi = band(samples, level)
    return pd.DataFrame({
        "pattern": [o.pattern for o in obs], "series": [o.series for o in obs], "output": [o.output for o in obs],
        "year": [o.year for o in obs], "role": [o.role for o in obs], "y": [o.y for o in obs],
        "sigma": [o.sigma for o in obs], "lo": lo, "median": np.median(samples, axis=0), "hi": hi,
        "inside": inside(samples, [o.y for o in obs], level), "reference": reference,
    })


def pattern_scores(table: pd.DataFrame) -> pd.DataFrame:
    """Per pattern (rows in first-seen order): n, coverage, skill, and both mean squared errors."""
    rows = []
    for name, part in table.groupby("pattern", sort=False):
        has_ref = np.isfinite(part["reference"])
        rows.append({
            "pattern": name, "n": len(part), "coverage": float(part["inside"].mean()),
            "skill": skill(part["median"], part["y"], part["reference"]),
            "mse_model": float(np.mean((part["median"] - part["y"]) ** 2)),
            "mse_persistence": float(np.mean((part["reference"][has_ref] - part["y"][has_ref]) ** 2)) if has_ref.any() else np.nan,
            "n_reference": int(has_ref.sum()),
        })
    return pd.DataFrame(rows)


def leader_agreement(model_gap: np.ndarray, observed_gap: np.ndarray) -> float:
    """Share of pairs where sign(median of the model's (D, n) log-ratio draws) equals sign(observed log ratio)."""
    model_gap, observed_gap = np.asarray(model_gap, float), np.asarray(observed_gap, float)
    if observed_gap.size == 0:
        return float("nan")
    return float(np.mean(np.sign(np.median(model_gap, axis=0)) == np.sign(observed_gap)))
