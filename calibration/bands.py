"""Observed points against simulated bands: the hindcast figure, shared by `casim run` and the calibration report.

Takes tables, never models (STYLE: "analysis takes tables"):
- `bands`: one row per (output, year) with the simulated `lo`, `median`, `hi` on the natural scale
  (`band_frame` builds it from per-run values);
- `points`: one row per observation with `output`, `year`, `value` (natural scale, x factor) and `role`
  (check, fit, held_out).
Fit years are drawn filled, held-out years open, base-year checks grey; a dashed line marks the end of the fit.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

ROLE_STYLE = {
    "check": {"marker": "s", "facecolors": "0.6", "edgecolors": "0.6", "label": "base year (initial condition)"},
    "fit": {"marker": "o", "facecolors": "black", "edgecolors": "black", "label": "observed, fitted"},
    "held_out": {"marker": "o", "facecolors": "none", "edgecolors": "tab:red", "label": "observed, held out"},
}


def band_frame(values: Mapping[str, np.ndarray], years, level: float = 0.9) -> pd.DataFrame:
    """Quantile bands from per-run values.

    Args:
        values: output -> (runs, n_years) simulated values on the natural scale.
        years: the n_years calendar years of the columns.
        level: central band (0.9: 5%-95%).
    Returns:
        One row per output and year: output, year, lo, median, hi.
    """
    tail = (1.0 - level) / 2.0
    frames = []
    for output, runs in values.items():
        lo, median, hi = np.quantile(np.asarray(runs, float), [tail, 0.5, 1.0 - tail], axis=0)
        frames.append(pd.DataFrame({"output": output, "year": list(years), "lo": lo, "median": median, "hi": hi}))
    return pd.concat(frames, ignore_index=True)


def hindcast_figure(bands: pd.DataFrame, points: pd.DataFrame, title: str, unit: str, log_scale: bool = False,
                    fit_end: int | None = None, level: float = 0.9, columns: int = 3) -> Figure:
    """One panel per output: the simulated median and band, and the observed points by role.

    Args:
        bands: output, year, lo, median, hi (see `band_frame`).
        points: output, year, value, role.
        title: figure title; unit: y-axis label; log_scale: log y axis (flows).
        fit_end: last fitted year (a dashed line after it), or None.
    """
    outputs = list(dict.fromkeys(list(bands["output"]) + list(points["output"])))
    rows = int(np.ceil(len(outputs) / columns))
    fig = Figure(figsize=(3.6 * min(columns, len(outputs)), 2.8 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, min(columns, len(outputs)), squeeze=False).ravel()
    for ax, output in zip(axes, outputs):
        b = bands[bands["output"] == output].sort_values("year")
        ax.fill_between(b["year"], b["lo"], b["hi"], color="tab:blue", alpha=0.25, linewidth=0,
                        label=f"simulated {level:.0%} band")
        ax.plot(b["year"], b["median"], color="tab:blue", linewidth=1.5, label="simulated median")
        p = points[points["output"] == output]
        for role, style in ROLE_STYLE.items():
            sel = p[p["role"] == role]
            if len(sel):
                ax.scatter(sel["year"], sel["value"], s=22, zorder=3, **style)
        if fit_end is not None:
            ax.axvline(fit_end + 0.5, color="0.4", linestyle="--", linewidth=0.8)
        if log_scale:
            ax.set_yscale("log")
            plain = FuncFormatter(lambda v, _: f"{v:g}")   # 7, not 7 x 10^0
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(plain)
        ax.set_title(output, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(outputs):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


def table_runs(tables: Mapping[str, pd.DataFrame], output: str, measure: str = "end") -> pd.DataFrame | None:
    """(runs x years) values of an output (`STATE.column` or a region `column`) from a run's output tables,
    by the simulator's measures (calibration.simulator): `end` the year's last step, `mean5` the mean of the
    five year-end values ending in the year, `mean` the year's mean over its steps. None if the tables lack it."""
    state, _, col = output.rpartition(".")
    frame = tables.get("states" if state else "region")
    if frame is None or col not in frame.columns:
        return None
    if state:
        frame = frame[frame["state"] == state]
    grouped = frame.sort_values("step").groupby(["run", "year"])[col]
    annual = (grouped.mean() if measure == "mean" else grouped.last()).unstack("year")
    if measure == "mean5":
        annual = annual.T.rolling(5).mean().T.dropna(axis=1, how="all")
    return annual


def pattern_figures(patterns, tables: Mapping[str, pd.DataFrame], level: float = 0.9) -> dict[str, Figure]:
    """One hindcast figure per pattern: each observed series (points, by role) against the band of a run's
    output tables over the years it simulated. Outputs the tables do not have are left out."""
    figures = {}
    for spec in patterns.specs:
        obs = [o for o in patterns.observations if o.pattern == spec.name]
        values, points = {}, []
        for o in obs:
            if o.output not in values:
                runs = table_runs(tables, o.output, o.measure)
                if runs is None or runs.empty:
                    continue
                values[o.output] = runs
            years = values[o.output].columns
            if years.min() <= o.year <= years.max():
                points.append({"output": o.output, "year": o.year, "value": o.value * spec.factor, "role": o.role})
        if not points:
            continue
        bands = pd.concat([band_frame({out: runs.to_numpy()}, runs.columns, level) for out, runs in values.items()],
                          ignore_index=True)
        unit = "USD bn (log scale)" if spec.transform == "log" else "share"
        figures[spec.name] = hindcast_figure(bands, pd.DataFrame(points), f"{spec.name}: observed against simulated",
                                             unit, log_scale=spec.transform == "log", fit_end=patterns.fit_years[1],
                                             level=level)
    return figures
