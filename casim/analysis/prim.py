"""PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as used for scenario discovery.

A compact version of the algorithm in EMA Workbench (`ema_workbench.analysis.prim`), which we do not
depend on because it pulls in scikit-learn, statsmodels, seaborn and Platypus:

- peeling: repeatedly cut the `alpha` share of the points in the box off one side of one input,
  choosing the cut that raises the box's density (share of cases of interest) the most;
- pasting (optional): widen the chosen box again while that raises its density;
- the trajectory records coverage (share of all cases of interest inside the box) against density;
- quasi-p-values: for each restricted input, a one-sided binomial test of whether the box's density
  beats the density of the box with that restriction dropped (EMA's definition).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import binomtest


@dataclass
class Box:
    """Limits per input: {column: (lower, upper)}, inclusive."""
    limits: dict[str, tuple[float, float]]

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(x), dtype=bool)
        for column, (lower, upper) in self.limits.items():
            values = x[column].to_numpy()
            inside &= (values >= lower) & (values <= upper)
        return inside

    def restricted(self, full: "Box") -> list[str]:
        """Inputs whose limits are tighter than the full data range `full`."""
        return [c for c, (lo, hi) in self.limits.items() if lo > full.limits[c][0] or hi < full.limits[c][1]]

    def without(self, column: str, full: "Box") -> "Box":
        return Box({**self.limits, column: full.limits[column]})


@dataclass
class PrimResult:
    """The peeling trajectory and the chosen box."""
    trajectory: pd.DataFrame          # step, coverage, density, mass, n_restricted
    boxes: list[Box]                  # one per trajectory row
    full: Box                         # the data range
    chosen: int | None                # index into boxes, None if no box meets the thresholds
    chosen_box: Box | None = None     # after optional pasting
    stats: dict = field(default_factory=dict)  # coverage, density, mass of the chosen box
    limits: pd.DataFrame | None = None  # restricted inputs: lower, upper, quasi_p


def box_stats(box: Box, x: pd.DataFrame, y: np.ndarray) -> dict:
    """Coverage, density and mass of a box (shares, 0-1)."""
    inside = box.contains(x)
    n_in, hits = int(inside.sum()), int(y[inside].sum())
    return {"coverage": hits / max(int(y.sum()), 1), "density": hits / n_in if n_in else 0.0,
            "mass": n_in / len(y), "n": n_in, "hits": hits}


def _best_peel(box: Box, x: pd.DataFrame, y: np.ndarray, alpha: float) -> Box | None:
    inside = box.contains(x)
    best, best_density, best_mass = None, -1.0, -1.0
    for column in x.columns:
        values = x[column].to_numpy()[inside]
        lower, upper = box.limits[column]
        for side, cut in (("lower", np.quantile(values, alpha)), ("upper", np.quantile(values, 1 - alpha))):
            keep = values > cut if side == "lower" else values < cut
            if keep.all() or not keep.any():
                continue  # this cut removes nothing or everything
            density, mass = y[inside][keep].mean(), keep.mean()
            if density > best_density or (density == best_density and mass > best_mass):
                kept = values[keep]
                new = (kept.min(), upper) if side == "lower" else (lower, kept.max())
                best, best_density, best_mass = Box({**box.limits, column: new}), density, mass
    return best


def peel(x: pd.DataFrame, y: np.ndarray, alpha: float = 0.05, mass_min: float = 0.05) -> tuple[list[Box], Box]:
    """The peeling trajectory: boxes from the full data range down to `mass_min` of the points."""
    full = Box({c: (float(x[c].min()), float(x[c].max())) for c in x.columns})
    boxes = [full]
    while True:
        nxt = _best_peel(boxes[-1], x, y, alpha)
        if nxt is None or nxt.contains(x).mean() < mass_min:
            return boxes, full
        boxes.append(nxt)


def paste(box: Box, x: pd.DataFrame, y: np.ndarray, alpha: float = 0.05) -> Box:
    """Widen `box` one limit at a time while that raises its density (the pasting phase)."""
    while True:
        current = box_stats(box, x, y)["density"]
        best, best_density = None, current
        n_add = max(1, int(alpha * box.contains(x).sum()))
        for column in x.columns:
            others = box.without(column, Box({c: (-np.inf, np.inf) for c in x.columns})).contains(x)
            values = x[column].to_numpy()
            lower, upper = box.limits[column]
            below = np.sort(values[others & (values < lower)])[::-1][:n_add]
            above = np.sort(values[others & (values > upper)])[:n_add]
            for new in ((below[-1], upper) if len(below) else None, (lower, above[-1]) if len(above) else None):
                if new is None:
                    continue
                candidate = Box({**box.limits, column: new})
                density = box_stats(candidate, x, y)["density"]
                if density > best_density:
                    best, best_density = candidate, density
        if best is None:
            return box
        box = best


def quasi_p_values(box: Box, full: Box, x: pd.DataFrame, y: np.ndarray) -> dict[str, float]:
    """One-sided binomial p-value per restricted input: does the restriction raise the density?"""
    stats = box_stats(box, x, y)
    out = {}
    for column in box.restricted(full):
        relaxed = box_stats(box.without(column, full), x, y)
        out[column] = float(binomtest(stats["hits"], stats["n"], relaxed["density"], alternative="greater").pvalue)
    return out


def prim(x: pd.DataFrame, y, alpha: float = 0.05, mass_min: float = 0.05, threshold: float = 0.8,
         min_coverage: float = 0.2, pasting: bool = False) -> PrimResult:
    """Find a box of inputs where the cases of interest concentrate.

    Args:
        x: numeric inputs, one row per run (e.g. the sampled parameters).
        y: boolean per run: is the run a case of interest.
        alpha: share of the box's points peeled off per step (0-1).
        mass_min: stop peeling when the box holds less than this share of all points (0-1).
        threshold: minimum density (share of cases of interest in the box, 0-1) for the chosen box.
        min_coverage: minimum coverage (share of all cases of interest inside the box, 0-1).
        pasting: widen the chosen box again while that raises its density.

    Returns:
        PrimResult; `chosen` is the trajectory step with the largest coverage among those meeting
        both thresholds and restricting at least one input, or None if there is none.
    """
    x = x.astype(float).reset_index(drop=True)
    y = np.asarray(y, dtype=bool)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    boxes, full = peel(x, y, alpha, mass_min)
    rows = []
    for step, box in enumerate(boxes):
        stats = box_stats(box, x, y)
        rows.append({"step": step, "coverage": stats["coverage"], "density": stats["density"],
                     "mass": stats["mass"], "n_restricted": len(box.restricted(full))})
    trajectory = pd.DataFrame(rows)
    ok = trajectory[(trajectory["density"] >= threshold) & (trajectory["coverage"] >= min_coverage)
                    & (trajectory["n_restricted"] > 0)]
    result = PrimResult(trajectory, boxes, full, None)
    if ok.empty:
        return result
    result.chosen = int(ok.sort_values(["coverage", "density"], ascending=False).iloc[0]["step"])
    chosen = paste(boxes[result.chosen], x, y, alpha) if pasting else boxes[result.chosen]
    result.chosen_box, result.stats = chosen, box_stats(chosen, x, y)
    p_values = quasi_p_values(chosen, full, x, y)
    result.limits = pd.DataFrame(
        [{"input": c, "lower": chosen.limits[c][0], "upper": chosen.limits[c][1],
          "data_min": full.limits[c][0], "data_max": full.limits[c][1], "quasi_p": p_values[c]}
         for c in chosen.restricted(full)])
    return result
