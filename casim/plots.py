"""Figures from output tables (never from models): bands across replicates, labelled with units.

The powers and states drawn are those in the tables; their colours and legend names come from the
actor table (`model/data/actors.yaml`, or CASIM_ACTORS), with a fallback for a code it does not know.
"""
from __future__ import annotations

import zlib
from pathlib import Path

import matplotlib.pyplot as plt
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
    """Tick year axes at whole years (short horizons otherwise show 2024.5)."""
    from matplotlib.ticker import MaxNLocator

    for ax in fig.get_axes():
        if ax.get_xlabel() == "year":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def add_time(frame: pd.DataFrame) -> pd.Series:
    """Fractional calendar time of each row: the end of its period."""
    per_year = max(int(frame["period"].max()), 1)
    return frame["year"] + frame["period"] / per_year - 1.0


def band(frame: pd.DataFrame, column: str, by=("step",)) -> pd.DataFrame:
    """Median and 5-95% band of `column` across runs at each step."""
    grouped = frame.groupby(list(by))[column]
    out = pd.DataFrame({"median": grouped.median(), "lo": grouped.quantile(0.05), "hi": grouped.quantile(0.95)})
    first = frame.groupby(list(by))[["year", "period", "step"]].first()
    out["time"] = add_time(first.reset_index(drop=True)).to_numpy()
    return out


def _draw_band(ax, b, color, name):
    ax.fill_between(b["time"], b["lo"], b["hi"], color=color, alpha=0.2, linewidth=0)
    ax.plot(b["time"], b["median"], color=color, label=name, linewidth=2)


SPREAD = {"posterior": "parameters drawn from the calibrated posterior, and random shocks",
          "prior": "parameters drawn from their prior ranges, and random shocks",
          "point": "random shocks only, calibrated parameters"}  # what the bands hold, by uncertainty mode


def influence_figure(region: pd.DataFrame, title: str = "Regional influence of the great powers",
                     uncertainty: str | None = None):
    """Each power's influence: median and 5-95% band across runs; the title says what the band holds."""
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


def alignment_figure(states: pd.DataFrame):
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
    """The model's China-Central Asia trade with the observed values the calibration targets (China customs)."""
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
    """The run figures as PNG and SVG: influence, alignment, China trade, debt/GDP, `more` (name -> Figure) and,
    for a run over observed years, the observed series against the simulated bands (`observed_figures`);
    `uncertainty` (the runs' mode) is said in the influence figure."""
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
