"""`VizModel`: the engine's ensemble model, built from the visualiser's inputs, with a short history for the views.

SolaraViz re-creates the model class with the current inputs when the user presses
Reset, so every input is a constructor keyword. Nothing here computes dynamics: it
resolves a scenario file through the scenario loader (issue B), layers the moved
sliders on top, and remembers per-step arrays the views plot with their bands.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.model import CentralAsiaModel
from model.params import ParameterError

from .controls import DEFAULT_RUNS, DEFAULT_SEED, DEFAULTS_CHOICE, MAX_RUNS, SLIDER_BY_KEYWORD, default_scenario, \
    moved_overrides, scenario_dir


@dataclass
class Setup:
    """What the inputs resolve to: the engine's constructor arguments, or the problems that stop a run."""
    scenario: str
    description: str = ""
    params: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    horizon: dict = field(default_factory=dict)
    slider_overrides: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_seed(text) -> int:
    """The master seed typed by the user (an integer >= 0)."""
    seed = int(str(text).strip())
    if seed < 0:
        raise ValueError
    return seed


def resolve_setup(scenario: str, seed: int, n_runs: int, sliders: dict[str, float]) -> Setup:
    """Load the scenario file (if any) and layer the moved sliders over its parameters.

    Errors (a broken scenario file, a bad seed) are collected as messages, never raised,
    so that the page can show them.
    """
    setup = Setup(scenario=scenario, slider_overrides=moved_overrides(sliders))
    if scenario != DEFAULTS_CHOICE:
        try:
            from model.scenario import ScenarioError, load_scenario
        except ImportError:
            setup.errors.append("the scenario loader (model.scenario, issue B) is not installed in this build")
            return setup
        try:
            loaded = load_scenario(scenario_dir() / scenario)
            spec = loaded.run_spec(replicates=n_runs, seed=seed)
        except ScenarioError as exc:
            setup.errors.extend(exc.messages)
            return setup
        except OSError as exc:
            setup.errors.append(f"{scenario}: cannot read the file ({exc.strerror})")
            return setup
        setup.description = getattr(loaded, "description", "") or ""
        setup.params, setup.events = dict(spec.params), list(spec.events)
        setup.horizon = {"start_year": spec.start_year, "end_year": spec.end_year,
                         "steps_per_year": spec.steps_per_year}
    setup.params |= setup.slider_overrides
    return setup


class VizModel(CentralAsiaModel):
    """An ensemble of `n_runs` runs of one scenario, as SolaraViz drives it.

    Args:
        scenario: a file name in the scenario folder, or the "model defaults" choice.
        seed: master seed, as typed (text or int).
        n_runs: ensemble size R.
        **kwargs: slider values by keyword (see `controls.SLIDERS`); moved ones override the scenario.
    """

    def __init__(self, scenario: str | None = None, seed: int | str = DEFAULT_SEED, n_runs: int = DEFAULT_RUNS,
                 **kwargs):
        # SolaraViz accepts extra inputs only through a var-keyword argument named `kwargs`.
        sliders = kwargs
        unknown = sorted(set(sliders) - set(SLIDER_BY_KEYWORD))
        if unknown:
            raise TypeError(f"unknown visualiser input(s): {', '.join(unknown)}")
        scenario = scenario or default_scenario()
        n_runs = int(min(max(int(n_runs), 1), MAX_RUNS))
        errors = []
        try:
            master = parse_seed(seed)
        except ValueError:
            errors.append(f"seed: '{seed}' is not a whole number >= 0")
            master = DEFAULT_SEED
        setup = resolve_setup(scenario, master, n_runs, sliders)
        setup.errors[:0] = errors
        if not setup.errors:
            try:
                super().__init__(n_runs=n_runs, seed=master, params=setup.params, events=setup.events,
                                 scenario=scenario, record=False, **setup.horizon)
            except ParameterError as exc:
                setup.errors.append(str(exc))
        if setup.errors:  # show the defaults, frozen, next to the error messages
            super().__init__(n_runs=1, seed=master, scenario=scenario, record=False)
            self.running = False
        self.setup = setup
        self.history: list[dict[str, np.ndarray]] = []
        self._remember()

    @property
    def blocked(self) -> bool:
        """True when the inputs could not be used: the model shows defaults and does not step."""
        return bool(self.setup.errors)

    def step(self) -> None:
        if self.blocked:
            self.steps -= 1  # Mesa counts the step before calling us; a blocked model does not move
            return
        super().step()
        self._remember()

    def _remember(self) -> None:
        """Keep this step's arrays that the views need over time (copies; shapes (R, P) or (R,))."""
        s, a = self.state, self.actors
        self.history.append({
            "time": self.time_of(self.steps),
            "regional": s.regional.copy(),
            "china_ca_trade": s.trade[:, :, self.china] @ a.state["china_mirror_ratio"],
        })

    def time_of(self, step: int) -> float:
        """Calendar time (years) at the end of `step`; step 0 ends the base year."""
        return self.start_year - 1 + step / self.steps_per_year

    def period_label(self) -> str:
        """'2027 Q2' for the current step, or '2024 (base year)' at step 0."""
        if self.steps == 0:
            return f"{self.start_year - 1} (base year)"
        year, period = self.step_years(self.steps)
        return f"{int(year)} Q{int(period)}" if self.steps_per_year == 4 else f"{int(year)} period {int(period)}"
