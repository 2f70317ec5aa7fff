"""The page: one `Session` (model, plots, play loop) per browser tab, and the Solara components that show it.

Solara keeps component state per virtual kernel, which is one per browser tab, so the
`Session` made in `Page` (with `use_memo`) belongs to that tab alone. It is closed when
the tab goes away (Solara closes the kernel, which unmounts the page): its play loop
stops there, and it stops at the horizon whoever asks for another step.

Inputs (scenario, sliders, seed, ensemble size) are pending until Reset, which builds a
new `VizModel` from them. The views redraw when `Session.tick` changes (after a step or
a reset) and only then.
"""
from __future__ import annotations

import logging
import math
import secrets
import threading
from dataclasses import dataclass, field, replace

import markdown
import nh3
import numpy as np
import solara

from casim.plots import COLOURS, NAMES

from . import figures, numbers
from .controls import DEFAULT_RUNS, DEFAULT_SEED, DEFAULTS_CHOICE, MAX_RUNS, SLIDER_BY_PATH, SLIDERS, \
    default_scenario, format_value, parse_seed, scenario_choices, slider_range, snap
from .export import results_csv, scenario_name, scenario_yaml
from .model import VizModel, period_label, resolve_setup

TITLE = "Central Asia: the great powers' balance of influence"
TAB_TITLE = "casim: Central Asia's balance of influence"
PLAY_INTERVAL_MS = 100  # Mesa SolaraViz's default pause between steps while playing
log = logging.getLogger("casim.viz")

# ---- text from files: sanitised Markdown, never raw HTML -------------------------------------------------------
ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "code", "br", "blockquote"}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def safe_markdown(text: str) -> str:
    """HTML for `text` read as Markdown, cleaned by nh3: only simple formatting and http(s)/mailto links.

    Raw HTML in the text (an `<img onerror=...>`, a `<script>`) is removed, and so is any link
    whose scheme is not in ALLOWED_URL_SCHEMES (`javascript:`, `data:`).
    """
    html = markdown.markdown(str(text))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, url_schemes=ALLOWED_URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


# ---- one tab's state --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inputs:
    """What the student set in the side bar (applied on Reset)."""
    choice: str
    seed: str = str(DEFAULT_SEED)
    n_runs: int = DEFAULT_RUNS
    positions: dict = field(default_factory=dict)  # slider keyword -> position


def scenario_values(choice: str) -> dict[str, float]:
    """Each slider's value in effect for a scenario (the model defaults' when the file is broken)."""
    setup = resolve_setup(choice, DEFAULT_SEED, 1)
    if setup.errors:
        setup = resolve_setup(DEFAULTS_CHOICE, DEFAULT_SEED, 1)
    return setup.in_effect


def scenario_summary(choice: str) -> str:
    """One line on when a scenario starts to differ: its parameter settings act at once, its events on their date."""
    if choice == DEFAULTS_CHOICE:
        return "The model's calibrated defaults: no parameter settings, no events."
    setup = resolve_setup(choice, DEFAULT_SEED, 1)
    if setup.errors:
        return "This file has problems: press Reset to see them."
    n = len(setup.params)
    parts = [f"{n} parameter setting{'s' * (n != 1)} from the start" if n else "no parameter settings"]
    if setup.events:
        first = min(setup.events, key=lambda ev: ev.step)
        when = period_label(first.step, setup.horizon["start_year"], setup.horizon["steps_per_year"])
        parts.append(f"{len(setup.events)} event{'s' * (len(setup.events) != 1)}, the first in {when} "
                     f"(step {first.step}): {first.label}")
    else:
        parts.append("no events")
    return "This scenario: " + "; ".join(parts) + "."


