"""The hindcast stage of `casim calibrate`: fit on 2014-2019, predict 2020-2024, score, identify.

    patterns.yaml (observations, error scales, fitted parameters)  +  scenarios/history_2014_2024.yaml
      -> ABC-SMC on the fit years only (calibration.hindcast.fit_hindcast; prior uniform on each parameter's
         registry uncertainty range, the model with no calibrated defaults)
      -> posterior draws run 2014-2024 with seeds the fit never used (predict), scored in and out of sample
      -> widths, correlations and each pattern's information about each parameter (calibration.identify)

The calibrated point of a parameter is its weighted posterior median; its calibrated uncertainty range is the
posterior's central 90% interval (both written to model/data/calibrated.yaml by calibration.pipeline).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model.params import parse_path
from model.rng import run_seeds
from model.scenario import load_scenario

from .bands import band_frame, hindcast_figure
from .hindcast import HindcastFit, Scores, fit_hindcast, predict, score
from .identify import correlations, pattern_information, width_table
from .patterns import PATTERNS_FILE, Observation, Patterns, load_patterns
from .simulator import ModelSimulator
from .smc import Prior, SMCConfig, weighted_quantile

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILE = ROOT / "scenarios" / "history_2014_2024.yaml"
LEVEL = 0.9


@dataclass
class HindcastConfig:
    """Sizes of the hindcast. Defaults: the full calibration; `QUICK` for smoke tests and CI."""
    seed: int = 2024
    n_particles: int = 1000      # ABC-SMC population
    n_seeds: int = 8             # common seeds per particle (the fit's)
    max_generations: int = 15
    predict_draws: int = 300     # posterior draws run to 2024
    predict_seeds: int = 4       # seeds per draw, distinct from the fit's
    ess_fraction: float = 0.3    # each generation's tolerance keeps this share of the particles' ESS
    patience: int = 4            # generations with eps falling by < 2% before the SMC stops


QUICK = dict(n_particles=24, n_seeds=2, max_generations=2, predict_draws=12, predict_seeds=2)


@dataclass
class HindcastOutcome:
    """Everything the calibration writes and reports about the hindcast."""
    patterns: Patterns
    prior: Prior
    fit: HindcastFit
    observations: tuple[Observation, ...]
    values: np.ndarray          # (draws, seeds, n_obs) posterior predictive model values on the fitted scale
    scores: Scores
    widths: pd.DataFrame
    correlations: pd.DataFrame
    information: pd.DataFrame
    point: dict[str, float]                    # weighted posterior median
    intervals: dict[str, tuple[float, float]]  # central 90% interval
    config: HindcastConfig
    seconds: float

    @property
    def structural(self) -> tuple[str, ...]:
        """The fitted parameters that hold for any start year (not `initial` trends of the 2014 start)."""
        return tuple(p.path for p in self.patterns.parameters if not p.initial)

    @property
    def identified(self) -> tuple[str, ...]:
        """The structural parameters whose posterior is narrower than the prior (`identify.IDENTIFIED_BELOW`).
        A label: every structural parameter takes its posterior; for the others it is mostly their prior."""
        return tuple(p for p in self.widths.loc[self.widths["identified"], "parameter"] if p in self.structural)

    def posterior_frame(self) -> pd.DataFrame:
        """The final SMC population of the structural parameters and its normalised `weight`."""
        post = self.fit.result.posterior
        frame = pd.DataFrame(post.theta, columns=list(self.prior.names))[list(self.structural)]
        frame["weight"] = post.weights
        return frame


def registry_prior(paths) -> Prior:
    """Uniform prior on each dotted path's registry uncertainty range (`Param.prior_range` of its actor), the
    same prior `model.uncertainty` draws from in `prior` mode."""
    ranges = [param.prior_range(actor) for param, actor in map(parse_path, paths)]
    return Prior.uniform(list(paths), [r[0] for r in ranges], [r[1] for r in ranges])


def run_hindcast(config: HindcastConfig | None = None, patterns_path: str | Path = PATTERNS_FILE,
                 scenario_path: str | Path = SCENARIO_FILE, progress=None) -> HindcastOutcome:
    """Fit, predict, score and identify (module docstring). Deterministic given `config.seed`."""
    config = config or HindcastConfig()
    started = time.perf_counter()
    patterns = load_patterns(patterns_path)
    if not patterns.parameters:
        raise ValueError(f"{patterns_path}: no `parameters:` to fit")
    scenario = load_scenario(scenario_path)
    names = [p.path for p in patterns.parameters]
    prior = registry_prior(names)
    fit_sim = ModelSimulator(names, scenario, run_seeds(config.seed, config.n_seeds))
    smc = SMCConfig(n_particles=config.n_particles, seed=config.seed, max_generations=config.max_generations,
                    ess_fraction=config.ess_fraction, patience=config.patience)
    fit = fit_hindcast(patterns, prior, fit_sim, smc, progress, synthetic=config.n_seeds >= 2)
    # fresh seeds for the predictive runs: the held-out score must not reuse the fit's random numbers
    predict_sim = ModelSimulator(names, scenario, run_seeds(config.seed + 1, config.predict_seeds))
    obs, values = predict(fit, predict_sim, config.predict_draws, config.seed)
    scores = score(patterns, obs, values, config.seed, LEVEL, inflate=max(fit.result.eps, 1.0))
    post = fit.result.posterior
    interval = fit.result.interval(LEVEL)
    point = {name: float(weighted_quantile(post.theta[:, k], post.weights, [0.5])[0]) for k, name in enumerate(names)}
    return HindcastOutcome(
        patterns, prior, fit, obs, values, scores,
        width_table(names, prior, interval, LEVEL), correlations(post, names),
        pattern_information(post, names, fit.distance.scale, fit.columns(), fit.result.eps),
        point, {name: (float(lo), float(hi)) for name, (lo, hi) in zip(names, interval)},
        config, time.perf_counter() - started)


def predictive_figures(outcome: HindcastOutcome) -> dict[str, Figure]:
    """Per pattern: observed points against the posterior predictive band (model values, no observation
    error) at the observed years, through the same figure function as `casim run`'s."""
    figures = {}
    draws = outcome.values.reshape(-1, outcome.values.shape[-1])
    for spec in outcome.patterns.specs:
        cols = [k for k, o in enumerate(outcome.observations) if o.pattern == spec.name]
        if not cols:
            continue
        bands, points = [], []
        by_output: dict[str, list[int]] = {}
        for k in cols:
            by_output.setdefault(outcome.observations[k].output, []).append(k)
        for output, ks in by_output.items():
            ks = sorted(ks, key=lambda k: outcome.observations[k].year)
            natural = np.exp(draws[:, ks]) if spec.transform == "log" else draws[:, ks]
            bands.append(band_frame({output: natural}, [outcome.observations[k].year for k in ks], LEVEL))
            points += [{"output": output, "year": outcome.observations[k].year,
                        "value": outcome.observations[k].value * spec.factor, "role": outcome.observations[k].role}
                       for k in ks]
        unit = "USD bn (log scale)" if spec.transform == "log" else "share"
        figures[spec.name] = hindcast_figure(pd.concat(bands, ignore_index=True), pd.DataFrame(points),
                                             f"{spec.name}: observed against the posterior predictive",
                                             unit, log_scale=spec.transform == "log",
                                             fit_end=outcome.patterns.fit_years[1], level=LEVEL)
    return figures
