"""The visualiser's figures, drawn from plain arrays (no Solara, no model), so they are testable alone.

Array axes: run R, state S, power P, recorded step T. Bands are the 5-95% range across runs.

Each figure is a `LivePlot`: its frame (axes, labels, legend, title) is drawn once and kept as
a bitmap; each step redraws only the artists that change on top of it (matplotlib's Agg
blitting) and encodes a PNG. That is what makes a Step cheap: a full matplotlib draw of the
three figures costs about ten times more than the data drawn on a kept frame.
"""
from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from casim.plots import colour, label

BAND = (5, 95)
BAND_ALPHA = 0.3
DPI = 100
GHOST = {"linestyle": (0, (4, 2)), "linewidth": 1.4, "alpha": 0.9}  # the unmodified scenario's lines
GHOST_LABEL = "unmodified scenario (dashed)"


class LivePlot:
    """A figure whose changing artists (`live`) are redrawn on a kept bitmap of everything else."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.live: list = []
        self._frame = None

    def keep_live(self, artist):
        """Mark `artist` as changing every step: left out of the kept frame, drawn on each `png()`."""
        artist.set_animated(True)
        self.live.append(artist)
        return artist

    def redraw_frame(self) -> None:
        """Call when something in the frame changed (axis limits, titles): the next `png()` redraws it."""
        self._frame = None

    def png(self) -> bytes:
        """The figure now, as PNG bytes."""
        if self._frame is None:
            self.canvas.draw()  # animated (live) artists are skipped here
            self._frame = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._frame)
        for artist in self.live:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        buffer = io.BytesIO()
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image.save(buffer, format="PNG", compress_level=1)  # level 1: a third of the time of 6, a few % larger
        return buffer.getvalue()


def quantiles(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(5th percentile, median, 95th percentile) across runs along `axis`."""
    lo, mid, hi = np.percentile(values, (BAND[0], 50, BAND[1]), axis=axis)
    return lo, mid, hi


