"""Sobol' indices of Russia's 2035 influence with SALib: a Saltelli design run as one ensemble.

    .venv/bin/python examples/salib_sobol.py        # 3 parameters, n = 64: 320 design points x 4 runs, a few seconds

1. The problem: three parameters over their uncertainty ranges in the registry (`model.uncertainty_ranges`).
2. SALib's Saltelli design (`SALib.sample.sobol.sample`): n * (k + 2) design points.
3. `model.evaluate` runs every point `replicates` times as one vectorised `CentralAsiaModel`; replicate r
   of every point has the same seed (common random numbers), so points differ by their parameters only.
4. `SALib.analyze.sobol.analyze` on the mean over replicates of each point, in design order.

Point j's values are those of `CentralAsiaModel(seed=seed, n_runs=replicates, params=design.iloc[j].to_dict())`
run on its own (`tests/test_recipes.py` checks this, number for number).
"""
from __future__ import annotations

import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from model import evaluate, uncertainty_ranges

PATHS = ["war_intensity", "powers.RUS.security_capacity", "beta_trade"]
OUTPUT = "influence_RUS@2035"


def main(n: int = 64, replicates: int = 4, seed: int = 1, paths=PATHS, output: str = OUTPUT, **model_kwargs):
    """Run the recipe; returns (design, evaluate's long frame, a DataFrame of S1, ST and their 95% intervals)."""
    ranges = uncertainty_ranges(paths)
    problem = {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(b) for b in ranges.values()]}
    design = pd.DataFrame(sobol_sample.sample(problem, n, calc_second_order=False, seed=seed), columns=problem["names"])
    out = evaluate(design, replicates=replicates, outputs=[output], seed=seed, **model_kwargs)
    y = out.groupby("sample")["value"].mean().to_numpy()          # one value per design point, in design order
    result = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    total, first = result.to_df()
    return design, out, first.join(total)


if __name__ == "__main__":
    design, out, indices = main()
    print(f"{len(design)} design points x {out['replicate'].nunique()} replicates = {out['run'].nunique()} runs")
    print(indices.round(3).to_string())
