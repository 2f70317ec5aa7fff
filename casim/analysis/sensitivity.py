"""Global sensitivity analysis with SALib: Sobol (Saltelli sampling) or Morris elementary effects.

The design is SALib's (`experiments.sampling.sample_design`), run by a pluggable *evaluator* and analysed
here, so the same code path
serves the model (an evaluator that runs ensembles and reads `column@year` from the output tables)
and known test functions such as Ishigami.

An evaluator is any callable `evaluate(design: DataFrame) -> DataFrame`: one row per design point,
columns named by factor path in, one column per requested output out, rows in the same order.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from casim.errors import UserError
from experiments.sampling import Factor, salib_problem, sample_design

Evaluator = Callable[[pd.DataFrame], pd.DataFrame]


def analyse(factors: list[Factor], method: str, design: pd.DataFrame, y: np.ndarray, seed: int = 0,
            num_levels: int = 4) -> pd.DataFrame:
    """Sensitivity indices of one output, one row per factor.

    Returns:
        Sobol: columns S1, S1_conf, ST, ST_conf (95% bootstrap half-widths).
        Morris: columns mu, mu_star, mu_star_conf, sigma (in the output's unit).
    """
    problem = salib_problem(factors)
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)):
        raise UserError("the output has missing or infinite values; cannot compute indices")
    if method == "sobol":
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        res = morris_analyze.analyze(problem, design.to_numpy(), y, num_levels=num_levels, seed=seed)
        keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    table = pd.DataFrame({k: np.asarray(res[k], dtype=float) for k in keys})
    table.insert(0, "factor", problem["names"])
    return table


def run_sensitivity(factors: list[Factor], outputs: list[str], evaluate: Evaluator, method: str = "sobol",
                    n: int = 64, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Sample, evaluate and analyse: {output name: index table}."""
    if not factors:
        raise UserError("no factors to vary: the experiment's sample needs parameter ranges")
    design = sample_design(factors, method, n, seed)
    results = evaluate(design)
    missing = [o for o in outputs if o not in results.columns]
    if missing or len(results) != len(design):
        raise ValueError(f"evaluator returned {len(results)} rows for {len(design)} points, missing {missing}")
    return {o: analyse(factors, method, design, results[o].to_numpy(), seed) for o in outputs}


def index_figure(table: pd.DataFrame, method: str, output: str):
    """Bar chart of the indices: S1 and ST with confidence intervals, or Morris mu* with sigma."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9.5, 0.45 * len(table) + 1.8))
    y = np.arange(len(table))
    if method == "sobol":
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order S1", color="#1f77b4")
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total order ST", color="#ff7f0e")
        ax.set_xlabel("share of output variance (0-1), 95% confidence interval")
    else:
        ax.barh(y - 0.2, table["mu_star"], 0.4, xerr=table["mu_star_conf"], label="mu* (mean |effect|)", color="#1f77b4")
        ax.barh(y + 0.2, table["sigma"], 0.4, label="sigma (interactions, non-linearity)", color="#ff7f0e")
        ax.set_xlabel(f"elementary effect (unit of {output.split('@')[0]})")
    ax.set_yticks(y, table["factor"])
    ax.invert_yaxis()
    ax.set_title(f"{method.capitalize()} sensitivity of {output}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: never over a bar
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig
