"""The hindcast fit and its out-of-sample test, on any simulator of `output@year` values.

A simulator takes parameter vectors and returns per-run values of model outputs, asked for by the
observations' keys `measure:output@year` (`Observation.key`, e.g. `mean:KAZ.trade_CHN@2015`):

    simulate(theta (N, d), keys, end_year) -> {key: (N, M) array}     (M seeds per vector, same seeds for all)

`fit_hindcast` asks it only for the fit observations and only up to the last fit year, so neither
a held-out datum nor a simulated year after the fit window can enter the posterior. `predict` then runs
posterior draws to the end of the held-out window (the same runs continued), and `score` compares the
posterior predictive (model values plus observation error) with every observation, fit and held out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .patterns import Observation, Patterns, transform
from .scoring import add_observation_error, leader_agreement, observation_table, pattern_scores, persistence
from .smc import Prior, SMCConfig, SMCResult, StandardisedDistance, SyntheticLikelihoodDistance, abc_smc

Simulator = Callable[[np.ndarray, Sequence[str], int], Mapping[str, np.ndarray]]


@dataclass
class HindcastFit:
    """A fitted hindcast: the SMC result, the observations it saw and their distance."""
    patterns: Patterns
    prior: Prior
    result: SMCResult
    fit_obs: tuple[Observation, ...]
    distance: StandardisedDistance

    def columns(self) -> dict[str, list[int]]:
        """Pattern -> indices of its observations among the fit summaries."""
        out: dict[str, list[int]] = {}
        for k, o in enumerate(self.fit_obs):
            out.setdefault(o.pattern, []).append(k)
        return out


def model_scale(patterns: Patterns, obs: Sequence[Observation], outputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """(N, M, n_obs) model values of `obs` on the fitted scale (log or level; model outputs need no factor)."""
    columns = [transform(outputs[o.key], patterns.spec(o.pattern).transform) for o in obs]
    return np.stack(columns, axis=-1)


def fit_hindcast(patterns: Patterns, prior: Prior, simulate: Simulator, config: SMCConfig | None = None,
                 progress=None, synthetic: bool = False) -> HindcastFit:
    """ABC-SMC on the fitted observations only (years fit_years), simulating no further than fit_years[1].

    synthetic: the Gaussian synthetic likelihood over each vector's seeds (`SyntheticLikelihoodDistance`, needs
        M >= 2 seeds) instead of the ABC kernel averaged over seeds (`StandardisedDistance`).
    """
    fit_obs = patterns.fitted()
    keys = [o.key for o in fit_obs]
    y, sigma = patterns.fit_vector()
    distance = (SyntheticLikelihoodDistance if synthetic else StandardisedDistance)(y, sigma)

    def summaries(theta: np.ndarray) -> np.ndarray:
        return model_scale(patterns, fit_obs, simulate(theta, keys, patterns.fit_years[1]))

    result = abc_smc(prior, summaries, distance, config, progress)
    return HindcastFit(patterns, prior, result, fit_obs, distance)


def predict(fit: HindcastFit, simulate: Simulator, n_draws: int, seed: int) -> tuple[tuple[Observation, ...], np.ndarray]:
    """Posterior draws run to the end of the held-out window: every check, fit and held-out observation.

    Returns:
        (observations, (n_draws, M, n_obs) model values on the fitted scale).
    """
    obs = fit.patterns.of("check") + fit.patterns.of("fit") + fit.patterns.of("held_out")
    theta = fit.result.sample(n_draws, seed)
    outputs = simulate(theta, [o.key for o in obs], fit.patterns.held_out_years[1])
    return obs, model_scale(fit.patterns, obs, outputs)


@dataclass
class Scores:
    """Per-observation table and per-pattern scores, in sample (fit years) and out of sample (held out)."""
    table: pd.DataFrame          # one row per observation (scoring.observation_table) plus `window`
    patterns: pd.DataFrame       # one row per pattern and window: n, coverage, skill, mse_model, mse_persistence
    leaders: pd.DataFrame        # derived leader patterns: window, n, agreement


def score(patterns: Patterns, obs: Sequence[Observation], values: np.ndarray, seed: int, level: float = 0.9,
          inflate: float = 1.0) -> Scores:
    """Score the posterior predictive against every observation.

    Args:
        obs, values: from `predict` ((D, M, n_obs) model values on the fitted scale).
        seed: seeds the observation-error draws added to the model values.
        inflate: factor on the observation errors, e.g. the fit's final tolerance eps (the error model the
            posterior was fitted under), so the predictive band is the one the fit implies.
    The persistence reference is the last observation at or before the base year in sample and at or
    before the last fit year out of sample.
    """
    draws = values.reshape(-1, values.shape[-1])
    sigma = np.array([o.sigma for o in obs]) * inflate
    predictive = add_observation_error(draws, sigma, np.random.default_rng(seed))
    tables, rows = [], []
    windows = {"in_sample": ("fit", patterns.base_year), "out_of_sample": ("held_out", patterns.fit_years[1])}
    for window, (role, anchor) in windows.items():
        cols = [k for k, o in enumerate(obs) if o.role == role]
        chosen = [obs[k] for k in cols]
        table = observation_table(chosen, predictive[:, cols], persistence(chosen, obs, anchor), level)
        table.insert(0, "window", window)
        tables.append(table)
        scores = pattern_scores(table)
        scores.insert(0, "window", window)
        rows.append(scores)
    return Scores(pd.concat(tables, ignore_index=True), pd.concat(rows, ignore_index=True),
                  leader_table(patterns, obs, draws))


def leader_table(patterns: Patterns, obs: Sequence[Observation], draws: np.ndarray) -> pd.DataFrame:
    """For each derived `leader` pattern and window: how often the model's median puts the same pattern ahead.

    Pairs are the observations of the two patterns with the same state (the output's prefix) and year.
    """
    rows = []
    for derived in patterns.derived:
        first, second = derived.of
        index = {(o.pattern, o.output.split(".")[0], o.year): k for k, o in enumerate(obs)}
        for window, role in (("in_sample", "fit"), ("out_of_sample", "held_out")):
            pairs = [(k, index[(second, o.output.split(".")[0], o.year)]) for k, o in enumerate(obs)
                     if o.pattern == first and o.role == role and (second, o.output.split(".")[0], o.year) in index]
            model_gap = np.column_stack([draws[:, a] - draws[:, b] for a, b in pairs]) if pairs else np.zeros((1, 0))
            observed_gap = np.array([obs[a].y - obs[b].y for a, b in pairs])
            rows.append({"pattern": derived.name, "window": window, "n": len(pairs),
                         "agreement": leader_agreement(model_gap, observed_gap)})
    return pd.DataFrame(rows, columns=["pattern", "window", "n", "agreement"])
