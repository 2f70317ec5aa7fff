"""Running a sensitivity design through the ensemble engine: design points in, `column@year` values out.

Each design point runs `replicates` times; replicate k of every point uses the same seed (common
random numbers), so differences between points are differences of parameters, not noise. Points
are packed into one vectorised model per chunk, with per-run parameter arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.rng import run_seeds

from .runner import RunSpec, run_ensemble


@dataclass
class ModelEvaluator:
    """Evaluator for `casim.analysis.sensitivity.run_sensitivity`.

    Args:
        outputs: names like "influence_CHN@2035" (region columns, value at the last step of the year).
        replicates: runs per design point; the output is their mean.
        seed: master seed; replicate k's seed is the k-th child seed.
        params: fixed overrides (the scenario's), under the sampled factors.
        chunk_runs: runs per vectorised model (bounds memory).
    """
    outputs: list[str]
    start_year: int = 2025
    end_year: int = 2040
    steps_per_year: int = 4
    replicates: int = 1
    seed: int = 0
    scenario: str = "baseline"
    params: dict | None = None
    chunk_runs: int = 256

    def __call__(self, design: pd.DataFrame) -> pd.DataFrame:
        from casim.analysis.tables import parse_output_ref, value_at

        refs = [parse_output_ref(o) for o in self.outputs]
        seeds = run_seeds(self.seed, self.replicates)
        # run r is design point r // replicates, replicate r % replicates
        point = np.repeat(np.arange(len(design)), self.replicates)
        replicate = np.tile(np.arange(self.replicates), len(design))
        values = {o: np.empty(len(point)) for o in self.outputs}
        for first in range(0, len(point), self.chunk_runs):
            rows = slice(first, first + self.chunk_runs)
            params = dict(self.params or {})
            params.update({path: design[path].to_numpy()[point[rows]] for path in design.columns})
            spec = RunSpec(scenario=self.scenario, replicates=len(point[rows]), seed=self.seed,
                           start_year=self.start_year, end_year=self.end_year, steps_per_year=self.steps_per_year,
                           params=params, run_seeds=[seeds[k] for k in replicate[rows]],
                           replicate_ids=list(replicate[rows]))
            _, tables = run_ensemble(spec)
            for name, (column, year) in zip(self.outputs, refs):
                series = value_at(tables["region"], column, year)
                if not pd.api.types.is_numeric_dtype(series):
                    from casim.cli import UserError
                    raise UserError(f"output '{name}' is not numeric; sensitivity needs a number per run")
                values[name][rows] = series.to_numpy()
        per_run = pd.DataFrame(values)
        return per_run.groupby(point).mean().reset_index(drop=True)
