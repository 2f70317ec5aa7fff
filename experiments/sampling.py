"""Designs over parameter ranges: one row per sample, one column per dotted path.

`lhs`, `sobol` and `grid` use scipy.stats.qmc; `saltelli` (Sobol' indices) and `morris` (elementary
effects) are SALib's designs, rows in SALib's order so that its analysers can read the outputs sorted by
`sample` (`casim.analysis.sensitivity`); `from_posterior` draws calibrated parameter sets from the
posterior draws that `casim calibrate` writes (`model/data/posterior.parquet`, by weight). These are designs, whose
values every replicate runs; a replicate's own parameter draw is `model.uncertainty`'s.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.stats import qmc

from model.errors import InputError

from .spec import Experiment, SampleSpec, resolve_file

SALIB_METHODS = ("sobol", "morris")


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a parameter path sampled uniformly on [lower, upper]."""
    path: str
    lower: float
    upper: float


def salib_problem(factors: list[Factor]) -> dict:
    """SALib's description of the factors."""
    return {"num_vars": len(factors), "names": [f.path for f in factors],
            "bounds": [[f.lower, f.upper] for f in factors]}


def sample_design(factors: list[Factor], method: str, n: int, seed: int = 0, num_levels: int = 4) -> pd.DataFrame:
    """SALib's design: Saltelli/Sobol' (n * (k + 2) points) or Morris (n trajectories, n * (k + 1) points).

    Raises:
        InputError: an unknown method, or a Sobol' n that is not a power of 2.
    """
    problem = salib_problem(factors)
    if method == "sobol":
        if n < 2 or n & (n - 1):
            raise InputError(f"sobol: n must be a power of 2 (Sobol' sequence balance), got {n}")
        points = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    elif method == "morris":
        points = morris_sample.sample(problem, n, num_levels=num_levels, seed=seed)
    else:
        raise InputError(f"unknown method '{method}'; choose one of {', '.join(SALIB_METHODS)}")
    return pd.DataFrame(points, columns=problem["names"])


def design(sample: SampleSpec, seed: int) -> pd.DataFrame:
    """The sampled parameter values, shape (n_samples, n_params)."""
    names = list(sample.params)
    if sample.method == "saltelli":  # the design `casim sensitivity --method sobol` analyses
        return sample_design([Factor(k, *sample.params[k]) for k in names], "sobol", sample.n, seed)
    lows, highs = np.array([sample.params[k] for k in names], dtype=float).T
    d = len(names)
    if sample.method == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(sample.n)
    elif sample.method == "sobol":
        unit = qmc.Sobol(d=d, scramble=True, seed=np.random.default_rng(seed)).random(sample.n)
    else:  # grid
        levels = np.linspace(0.0, 1.0, sample.n) if sample.n > 1 else np.array([0.5])
        unit = np.array(list(itertools.product(levels, repeat=d)))
    return pd.DataFrame(qmc.scale(unit, lows, highs), columns=names)


def experiment_design(experiment: Experiment, base_dir=None) -> pd.DataFrame:
    """The samples of an experiment: its design, a posterior draw, or one empty sample."""
    if experiment.sample is not None:
        seed = experiment.sample.seed if experiment.sample.seed is not None else experiment.seed
        return design(experiment.sample, seed)
    if experiment.from_posterior is not None:
        spec = experiment.from_posterior
        return posterior_draw(resolve_file(spec.file, Path(base_dir or ".")), spec.n, experiment.seed)
    return pd.DataFrame(index=range(1))


def posterior_draw(path: str | Path, n: int, seed: int) -> pd.DataFrame:
    """`n` parameter vectors drawn with replacement from a posterior file's vectors, with probability
    proportional to their `weight` column (ABC-SMC importance weights) where there is one, else uniformly.

    Args:
        path: Parquet file, one row per vector: dotted parameter paths, and optionally `weight` and `objective`.
        n: number of vectors.
        seed: seed of the draw (same seed, same rows).
    Returns:
        DataFrame with n rows; columns are dotted parameter paths (pass a row as model overrides).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no posterior yet; run `casim calibrate`")
    frame = pd.read_parquet(path)
    rng = np.random.default_rng(seed)
    if "weight" in frame.columns:
        weights = frame["weight"].to_numpy(float)
        rows = rng.choice(len(frame), size=n, p=weights / weights.sum())
    else:
        rows = rng.integers(0, len(frame), size=n)
    bookkeeping = [c for c in ("objective", "weight") if c in frame.columns]
    return frame.drop(columns=bookkeeping).iloc[rows].reset_index(drop=True)
