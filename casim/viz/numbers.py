"""The numbers the page prints beside its plots, from per-run arrays (no Solara, no model).

Influence now, per power: the median over runs, the 5-95% band and how often the power
leads. "What did my change do?": for each run, the student's value minus the same run of
the unmodified scenario (same seed, same parameters apart from the moved sliders), then the
median of those paired differences, their 5-95% band and the share of runs in which the
difference is positive, P(change > 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .figures import quantiles

NARROW_BAND = 0.01  # influence share: a 5-95% band narrower than this is hard to see at the plot's scale


@dataclass(frozen=True)
class Spread:
    """Median and 5-95% band of one quantity across runs."""
    median: float
    lo: float
    hi: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Spread":
        lo, mid, hi = quantiles(np.asarray(values, dtype=float))
        return cls(float(mid), float(lo), float(hi))

    @property
    def width(self) -> float:
        return self.hi - self.lo


@dataclass(frozen=True)
class PowerNow:
    """One power's regional influence this step."""
    power: str
    influence: Spread
    p_leads: float  # share of runs in which it has the largest influence


@dataclass(frozen=True)
class PowerChange:
    """One power's paired influence change (mine - unmodified, run by run)."""
    power: str
    change: Spread
    p_positive: float  # share of paired runs with change > 0


def influence_now(influence: np.ndarray, powers) -> list[PowerNow]:
    """Per power: influence spread and P(leads), from (R, P) influence shares."""
    leader = influence.argmax(axis=1)
    return [PowerNow(p, Spread.of(influence[:, j]), float(np.mean(leader == j))) for j, p in enumerate(powers)]


def influence_change(mine: np.ndarray, unmodified: np.ndarray, powers) -> list[PowerChange]:
    """Per power: spread of the paired differences mine - unmodified and P(difference > 0), from (R, P) arrays."""
    change = mine - unmodified
    return [PowerChange(p, Spread.of(change[:, j]), float(np.mean(change[:, j] > 0))) for j, p in enumerate(powers)]


def narrow_bands(rows: list[PowerNow], threshold: float = NARROW_BAND) -> bool:
    """True when every power's 5-95% band is narrower than `threshold` (shares)."""
    return all(row.influence.width < threshold for row in rows)
