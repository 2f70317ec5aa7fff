"""The casim model as a hindcast simulator: N parameter vectors x M common seeds as one vectorised ensemble.

`ModelSimulator(names, scenario, seeds)(theta, refs, end_year)` runs the scenario (its start year, params and
events) with theta's values per run, records each year's last step, and returns the `output@year` values
(`model.outputs.OutputRef`) as {ref: (N, M)}. Run k = i * M + m has parameter vector i and seed m, so a
vector's M runs share their random numbers with every other vector's (common random numbers), and each
run's path depends only on its seed and vector, not on N, the chunk or the end year.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from model.model import CentralAsiaModel
from model.outputs import OutputRef, column


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

    def __call__(self, theta: np.ndarray, refs: Sequence[str], end_year: int) -> dict[str, np.ndarray]:
        theta = np.atleast_2d(np.asarray(theta, float))
        parsed = [OutputRef.parse(ref) for ref in refs]
        per_chunk = max(1, self.chunk_runs // len(self.seeds))
        parts = [self._run(theta[start:start + per_chunk], parsed, end_year)
                 for start in range(0, len(theta), per_chunk)]
        return {ref: np.concatenate([part[k] for part in parts]) for k, ref in enumerate(refs)}

    def _run(self, theta: np.ndarray, refs: list[OutputRef], end_year: int) -> list[np.ndarray]:
        m = len(self.seeds)
        spec = self.scenario.run_spec(replicates=len(theta) * m, end_year=end_year)
        params = {**spec.params, **self.fixed}
        params |= {name: np.repeat(theta[:, k], m) for k, name in enumerate(self.names)}
        model = CentralAsiaModel(run_seeds=self.seeds * len(theta), params=params, start_year=spec.start_year,
                                 end_year=end_year, steps_per_year=spec.steps_per_year, scenario=spec.scenario,
                                 events=list(spec.events), record="year_end", use_calibrated=False)
        model.run()
        return [values.reshape(len(theta), m) for values in read_refs(model, refs)]


def read_refs(model: CentralAsiaModel, refs: Sequence[OutputRef]) -> list[np.ndarray]:
    """(R,) values of each `output@year` at the last recorded step of its year (step 0 for the base year)."""
    cache: dict[tuple[str, str, int], np.ndarray] = {}
    out = []
    for ref in refs:
        level = "states" if ref.state else "region"
        key = (ref.column, level, ref.year)
        if key not in cache:
            step = (ref.year - model.start_year + 1) * model.steps_per_year
            cache[key] = column(ref.column, model.actors, level).compute(model.history.at(step), model.actors)
        values = cache[key]
        out.append(values[:, model.actors.state_index(ref.state)] if ref.state else values)
    return out
