"""Figures from output tables (never from models): bands across replicates, labelled with units.

Each figure function takes a table of `CentralAsiaModel.results()` (or of a `casim run` / `casim batch`
output directory) and returns a matplotlib Figure; nothing is shown or saved unless you do it:

    from casim import plots
    tables = CentralAsiaModel(n_runs=50, seed=1).run().results()
    plots.influence_figure(tables["region"]).savefig("influence.png")

- `influence_figure(region)`: each power's regional influence, median and 5-95% band over runs.
- `leader_figure(region)`: the share of runs in which each power leads, by step.
- `alignment_figure(states)`: each state's alignment with each power (small multiples).
- `china_trade_figure(region)`: China-Central Asia trade against the observed (China customs) values.
- `debt_figure(states)`: each state's external debt to GDP.
- `observed_figures(tables)`: for a run from a year before 2025, each hindcast pattern's observed series
  (`calibration/patterns.yaml`) against the run's band.
- `standard_figures(tables, out_dir)`: the four run figures (and the observed ones) as PNG and SVG (what
  `casim run` writes).
- layout: `panel_grid(n)` (small multiples in rows, the unused panels hidden), `same_limits(axes)` (one scale
  for every visible panel).
- helpers: `band` (median and band of a column by step), `add_time` (fractional year of each row),
  `whole_years` (year ticks), `powers_in`, `states_in`, `colour`, `label`.

The powers and states drawn are those in the tables; their colours and legend names come from the
actor table (`model/data/actors.yaml`, or CASIM_ACTORS), with a fallback for a code it does not know.
"""
from __future__ import annotations

import math
import zlib
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from calibration.targets import load_targets
from model.actors import load_actors


def powers_in(table: pd.DataFrame, prefix: str = "influence_") -> list[str]:
    """The powers of a table, in column order, from its per-power columns (`influence_<P>` in a region table)."""
    return [c.removeprefix(prefix) for c in table.columns if c.startswith(prefix)]


def states_in(states: pd.DataFrame) -> list[str]:
    """The states of a states table, in order of appearance."""
    return list(pd.unique(states["state"]))


def colour(code: str):
    """An actor's colour from the actor table; a fixed tab10 colour for a code the table does not have."""
    known = load_actors().colours
    return known[code] if code in known else plt.get_cmap("tab10")(zlib.crc32(code.encode()) % 10)


def label(code: str) -> str:
    """An actor's name in legends (its `short_name` in the actor table), else the code."""
    return load_actors().short_names.get(code, code)


def whole_years(fig) -> None:
    """Tick a figure's year axes at whole years (short horizons otherwise show 2024.5)."""
    from matplotlib.ticker import MaxNLocator

    for ax in fig.get_axes():
        if ax.get_xlabel() == "year":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def add_time(frame: pd.DataFrame) -> pd.Series:
    """Calendar time of each row, at the start of its period: 2026-Q1 at 2026.0, the base year's last quarter
    (step 0) at 2024.75. A scenario event dated 2026-Q1 applies at the start of that step, so its marker
    (`model.events.Event.record`'s `time`) falls on the first point it moves."""
    per_year = max(int(frame["period"].max()), 1)
    return frame["year"] + (frame["period"] - 1) / per_year


def band(frame: pd.DataFrame, column: str, by=("step",)) -> pd.DataFrame:
    """Median and 5-95% band of `column` across runs at each step.

    Returns:
        One row per step: `median`, `lo` (5%), `hi` (95%) and `time` (fractional year at the step's end).
    """
    grouped = frame.groupby(list(by))[column]
    out = pd.DataFrame({"median": grouped.median(), "lo": grouped.quantile(0.05), "hi": grouped.quantile(0.95)})
    first = frame.groupby(list(by))[["year", "period", "step"]].first()
    out["time"] = add_time(first.reset_index(drop=True)).to_numpy()
    return out


