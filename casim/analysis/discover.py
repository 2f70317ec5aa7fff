"""Scenario discovery on a batch: which sampled parameters make a `--where` condition come true (PRIM)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from casim.errors import UserError
from model.errors import did_you_mean
from model.outputs import OutputRef
from casim.plots import label

from .prim import PrimResult, prim
from .tables import load_output
from .where import evaluate_where

ID_COLUMNS = ("run", "replicate", "seed")


def make_resolver(tables: dict):
    """Map `column@year` to its per-run values (`model.outputs.OutputRef`), bare names to the runs table."""
    runs = tables["runs"].set_index("run")

    def resolve(name: str, year: int | None) -> pd.Series:
        if year is None:
            if name not in runs.columns:
                raise UserError(f"unknown input '{name}' (outputs need @YEAR){did_you_mean(name, runs.columns)}")
            return runs[name]
        return OutputRef.of(name, year).values(tables)

    return resolve


def sampled_inputs(runs: pd.DataFrame) -> pd.DataFrame:
    """The numeric run inputs that vary across runs (the batch's sampled parameters), indexed by run."""
    frame = runs.set_index("run")
    numeric = frame.select_dtypes("number").drop(columns=[c for c in ID_COLUMNS if c in frame], errors="ignore")
    return numeric.loc[:, numeric.nunique() > 1]


def describe_subject(condition: str) -> str:
    match = re.fullmatch(r"\s*leader@(\d{4})\s*==\s*['\"](\w+)['\"]\s*", condition)
    if match:
        return f"{label(match.group(2))} leads in {match.group(1)}"
    return f"'{condition.strip()}' holds"


def _unit(path: str) -> str:
    from model.params import ParameterError, parse_path
    try:
        return f" {parse_path(path)[0].unit}"
    except ParameterError:
        return ""


def plain_summary(condition: str, result: PrimResult, base_rate: float) -> str:
    """A sentence such as "Russia leads in 2035 when war_intensity is at most 0.42 (0..1) and ..."."""
    subject = describe_subject(condition)
    if result.chosen_box is None:
        best = result.trajectory.sort_values("density").iloc[-1]
        return (f"No box of parameters meets the thresholds: {subject} in {base_rate:.0%} of runs overall, and the "
                f"densest box found reaches {best['density']:.0%} at {best['coverage']:.0%} coverage.")
    clauses = []
    for row in result.limits.itertuples():
        unit = _unit(row.input)
        unit = f" ({unit.strip()})" if unit else ""
        if row.lower > row.data_min and row.upper < row.data_max:
            clauses.append(f"{row.input} is between {row.lower:.3g} and {row.upper:.3g}{unit}")
        elif row.lower > row.data_min:
            clauses.append(f"{row.input} is at least {row.lower:.3g}{unit}")
        else:
            clauses.append(f"{row.input} is at most {row.upper:.3g}{unit}")
    stats = result.stats
    return (f"{subject} when " + " and ".join(clauses) + f": {stats['density']:.0%} of the runs in this box meet the "
            f"condition (against {base_rate:.0%} overall), and the box holds {stats['coverage']:.0%} of all runs "
            "that do.")


def discover(out_dir: str | Path, condition: str, **prim_options) -> dict:
    """Run PRIM on a batch output directory.

    Returns:
        {"result": PrimResult, "summary": str, "base_rate": float, "n_runs": int, "inputs": list[str]}.
    """
    tables = load_output(out_dir)
    if tables["runs"] is None:
        raise UserError(f"{out_dir}: has no runs table (sampled parameters)")
    y = evaluate_where(condition, make_resolver(tables))
    x = sampled_inputs(tables["runs"])
    if x.empty:
        raise UserError(f"{out_dir}: no parameter varies across runs; discovery needs a batch with a sample")
    x, y = x.align(y, join="inner", axis=0)
    if y.all() or not y.any():
        raise UserError(f"the condition is {'true' if y.all() else 'false'} in every run ({len(y)}); nothing to discover")
    result = prim(x, y.to_numpy(), **prim_options)
    base_rate = float(y.mean())
    return {"result": result, "summary": plain_summary(condition, result, base_rate), "base_rate": base_rate,
            "n_runs": len(y), "inputs": list(x.columns)}


def trajectory_figure(result: PrimResult):
    """Coverage against density along the peeling trajectory, the chosen box marked."""
    import matplotlib.pyplot as plt

    traj = result.trajectory
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    points = ax.scatter(traj["coverage"], traj["density"], c=traj["n_restricted"], cmap="viridis", s=22)
    fig.colorbar(points, ax=ax, label="restricted parameters (count)")
    if result.chosen is not None:
        ax.scatter([result.stats["coverage"]], [result.stats["density"]], s=160, facecolors="none",
                   edgecolors="red", linewidths=2, label="chosen box")
        ax.legend(loc="lower left")
    ax.set(xlabel="coverage (share of cases of interest in the box, 0-1)",
           ylabel="density (share of box runs that are cases, 0-1)", title="PRIM peeling trajectory",
           xlim=(0, 1.02), ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