def band_polygon(times: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The closed outline of a band: along `hi` forwards, back along `lo`, as (2T, 2) vertices."""
    return np.concatenate([np.column_stack([times, hi]), np.column_stack([times[::-1], lo[::-1]])])


class InfluencePlot(LivePlot):
    """Regional influence of each power over time: median line and 5-95% band, the unmodified scenario dashed.

    Args:
        powers: power codes, in the order of the last axis of the arrays.
        horizon: (first, last) year on the x axis, so the plot fills in as the model steps.
        n_runs: ensemble size (for the title).
    """

    def __init__(self, powers, horizon: tuple[float, float], n_runs: int, size=(5.6, 4.5)):
        super().__init__(Figure(figsize=size, dpi=DPI))
        self.fig.subplots_adjust(left=0.1, right=0.96, top=0.885, bottom=0.095)
        ax = self.ax = self.fig.add_subplot()
        self.powers = list(powers)
        self.bands = [self.keep_live(ax.add_collection(PolyCollection([np.zeros((3, 2))], facecolor=colour(p),
                                                                      edgecolor=colour(p), alpha=BAND_ALPHA,
                                                                      linewidth=0.8)))
                      for p in self.powers]
        self.ghosts = [self.keep_live(ax.plot([], [], color=colour(p), **GHOST)[0]) for p in self.powers]
        self.medians = [self.keep_live(ax.plot([], [], color=colour(p), linewidth=2.2, marker="o", markersize=4,
                                               markevery=[-1])[0]) for p in self.powers]
        ax.set_xlim(*horizon)
        ax.set_ylim(0, 0.5)
        ax.set_xlabel("year", fontsize=9)
        ax.set_ylabel("influence share (0-1)", fontsize=9)
        ax.set_title(f"Regional influence of each power (GDP-weighted)\nline: median of {n_runs} "
                     f"run{'s' * (n_runs > 1)}; shaded: {BAND[0]}-{BAND[1]}% of runs", fontsize=9)
        handles = [Line2D([], [], color=colour(p), linewidth=2.2, label=label(p)) for p in self.powers]
        handles.append(Line2D([], [], color="grey", label=GHOST_LABEL, **GHOST))
        ax.legend(handles=handles, loc="lower left", ncols=5, fontsize=7.5, frameon=False, handlelength=1.8,
                  columnspacing=1.0)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)

    def update(self, times: np.ndarray, influence: np.ndarray, unmodified: np.ndarray | None) -> None:
        """Set the data: `influence` and `unmodified` are (T, R, P) shares; `unmodified` None hides the ghosts."""
        lo, mid, hi = quantiles(influence, axis=1)
        for j in range(len(self.powers)):
            self.bands[j].set_verts([band_polygon(times, lo[:, j], hi[:, j])])
            self.medians[j].set_data(times, mid[:, j])
            ghost = self.ghosts[j]
            ghost.set_visible(unmodified is not None)
            if unmodified is not None:
                ghost.set_data(times, np.median(unmodified[:, :, j], axis=1))
        top = float(hi.max())
        if top > 0.9 * self.ax.get_ylim()[1]:  # rare: the frame's y axis has to grow
            self.ax.set_ylim(0, np.ceil(top / 0.9 * 10) / 10)
            self.redraw_frame()


class AlignmentPlot(LivePlot):
    """Stacked bars: each state's median alignment with each power; a thin bar below, the unmodified scenario."""

    HEIGHT, GHOST_HEIGHT = 0.55, 0.16

    def __init__(self, states, powers, size=(5.2, 3.1)):
        super().__init__(Figure(figsize=size, dpi=DPI))
        self.fig.subplots_adjust(left=0.19, right=0.98, top=0.8, bottom=0.14)
        ax = self.ax = self.fig.add_subplot()
        self.states, self.powers = list(states), list(powers)
        self.rows = np.arange(len(states))[::-1].astype(float)
        colours = [colour(p) for p in powers for _ in states]  # bars ordered power by power, state by state
        self.bars = self.keep_live(ax.add_collection(PolyCollection([], facecolors=colours, edgecolors="white")))
        self.ghost_bars = self.keep_live(ax.add_collection(PolyCollection([], facecolors=colours, alpha=0.55,
                                                                          edgecolors="white", linewidths=0.5)))
        self.labels = [[self.keep_live(ax.text(0, r + 0.1, "", ha="center", va="center", fontsize=8, color="white",
                                               fontweight="bold")) for r in self.rows] for _ in powers]
        ax.set_yticks(self.rows + 0.1, [label(s) for s in states], fontsize=9)
        ax.set_ylim(self.rows.min() - 0.6, self.rows.max() + 0.55)
        ax.set_xlim(0, 1)
        ax.set_xlabel("alignment share (0-1, median over runs)", fontsize=9)
        handles = [Patch(color=colour(p), label=label(p)) for p in powers]
        handles.append(Patch(facecolor="grey", alpha=0.55, label="thin bar: unmodified scenario"))
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.45, 1.0), ncols=5, fontsize=7.5,
                  frameon=False, handlelength=1.2, columnspacing=0.8)
        ax.set_title("Alignment of each state with each power", fontsize=9, pad=18)
        ax.tick_params(axis="x", labelsize=8)

    def _rectangles(self, alignment: np.ndarray, middle: np.ndarray, height: float) -> tuple[list, np.ndarray]:
        """Bar outlines (power by power, state by state) and the medians (S, P) that were stacked."""
        median = np.median(alignment, axis=0)
        median = median / median.sum(axis=1, keepdims=True)
        right = np.cumsum(median, axis=1)
        left = right - median
        y0, y1 = middle - height / 2, middle + height / 2
        return [np.array([[left[i, j], y0[i]], [right[i, j], y0[i]], [right[i, j], y1[i]], [left[i, j], y1[i]]])
                for j in range(len(self.powers)) for i in range(len(self.states))], median

    def update(self, alignment: np.ndarray, unmodified: np.ndarray | None) -> None:
        """Set the data: (R, S, P) alignment shares of every run; `unmodified` None hides the thin bars."""
        boxes, median = self._rectangles(alignment, self.rows + 0.1, self.HEIGHT)
        self.bars.set_verts(boxes)
        left = np.cumsum(median, axis=1) - median
        for j, column in enumerate(self.labels):
            for i, label in enumerate(column):
                label.set_text(f"{median[i, j]:.2f}" if median[i, j] >= 0.08 else "")
                label.set_x(left[i, j] + median[i, j] / 2)
        self.ghost_bars.set_visible(unmodified is not None)
        if unmodified is not None:
            self.ghost_bars.set_verts(self._rectangles(unmodified, self.rows - 0.33, self.GHOST_HEIGHT)[0])


