"""`CentralAsiaModel`: the Mesa model that steps R runs in lockstep (DESIGN sections 4 and 7)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

import mesa
import numpy as np

from . import corridors, economy, influence, politics
from .actors import Actors, load_actors
from .agents import CentralAsianState, GreatPower
from .base import build_base
from .constants import step_constants, trade_resistance
from .events import Event
from .history import RECORD_STEPS, History
from .outputs import build_frames, column, summary_reporters
from .params import ParameterError, Params, REGISTRY, parse_path
from .rng import RunStreams
from .rng import run_seeds as make_run_seeds
from .state import initial_state
from .uncertainty import check_mode, draw_parameters

RECORD_MODES = (True, False, *RECORD_STEPS)  # True = "all", False = no history


@dataclass
class Noise:
    """This step's random numbers, split by purpose (views into the run streams)."""
    prices: np.ndarray           # (R, K) normals
    threat: np.ndarray           # (R, S) normals
    sentiment: np.ndarray        # (R, S, P) normals
    afghan_spillover: np.ndarray  # (R,) bool
    scandal: np.ndarray          # (R, S, P) uniforms
    protest: np.ndarray          # (R, S, P) uniforms


class CentralAsiaModel(mesa.Model):
    """The actors of the actor table (nine by default), R runs at once. Step = one quarter; step 0 is the base year.

    Args:
        n_runs: ensemble size R.
        seed: master seed; run k's seed is `run_seeds(seed, R)[k]`.
        params: dotted-path overrides, e.g. {"powers.RUS.security_capacity": 0.8}; values may be per-run arrays.
        run_seeds: explicit per-run seeds (overrides `seed`), e.g. to rerun one run of an ensemble alone.
        start_year, end_year, steps_per_year: the horizon (runs start in start_year; the base year is start_year - 1).
        scenario: label written to the outputs.
        events: `Event`s to apply during the run.
        use_calibrated: layer the calibrated defaults (`model.params.load_defaults`) over the registry's.
        actors: the actor table: an `Actors` or the path of an actor file (default `load_actors()`: the file
            named by the environment variable CASIM_ACTORS, else the packaged `model/data/actors.yaml`).
        record: which steps the history (`model.history`, read by `results()`) keeps: "all" (or True),
            "year_end" (step 0 and each year's last period), "final" (the last step only) or False (none).
        uncertainty: "point" (the calibrated point for every run), "posterior" or "prior": each run draws its
            uncertain parameters by (`seed`, its replicate index), `model.uncertainty`; `params` and keyword
            overrides pin what they set.
        **overrides: top-level parameters by keyword, e.g. ship_time_scale=0.9.
    """

    def __init__(self, n_runs: int = 1, seed: int | None = None, params: Mapping | None = None, *,
                 run_seeds: list[int] | None = None, start_year: int = 2025, end_year: int = 2040,
                 steps_per_year: int = 4, scenario: str = "baseline", replicates: list[int] | None = None,
                 events: list[Event] | None = None, use_calibrated: bool = True, record: bool | str = True,
                 actors: Actors | str | os.PathLike | None = None, uncertainty: str = "point", **overrides):
        check_mode(uncertainty)
        if uncertainty != "point" and seed is None and run_seeds is not None:
            raise ParameterError(f"uncertainty={uncertainty!r}: parameter draws are keyed by the master seed; "
                                 "give seed= with run_seeds=")
        if seed is None and run_seeds is None:
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        super().__init__(seed=seed if seed is not None else int(run_seeds[0]))
        for name in overrides:
            if name not in REGISTRY:
                parse_path(name)  # raises with the nearest valid name
        if run_seeds is not None:
            n_runs = len(run_seeds)
        if n_runs < 1:
            raise ParameterError("n_runs must be at least 1")
        if end_year < start_year or steps_per_year < 1:
            raise ParameterError("need start_year <= end_year and steps_per_year >= 1")
        self.n_runs = n_runs
        self.seed = seed
        self.seeds = list(run_seeds) if run_seeds is not None else make_run_seeds(seed, n_runs)
        self.scenario = scenario
        self.replicates = list(replicates) if replicates is not None else list(range(n_runs))
        self.start_year, self.end_year, self.steps_per_year = start_year, end_year, steps_per_year
        self.dt = 1.0 / steps_per_year
        self.n_steps = (end_year - start_year + 1) * steps_per_year
        self.actors = actors if isinstance(actors, Actors) else load_actors(actors)
        self.uncertainty = uncertainty
        draws = draw_parameters(uncertainty, seed, self.replicates, self.actors) if uncertainty != "point" else None
        self.params = Params(n_runs, {**dict(params or {}), **overrides}, use_calibrated=use_calibrated,
                             actors=self.actors, draws=draws)
        self.base = build_base(self.actors, Params(1, use_calibrated=use_calibrated, actors=self.actors))
        self.china, self.russia = self.actors.power_index("CHN"), self.actors.power_index("RUS")
        self.customs_union_powers = np.flatnonzero(self.actors.customs_union)
        self.events = sorted(events or [], key=lambda e: e.step)
        n_s, n_p, n_k = self.actors.n_states, self.actors.n_powers, len(self.actors.commodities)
        self._layout = (n_k, n_s, n_s * n_p)
        self.streams = RunStreams(self.seeds, n_normal=n_k + n_s + n_s * n_p, n_uniform=1 + 2 * n_s * n_p)
        self.constants = step_constants(self.params, self.actors, self.base, self.dt)
        self.noise: Noise | None = None  # this step's random numbers, drawn by `_exogenous_drivers`
        self.state = initial_state(self.actors, self.base, self.params, self.constants.capacity_potential, n_runs)
        self.price_index = self._price_index()
        self.log_price_change = np.zeros((n_runs, n_s))
        # the base year: market times, shares, the states' preferred alignment, influence
        self._update_corridors()
        self.economic_shares = self._economic_shares()
        for i in range(n_s):
            self.state.alignment[:, i] = self.preferred_alignment(i)
        self._update_influence()
        self.base_regional = self.state.regional.copy()
        self.powers = [GreatPower(self, code, j) for j, code in enumerate(self.actors.powers)]
        self.states = [CentralAsianState(self, code, i) for i, code in enumerate(self.actors.states)]
        # Mesa 3.3 keeps a class-level id counter per model (`Agent._ids`), which holds every model ever
        # built alive. All our agents exist now, so drop the counter: models are freed when unused.
        mesa.Agent._ids.pop(self, None)
        if record not in RECORD_MODES:
            raise ParameterError(f"record must be one of {', '.join(map(repr, RECORD_MODES))}, got {record!r}")
        self.record = {True: "all", False: None}.get(record, record)
        self.history = History(self.record, self.n_steps, steps_per_year) if self.record else None
        # Mesa's reporters: a few columns of the output contract, each the mean over the ensemble's runs
        self.datacollector = mesa.DataCollector(model_reporters=summary_reporters(self.actors))
        self._record()

    # ---- the step -----------------------------------------------------------------------------
    def step(self) -> None:
        """One period for all runs, in the order of DESIGN section 4."""
        self._exogenous_drivers()
        self.agents_by_type[GreatPower].do("invest")
        self._update_corridors()
        self._trade()
        self.agents_by_type[CentralAsianState].do("update")
        self.economic_shares = self._economic_shares()
        self.agents_by_type[CentralAsianState].do("choose_alignment")
        self._update_influence()
        self._reactions()
        self.agents_by_type[GreatPower].do("react")
        self._record()
        self.datacollector.collect(self)
        if self.steps >= self.n_steps:
            self.running = False

    def _exogenous_drivers(self) -> None:
        s, p = self.state, self.params
        normals, uniforms = self.streams.draw(self.steps)
        n_k, n_s, n_sp = self._layout
        shape = (self.n_runs, n_s, n_sp // n_s)
        self.noise = Noise(
            prices=normals[:, :n_k], threat=normals[:, n_k:n_k + n_s],
            sentiment=normals[:, n_k + n_s:].reshape(shape),
            afghan_spillover=uniforms[:, 0] < politics.event_probability(p.afghan_spillover_rate, self.dt),
            scandal=uniforms[:, 1:1 + n_sp].reshape(shape), protest=uniforms[:, 1 + n_sp:].reshape(shape))
        s.log_prices = economy.step_commodity_prices(s.log_prices, p.commodity_persistence, p.commodity_volatility,
                                                     self.dt, self.noise.prices)
        self._apply_events()
        if self.constants.version != p.version:  # an event set a parameter
            self.constants = step_constants(p, self.actors, self.base, self.dt)
        previous = self.price_index
        self.price_index = self._price_index()
        self.log_price_change = np.log(self.price_index / previous)

    def _price_index(self) -> np.ndarray:
        """Each state's export price index (R, S) from the commodity prices."""
        return economy.commodity_index(np.exp(self.state.log_prices), self.actors.commodity_mix)

    def _apply_events(self) -> None:
        while self.events and self.events[0].step <= self.steps:
            event = self.events.pop(0)
            runs = np.ones(self.n_runs, bool) if event.runs is None else event.runs
            event.apply(self, runs)

    def _update_corridors(self) -> None:
        s, p, a = self.state, self.params, self.actors
        s.ship_time = corridors.corridor_days(a.corridor_base_days, a.corridor_min_days, a.corridor_invest_ref,
                                              s.corridor_investment, s.disruption, p.ship_time_scale)
        s.market_time[...] = corridors.market_time(s.ship_time, a.market_legs, a.corridor_transit_power, a.transit_exposed,
                                              p.sanctions,
                                              p.sanction_transit_delay_days, p.ship_time_scale)

    def _trade(self) -> None:
        s, p, b = self.state, self.params, self.base
        years = self.steps / self.steps_per_year
        # trade costs move with parameters (the step constants), except with the customs union's leader,
        # whose cost cut grows with Russia's offer
        union = self.customs_union_powers
        resistance = self.constants.trade_resistance.copy(order="K")
        resistance[:, :, union] = trade_resistance(p, self.actors, b, union, p.eaeu_trade_cost_cut * (1.0 + s.russia_offer))
        s.exports[...], s.imports[...] = economy.gravity_trade(
            b.exports, b.imports, s.gdp / b.gdp, p.demand_growth * years, resistance,
            s.market_time / b.market_time, p.trade_gdp_elasticity, p.trade_time_elasticity,
            self.price_index, b.commodity_share, s.fdi_stock / np.maximum(b.fdi_stock, 1e-9), p.trade_fdi_link)
        np.add(s.exports, s.imports, out=s.trade)
        s.fdi_stock[...] = economy.step_fdi_stock(s.fdi_stock, s.fdi_flow, p.fdi_depreciation[:, None, None], self.dt)

    def preferred_alignment(self, i: int) -> np.ndarray:
        """softmax(U / T) for state i, shape (R, P)."""
        s, b, c = self.state, self.base, self.constants
        shares = {name: channel[:, i] for name, (channel, _) in self.economic_shares.items()}
        utility = politics.alignment_utility(
            shares["trade"], shares["fdi"], s.security[:, i],
            s.threat[:, i, None], s.sentiment[:, i], shares["debt"], s.debt_to_gdp[:, i, None],
            s.distress[:, i, None], b.history[i], c.alignment_beta)
        return politics.softmax(utility, c.temperature[i])

    def _economic_shares(self) -> dict:
        """Each power's shares of every state's trade, FDI stock and debt (hidden debt counts as China's).

        Read by the states choosing alignment (their rows) and by the influence index.
        """
        s = self.state
        debt = s.debt.copy(order="K")
        debt[:, :, self.china] += s.hidden_debt
        return {"trade": politics.shares_and_presence(s.trade), "fdi": politics.shares_and_presence(s.fdi_stock),
                "debt": politics.shares_and_presence(debt)}

    def _update_influence(self) -> None:
        s, p = self.state, self.params
        channels = {**self.economic_shares, "security": politics.shares_and_presence(s.security),
                    "alignment": politics.shares_and_presence(s.alignment)}
        weights = {name: getattr(p, f"w_{name}") for name in channels}
        s.influence[...] = influence.state_influence(channels, weights)
        s.regional[...] = influence.regional_influence(s.influence, s.gdp)

    def _reactions(self) -> None:
        s, p = self.state, self.params
        s.russia_offer = influence.russia_reaction(s.regional[:, self.russia], self.base_regional[:, self.russia],
                                                   p.russia_reaction_gain, p.reactions)
        s.friction = influence.china_russia_friction(s.security[:, :, self.china], s.security[:, :, self.russia],
                                                     p.china_russia_tolerance)

    # ---- outputs --------------------------------------------------------------------------------
    def _record(self) -> None:
        if self.history is not None:
            self.history.add(self.steps, self.state)

    def snapshot(self) -> dict[str, np.ndarray]:
        """This step's state fields by name (live arrays, not copies), as `outputs.Column.compute` reads them."""
        return vars(self.state)

    def output(self, name: str, level: str = "region") -> np.ndarray:
        """This step's value of an output column for every run: (R,) for a region column, (R, S) for a states one."""
        return column(name, self.actors, level).compute(self.snapshot(), self.actors)

    def step_years(self, steps) -> tuple[np.ndarray, np.ndarray]:
        """Calendar year and period (1..steps_per_year) of each step; step 0 is the base year's last period."""
        steps = np.asarray(steps)
        year = self.start_year - 1 + (steps + self.steps_per_year - 1) // self.steps_per_year
        period = (steps - 1) % self.steps_per_year + 1
        return year, period

    def results(self) -> dict:
        """{"region": DataFrame, "states": DataFrame} with the DESIGN section 6 columns, every recorded step."""
        if self.history is None:
            raise RuntimeError("this model was built with record=False")
        if not len(self.history):
            raise RuntimeError(f"no step recorded yet (record={self.record!r}); run the model first")
        steps, snap = self.history.steps, self.history.arrays()
        year, period = self.step_years(steps)
        ids = {"run": np.arange(self.n_runs), "scenario": np.full(self.n_runs, self.scenario, dtype=object),
               "replicate": np.asarray(self.replicates), "seed": np.asarray(self.seeds, dtype=np.int64),
               "step": steps, "year": year, "period": period}
        return build_frames(snap, self.actors, ids)

    def run(self) -> "CentralAsiaModel":
        """Step to the end of the horizon; returns self."""
        while self.running and self.steps < self.n_steps:
            self.step()
        return self
