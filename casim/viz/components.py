"""The views of the visualiser, as functions of the model that Mesa's SolaraViz re-renders after each step.

They are plain functions (not `solara.component`s) on purpose: SolaraViz wraps plain
functions so that they redraw whenever the model steps or is reset.
"""
from __future__ import annotations

import io

import numpy as np
import solara

from casim.plots import NAMES

from . import figures
from .controls import DEFAULTS_CHOICE, SLIDERS, unit_of
from .model import VizModel

BOX = {"height": "380px", "overflow-y": "auto", "overflow-x": "hidden"}  # one SolaraViz grid cell (h=10 rows)

GUIDE = """
**What am I looking at?** A simulation of how China, Russia, the EU and the US compete for
influence over the five Central Asian states, 2025-2040, one step per quarter.
Each run draws its own random shocks (commodity prices, protests, security threats), so the
model runs an *ensemble* of runs at once: lines are medians, shaded bands show where 90% of runs lie.

**How to use it.** Press **Step** to advance one quarter or **▶** to play.
Pick a scenario, move a slider, change the seed or the ensemble size, then press **Reset**:
*changes take effect on Reset*, which restarts the simulation from 2024.
A slider you moved overrides the scenario's value for that parameter.
"""

# Mesa's sliders show their value only while dragged; students need to see it, and long
# labels with units squeeze the track. Put each label on its own line and keep the value visible.
SLIDER_CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label { flex: 0 0 100%; white-space: normal; margin-bottom: 22px;
    font-size: 13px; height: auto; line-height: 1.3; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { transform: translateY(-24px) translateX(-50%) !important; border-radius: 4px !important;
    width: auto !important; min-width: 28px; height: 18px !important; padding: 0 4px; font-size: 11px; }
.v-slider__thumb-label > * { transform: none !important; }
"""


def _figure(fig, name: str):
    """The figure as a PNG scaled to the cell width (rendered here: cheaper than SVG for 50-run bands)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return solara.Image(buffer.getvalue(), width="100%", classes=[f"casim-{name}-image"])


def Guide(model: VizModel):
    """Scenario, inputs in force, and the 'what am I looking at' text; errors of the inputs first."""
    setup = model.setup
    with solara.Column(style=BOX, classes=["casim-guide"]) as main:
        solara.Style(SLIDER_CSS)
        if setup.errors:
            solara.Error("The inputs could not be used, so the simulation is stopped. Fix the scenario file "
                         "or the input, then press Reset.", classes=["casim-error"])
            for message in setup.errors:
                solara.Error(message, classes=["casim-error-message"], dense=True)
        name = "none (model defaults)" if setup.scenario == DEFAULTS_CHOICE else setup.scenario
        solara.Markdown(f"**Scenario:** {name}" + (f" — {setup.description}" if setup.description else ""))
        moved = [f"{spec.label} = {setup.slider_overrides[spec.path]:g} {unit_of(spec.path)}"
                 for spec in SLIDERS if spec.path in setup.slider_overrides]
        solara.Markdown("**Sliders in force:** " + ("; ".join(moved) if moved else "none moved (scenario values)"))
        solara.Markdown(GUIDE)
    return main


def Indicators(model: VizModel):
    """Key indicators now: period, leader, China-Russia gap, China-CA trade, debt-to-GDP by state."""
    s, a = model.state, model.actors
    china, russia = model.china, model.russia
    leaders = np.asarray(a.powers)[s.regional.argmax(axis=1)]
    codes, counts = np.unique(leaders, return_counts=True)
    top = int(np.argmax(counts))
    leader = f"{NAMES[codes[top]]} in {100 * counts[top] / model.n_runs:.0f}% of runs"
    trade = model.history[-1]["china_ca_trade"]
    rows = [
        ("Period", f"step {model.steps}: {model.period_label()}", ""),
        ("Leading power", leader, ""),
        ("China–Russia influence gap", figures.band_text(s.regional[:, china] - s.regional[:, russia], "{:+.3f}"),
         "share"),
        ("China–Central Asia trade", figures.band_text(trade, "{:.1f}"), "USD bn/yr"),
    ]
    rows += [(f"Debt-to-GDP, {NAMES[code]}", figures.band_text(s.debt_to_gdp[:, i]), "ratio")
             for i, code in enumerate(a.states)]
    table = "| indicator | median (5–95% of runs) | unit |\n|---|---|---|\n"
    table += "\n".join(f"| {label} | {value} | {unit} |" for label, value, unit in rows)
    with solara.Column(style=BOX, classes=["casim-indicators"]) as main:
        solara.Markdown(table)
    return main


def RegionMap(model: VizModel):
    """Schematic map of the region now (medians over runs)."""
    s, a = model.state, model.actors
    fig = figures.map_figure(a.positions, a.states, a.powers, np.median(s.alignment, axis=0),
                             np.median(s.gdp, axis=0), np.median(s.trade, axis=0))
    with solara.Column(style=BOX, classes=["casim-map"]) as main:
        _figure(fig, "map")
    return main


def InfluencePlot(model: VizModel):
    """Regional influence of each power over time, with ensemble bands."""
    times = np.array([h["time"] for h in model.history])
    regional = np.stack([h["regional"] for h in model.history])
    fig = figures.influence_figure(times, regional, model.actors.powers,
                                   (model.time_of(0), model.time_of(model.n_steps)))
    with solara.Column(style=BOX, classes=["casim-influence"]) as main:
        _figure(fig, "influence")
    return main


def AlignmentPlot(model: VizModel):
    """Each state's alignment with each power now."""
    a = model.actors
    fig = figures.alignment_figure(a.states, a.powers, model.state.alignment, NAMES)
    with solara.Column(style=BOX, classes=["casim-alignment"]) as main:
        _figure(fig, "alignment")
    return main


VIEWS = (Guide, Indicators, RegionMap, InfluencePlot, AlignmentPlot)
