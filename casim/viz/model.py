"""`VizModel`: the student's ensemble and its unmodified twin, built from the visualiser's inputs.

One `VizModel` per browser session (see `components.Page`). It resolves a scenario file
through the scenario loader, layers the sliders the student moved on top, and steps two
vectorised ensembles in lockstep: the student's run and the unmodified scenario, with the
same run seeds and the same parameter arrays apart from the moved sliders. Each run's
parameters are drawn as in `casim run` (`model.uncertainty`, by master seed and replicate), so
both ensembles draw the same vector for run k and each run of one is paired with the same run
of the other; a moved slider pins its parameter in the student's runs only. Plotted quantities
are read from the output contract (`model/outputs.py`), over time from each model's own history
(`model/history.py`). Nothing here computes dynamics.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from model.events import step_date
from model.model import CentralAsiaModel
from model.outputs import column
from model.params import ParameterError, Params
from model.uncertainty import DEFAULT_MODE, check_mode

from .controls import DEFAULT_RUNS, DEFAULT_SEED, DEFAULTS_CHOICE, MAX_RUNS, SLIDER_BY_KEYWORD, parse_seed, \
    scenario_path, slider_overrides, values_in_effect

DEFAULTS_NAME = "model_defaults"


@dataclass
class Setup:
    """What the inputs resolve to: the scenario's run, the student's overrides, or the problems that stop a run."""
    choice: str                                         # picker entry (file name or DEFAULTS_CHOICE)
    name: str = DEFAULTS_NAME                           # the scenario's own name
    description: str = ""
    scenario: object | None = None                      # the loaded model.scenario.Scenario (None: defaults)
    params: dict = field(default_factory=dict)          # the unmodified scenario's parameters
    events: list = field(default_factory=list)
    horizon: dict = field(default_factory=dict)
    in_effect: dict[str, float] = field(default_factory=dict)  # each slider's value in effect, by keyword
    overrides: dict[str, float] = field(default_factory=dict)  # moved sliders, by dotted path
    errors: list[str] = field(default_factory=list)
    uncertainty: str = DEFAULT_MODE                     # what each run draws (model.uncertainty), both ensembles


def resolve_setup(choice: str, seed: int, n_runs: int, positions: dict[str, float] | None = None) -> Setup:
    """Load the picked scenario and compare the slider positions with the values in effect.

    `positions=None` means the sliders stand at the scenario's values. Errors (a broken
    scenario file, an unknown choice) are collected as messages, never raised.
    """
    setup = Setup(choice=choice)
    if choice != DEFAULTS_CHOICE:
        from model.scenario import ScenarioError, load_scenario

        try:
            loaded = load_scenario(scenario_path(choice))
            spec = loaded.run_spec(replicates=n_runs, seed=seed)
        except ScenarioError as exc:
            setup.errors.extend(exc.messages)
            return setup
        except ValueError as exc:  # not a file the picker lists
            setup.errors.append(str(exc))
            return setup
        except OSError as exc:
            setup.errors.append(f"{choice}: cannot read the file ({exc.strerror})")
            return setup
        setup.name, setup.description, setup.scenario = loaded.name, loaded.description, loaded
        setup.params, setup.events = dict(spec.params), list(spec.events)
        setup.horizon = {"start_year": spec.start_year, "end_year": spec.end_year,
                         "steps_per_year": spec.steps_per_year}
    try:
        setup.in_effect = values_in_effect(Params(n_runs, setup.params))
    except ParameterError as exc:
        setup.errors.append(str(exc))
        return setup
    setup.overrides = slider_overrides(positions or {}, setup.in_effect)
    return setup


@dataclass
class Paired:
    """The student's value of one quantity per run and the unmodified scenario's (same runs), this step."""
    mine: np.ndarray
    unmodified: np.ndarray

    @property
    def change(self) -> np.ndarray:
        """Paired difference per run: mine - unmodified."""
        return self.mine - self.unmodified


class VizModel(CentralAsiaModel):
    """The student's ensemble of `n_runs` runs of a scenario, with the unmodified scenario stepped alongside.

    Args:
        scenario: a file name the picker lists, or the "model defaults" choice.
        seed: master seed, as typed (text or int).
        n_runs: ensemble size R.
        sliders: slider positions by keyword (see `controls.SLIDERS`); a position that differs from the
            scenario's value in effect overrides it. None: the scenario's own values.
        uncertainty: what each run draws, as `casim run --uncertainty`: posterior (default), prior or point.
    """

    def __init__(self, scenario: str = DEFAULTS_CHOICE, seed: int | str = DEFAULT_SEED, n_runs: int = DEFAULT_RUNS,
                 sliders: dict[str, float] | None = None, uncertainty: str = DEFAULT_MODE):
        unknown = sorted(set(sliders or {}) - set(SLIDER_BY_KEYWORD))
        if unknown:
            raise TypeError(f"sliders: unknown slider(s) {', '.join(unknown)}")
        n_runs = int(min(max(int(n_runs), 1), MAX_RUNS))
        errors = []
        try:
            master = parse_seed(seed)
        except ValueError as exc:
            errors.append(str(exc))
            master = DEFAULT_SEED
        setup = resolve_setup(scenario, master, n_runs, sliders)
        setup.errors[:0] = errors
        setup.uncertainty = check_mode(uncertainty)
        self.reference: CentralAsiaModel | None = None
        if not setup.errors:
            try:
                super().__init__(n_runs=n_runs, seed=master, params={**setup.params, **setup.overrides},
                                 events=setup.events, scenario=setup.name, record="all", uncertainty=uncertainty,
                                 **setup.horizon)
                if setup.overrides:  # the unmodified scenario: same seeds, same draws, all but the moved sliders
                    self.reference = CentralAsiaModel(seed=master, run_seeds=self.seeds, params=setup.params,
                                                      events=setup.events, scenario=setup.name, record="all",
                                                      uncertainty=uncertainty, **setup.horizon)
            except ParameterError as exc:
                setup.errors.append(str(exc))
        if setup.errors:  # show the defaults, frozen, next to the error messages
            super().__init__(n_runs=1, seed=master, scenario=DEFAULTS_NAME, record="all")
            self.reference = None
            self.running = False
        self.setup = setup
        self.master_seed = master
        self.lock = threading.Lock()  # the play loop and a Step click never step at once

    @property
    def blocked(self) -> bool:
        """True when the inputs could not be used: the model shows defaults and does not step."""
        return bool(self.setup.errors)

    @property
    def parameters_vary_by_run(self) -> bool:
        """True when some parameter differs between runs (then the bands hold parameter uncertainty too: the
        runs' draws, or per-run values a scenario event set)."""
        return any(np.any(values != values[:1]) for values in self.params.values.values())

    @property
    def at_horizon(self) -> bool:
        return self.steps >= self.n_steps

    def step(self) -> None:
        """One quarter for both ensembles; a no-op when blocked or at the horizon (whoever asks)."""
        with self.lock:
            if self.blocked or self.steps > self.n_steps:
                self.steps -= 1  # Mesa counts the step before calling us; this one does not happen
                self.running = False
                return
            super().step()
            if self.reference is not None:
                self.reference.step()

    # ---- what the views read: output-contract columns (model/outputs.py) of this step ----------------------
    def region_now(self, name: str, model: CentralAsiaModel | None = None) -> np.ndarray:
        """A region column now, one value per run (R,) (a copy: the model goes on stepping)."""
        return np.array((model or self).output(name, "region"))

    def states_now(self, name: str, model: CentralAsiaModel | None = None) -> np.ndarray:
        """A states column now, (R, S) (a copy)."""
        return np.array((model or self).output(name, "states"))

    def per_power(self, table: str, prefix: str, model: CentralAsiaModel | None = None) -> np.ndarray:
        """`<prefix>_<P>` columns stacked on a last power axis: (R, P) for region, (R, S, P) for states."""
        read = self.region_now if table == "region" else self.states_now
        return np.stack([read(f"{prefix}_{p}", model) for p in self.actors.powers], axis=-1)

    def paired(self, table: str, name: str) -> Paired | None:
        """This step's column for the student's run and the unmodified one; None when no slider moved."""
        if self.reference is None:
            return None
        read = self.region_now if table == "region" else self.states_now
        return Paired(read(name), read(name, self.reference))

    # ---- over time: the models' own histories -----------------------------------------------------------------
    @property
    def times(self) -> np.ndarray:
        """(T,) calendar time of every step so far."""
        return self.time_of(self.history.steps)

    @property
    def influence(self) -> np.ndarray:
        """(T, R, P) regional influence of each power at every step so far, the student's run."""
        return influence_history(self)

    @property
    def reference_influence(self) -> np.ndarray | None:
        """(T, R, P) the same for the unmodified scenario (None when no slider moved)."""
        return influence_history(self.reference) if self.reference is not None else None

    # ---- time -------------------------------------------------------------------------------------------------
    def time_of(self, step):
        """Calendar time (years) at the end of `step` (an int or an array); step 0 ends the base year."""
        return self.start_year - 1 + step / self.steps_per_year

    def period_label(self, step: int | None = None) -> str:
        """'2027 Q2' for a step (default: the current one), or '2024 (base year)' at step 0."""
        return period_label(self.steps if step is None else step, self.start_year, self.steps_per_year)


def period_label(step: int, start_year: int, steps_per_year: int) -> str:
    """'2027 Q2' for a step, '2027 period 5' if steps are not quarters, '2024 (base year)' at step 0.

    The calendar is the model's (`model.events.step_date`); only the wording is the page's.
    """
    if step == 0:
        return f"{start_year - 1} (base year)"
    year, period = step_date(step, start_year, steps_per_year)
    return f"{year} Q{period}" if steps_per_year == 4 else f"{year} period {period}"


def influence_history(model: CentralAsiaModel) -> np.ndarray:
    """(T, R, P): the `influence_<P>` columns over the model's recorded steps."""
    arrays, actors = model.history.arrays(), model.actors
    return np.stack([column(f"influence_{p}", actors, "region").compute(arrays, actors) for p in actors.powers],
                    axis=-1)
