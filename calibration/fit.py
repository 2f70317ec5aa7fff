"""Fitting behavioural parameters to the targets, and the set of vectors that fit (ABC rejection).

Every candidate parameter vector is run with the same `n_seeds` run seeds (common random
numbers), and all candidates of a generation run as ONE ensemble with per-run parameter
arrays (R = candidates x seeds). A candidate's model value of a target is its ensemble mean.

Objective: the mean over fitted targets of the squared standardised miss
((model - value) / tolerance)^2 (inequalities count only when violated).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import differential_evolution
from scipy.stats import qmc
from tqdm import tqdm

from model.params import check_value, parse_path
from model.rng import run_seeds

from .measures import run_targets
from .targets import Target


@dataclass(frozen=True)
class FitParam:
    """A fitted parameter: dotted path, what identifies it, and its search bounds, which are its prior.

    The bounds are the registry's prior for the path (`Param.prior_range`), so that the fit, `prior` runs and
    samplers share one prior; `bounds` may narrow them for a synthetic test.
    """
    path: str
    identified_by: str
    bounds: tuple[float, float] | None = None

    @property
    def low(self) -> float:
        return self._bounds()[0]

    @property
    def high(self) -> float:
        return self._bounds()[1]

    def _bounds(self) -> tuple[float, float]:
        if self.bounds is not None:
            return self.bounds
        param, actor = parse_path(self.path)
        return param.prior_range(actor)


FITTED = (
    FitParam("powers.CHN.demand_growth", "China-Central Asia trade 2025; each state's China trade 2025"),
    FitParam("powers.RUS.demand_growth", "Kazakhstan-Russia trade 2025; Tajikistan China/Russia ratio 2025"),
    FitParam("beta_trade", "alignment proxies (CAB 2020) for KAZ, KGZ, UZB"),
    FitParam("beta_history", "alignment proxies (CAB 2020) for KAZ, KGZ, UZB"),
    FitParam("hedging_temperature_scale", "alignment proxies (CAB 2020) for KAZ, KGZ, UZB"),
)


@dataclass
class FitConfig:
    """Sizes of the fit. Defaults: the full fit (about 4 minutes on 2 cores)."""
    seed: int = 2024
    n_seeds: int = 256           # runs per candidate (common random numbers; 256 so a share of runs near 0.9 is known to ~0.02)
    popsize: int = 12            # differential evolution: population = popsize x n_params
    maxiter: int = 100           # generations (fewer if converged)
    abc_log2: int = 12           # 2**abc_log2 Sobol points around the optimum
    abc_width: float = 0.25      # half-width of the ABC box, as a fraction of each search range
    check_runs: int = 1000       # replicates for the final check of the calibrated point (2025); a share near 0.9 to ~0.01
    balance_runs: int = 100      # replicates of the 2040 balance under each FDI elasticity
    balance_end_year: int = 2040
    fixed: dict = field(default_factory=dict)  # parameters held at a value (e.g. the FDI elasticity)
    chunk_runs: int = 4096       # max runs per ensemble, bounds memory


class Evaluator:
    """Ensemble-mean model values of the targets for many candidate vectors at once."""

    def __init__(self, targets: list[Target], params=FITTED, config: FitConfig | None = None):
        self.targets, self.params = targets, tuple(params)
        self.config = config or FitConfig()
        self.seeds = run_seeds(self.config.seed, self.config.n_seeds)
        self.fitted = np.array([t.fit for t in targets])
        for p in self.params:
            check_value(p.path, [p.low, p.high])  # search bounds inside the valid range

    @property
    def bounds(self) -> list[tuple[float, float]]:
        return [(p.low, p.high) for p in self.params]

    def values(self, thetas: np.ndarray, seeds=None) -> np.ndarray:
        """(N, n_targets) ensemble means for candidate vectors `thetas` (N, n_params)."""
        thetas = np.atleast_2d(thetas)
        seeds = list(self.seeds if seeds is None else seeds)
        per_chunk = max(1, self.config.chunk_runs // len(seeds))
        out = []
        for start in range(0, len(thetas), per_chunk):
            block = thetas[start:start + per_chunk]
            overrides = dict(self.config.fixed)
            overrides |= {p.path: np.repeat(block[:, d], len(seeds)) for d, p in enumerate(self.params)}
            per_run = run_targets(self.targets, overrides, seeds * len(block))
            out.append(per_run.reshape(len(block), len(seeds), -1).mean(axis=1))
        return np.concatenate(out)

    def objective(self, values: np.ndarray) -> np.ndarray:
        """(N,) mean squared standardised miss over the fitted targets."""
        penalties = [t.penalty(values[:, k]) for k, t in enumerate(self.targets) if t.fit]
        return np.mean(penalties, axis=0)

    def passes(self, values: np.ndarray) -> np.ndarray:
        """(N, n_targets) bool: does each candidate meet each target?"""
        return np.array([[t.passes(v) for t, v in zip(self.targets, row)] for row in np.atleast_2d(values)])


@dataclass
class FitResult:
    best: np.ndarray          # (n_params,)
    objective: float
    values: np.ndarray        # (n_targets,) ensemble means at the optimum (fit seeds)
    posterior: np.ndarray     # (n_accepted, n_params)
    posterior_objective: np.ndarray
    generations: int
    params: tuple = FITTED    # the FitParams of `best` and the posterior's columns


def fit(evaluator: Evaluator, progress: bool = True) -> FitResult:
    """Differential evolution over the search box, then ABC rejection around the optimum.

    Deterministic given `config.seed`: the optimiser, the run seeds and the Sobol sample all derive from it.
    """
    cfg = evaluator.config
    bar = tqdm(total=cfg.maxiter, desc="calibrate (differential evolution)", disable=not progress, unit="gen")

    def batch_objective(x):  # scipy passes (n_params, n_candidates)
        return evaluator.objective(evaluator.values(x.T))

    def tick(intermediate_result=None):
        bar.update(1)

    result = differential_evolution(batch_objective, evaluator.bounds, vectorized=True, updating="deferred",
                                    popsize=cfg.popsize, maxiter=cfg.maxiter, seed=cfg.seed, init="sobol",
                                    tol=1e-4, polish=False, callback=tick)
    bar.close()
    best = np.asarray(result.x)
    values = evaluator.values(best[None])[0]
    posterior, post_obj = abc_rejection(evaluator, best, values, progress)
    return FitResult(best, float(evaluator.objective(values[None])[0]), values, posterior, post_obj, int(result.nit),
                     evaluator.params)


def abc_rejection(evaluator: Evaluator, best: np.ndarray, best_values: np.ndarray, progress: bool = True):
    """Keep the vectors of a scrambled Sobol sample around `best` that fit as well as the optimum.

    A vector is accepted if it passes every fitted target the optimum passes (targets that the
    optimum misses cannot be met nearby and are reported as failures instead). The optimum is
    always the first accepted row.
    """
    cfg = evaluator.config
    low = np.array([p.low for p in evaluator.params])
    high = np.array([p.high for p in evaluator.params])
    half = cfg.abc_width * (high - low)
    box_low, box_high = np.maximum(best - half, low), np.minimum(best + half, high)
    sobol = qmc.Sobol(len(best), scramble=True, seed=cfg.seed).random_base2(cfg.abc_log2)
    sample = np.vstack([best, qmc.scale(sobol, box_low, box_high)])
    chunk = max(1, cfg.chunk_runs // cfg.n_seeds)
    values = np.vstack([evaluator.values(sample[s:s + chunk])
                        for s in tqdm(range(0, len(sample), chunk), desc="calibrate (ABC rejection)",
                                      disable=not progress, unit="chunk")])
    required = evaluator.passes(best_values[None])[0] & evaluator.fitted
    ok = evaluator.passes(values)[:, required].all(axis=1)
    ok[0] = True
    return sample[ok], evaluator.objective(values[ok])
