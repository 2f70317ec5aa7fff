"""Figures from output tables (never from models): bands across replicates, labelled with units."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

POWERS = ("CHN", "RUS", "EU", "USA")
STATES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
COLOURS = {"CHN": "#d62728", "RUS": "#1f77b4", "EU": "#e6b800", "USA": "#2ca02c"}
NAMES = {"CHN": "China", "RUS": "Russia", "EU": "EU", "USA": "US", "KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan",
         "TJK": "Tajikistan", "TKM": "Turkmenistan", "UZB": "Uzbekistan"}


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


def _draw_band(ax, b, colour, label):
    ax.fill_between(b["time"], b["lo"], b["hi"], color=colour, alpha=0.2, linewidth=0)
    ax.plot(b["time"], b["median"], color=colour, label=label, linewidth=2)


def influence_figure(region: pd.DataFrame, title: str = "Regional influence of the great powers"):
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for p in POWERS:
        _draw_band(ax, band(region, f"influence_{p}"), COLOURS[p], NAMES[p])
    n = region["run"].nunique()
    ax.set(title=f"{title}\n(median and 5-95% band over {n} run{'s' * (n > 1)})", xlabel="year",
           ylabel="influence share (0-1, GDP-weighted)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def alignment_figure(states: pd.DataFrame):
    fig, axes = plt.subplots(1, len(STATES), figsize=(15, 3.8), sharey=True)
    for ax, s in zip(axes, STATES):
        rows = states[states["state"] == s]
        for p in POWERS:
            _draw_band(ax, band(rows, f"alignment_{p}"), COLOURS[p], NAMES[p])
        ax.set(title=NAMES[s], xlabel="year")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("alignment share (0-1)")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle("Alignment of each state with each power (median, 5-95% band)")
    fig.tight_layout()
    return fig


def china_trade_figure(region: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    _draw_band(ax, band(region, "china_ca_trade"), COLOURS["CHN"], "model (China customs basis)")
    ax.scatter([2024, 2025], [94.82, 106.3], color="black", zorder=5, label="observed (GAC)")
    ax.set(title="China-Central Asia trade", xlabel="year", ylabel="USD bn per year")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def debt_figure(states: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    palette = plt.get_cmap("tab10")
    for k, s in enumerate(STATES):
        _draw_band(ax, band(states[states["state"] == s], "debt_to_gdp"), palette(k), NAMES[s])
    ax.set(title="External debt to GDP", xlabel="year", ylabel="debt / GDP (ratio)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def standard_figures(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """The run figures as PNG and SVG: influence, alignment, China trade, debt/GDP."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "influence_shares": influence_figure(tables["region"]),
        "alignment_by_state": alignment_figure(tables["states"]),
        "china_ca_trade": china_trade_figure(tables["region"]),
        "debt_to_gdp": debt_figure(tables["states"]),
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