class Session:
    """One browser tab: its model, its plots and its play loop."""

    def __init__(self):
        self.id = secrets.token_hex(4)
        choice = default_scenario()
        self.inputs = solara.reactive(Inputs(choice, positions=scenario_values(choice)))
        self.tick = solara.reactive(0)            # bumped after every step or reset: the views redraw
        self.playing = solara.reactive(False)
        self.interval_ms = solara.reactive(PLAY_INTERVAL_MS)
        self.steps_per_redraw = solara.reactive(1)
        self.closed = False
        self._stop: threading.Event | None = None
        self._stop_reason = ""
        self.model: VizModel | None = None
        self.plots: dict | None = None
        self.build = solara.reactive(0)  # models built so far in this tab (shown, so a test can tell a Reset landed)
        self._build()
        log.info("session %s opened", self.id)

    # ---- model ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        inputs = self.applied = self.inputs.value
        model = VizModel(inputs.choice, inputs.seed, inputs.n_runs, inputs.positions)
        a = model.actors
        self.plots = {"influence": figures.InfluencePlot(a.powers, (model.time_of(0), model.time_of(model.n_steps)),
                                                          model.n_runs),
                      "map": figures.MapPlot(a.positions, a.states, a.powers),
                      "alignment": figures.AlignmentPlot(a.states, a.powers)}
        self.model = model
        self.build.value += 1

    def reset(self) -> None:
        self.pause("reset")
        self._build()
        self.tick.value += 1

    def step(self) -> None:
        """One step now (the Step button); ignored while playing, when blocked or at the horizon."""
        if self.playing.value or self.closed or self.model.blocked or self.model.at_horizon:
            return
        self.model.step()
        self.tick.value += 1

    # ---- play loop ------------------------------------------------------------------------------------------
    def play(self) -> None:
        if self.playing.value or self.closed or self.model.blocked or self.model.at_horizon:
            return
        self._stop = stop = threading.Event()
        self.playing.value = True
        threading.Thread(target=self._play_loop, args=(self.model, stop), daemon=True,
                         name=f"casim-play-{self.id}").start()
        log.info("session %s: play loop started at step %d", self.id, self.model.steps)

    def pause(self, reason: str = "paused") -> None:
        if self._stop is not None:
            self._stop_reason = reason
            self._stop.set()
            self._stop = None
        if not self.closed:
            self.playing.value = False

    def _play_loop(self, model: VizModel, stop: threading.Event) -> None:
        """Step every `interval_ms` until paused, reset, closed or at the horizon (server side)."""
        reason = "the horizon"
        try:
            while not stop.wait(self.interval_ms.value / 1000):
                for _ in range(max(1, int(self.steps_per_redraw.value))):
                    if model.at_horizon:
                        break
                    model.step()
                if stop.is_set():
                    break
                self.tick.value += 1
                if model.at_horizon:
                    break
        except Exception:
            if not stop.is_set():  # else the tab closed while we redrew: expected, not an error
                log.exception("session %s: play loop failed", self.id)
                reason = "an error"
        if stop.is_set():
            reason = self._stop_reason or "stopped"
        log.info("session %s: play loop stopped (%s) at step %d", self.id, reason, model.steps)
        if not stop.is_set() and not self.closed:
            self._stop = None
            self.playing.value = False

    def close(self) -> None:
        """The tab went away: stop the play loop. Touches no reactive state: the page is being torn down."""
        self.closed = True
        self.pause("session closed")
        log.info("session %s closed at step %d", self.id, self.model.steps if self.model else 0)

    # ---- what the views show --------------------------------------------------------------------------------
    def draw(self) -> dict:
        """Redraw the plots and compute the numbers for the current step."""
        m = self.model
        with m.lock:
            influence = np.stack(m.influence)
            unmodified = np.stack(m.reference_influence) if m.reference is not None else None
            alignment = m.per_power("states", "alignment")
            gdp, trade = m.states_now("gdp"), m.per_power("states", "trade")
            reference = m.reference
            ref_alignment = m.per_power("states", "alignment", reference) if reference is not None else None
            ref_gdp = m.states_now("gdp", reference) if reference is not None else None
            view = {"step": m.steps, "period": m.period_label(), "build": str(self.build.value),
                    "leader": m.region_now("leader"), "gap": m.region_now("china_russia_gap"),
                    "trade": m.region_now("china_ca_trade"), "debt": m.states_now("debt_to_gdp")}
        self.plots["influence"].update(np.asarray(m.times[:len(influence)]), influence, unmodified)
        self.plots["alignment"].update(alignment, ref_alignment)
        self.plots["map"].update(np.median(alignment, axis=0), np.median(gdp, axis=0), np.median(trade, axis=0),
                                 np.median(ref_gdp, axis=0) if ref_gdp is not None else None)
        view["png"] = {name: plot.png() for name, plot in self.plots.items()}
        view["now"] = numbers.influence_now(influence[-1], m.actors.powers)
        view["change"] = (numbers.influence_change(influence[-1], unmodified[-1], m.actors.powers)
                          if unmodified is not None else None)
        return view


