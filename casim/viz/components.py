"""The page's Solara components: title bar, side bar (buttons and inputs) and views, for one `Session`.

`Page` makes one `Session` per browser tab (see `session.py`). Each component subscribes
to the session's reactive values it shows, so a step re-renders the views, the buttons and
the title bar, and a moved slider only the side bar.
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import solara

from casim.analysis.uncertainty import format_share
from casim.plots import colour, label

from . import figures, numbers
from .controls import DEFAULTS_CHOICE, MAX_RUNS, SLIDER_BY_PATH, SLIDERS, UNCERTAINTY_LABELS, format_value, \
    parse_seed, scenario_choices, slider_range, snap
from .export import results_csv, scenario_name, scenario_yaml
from .markup import safe_markdown, table_html
from .model import VizModel
from .session import Session, scenario_summary, scenario_values

TITLE = "Central Asia: the great powers' balance of influence"
TAB_TITLE = "casim: Central Asia's balance of influence"
CSS = Path(__file__).with_name("page.css")  # the page's layout: fixed cells, sticky buttons
UNCERTAINTY_MODES = {text: mode for mode, text in UNCERTAINTY_LABELS.items()}


# ---- small building blocks -------------------------------------------------------------------------------------
def Table(head: list[str], rows: list[list], css: str, step: int | None = None):
    return solara.HTML(tag="div", unsafe_innerHTML=table_html(head, rows, css, step))


def _signed(x: float) -> str:
    return f"{x:+.3f}"


# ---- the views (redrawn on Session.tick) ------------------------------------------------------------------------
@solara.component
def Views(session: Session):
    tick = session.tick.value  # subscribes: re-render after each step or reset
    model = session.model
    view = solara.use_memo(session.draw, [tick, id(model)])
    setup = model.setup
    if model.blocked:
        with solara.Column(classes=["casim-errors"]):
            solara.Error("The inputs could not be used, so the simulation is stopped. Fix the scenario file or the "
                         "input, then press Reset.", classes=["casim-error"])
            for message in setup.errors:
                solara.Error(message, classes=["casim-error-message"], dense=True)
    with solara.Div(classes=["casim-row", "casim-top"]):
        with solara.Div(classes=["casim-cell", "casim-influence"]):
            solara.Image(view["png"]["influence"], width="100%", classes=["casim-influence-image"])
        with solara.Div(classes=["casim-cell", "casim-side-panels"]):
            InfluenceNow(view, model)
            Difference(view, model)
    with solara.Div(classes=["casim-row", "casim-pair"]):
        with solara.Div(classes=["casim-cell", "casim-map"]):
            solara.Image(view["png"]["map"], width="100%", classes=["casim-map-image"])
        with solara.Div(classes=["casim-cell", "casim-alignment"]):
            solara.Image(view["png"]["alignment"], width="100%", classes=["casim-alignment-image"])
    with solara.Div(classes=["casim-row", "casim-pair"]):
        Indicators(view, model)
        ScenarioPanel(session)


def InfluenceNow(view: dict, model: VizModel):
    rows = view["now"]
    with solara.v.Html(tag="div", class_="casim-panel casim-numbers", attributes={"data-build": view["build"]}):
        solara.v.Html(tag="h3", class_="casim-h", children=[f"Influence now: {view['period']}"])
        Table(["power", "median", f"{figures.BAND[0]}–{figures.BAND[1]}% of runs", "leads in"],
              [[(label(r.power), colour(r.power)), f"{r.influence.median:.3f}",
                f"{r.influence.lo:.3f} to {r.influence.hi:.3f}", format_share(r.p_leads, model.n_runs)] for r in rows],
              "casim-numbers-table", view["step"])
        if model.n_runs > 1:
            narrow = " casim-narrow" if numbers.narrow_bands(rows) else ""
            solara.v.Html(tag="p", class_=f"casim-note casim-spread{narrow}", children=[spread_note(model, rows)])


DRAWN_FROM = {"posterior": "drawn from the calibrated posterior", "prior": "drawn from their prior ranges",
              "point": "set per run by the scenario's events"}


def spread_note(model: VizModel, rows) -> str:
    """What the bands and the shares hold: parameter draws and shocks, or shocks only; and whether they are narrow."""
    if model.parameters_vary_by_run:
        what = (f"the {model.n_runs} runs differ in their parameters ({DRAWN_FROM[model.setup.uncertainty]}) and in "
                "their random shocks")
    else:
        what = (f"the {model.n_runs} runs differ only in their random shocks (prices, protests, threats), not in "
                "their parameters")
    if numbers.narrow_bands(rows):
        widest = max(r.influence.width for r in rows)
        return f"The bands are narrow (at most {widest:.3f} wide): {what}."
    return f"Bands and shares over runs: {what}."


def Difference(view: dict, model: VizModel):
    setup = model.setup
    with solara.v.Html(tag="div", class_="casim-panel casim-difference", attributes={"data-build": view["build"]}):
        solara.v.Html(tag="h3", class_="casim-h", children=[f"What did my change do? {view['period']}"])
        if view["change"] is None:
            solara.v.Html(tag="p", class_="casim-note", children=[
                "No slider moved: this run is the scenario itself. Move a slider and press Reset: this panel then "
                "compares each of your runs with the same run (same seed) of the unmodified scenario, dashed in the "
                "plots."])
            return
        changed = "; ".join(f"{SLIDER_BY_PATH[p].label} {format_value(setup.in_effect[SLIDER_BY_PATH[p].keyword])} "
                            f"→ {format_value(v)}" for p, v in setup.overrides.items())
        solara.v.Html(tag="p", class_="casim-note", children=[f"You changed: {changed}."])
        Table(["power", "influence change", f"{figures.BAND[0]}–{figures.BAND[1]}% of runs", "P(change > 0)"],
              [[(label(r.power), colour(r.power)), _signed(r.change.median),
                f"{_signed(r.change.lo)} to {_signed(r.change.hi)}", format_share(r.p_positive, model.n_runs)]
               for r in view["change"]], "casim-difference-table", view["step"])
        solara.v.Html(tag="p", class_="casim-note", children=[
            f"Your run minus the unmodified scenario, run by run over {model.n_runs} paired runs (same seeds and "
            "parameter draws); "
            "P(change > 0) is the share of pairs in which the power gained, ± its Monte Carlo standard error."])


def leader_text(leaders: np.ndarray, powers, n_runs: int) -> str:
    """P(each power leads) now, most likely first, with its Monte Carlo error: 'China 72% ± 6.3, ...'
    (`casim.analysis.uncertainty.format_share`: a power leading in every run gets the 95% bound, '100% (> 47%)')."""
    codes, counts = np.unique(leaders, return_counts=True)
    shares = sorted(((counts[k] / n_runs, powers[code]) for k, code in enumerate(codes)), reverse=True)
    return ", ".join(f"{label(power)} {format_share(p, n_runs)}" for p, power in shares)


def Indicators(view: dict, model: VizModel):
    a = model.actors
    rows = [["Period", f"step {view['step']} of {model.n_steps}: {view['period']}", ""],
            ["P(leads the region)", leader_text(view["leader"], a.powers, model.n_runs), "share of runs ± MC error"],
            ["China–Russia influence gap", figures.band_text(view["gap"], "{:+.3f}"), "share (0-1)"],
            ["China–Central Asia trade", figures.band_text(view["trade"], "{:.1f}"), "USD bn per year"]]
    rows += [[f"Debt-to-GDP, {label(code)}", figures.band_text(view["debt"][:, i]), "ratio"]
             for i, code in enumerate(a.states)]
    with solara.Div(classes=["casim-cell", "casim-panel", "casim-indicators"]):
        solara.v.Html(tag="h3", class_="casim-h", children=["Key indicators (median, 5–95% of runs)"])
        Table(["indicator", "value", "unit"], rows, "casim-indicator-table")


@solara.component
def ScenarioPanel(session: Session):
    """The applied scenario, its scheduled events and the guide (changes on Reset only)."""
    session.build.value  # subscribes: a new model on each Reset
    model = session.model
    setup = model.setup
    with solara.Div(classes=["casim-cell", "casim-panel", "casim-scenario"]) as main:
        name = "none (model defaults)" if setup.choice == DEFAULTS_CHOICE else setup.choice
        solara.v.Html(tag="h3", class_="casim-h", children=[f"Scenario: {name}"])
        if setup.description:
            solara.HTML(tag="div", unsafe_innerHTML=safe_markdown(setup.description),
                        classes=["casim-description"])
        if setup.events:
            upcoming = [f"{model.period_label(ev.step)}: {ev.label}" for ev in setup.events]
            solara.v.Html(tag="p", class_="casim-note", children=[
                "Scheduled events: " + "; ".join(upcoming)])
        solara.Markdown(GUIDE)
    return main


GUIDE = """
**What am I looking at?** A simulation of how China, Russia, the EU and the US compete for influence
over the five Central Asian states, 2025-2040, one step per quarter. Nobody knows the model's
parameters exactly, so each run draws its own (from the calibration's posterior) and its own random
shocks, and the model runs an *ensemble* of runs at once: lines are medians, shaded bands show where
90% of runs lie, and "leads in" is the share of runs in which a power leads, an estimate of its
probability, ± its Monte Carlo standard error (more runs, smaller error).

**How to use it.** Press **Step** to advance one quarter or **▶** to play. Pick a scenario, move a
slider, change the seed or the ensemble size, then press **Reset**: changes take effect on Reset,
which restarts from 2024. A slider shows the value the scenario uses (for a drawn parameter, its
calibrated value); a moved slider sets that value in every run.
"""


# ---- the side bar -----------------------------------------------------------------------------------------------
@solara.component
def Buttons(session: Session):
    """Reset, play/pause, Step and the status: they follow the model step by step."""
    session.tick.value  # subscribes: re-render after each step or reset
    playing = session.playing.value
    pending = session.inputs.value != session.applied
    model = session.model
    stopped = model.blocked or model.at_horizon
    with solara.Div(classes=["casim-buttons"]) as main:  # stays at the top while the side bar scrolls
        with solara.Row(gap="6px"):
            solara.Button("Reset", color="primary", on_click=session.reset)
            solara.Button("❚❚" if playing else "▶", color="primary", disabled=stopped and not playing,
                          on_click=(lambda: session.pause()) if playing else session.play)
            solara.Button("Step", color="primary", disabled=playing or stopped, on_click=session.step)
        status = f"Step {model.steps} of {model.n_steps}: {model.period_label()}"
        if model.at_horizon:
            status += " (the end)"
        solara.v.Html(tag="div", class_="casim-status", children=[status])
        if pending:
            solara.v.Html(tag="div", class_="casim-pending", children=[
                "Changed inputs: press Reset to apply them (the simulation restarts from 2024)."])
    return main


@solara.component
def Controls(session: Session):
    """The side bar: buttons, then the inputs (which change only when the student changes them)."""
    inputs = session.inputs.value
    in_effect = solara.use_memo(lambda: scenario_values(inputs.choice), [inputs.choice])
    summary = solara.use_memo(lambda: scenario_summary(inputs.choice), [inputs.choice])

    def update(**changes):  # from the current inputs, not this render's: events may arrive between renders
        session.inputs.value = replace(session.inputs.value, **changes)

    def pick(choice):
        if choice in scenario_choices():
            update(choice=choice, positions=scenario_values(choice))

    def move(keyword, value):
        update(positions={**session.inputs.value.positions, keyword: value})

    with solara.Div(classes=["casim-controls"]) as main:
        Buttons(session)
        solara.Select("Scenario file", values=scenario_choices(), value=inputs.choice, on_value=pick)
        solara.v.Html(tag="div", class_="casim-note casim-scenario-summary", children=[summary])
        for spec in SLIDERS:
            SliderRow(spec, inputs.positions.get(spec.keyword, in_effect[spec.keyword]), in_effect[spec.keyword],
                      lambda v, k=spec.keyword: move(k, v))
        solara.Button("Back to the scenario's values", outlined=True, small=True,
                      on_click=lambda: update(positions=dict(in_effect)), classes=["casim-back"])
        SeedInput(session)
        solara.SliderInt(f"Ensemble size: {inputs.n_runs} runs", value=inputs.n_runs, min=1, max=MAX_RUNS,
                         on_value=lambda n: update(n_runs=int(n)))
        solara.Select("Parameter uncertainty", values=list(UNCERTAINTY_LABELS.values()),
                      value=UNCERTAINTY_LABELS[inputs.uncertainty],
                      on_value=lambda text: update(uncertainty=UNCERTAINTY_MODES[text]))
        Downloads(session)
        with solara.Details(summary="Advanced: play speed"):
            solara.v.Html(tag="p", class_="casim-note", children=[
                "These change how fast ▶ plays, never the results: the pause between two steps, and how many "
                "quarters are stepped before the plots are redrawn (more is faster on a slow computer)."])
            solara.SliderInt(f"Pause between steps: {session.interval_ms.value} ms", value=session.interval_ms,
                             min=0, max=1000, step=10)
            solara.SliderInt(f"Steps per redraw: {session.steps_per_redraw.value}", value=session.steps_per_redraw,
                             min=1, max=16)
        solara.v.Html(tag="p", class_="casim-note casim-session", children=[f"session {session.id}"])
    return main


@solara.component
def Downloads(session: Session):
    """The current run's scenario file and results, made when clicked."""
    session.build.value  # subscribes: a new model on each Reset
    model = session.model
    if model.blocked:
        return solara.Div()
    name = scenario_name(model)
    with solara.Row(gap="6px", classes=["casim-downloads"]) as main:
        solara.FileDownload(lambda: scenario_yaml(model), filename=f"{name}.yaml", mime_type="text/yaml",
                            label="Download scenario")
        solara.FileDownload(lambda: results_csv(model), filename=f"{name}_region.csv", mime_type="text/csv",
                            label="Download results")
    return main


@solara.component
def SliderRow(spec, value: float, in_effect: float, on_value):
    lo, hi, step = slider_range(spec)
    moved = not math.isclose(value, in_effect, rel_tol=0, abs_tol=1e-12)
    with solara.Div(classes=["casim-slider"] + (["casim-moved"] if moved else [])):
        solara.v.Html(tag="div", class_="casim-slider-label",
                      children=[f"{spec.label}: ", solara.v.Html(tag="b", children=[format_value(value)])])
        solara.v.Html(tag="div", class_="casim-slider-unit", children=[spec.words])
        # step=0 in the browser: Vuetify would round an off-grid value (a calibrated 2.10473) and send the
        # rounded one back as if the student had moved the slider. The grid is applied here instead.
        solara.v.Slider(v_model=value, min=lo, max=hi, step=0, hide_details=True, dense=True,
                        on_v_model=lambda v: on_value(snap(float(v), lo, hi, step)),
                        class_=f"casim-slider-{spec.keyword}")
        if moved:
            solara.v.Html(tag="div", class_="casim-slider-unit", children=[
                f"moved: the scenario's value is {format_value(in_effect)}"])


@solara.component
def SeedInput(session: Session):
    inputs = session.inputs.value
    try:
        parse_seed(inputs.seed)
        error = False
    except ValueError as exc:
        error = str(exc)
    solara.InputText("Master seed (digits 0-9)", value=inputs.seed, continuous_update=False, error=error,
                     on_value=lambda text: session.inputs.set(replace(session.inputs.value, seed=text.strip())))


# ---- the page -----------------------------------------------------------------------------------------------------
@solara.component
def TitleBar(session: Session):
    session.tick.value  # subscribes: the status follows the model
    model = session.model
    scenario = "model defaults" if model.setup.choice == DEFAULTS_CHOICE else model.setup.choice
    with solara.Div(classes=["casim-bar"]) as main:
        solara.v.Html(tag="h1", children=[TITLE])
        solara.v.Html(tag="div", class_="casim-bar-status", attributes={"data-build": str(session.build.value)},
                      children=[f"{scenario} · {model.n_runs} runs · step {model.steps} of {model.n_steps} "
                                f"({model.period_label()})"])
    return main


@solara.component
def App(session: Session):
    """The whole page for one session: title bar, side bar and views."""
    with solara.Div(classes=["casim-app"]) as main:
        solara.Title(TAB_TITLE)
        solara.Style(CSS)
        TitleBar(session)
        with solara.Div(classes=["casim-sidebar"]):
            Controls(session)
        with solara.Div(classes=["casim-main"]):
            Views(session)
    return main


@solara.component
def Page():
    """One `Session` per browser tab (Solara keeps component state per tab's kernel), closed with the tab."""
    session = solara.use_memo(Session, [])
    solara.use_effect(lambda: session.close, [])  # cleanup runs when the tab's kernel closes
    return App(session)


@solara.component
def Layout(children=[]):
    """The page lays itself out: no Solara app bar, drawer or banner."""
    return solara.Div(children=children)
