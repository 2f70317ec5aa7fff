"""Where does China come closest to Russia by 2035? EMA Workbench over the registry's uncertainties, one ensemble, PRIM.

    .venv/bin/python examples/ema_prim.py           # 400 experiments, a few seconds

1. `experiments.ema.ema_model` makes an EMA `Model` whose uncertainties are registry parameters over their
   uncertainty ranges and whose outcomes are `column@year` references.
2. `experiments.ema.EnsembleEvaluator` runs EMA's whole design (Latin hypercube by default) as one
   vectorised ensemble; EMA's own `SequentialEvaluator` gives the same outcomes, one model per experiment
   (`tests/test_recipes.py` compares them).
3. PRIM (`ema_workbench.analysis.prim`) finds the box of parameter values that holds the experiments in which
   China comes closest to Russia: the quarter with the highest `china_russia_gap@2035` (influence_CHN -
   influence_RUS). A quantile, not a fixed level, so that the question has cases whichever power leads.

Needs the optional extra: pip install 'casim[ema]'.
"""
from __future__ import annotations

import numpy as np

from experiments.ema import EnsembleEvaluator, ema_model

PATHS = ["war_intensity", "powers.RUS.security_capacity", "powers.CHN.investment_scale", "beta_security",
         "hedging_temperature_scale"]
OUTCOME = "china_russia_gap@2035"


def main(n: int = 400, replicates: int = 1, seed: int = 1, paths=PATHS, threshold: float = 0.6, share: float = 0.25,
         **model_kwargs):
    """Run the recipe; returns (EMA's experiments, its outcomes, the cases: the `share` of experiments with the
    highest China-Russia gap, the PRIM box)."""
    import warnings

    from ema_workbench.analysis import prim

    model = ema_model([OUTCOME], paths, replicates=replicates, seed=seed, **model_kwargs)
    np.random.seed(seed)  # EMA's Latin hypercube sampler draws from numpy's global generator
    with EnsembleEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=n)
    gap = outcomes[OUTCOME]
    closest = gap >= np.quantile(gap, 1 - share)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA 2.5's PRIM uses pandas calls that pandas 3 deprecates
        box = prim.Prim(experiments[list(model.uncertainties.keys())], closest, threshold=threshold).find_box()
    return experiments, outcomes, closest, box


if __name__ == "__main__":
    experiments, outcomes, closest, box = main()
    print(f"{OUTCOME} is at least {np.quantile(outcomes[OUTCOME], 0.75):+.3f} in {closest.sum()} of "
          f"{len(closest)} experiments")
    print(f"box: coverage {box.coverage:.2f}, density {box.density:.2f}")
    print(box.inspect(style="data")[0][1].round(3).to_string())