# ---- small building blocks -------------------------------------------------------------------------------------
def Table(head: list[str], rows: list[list], classes: list[str]):
    """A plain table; a cell is text, or (text, css colour) for a coloured swatch before the text."""
    def cell(value, tag="td"):
        if isinstance(value, tuple):
            text, colour = value
            swatch = solara.v.Html(tag="span", class_="casim-swatch", style_=f"background: {colour}")
            return solara.v.Html(tag=tag, children=[swatch, text])
        return solara.v.Html(tag=tag, children=[str(value)])

    header = solara.v.Html(tag="thead", children=[solara.v.Html(tag="tr", children=[cell(h, "th") for h in head])])
    body = solara.v.Html(tag="tbody", children=[solara.v.Html(tag="tr", children=[cell(v) for v in row])
                                                  for row in rows])
    return solara.v.Html(tag="table", class_=" ".join(["casim-table"] + classes), children=[header, body])


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
              [[(NAMES[r.power], COLOURS[r.power]), f"{r.influence.median:.3f}",
                f"{r.influence.lo:.3f} to {r.influence.hi:.3f}", f"{100 * r.p_leads:.0f}% of runs"] for r in rows],
              ["casim-numbers-table"])
        if model.n_runs > 1 and numbers.narrow_bands(rows):
            widest = max(r.influence.width for r in rows)
            solara.v.Html(tag="p", class_="casim-note casim-narrow", children=[
                f"The bands are narrow (at most {widest:.3f} wide): the {model.n_runs} runs differ only in their "
                "random shocks (prices, protests, threats), not in their parameters."])


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
              [[(NAMES[r.power], COLOURS[r.power]), _signed(r.change.median),
                f"{_signed(r.change.lo)} to {_signed(r.change.hi)}", f"{100 * r.p_positive:.0f}%"]
               for r in view["change"]], ["casim-difference-table"])
        solara.v.Html(tag="p", class_="casim-note", children=[
            f"Your run minus the unmodified scenario, run by run over {model.n_runs} paired runs (same seeds); "
            "P(change > 0) is the share of pairs in which the power gained."])


def Indicators(view: dict, model: VizModel):
    a = model.actors
    codes, counts = np.unique(view["leader"], return_counts=True)
    top = int(np.argmax(counts))
    leader = f"{NAMES[a.powers[codes[top]]]} in {100 * counts[top] / model.n_runs:.0f}% of runs"
    rows = [["Period", f"step {view['step']} of {model.n_steps}: {view['period']}", ""],
            ["Leading power", leader, ""],
            ["China–Russia influence gap", figures.band_text(view["gap"], "{:+.3f}"), "share (0-1)"],
            ["China–Central Asia trade", figures.band_text(view["trade"], "{:.1f}"), "USD bn per year"]]
    rows += [[f"Debt-to-GDP, {NAMES[code]}", figures.band_text(view["debt"][:, i]), "ratio"]
             for i, code in enumerate(a.states)]
    with solara.Div(classes=["casim-cell", "casim-panel", "casim-indicators"]):
        solara.v.Html(tag="h3", class_="casim-h", children=["Key indicators (median, 5–95% of runs)"])
        Table(["indicator", "value", "unit"], rows, ["casim-indicator-table"])


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
                "Scheduled events (until the first one, the scenario runs like the baseline): " + "; ".join(upcoming)])
        solara.Markdown(GUIDE)
    return main


