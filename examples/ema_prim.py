"""When does Russia keep the lead in 2035? EMA Workbench over the registry's uncertainties, one ensemble, PRIM.

    .venv/bin/python examples/ema_prim.py           # 400 experiments, a few seconds

1. `experiments.ema.ema_model` makes an EMA `Model` whose uncertainties are registry parameters over their
   uncertainty ranges and whose outcomes are `column@year` references.
2. `experiments.ema.EnsembleEvaluator` runs EMA's whole design (Latin hypercube by default) as one
   vectorised ensemble; EMA's own `SequentialEvaluator` gives the same outcomes, one model per experiment
   (`tests/test_recipes.py` compares them).
3. PRIM (`ema_workbench.analysis.prim`) finds the box of parameter values in which Russia leads.

Needs the optional extra: pip install 'casim[ema]'.
"""
from __future__ import annotations

import numpy as np

from experiments.ema import EnsembleEvaluator, ema_model

PATHS = ["war_intensity", "powers.RUS.security_capacity", "powers.CHN.investment_scale", "beta_security",
         "hedging_temperature_scale"]
POWERS = ["CHN", "RUS", "EU", "USA"]
YEAR = 2035


def main(n: int = 400, replicates: int = 1, seed: int = 1, paths=PATHS, threshold: float = 0.8, **model_kwargs):
    """Run the recipe; returns (EMA's experiments, its outcomes, whether Russia leads, the PRIM box)."""
    from ema_workbench.analysis import prim

    model = ema_model([f"influence_{p}@{YEAR}" for p in POWERS], paths, replicates=replicates, seed=seed,
                      **model_kwargs)
    np.random.seed(seed)  # EMA's Latin hypercube sampler draws from numpy's global generator
    with EnsembleEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=n)
    others = np.max([outcomes[f"influence_{p}@{YEAR}"] for p in POWERS if p != "RUS"], axis=0)
    russia_leads = outcomes[f"influence_RUS@{YEAR}"] > others
    box = prim.Prim(experiments[list(model.uncertainties.keys())], russia_leads, threshold=threshold).find_box()
    return experiments, outcomes, russia_leads, box


if __name__ == "__main__":
    experiments, outcomes, russia_leads, box = main()
    print(f"Russia leads in {russia_leads.mean():.0%} of {len(russia_leads)} experiments in {YEAR}")
    print(box.inspect(style="data")[0][1].round(3).to_string() if box else "no box")
