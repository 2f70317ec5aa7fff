"""One browser tab's state: its inputs, its `VizModel`, its plots and its play loop.

Solara keeps component state per virtual kernel, which is one per browser tab, so the
`Session` that `components.Page` makes with `use_memo` belongs to that tab alone. It is
closed when the tab goes away (Solara closes the kernel, which unmounts the page): its play
loop stops there, and it stops at the horizon whoever asks for another step.

Inputs (scenario, sliders, seed, ensemble size) are pending until Reset, which builds a
new `VizModel` from them. `tick` is bumped after each step or reset, `build` after each reset:
the components subscribe to what they show.
"""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field

import numpy as np
import solara

from . import figures, numbers
from .controls import DEFAULT_RUNS, DEFAULT_SEED, DEFAULTS_CHOICE, default_scenario, default_uncertainty
from .model import VizModel, period_label, resolve_setup

PLAY_INTERVAL_MS = 100  # Mesa SolaraViz's default pause between steps while playing
log = logging.getLogger("casim.viz")


@dataclass(frozen=True)
class Inputs:
    """What the student set in the side bar (applied on Reset)."""
    choice: str
    seed: str = str(DEFAULT_SEED)
    n_runs: int = DEFAULT_RUNS
    positions: dict = field(default_factory=dict)  # slider keyword -> position
    uncertainty: str = field(default_factory=default_uncertainty)  # what each run draws (model.uncertainty)


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


class Stop(threading.Event):
    """Tells a play loop to stop, and why (for the log)."""
    reason = ""


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
        self._kernel = _current_kernel()
        self._stop: Stop | None = None
        self.model: VizModel | None = None
        self.plots: dict | None = None
        self.build = solara.reactive(0)  # models built so far in this tab (shown, so a test can tell a Reset landed)
        self._build()
        log.info("session %s opened", self.id)

    # ---- model ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        inputs = self.applied = self.inputs.value
        model = VizModel(inputs.choice, inputs.seed, inputs.n_runs, inputs.positions, inputs.uncertainty)
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
        self._stop = stop = Stop()
        self.playing.value = True
        threading.Thread(target=self._play_loop, args=(self.model, stop), daemon=True,
                         name=f"casim-play-{self.id}").start()
        log.info("session %s: play loop started at step %d", self.id, self.model.steps)

    def pause(self, reason: str = "paused") -> None:
        if self._stop is not None:
            self._stop.reason = reason
            self._stop.set()
            self._stop = None
        if not self.closed:
            self.playing.value = False

    def _play_loop(self, model: VizModel, stop: Stop) -> None:
        """Step every `interval_ms` until paused, reset, closed or at the horizon (server side)."""
        reason = "the horizon"
        try:
            while not stop.wait(self.interval_ms.value / 1000):
                if not self._tab_connected():  # gone without a close (the beacon lost, the network down)
                    reason = "tab disconnected"
                    break
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
            reason = stop.reason
        log.info("session %s: play loop stopped (%s) at step %d", self.id, reason, model.steps)
        if not stop.is_set() and not self.closed:
            self._stop = None
            self.playing.value = False

    def _tab_connected(self) -> bool:
        """False once no page of this tab's Solara kernel is connected; True outside a Solara server."""
        if self._kernel is None:
            return True
        from solara.server.kernel_context import PageStatus

        return PageStatus.CONNECTED in self._kernel.page_status.values()

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


def _current_kernel():
    """The Solara virtual kernel (one per tab) this code runs for, or None outside a Solara server."""
    from solara.server import kernel_context

    return kernel_context.get_current_context() if kernel_context.has_current_context() else None