def panel_grid(n: int, columns: int = 4, width: float = 4.6, height: float = 3.8):
    """Panels in rows of at most `columns` (at least 9 inches wide, room for the title and legend); the unused
    ones hidden. Give them one scale with `same_limits` once drawn."""
    cols, rows = min(n, columns), math.ceil(n / columns)
    fig, axes = plt.subplots(rows, cols, figsize=(max(width * cols + 1.5, 9.0), height * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes


def same_limits(axes) -> None:
    """One x and y range for every visible panel, with y tick labels on the first column only: shared axes set
    once, since axes shared while drawing update each other at every artist (quadratic in the panels)."""
    visible = [ax for ax in np.ravel(axes) if ax.get_visible()]
    for get, put in (("get_xlim", "set_xlim"), ("get_ylim", "set_ylim")):
        lows, highs = zip(*(getattr(ax, get)() for ax in visible))
        for ax in visible:
            getattr(ax, put)(min(lows), max(highs))
    for row in np.atleast_2d(axes):
        for ax in row[1:]:
            ax.tick_params(labelleft=False)


def _draw_band(ax, b, color, name):
    ax.fill_between(b["time"], b["lo"], b["hi"], color=color, alpha=0.2, linewidth=0)
    ax.plot(b["time"], b["median"], color=color, label=name, linewidth=2)


SPREAD = {"posterior": "parameters drawn from the calibrated posterior, and random shocks",
          "prior": "parameters drawn from their prior ranges, and random shocks",
          "point": "random shocks only, calibrated parameters"}  # what the bands hold, by uncertainty mode


def influence_figure(region: pd.DataFrame, title: str = "Regional influence of the great powers",
                     uncertainty: str | None = None):
    """Each power's GDP-weighted regional influence (`influence_<P>`): median and 5-95% band over the runs.

    Args:
        region: a region table (one row per run x step).
        title: the first line of the title; the second says how many runs the bands cover.
        uncertainty: the runs' uncertainty mode (`model.uncertainty`), if known: the title then says what the
            band holds (`SPREAD`).
    """
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for p in powers_in(region):
        _draw_band(ax, band(region, f"influence_{p}"), colour(p), label(p))
    n = region["run"].nunique()
    spread = f"\nthe band holds {SPREAD[uncertainty]}" if uncertainty in SPREAD else ""
    ax.set(title=f"{title}\n(median and 5-95% band over {n} run{'s' * (n > 1)}){spread}", xlabel="year",
           ylabel="influence share (0-1, GDP-weighted)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def leader_figure(region: pd.DataFrame, title: str = "Which power leads?"):
    """The share of runs in which each power has the largest regional influence (`leader`), at each step.

    Args:
        region: a region table (one row per run x step) with its `leader` column.
        title: the first line of the title; the second says how many runs the shares are of.
    """
    shares = pd.crosstab(region["step"], region["leader"], normalize="index")
    time = add_time(region.groupby("step")[["year", "period"]].first())
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for p in powers_in(region):
        ax.plot(time, shares[p] if p in shares else 0.0 * time, color=colour(p), label=label(p), linewidth=2)
    n = region["run"].nunique()
    ax.set(title=f"{title}\n(share of {n} run{'s' * (n > 1)} in which the power leads)", xlabel="year",
           ylabel="share of runs (0-1)", ylim=(-0.02, 1.02))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def alignment_figure(states: pd.DataFrame):
    """Each state's alignment with each power (`alignment_<P>`), one panel per state: median and 5-95% band.

    Args:
        states: a states table (one row per run x step x state).
    """
    codes = states_in(states)
    powers = powers_in(states, "alignment_")
    fig, axes = plt.subplots(1, len(codes), figsize=(3 * len(codes), 3.8), sharey=True, squeeze=False)
    axes = axes[0]
    for ax, s in zip(axes, codes):
        rows = states[states["state"] == s]
        for p in powers:
            _draw_band(ax, band(rows, f"alignment_{p}"), colour(p), label(p))
        ax.set(title=label(s), xlabel="year")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("alignment share (0-1)")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle("Alignment of each state with each power (median, 5-95% band)")
    fig.tight_layout()
    return fig


def china_trade_figure(region: pd.DataFrame):
    """The model's China-Central Asia trade (`china_ca_trade`, median and band) with the observed values the
    calibration targets (China customs, `calibration/targets.yaml`)."""
    observed = [(t.year, t.value) for t in load_targets() if t.measure == "china_ca_trade"]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    _draw_band(ax, band(region, "china_ca_trade"), colour("CHN"), "model (China customs basis)")
    ax.scatter(*zip(*observed), color="black", zorder=5, label="observed (GAC)")
    ax.set(title="China-Central Asia trade", xlabel="year", ylabel="USD bn per year")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def debt_figure(states: pd.DataFrame):
    """Each state's external debt to GDP (`debt_to_gdp`: official, hidden and other debt): median and 5-95% band.

    Args:
        states: a states table (one row per run x step x state).
    """
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for s in states_in(states):
        _draw_band(ax, band(states[states["state"] == s], "debt_to_gdp"), colour(s), label(s))
    ax.set(title="External debt to GDP", xlabel="year", ylabel="debt / GDP (ratio)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def observed_figures(tables: dict[str, pd.DataFrame]) -> dict:
    """For a run over observed years (a start before 2025): each hindcast pattern's observed series
    (calibration/patterns.yaml) against the run's simulated band, as in the calibration report."""
    from calibration.bands import pattern_figures
    from calibration.patterns import load_patterns

    first_year = int(tables["region"]["year"].min())
    if first_year >= 2024:
        return {}
    return {f"observed_{name}": fig for name, fig in pattern_figures(load_patterns(), tables).items()}


def standard_figures(tables: dict[str, pd.DataFrame], out_dir: str | Path, uncertainty: str | None = None,
                     more: dict | None = None) -> list[Path]:
    """Write the run figures as PNG and SVG into `out_dir`: influence, alignment, China trade, debt/GDP, `more`
    and, for a run over observed years, the observed series against the simulated bands (`observed_figures`).

    Args:
        tables: {"region": ..., "states": ...} as `results()` returns them.
        out_dir: created if missing.
        uncertainty: the runs' uncertainty mode, said in the influence figure's title.
        more: other figures to write, name -> Figure.
    Returns:
        The files written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "influence_shares": influence_figure(tables["region"], uncertainty=uncertainty),
        "alignment_by_state": alignment_figure(tables["states"]),
        "china_ca_trade": china_trade_figure(tables["region"]),
        "debt_to_gdp": debt_figure(tables["states"]),
        **(more or {}),
        **observed_figures(tables),
    }
    written = []
    for name, fig in figures.items():
        whole_years(fig)
        for ext in ("png", "svg"):
            path = out_dir / f"{name}.{ext}"
            fig.savefig(path, dpi=120 if ext == "png" else None)
            written.append(path)
        plt.close(fig)
    return written
