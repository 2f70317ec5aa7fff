"""Parameter uncertainty: the parameter vector each replicate of an ensemble runs with.

A replicate is (a parameter vector, a seed). The vector depends on the uncertainty mode:

- `posterior` (the default of `casim run`, `casim batch` and the visualiser): the calibrated parameters
  from one draw of the calibration's posterior (the file `model/data/calibrated.yaml` names under
  `posterior:`, written by `casim calibrate`), every other uncertain parameter from its sourced prior;
- `prior`: every uncertain parameter from its prior, the calibration ignored;
- `point`: the calibrated point for every run (seeds vary, parameters do not).

Which parameters are uncertain is each registry entry's `kind` (`model.params.KINDS`); levers (budgets,
sanctions, design switches, the influence index's weights) and data are never drawn. The prior of an
uncertain parameter is uniform on its registry uncertainty range, each actor of a scoped entry drawn on its
own (`Param.prior_range`: the shared range, or an interval around the actor's default, `prior_around`, where the
actors' defaults differ widely). An actor whose prior is a single point (a zero default times its factors)
keeps that value.

Replicate k draws from its own stream, keyed by (master seed, k) only (`model.rng.parameter_generator`):
first one uniform that picks the posterior row (drawn in every mode, so prior and posterior runs share
the rest), then one uniform per uncertain parameter in registry order. So the draw does not depend on the
scenario, the design point, the chunk, the workers, a resume or how many replicates run. Whatever a caller
sets (a scenario's `params:`, a batch design's sampled values, the visualiser's moved sliders) is layered
over the draw (`Params`), and an event's `set:` or shock wins from its date on: pinned values do not vary.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .actors import Actors, load_actors
from .errors import InputError
from .params import DEFAULTS_FILE, PREFIXES, REGISTRY, ParameterError, check_value, parse_path, scope_codes
from .rng import parameter_generator
from .safe_yaml import read_yaml

MODES = ("posterior", "prior", "point")
DEFAULT_MODE = "posterior"
# Replicates of a scenario by default: the Monte Carlo standard error of a probability, sqrt(p (1 - p) / n),
# is at most 0.5 / sqrt(n), so n = 400 keeps every headline probability within 0.025 (issue 18).
DEFAULT_REPLICATES = 400
POSTERIOR_COLUMNS_IGNORED = ("objective",)  # bookkeeping columns a posterior file may carry
WEIGHT_COLUMN = "weight"                    # optional importance weights (ABC-SMC); absent: equal weights


class UncertaintyError(InputError):
    """An unknown uncertainty mode, or a posterior file the model cannot use."""


def check_mode(mode: str) -> str:
    """`mode` if it is one of `MODES`, else an `UncertaintyError` naming the nearest."""
    if mode not in MODES:
        from .errors import did_you_mean
        raise UncertaintyError(f"uncertainty: unknown mode {mode!r}; choose one of {', '.join(MODES)}"
                               f"{did_you_mean(str(mode), MODES)}")
    return mode


@dataclass(frozen=True)
class Prior:
    """The uncertain parameters in draw order: dotted paths and their uniform ranges."""
    paths: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray


def uncertain_parameters(actors: Actors | None = None) -> Prior:
    """Every uncertain registry parameter (kind `uncertain`), one path per actor of a scoped entry, in
    registry order, with its prior range (the registry's uncertainty range)."""
    actors = actors or load_actors()
    paths, low, high = [], [], []
    for p in REGISTRY.values():
        if not p.drawn:
            continue
        codes = scope_codes(p.scope, actors)
        for actor, path in ([(a, f"{PREFIXES[p.scope]}.{a}.{p.name}") for a in codes] if codes else [(None, p.name)]):
            lo, hi = p.prior_range(actor)
            paths.append(path)
            low.append(lo)
            high.append(hi)
    return Prior(tuple(paths), np.array(low, dtype=float), np.array(high, dtype=float))


@dataclass(frozen=True)
class Posterior:
    """Posterior draws: one row per draw, one column per dotted path of a drawn parameter."""
    file: str
    paths: tuple[str, ...]
    values: np.ndarray        # (n_draws, n_paths)
    cumulative: np.ndarray    # (n_draws,) cumulative normalised weights

    def rows(self, u: np.ndarray) -> np.ndarray:
        """The row each uniform in `u` picks (probability proportional to its weight)."""
        return np.minimum(np.searchsorted(self.cumulative, u, side="right"), len(self.cumulative) - 1)


def posterior_file(defaults: str | Path = DEFAULTS_FILE) -> Path | None:
    """The posterior draws file the calibrated defaults name (`posterior:`, relative to that file), or None
    for an uncalibrated model (no defaults file, or no `posterior:` entry)."""
    defaults = Path(defaults)
    if not defaults.exists():
        return None
    entry = (read_yaml(defaults).data or {}).get("posterior")
    return (defaults.parent / str(entry)).resolve() if entry else None


def load_posterior(path: str | Path) -> Posterior:
    """Read a posterior draws file (Parquet): columns are dotted parameter paths, plus an optional `weight`.

    Columns of parameters that are not drawn (levers, data) are refused: the model never draws them.

    Raises:
        UncertaintyError: a missing or unreadable file, an unknown parameter, a value outside its valid
            range, a bad weight, or no rows.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise UncertaintyError(f"{path}: cannot read the posterior draws ({exc.strerror or exc}); run "
                               "`casim calibrate`, or use --uncertainty prior or point") from None
    return _read_posterior(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_posterior(path: str, mtime_ns: int, size: int) -> Posterior:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise UncertaintyError(f"{path}: not a readable Parquet file of posterior draws ({exc})") from None
    if frame.empty:
        raise UncertaintyError(f"{path}: the posterior has no draws")
    problems, paths = [], []
    for name in frame.columns:
        if name in POSTERIOR_COLUMNS_IGNORED or name == WEIGHT_COLUMN:
            continue
        try:
            param, _ = parse_path(str(name))
            check_value(str(name), frame[name].to_numpy(dtype=float))
        except (ParameterError, ValueError) as exc:
            problems.append(f"{path}: column '{name}': {str(exc).removeprefix(f'{name}: ')}")
            continue
        if not param.drawn:
            problems.append(f"{path}: column '{name}': {param.name} is a {param.kind}, which the model never draws")
            continue
        paths.append(str(name))
    weights = frame[WEIGHT_COLUMN].to_numpy(dtype=float) if WEIGHT_COLUMN in frame else np.ones(len(frame))
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        problems.append(f"{path}: column '{WEIGHT_COLUMN}': weights must be finite, non-negative and not all zero")
    if problems:
        raise UncertaintyError(problems)
    cumulative = np.cumsum(weights) / weights.sum()
    return Posterior(path, tuple(paths), frame[paths].to_numpy(dtype=float), cumulative)


def draw_parameters(mode: str, master_seed: int, replicates: Sequence[int], actors: Actors | None = None,
                    posterior: Posterior | None = None) -> dict[str, np.ndarray]:
    """The drawn parameters of each replicate: dotted path -> (R,) values, R = len(replicates).

    Args:
        mode: `posterior`, `prior` or `point` (no draws: an empty dict).
        master_seed: the ensemble's master seed.
        replicates: the replicate index of each run (its draw depends on this index and the seed only).
        actors: the actor table the scoped parameters run over (default `load_actors()`).
        posterior: the posterior draws (default: the file the calibrated defaults name; an uncalibrated
            model has none, and its posterior is its prior).
    Returns:
        Per-run values to layer over the calibrated defaults and under the caller's pins (`Params(draws=)`).
    """
    check_mode(mode)
    if mode == "point":
        return {}
    prior = uncertain_parameters(actors)
    if mode == "posterior" and posterior is None:
        file = posterior_file()
        posterior = load_posterior(file) if file is not None else None
    distinct, which = np.unique(np.asarray(replicates, dtype=np.int64), return_inverse=True)  # a batch repeats them
    uniforms = np.array([parameter_generator(master_seed, k).random(1 + len(prior.paths)) for k in distinct])
    uniforms = uniforms.reshape(len(distinct), 1 + len(prior.paths))[which.ravel()]
    values = prior.low + uniforms[:, 1:] * (prior.high - prior.low)
    draws = {path: values[:, j] for j, path in enumerate(prior.paths)}
    if mode == "posterior" and posterior is not None:
        rows = posterior.rows(uniforms[:, 0])
        for j, path in enumerate(posterior.paths):
            draws.pop(path, None)
            draws[path] = posterior.values[rows, j]  # after any per-actor prior draws, so a posterior column wins (an `all` path too)
    return draws


def describe(mode: str) -> str:
    """One line for summaries and notes: what varies between the runs of an ensemble in this mode."""
    return {"posterior": "each run draws its parameters from the calibrated posterior (sourced priors for the "
                         "parameters the calibration does not fit) and has its own random shocks",
            "prior": "each run draws its uncertain parameters from their sourced prior ranges and has its own "
                     "random shocks",
            "point": "every run has the calibrated parameters; runs differ only in their random shocks",
            }[check_mode(mode)]