class MapPlot(LivePlot):
    """Schematic map: states at (lon, lat) coloured by their leading power, sized by GDP; lines show trade.

    Args:
        positions: code -> (longitude, latitude) in degrees for every state and power.
    """

    MAX_AREA = 1000.0  # points^2 of the largest state's circle
    POWER_SIDE = 19.5  # points: side of a power's square marker (area 380)

    def __init__(self, positions: dict[str, tuple[float, float]], states, powers, size=(5.2, 3.1)):
        super().__init__(Figure(figsize=size, dpi=DPI))
        ax = self.ax = self.fig.add_axes((0.01, 0.01, 0.98, 0.8))
        self.states, self.powers = list(states), list(powers)
        self.xy = np.array([positions[s] for s in states])
        self.power_xy = np.array([positions[p] for p in powers])
        segments = [[positions[s], positions[p]] for s in states for p in powers]
        self.trade_lines = self.keep_live(ax.add_collection(LineCollection(
            segments, colors=[colour(p) for _ in states for p in powers], alpha=0.45, capstyle="round", zorder=1)))
        for p in powers:
            x, y = positions[p]
            ax.scatter([x], [y], s=self.POWER_SIDE ** 2, marker="s", color=colour(p), edgecolor="black", zorder=3)
            ax.annotate(label(p), (x, y), xytext=(0, -14), textcoords="offset points", ha="center", va="top",
                        fontsize=8.5, fontweight="bold")
        self.ghost_circles = self.keep_live(ax.scatter(self.xy[:, 0], self.xy[:, 1], s=0, facecolors="none",
                                                       edgecolors="black", linewidths=1.2, linestyle=(0, (2, 2)),
                                                       zorder=5))
        self.circles = self.keep_live(ax.scatter(self.xy[:, 0], self.xy[:, 1], s=0, edgecolor="black",
                                                 linewidth=1.0, zorder=4))
        xs, ys = zip(*positions.values())
        ax.set_xlim(min(xs) - 4, max(xs) + 4)
        ax.set_ylim(min(ys) - 4, max(ys) + 3)
        ax.set_xticks([])
        ax.set_yticks([])
        self.labels = [self.keep_live(ax.annotate("", (x, y), xytext=(0, 0), textcoords="offset points", fontsize=7.5, zorder=6,
                                                  bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                                        "edgecolor": "none", "alpha": 0.85}))
                       for x, y in self.xy]
        handles = [Line2D([], [], marker="o", linestyle="", color=colour(p), label=label(p)) for p in powers]
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor="black",
                              label="dashed ring: unmodified scenario's GDP"))
        self.fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.9), ncols=5, fontsize=7.5,
                        frameon=False, handletextpad=0.2, columnspacing=0.9, title=None)
        self.fig.suptitle("Circle colour: the power a state leans to most; size: its GDP;\n"
                          "line width: its trade with each power (medians over runs)", fontsize=8.5, y=0.99)
        self._place_labels()

    def _place_labels(self) -> None:
        """Put each state's label beside its circle where it covers no other label, marker or the legend.

        Tries right, left, above and below the largest possible circle and keeps the first side that
        overlaps nothing and stays on the map (else the side that overlaps least).
        """
        renderer = self.canvas.get_renderer()
        points = DPI / 72
        radius = np.sqrt(self.MAX_AREA / np.pi)  # points
        sides = [((radius + 2, 0), "left", "center"), ((-radius - 2, 0), "right", "center"),
                 ((0, radius + 1), "center", "bottom"), ((0, -radius - 1), "center", "top")]
        centres = self.ax.transData.transform(np.concatenate([self.xy, self.power_xy]))
        halves = [radius * points] * len(self.xy) + [self.POWER_SIDE / 2 * points] * len(self.power_xy)
        markers = [_box(x - h, y - h, x + h, y + h) for (x, y), h in zip(centres, halves)]
        legend = [leg.get_window_extent(renderer) for leg in self.fig.legends]
        inside = self.ax.get_window_extent(renderer)
        placed = []
        for k, label in enumerate(self.labels):
            label.set_text(f"{self.states[k]} 0,000 bn")  # as wide as it will get
            others = legend + placed + [m for i, m in enumerate(markers) if i != k]
            best, best_cost = None, np.inf
            for offset, ha, va in sides:
                label.set_position(offset)
                label.set_horizontalalignment(ha)
                label.set_verticalalignment(va)
                box = label.get_window_extent(renderer)
                cost = sum(_overlap(box, other) for other in others) + box.width * box.height - _overlap(box, inside)
                if cost < best_cost:
                    best, best_cost = (offset, ha, va), cost
                if cost == 0:
                    break
            label.set_position(best[0])
            label.set_horizontalalignment(best[1])
            label.set_verticalalignment(best[2])
            placed.append(label.get_window_extent(renderer))
        self.label_boxes, self.marker_boxes, self.legend_boxes = placed, markers, legend

    def update(self, alignment: np.ndarray, gdp: np.ndarray, trade: np.ndarray, unmodified_gdp: np.ndarray | None):
        """Set the data (medians over runs): alignment (S, P), GDP (S,) and trade (S, P), USD bn per year.

        `unmodified_gdp` (S,), the unmodified scenario's GDP, is drawn as dashed rings; None hides them.
        """
        widest = max(float(trade.max()), 1e-9)
        self.trade_lines.set_linewidths((0.3 + 7.0 * trade / widest).ravel())
        scale = self.MAX_AREA / max(float(gdp.max()), 1e-9)
        self.circles.set_sizes(150 + (self.MAX_AREA - 150) * gdp * scale / self.MAX_AREA)
        self.circles.set_facecolors([colour(self.powers[j]) for j in alignment.argmax(axis=1)])
        self.ghost_circles.set_visible(unmodified_gdp is not None)
        if unmodified_gdp is not None:
            self.ghost_circles.set_sizes(150 + (self.MAX_AREA - 150) * unmodified_gdp * scale / self.MAX_AREA)
        for k, label in enumerate(self.labels):
            label.set_text(f"{self.states[k]} {gdp[k]:,.0f} bn")


def _box(x0, y0, x1, y1):
    from matplotlib.transforms import Bbox

    return Bbox([[x0, y0], [x1, y1]])


def _overlap(a, b) -> float:
    """Area (pixels^2) shared by two boxes."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def band_text(values: np.ndarray, fmt: str = "{:.2f}") -> str:
    """'median (lo to hi)' of a per-run array over the 5-95% band; just the value for one run."""
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return fmt.format(values.item())
    lo, mid, hi = quantiles(values)
    return f"{fmt.format(mid)} ({fmt.format(lo)} to {fmt.format(hi)})"
