"""The visualiser's figures, drawn from plain arrays (no Solara, no model), so they are testable alone.

Array axes: run R, state S, power P, recorded step T. Bands are the 5-95% range across runs.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from casim.plots import COLOURS, NAMES

BAND = (5, 95)
SIZE = (4.8, 3.4)  # inches at 100 dpi: one SolaraViz grid cell, so text is not scaled down


def map_figure(positions: dict[str, tuple[float, float]], states, powers, alignment: np.ndarray, gdp: np.ndarray,
               trade: np.ndarray) -> Figure:
    """Schematic map: states at (lon, lat) coloured by leading alignment, sized by GDP; edges show trade.

    Args:
        positions: code -> (longitude, latitude) in degrees for every state and power.
        alignment: (S, P) median alignment shares.
        gdp: (S,) median GDP, USD bn per year.
        trade: (S, P) median trade with each power, USD bn per year.
    """
    fig = Figure(figsize=SIZE, dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.85))
    widest = max(float(trade.max()), 1e-9)
    for i, s in enumerate(states):
        for j, p in enumerate(powers):
            (x0, y0), (x1, y1) = positions[s], positions[p]
            ax.plot([x0, x1], [y0, y1], color=COLOURS[p], alpha=0.45, zorder=1,
                    linewidth=0.3 + 7.0 * trade[i, j] / widest, solid_capstyle="round")
    for j, p in enumerate(powers):
        x, y = positions[p]
        ax.scatter([x], [y], s=420, marker="s", color=COLOURS[p], edgecolor="black", zorder=3)
        ax.annotate(NAMES[p], (x, y), xytext=(0, -17), textcoords="offset points", ha="center", va="top",
                    fontsize=8.5, fontweight="bold")
    sizes = 250 + 1400 * gdp / max(float(gdp.max()), 1e-9)
    for i, s in enumerate(states):
        x, y = positions[s]
        leader = powers[int(np.argmax(alignment[i]))]
        ax.scatter([x], [y], s=sizes[i], color=COLOURS[leader], edgecolor="black", linewidth=1.2, zorder=4)
        radius = np.sqrt(sizes[i] / np.pi)  # points
        ax.annotate(f"{s} {gdp[i]:,.0f} bn", (x, y), xytext=(radius * 0.75 + 2, radius * 0.75), textcoords="offset points",
                    ha="left", va="bottom", fontsize=7.5, zorder=6,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    xs, ys = zip(*positions.values())
    ax.set_xlim(min(xs) - 4, max(xs) + 4)
    ax.set_ylim(min(ys) - 4, max(ys) + 3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Circle colour: leading alignment; circle size: GDP (USD bn/yr);\n"
                 "line width: trade with each power (USD bn/yr)", fontsize=8.5)
    handles = [Line2D([], [], marker="o", linestyle="", color=COLOURS[p], label=NAMES[p]) for p in powers]
    ax.legend(handles=handles, loc="lower right", fontsize=7.5, title="aligned with", title_fontsize=7.5,
              framealpha=0.9)
    return fig


def influence_figure(times: np.ndarray, regional: np.ndarray, powers, horizon: tuple[float, float]) -> Figure:
    """Regional influence shares over time: median line and 5-95% band across runs for each power.

    Args:
        times: (T,) calendar time in years.
        regional: (T, R, P) GDP-weighted regional influence shares (0-1).
        horizon: (first, last) year shown on the x axis, so the plot grows as the model steps.
    """
    fig = Figure(figsize=SIZE, dpi=100)
    fig.subplots_adjust(left=0.13, right=0.95, top=0.86, bottom=0.13)  # fixed: tight_layout costs a full draw
    ax = fig.add_subplot()
    lo, mid, hi = np.percentile(regional, (BAND[0], 50, BAND[1]), axis=1)
    for j, p in enumerate(powers):
        ax.fill_between(times, lo[:, j], hi[:, j], color=COLOURS[p], alpha=0.22, linewidth=0)
        ax.plot(times, mid[:, j], color=COLOURS[p], linewidth=2, label=NAMES[p], marker="o" if len(times) == 1 else None)
    n_runs = regional.shape[1]
    ax.set_xlim(*horizon)
    ax.set_ylim(0, max(0.5, float(hi.max()) * 1.1))
    ax.set_xlabel("year", fontsize=9)
    ax.set_ylabel("influence share (0-1)", fontsize=9)
    ax.set_title(f"Regional influence of each power (GDP-weighted)\nmedian and {BAND[0]}-{BAND[1]}% band over "
                 f"{n_runs} run{'s' * (n_runs > 1)}", fontsize=9)
    ax.legend(loc="upper left", ncols=4, fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    return fig


def alignment_figure(states, powers, alignment: np.ndarray, names: dict[str, str]) -> Figure:
    """Stacked bars: each state's median alignment with each power (shares sum to 1).

    Args:
        alignment: (R, S, P) alignment shares of every run.
    """
    fig = Figure(figsize=SIZE, dpi=100)
    fig.subplots_adjust(left=0.2, right=0.97, top=0.8, bottom=0.14)
    ax = fig.add_subplot()
    median = np.median(alignment, axis=0)
    median = median / median.sum(axis=1, keepdims=True)
    left = np.zeros(len(states))
    rows = np.arange(len(states))[::-1]
    for j, p in enumerate(powers):
        ax.barh(rows, median[:, j], left=left, color=COLOURS[p], edgecolor="white", label=NAMES[p])
        for r, start, width in zip(rows, left, median[:, j]):
            if width >= 0.08:
                ax.text(start + width / 2, r, f"{width:.2f}", ha="center", va="center", fontsize=8, color="white",
                        fontweight="bold")
        left += median[:, j]
    ax.set_yticks(rows, [names[s] for s in states], fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_xlabel("alignment share (0-1, median over runs)", fontsize=9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.13), ncols=4, fontsize=8, frameon=False)
    ax.set_title("Alignment of each state with each power (median over runs)", fontsize=9, pad=22)
    ax.tick_params(axis="x", labelsize=8)
    return fig


def band_text(values: np.ndarray, fmt: str = "{:.2f}") -> str:
    """'median (5-95%: lo-hi)' of a per-run array; just the value for one run."""
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return fmt.format(values.item())
    lo, mid, hi = np.percentile(values, (BAND[0], 50, BAND[1]))
    return f"{fmt.format(mid)} ({fmt.format(lo)} to {fmt.format(hi)})"
