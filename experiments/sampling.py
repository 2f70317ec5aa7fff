"""Designs over parameter ranges: one row per sample, one column per dotted path.

`lhs`, `sobol` and `grid` use scipy.stats.qmc; `saltelli` is SALib's design for
Sobol indices (rows in SALib's order, so `SALib.analyze.sobol.analyze` can read
the outputs sorted by `sample`); `from_posterior` draws calibrated parameter sets.
"""
from __future__ import annotations

import importlib
import itertools

import numpy as np
import pandas as pd
from scipy.stats import qmc

from .spec import Experiment, SampleSpec


def design(sample: SampleSpec, seed: int) -> pd.DataFrame:
    """The sampled parameter values, shape (n_samples, n_params)."""
    names = list(sample.params)
    lows, highs = np.array([sample.params[k] for k in names], dtype=float).T
    d = len(names)
    if sample.method == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(sample.n)
    elif sample.method == "sobol":
        unit = qmc.Sobol(d=d, scramble=True, seed=np.random.default_rng(seed)).random(sample.n)
    elif sample.method == "grid":
        levels = np.linspace(0.0, 1.0, sample.n) if sample.n > 1 else np.array([0.5])
        unit = np.array(list(itertools.product(levels, repeat=d)))
    else:  # saltelli: the design `casim sensitivity --method sobol` analyses
        from casim.analysis.sensitivity import Factor, sample_design
        return sample_design([Factor(k, *sample.params[k]) for k in names], "sobol", sample.n, seed)
    return pd.DataFrame(qmc.scale(unit, lows, highs), columns=names)


def experiment_design(experiment: Experiment, base_dir=None) -> pd.DataFrame:
    """The samples of an experiment: its design, a posterior draw, or one empty sample."""
    if experiment.sample is not None:
        seed = experiment.sample.seed if experiment.sample.seed is not None else experiment.seed
        return design(experiment.sample, seed)
    if experiment.from_posterior is not None:
        return posterior_draw(experiment, base_dir)
    return pd.DataFrame(index=range(1))


def posterior_draw(experiment: Experiment, base_dir=None) -> pd.DataFrame:
    """n parameter sets from the calibration posterior, via `calibration.posterior.sample`."""
    from pathlib import Path

    from .spec import resolve_file
    try:
        posterior = importlib.import_module("calibration.posterior")
    except ImportError:
        raise ValueError("from_posterior needs calibration.posterior (issue C), which is not installed") from None
    spec = experiment.from_posterior
    path = resolve_file(spec.file, Path(base_dir or "."))
    draws = pd.DataFrame(posterior.sample(spec.n, experiment.seed, path))
    return draws.reset_index(drop=True)
