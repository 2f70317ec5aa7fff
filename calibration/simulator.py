"""The casim model as a hindcast simulator: N parameter vectors x M common seeds as one vectorised ensemble.

`ModelSimulator(names, scenario, seeds)(theta, keys, end_year)` runs the scenario (its start year, params and
events) with theta's values per run and returns, for each key `measure:output@year` (`Observation.key`),
the per-run values as (N, M). Outputs are columns of the output contract (`model.outputs`, the `column@year`
reference); the measure says how a year's quarterly steps give its value:

    end    the year's last step (the base year is step 0). Step 0 holds the base year's annual values (flows
           are annual rates), so the step a year on is the next year's annual value: the model is an annual
           model integrated in quarterly steps, and annual data compare with its year ends (flows and stocks)
    mean5  the mean of the five year-end values ending in the year (SIPRI's five-year windows)
    mean   the mean over the year's steps; it averages states 3/8 of a year older on average than the year
           end, so no pattern uses it against annual data (docs/ODD.md section 8)

Run k = i * M + m has parameter vector i and seed m, so a vector's M runs share their random numbers with
every other vector's (common random numbers), and each run's path depends only on its seed and vector, not
on N, the chunk or the end year.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

import numpy as np

from model.model import CentralAsiaModel
from model.outputs import OutputRef, column

MEASURES = ("mean", "end", "mean5")


def parse_key(key: str) -> tuple[str, OutputRef]:
    """`mean:KAZ.trade_CHN@2015` -> ("mean", OutputRef); raises ValueError for an unknown measure."""
    measure, _, ref = key.partition(":")
    if measure not in MEASURES:
        raise ValueError(f"'{key}': measure '{measure}' is not one of {', '.join(MEASURES)}")
    return measure, OutputRef.parse(ref)


class ModelSimulator:
    """Simulator for `calibration.hindcast` on a scenario.

    Args:
        names: dotted parameter paths, one per column of theta.
        scenario: a `model.scenario.Scenario` (start year, params, events, steps per year).
        seeds: the M run seeds shared by every parameter vector (e.g. `model.rng.run_seeds(master, M)`).
        fixed: parameter values held for every run (layered over the scenario's params, under theta).
        chunk_runs: most runs per ensemble (bounds memory; results do not depend on it).
    """

    def __init__(self, names: Sequence[str], scenario, seeds: Sequence[int], fixed: Mapping | None = None,
                 chunk_runs: int = 8192):
        self.names, self.scenario, self.seeds = tuple(names), scenario, list(seeds)
        self.fixed, self.chunk_runs = dict(fixed or {}), chunk_runs

    def __call__(self, theta: np.ndarray, keys: Sequence[str], end_year: int) -> dict[str, np.ndarray]:
        theta = np.atleast_2d(np.asarray(theta, float))
        parsed = [parse_key(key) for key in keys]
        per_chunk = max(1, self.chunk_runs // len(self.seeds))
        parts = [self._run(theta[start:start + per_chunk], parsed, end_year)
                 for start in range(0, len(theta), per_chunk)]
        return {key: np.concatenate([part[k] for part in parts]) for k, key in enumerate(keys)}

    def model(self, theta: np.ndarray, end_year: int) -> CentralAsiaModel:
        """The (unrun) ensemble for vectors theta (N, d) x the seeds, to `end_year`, recording nothing."""
        m = len(self.seeds)
        spec = self.scenario.run_spec(replicates=len(theta) * m, end_year=end_year)
        params = {**spec.params, **self.fixed}
        params |= {name: np.repeat(theta[:, k], m) for k, name in enumerate(self.names)}
        return CentralAsiaModel(run_seeds=self.seeds * len(theta), params=params, start_year=spec.start_year,
                                end_year=end_year, steps_per_year=spec.steps_per_year, scenario=spec.scenario,
                                events=list(spec.events), record=False, use_calibrated=False)

    def _run(self, theta: np.ndarray, requests: list[tuple[str, OutputRef]], end_year: int) -> list[np.ndarray]:
        model = self.model(theta, end_year)
        years = YearValues(model, {(ref.column, "states" if ref.state else "region") for _, ref in requests})
        while model.steps < model.n_steps:
            model.step()
            years.collect()
        return [years.value(measure, ref).reshape(len(theta), len(self.seeds)) for measure, ref in requests]


class YearValues:
    """Per-year sums, counts and last values of some output columns, collected step by step from a model."""

    def __init__(self, model: CentralAsiaModel, columns):
        self.model, self.columns = model, {key: column(key[0], model.actors, key[1]) for key in columns}
        self.sums: dict[tuple, dict[int, np.ndarray]] = defaultdict(dict)
        self.counts: dict[int, int] = defaultdict(int)
        self.ends: dict[tuple, dict[int, np.ndarray]] = defaultdict(dict)
        self.collect()   # step 0: the base year

    def collect(self) -> None:
        """Add this step's values to its calendar year."""
        year = int(self.model.step_years(self.model.steps)[0])
        snap = self.model.snapshot()
        for key, col in self.columns.items():
            values = np.array(col.compute(snap, self.model.actors), dtype=float)
            self.sums[key][year] = self.sums[key].get(year, 0.0) + values
            self.ends[key][year] = values
        self.counts[year] += 1

    def value(self, measure: str, ref: OutputRef) -> np.ndarray:
        """(R,) the measure of `ref`'s column in `ref`'s year (its state's values for a states column)."""
        key = (ref.column, "states" if ref.state else "region")
        if measure == "end":
            values = self._need(self.ends[key], ref.year)
        elif measure == "mean5":
            values = np.mean([self._need(self.ends[key], y) for y in range(ref.year - 4, ref.year + 1)], axis=0)
        else:
            values = self._need(self.sums[key], ref.year) / self.counts[ref.year]
        return values[:, self.model.actors.state_index(ref.state)] if ref.state else values

    def _need(self, by_year: dict, year: int) -> np.ndarray:
        if year not in by_year:
            raise ValueError(f"year {year} was not simulated (years {min(by_year)}-{max(by_year)})")
        return by_year[year]