GUIDE = """
**What am I looking at?** A simulation of how China, Russia, the EU and the US compete for influence
over the five Central Asian states, 2025-2040, one step per quarter. Each run draws its own random
shocks, so the model runs an *ensemble* of runs at once: lines are medians, shaded bands show where
90% of runs lie.

**How to use it.** Press **Step** to advance one quarter or **▶** to play. Pick a scenario, move a
slider, change the seed or the ensemble size, then press **Reset**: changes take effect on Reset,
which restarts from 2024. A slider shows the value the scenario uses; its position is what runs.
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
CSS = """
html, body { overflow: hidden; }
.casim-app { display: grid; grid-template-columns: 310px minmax(0, 1fr); grid-template-rows: 44px minmax(0, 1fr);
    height: 100vh; width: 100vw; background: #f4f5f7; }
.casim-bar { grid-column: 1 / 3; display: flex; align-items: center; gap: 16px; padding: 0 14px;
    background: #1f3a5f; color: white; }
.casim-bar h1 { font-size: 17px; font-weight: 600; margin: 0; white-space: nowrap; }
.casim-bar .casim-bar-status { font-size: 13px; opacity: 0.9; white-space: nowrap; overflow: hidden;
    text-overflow: ellipsis; }
.casim-sidebar { overflow-y: auto; padding: 8px 12px; background: white; border-right: 1px solid #ddd; }
.casim-main { overflow-y: auto; padding: 8px; }
.casim-row { display: grid; gap: 8px; margin-bottom: 8px; }
.casim-top { grid-template-columns: 560px minmax(0, 1fr); }
.casim-pair { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.casim-cell { background: white; border-radius: 4px; box-shadow: 0 1px 2px rgba(0,0,0,0.15); overflow: hidden; }
.casim-cell img { display: block; }
.casim-side-panels { padding: 6px 10px; overflow-y: auto; }
.casim-panel { padding: 4px 2px; }
.casim-indicators, .casim-scenario { padding: 8px 12px; font-size: 13px; }
.casim-h { font-size: 14px; font-weight: 600; margin: 2px 0 4px 0; }
.casim-table { border-collapse: collapse; font-size: 12.5px; width: 100%; }
.casim-table th { text-align: left; font-weight: 600; border-bottom: 1px solid #ccc; padding: 2px 6px; }
.casim-table td { padding: 2px 6px; border-bottom: 1px solid #eee; white-space: nowrap; }
.casim-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.casim-note { font-size: 12px; color: #444; margin: 4px 0; }
.casim-narrow { color: #8a5300; }
.casim-buttons { position: sticky; top: -8px; z-index: 2; background: white; padding: 8px 0 4px 0;
    margin-top: -8px; border-bottom: 1px solid #eee; }
.casim-status { font-size: 13px; margin: 6px 0 2px 0; }
.casim-pending { font-size: 12.5px; background: #fff3cd; border: 1px solid #e0c36b; padding: 4px 6px;
    border-radius: 3px; margin: 4px 0; }
.casim-slider { margin: 6px 0 2px 0; }
.casim-slider-label { font-size: 13px; line-height: 1.25; }
.casim-slider-unit { font-size: 11.5px; color: #666; line-height: 1.2; }
.casim-moved .casim-slider-label b { color: #b3261e; }
.casim-downloads { margin: 8px 0; flex-wrap: wrap; }
.casim-description p { margin: 2px 0 6px 0; }
"""


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
