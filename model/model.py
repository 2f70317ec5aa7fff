"""`CentralAsiaModel`: the Mesa model that steps R runs in lockstep (DESIGN sections 4 and 7)."""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import mesa
import numpy as np

from . import arguments, corridors, economy, external, influence, politics, tables
from .actors import Actors
from .agents import CentralAsianState, GreatPower
from .arrays import sum_last
from .base import build_base
from .constants import step_constants
from .events import Event, step_date
from .history import History
from .outputs import build_frames, column, summary_reporters
from .params import Params
from .rng import RunStreams
from .state import initial_state
from .uncertainty import draw_parameters

if TYPE_CHECKING:
    import pandas as pd


class HorizonReached(RuntimeError):
    """`step()` was called after the last step of the horizon (when `running` had turned False)."""


ECONOMIC_CHANNELS = ("trade", "fdi", "debt")  # the influence channels whose shares also enter the alignment utility


@dataclass
class Noise:
    """This step's random numbers, split by purpose (views into the run streams)."""
    prices: np.ndarray           # (R, K) normals
    threat: np.ndarray           # (R, S) normals
    sentiment: np.ndarray        # (R, S, P) normals
    afghan_spillover: np.ndarray  # (R,) bool
    scandal: np.ndarray          # (R, S, P) uniforms
    protest: np.ndarray          # (R, S, P) uniforms


def noise_sizes(actors: Actors) -> tuple[int, int]:
    """Random numbers each run draws per step: normals (prices, threats, sentiment), uniforms (spillover, scandals, protests)."""
    n_s, n_p, n_k = actors.n_states, actors.n_powers, len(actors.commodities)
    return n_k + n_s + n_s * n_p, 1 + 2 * n_s * n_p


class CentralAsiaModel(mesa.Model):
    """The actors of the actor table (nine by default), R runs at once. Step = one quarter; step 0 is the base year.

    Mesa conventions: the DataCollector collects at construction (its row 0, and `mesa.batch_run`'s
    `Step 0`, is the base year) and after every step; `running` turns False at the horizon, and `step()`
    past it raises `HorizonReached`. The DataCollector's reporters summarise the ensemble (see
    `model.outputs.summary_reporters`); `results()` has every run.

    Args:
        n_runs: ensemble size R (without a design; default 1).
        seed: master seed (an int >= 0); run k's seed is `run_seeds(seed, R)[k]`. Default: fresh entropy.
        params: dotted-path overrides, e.g. {"powers.RUS.security_capacity": 0.8} or {"powers.all.sanctions": 0};
            values may be per-run: a list, array or pandas Series of R numbers.
        design: a DataFrame of parameter values, one row per design point, dotted paths as columns (also a
            mapping of path -> values, or a Series: see `model.arguments.design_frame`). Its columns pin those
            parameters (they are applied after `params`, calibrated or posterior defaults). Each row runs
            `replicates` times: run j * replicates + r is replicate r of row j.
        replicates: runs per design row (default 1); without a design, the same as n_runs.
        common_seeds: with a design, replicate r of every row shares its seed (common random numbers, and
            the seed of replicate r of `CentralAsiaModel(seed=seed)`); False: row j uses sample j's seeds,
            as `casim batch` does.
        rng: Mesa's keyword, instead of `seed`: an int is the master seed; a numpy Generator or SeedSequence
            gives one (`model.arguments.seed_from_rng`).
        run_seeds: explicit per-run seeds (overrides `seed`), e.g. to rerun one run of an ensemble alone.
        replicate_ids: the replicate index of each run, as recorded in the tables (batches set it).
        start_year, end_year, steps_per_year: the horizon (runs start in start_year; the base year is
            start_year - 1, which must be a year the data describe: `model.base_year.base_years`).
        scenario: label written to the outputs.
        events: `Event`s to apply during the run.
        use_calibrated: layer the calibrated defaults (`model.params.load_defaults`) over the registry's.
        actors: the actor table: an `Actors` or the path of an actor file (default `load_actors()`: the file
            named by the environment variable CASIM_ACTORS, else the packaged `model/data/actors.yaml`). A path
            or None with a start before 2025 is the table of base year start_year - 1, built from the observed
            history (`model.base_year.actors_at_start`), with the world of that year (sanctions, war, EAEU).
        record: which steps the history (`model.history`, read by `results()`) keeps: "all" (or True),
            "year_end" (step 0 and each year's last period), "final" (the last step only) or False (none).
        uncertainty: "point" (the calibrated point for every run, the default here), "posterior" or "prior":
            each run draws its uncertain parameters by (`seed`, its replicate index), `model.uncertainty`;
            `params`, keyword parameters and a design's columns pin what they set.
        **overrides: global parameters by keyword, e.g. ship_time_scale=0.9.
    Raises:
        ArgumentError: a bad argument, named (a ParameterError and a TypeError).
        EnsembleTooLarge: the ensemble would not fit in memory (checked before anything is allocated).
    """

    def __init__(self, n_runs: int | None = None, seed: int | None = None, params: Mapping | None = None, *,
                 design=None, replicates: int | None = None, common_seeds: bool = True, rng=None,
                 run_seeds: list[int] | None = None, replicate_ids: list[int] | None = None,
                 start_year: int = 2025, end_year: int = 2040, steps_per_year: int = 4, scenario: str = "baseline",
                 events: list[Event] | None = None, use_calibrated: bool = True, record: bool | str = True,
                 actors: Actors | str | os.PathLike | None = None, uncertainty: str = "point", **overrides):
        args = arguments.resolve(KEYWORDS, noise_sizes, n_runs=n_runs, seed=seed, rng=rng, params=params,
                                 design=design, replicates=replicates, common_seeds=common_seeds, run_seeds=run_seeds,
                                 replicate_ids=replicate_ids, start_year=start_year, end_year=end_year,
                                 steps_per_year=steps_per_year, record=record, actors=actors, uncertainty=uncertainty,
                                 overrides=overrides)
        super().__init__(seed=args.seed if args.seed is not None else args.seeds[0])
        self.actors, self.record, self.design = args.actors, args.record, args.design
        self.start_year, self.end_year, self.steps_per_year, self.n_steps = args.horizon
        self.n_runs, self.seed, self.seeds = args.n_runs, args.seed, args.seeds
        self.samples, self.replicates, self.set_paths = args.samples, args.replicates, args.set_paths
        self.scenario = scenario
        self.dt = 1.0 / self.steps_per_year
        self.uncertainty = uncertainty
        draws = draw_parameters(uncertainty, self.seed, self.replicates, self.actors) if uncertainty != "point" else None
        self.params = Params(self.n_runs, args.params, use_calibrated=use_calibrated, actors=self.actors, draws=draws)
        self.base = build_base(self.actors, Params(1, args.world, use_calibrated=use_calibrated, actors=self.actors),
                               self.dt)
        self.china, self.russia = self.actors.power_index("CHN"), self.actors.power_index("RUS")
        self.eu, self.oil = self.actors.power_index("EU"), self.actors.commodities.index("oil")
        self.customs_union_powers = np.flatnonzero(self.actors.customs_union)
        self.events = sorted(events or [], key=lambda e: e.step)
        n_s, n_p, n_k = self.actors.n_states, self.actors.n_powers, len(self.actors.commodities)
        self._layout = (n_k, n_s, n_s * n_p)
        self.streams = RunStreams(self.seeds, *noise_sizes(self.actors))
        self.constants = step_constants(self.params, self.actors, self.base, self.dt)
        self.noise: Noise | None = None  # this step's random numbers, drawn by `_exogenous_drivers`
        self.state = initial_state(self.actors, self.base, self.params, self.constants, self.n_runs)
        self.price_index = self._price_index()
        self.log_price_index = np.zeros_like(self.price_index)
        # the base year: trends, Russia's income and remittances, the exchange rate, market times, shares,
        # the states' preferred alignment, influence; what the step derives from the state is assigned here
        self._external_drivers()
        self._update_corridors()
        self.log_trade_gain = np.zeros_like(self.price_index)   # gains from cheaper trade (`_trade`)
        self.spending = np.ones_like(self.price_index)          # factor from remittance and re-export spending (`_trade`)
        self.economic_shares = self._economic_shares()
        for i in range(n_s):
            self.state.alignment[:, i] = self.preferred_alignment(i)
        self.base_alignment = self.state.alignment.copy(order="K")
        self._update_influence()
        self.base_regional = self.state.regional.copy()
        self._allocate()
        self.powers = [GreatPower(self, code, j) for j, code in enumerate(self.actors.powers)]
        self.states = [CentralAsianState(self, code, i) for i, code in enumerate(self.actors.states)]
        # Mesa 3.3 keeps a class-level id counter per model (`Agent._ids`), which holds every model ever
        # built alive. All our agents exist now, so drop the counter: models are freed when unused.
        mesa.Agent._ids.pop(self, None)
        self.history = History(self.record, self.n_steps, self.steps_per_year) if self.record else None
        # Mesa's reporters: a few columns of the output contract, each the mean over the ensemble's runs
        self.datacollector = mesa.DataCollector(model_reporters=summary_reporters(self.actors))
        self._record()
        self.datacollector.collect(self)  # Mesa's examples collect at construction: row 0 is the base year

    # ---- the step -----------------------------------------------------------------------------
    def step(self) -> None:
        """One period for all runs, in the order of DESIGN section 4.

        Raises:
            HorizonReached: the horizon's last step is done (`running` is False); nothing changes.
        """
        if self.steps > self.n_steps:  # Mesa counted this call already
            self.steps -= 1
            year, period = self.step_years(self.n_steps)
            raise HorizonReached(f"step(): the run ended at step {self.n_steps} ({year}, period {period} of "
                                 f"{self.steps_per_year}), where `running` turned False; build the model with a "
                                 f"later end_year (now {self.end_year}) to go on")
        self._exogenous_drivers()
        self._allocate()
        self.agents_by_type[GreatPower].do("invest")
        self._update_corridors()
        self._trade()
        self._produce()
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
        self.price_index = self._price_index()
        self.log_price_index = np.log(self.price_index)
        self._external_drivers()

    def _external_drivers(self) -> None:
        """Trends of the powers' demand and budgets and of pipeline throughput; Russia's income; remittances; the exchange
        rate (mechanisms 1, 4, 5, 7)."""
        s, p, b = self.state, self.params, self.base
        years = self.steps / self.steps_per_year
        faded = p.trend_fade_years * (1.0 - np.exp(-years / p.trend_fade_years))
        self.log_budget = economy.fading_log_trend(years, p.budget_growth, p.longrun_growth, p.trend_fade_years, faded)
        self.log_supply = economy.fading_log_trend(years, p.demand_growth, p.longrun_growth - p.world_growth[:, None],
                                                   p.trend_fade_years, faded)
        self.pipeline_volume = np.exp(p.pipeline_volume_growth * years)
        shock = external.russia_income_shock(s.log_prices[:, self.oil], p.sanctions[:, self.russia], p.war_intensity,
                                             p.russia_oil_elasticity, p.russia_sanction_drag, p.russia_war_stimulus,
                                             b.russia_sanctions, b.war_intensity)
        self.log_demand = self.log_supply.copy(order="K")   # Russia's import demand moves with its income
        self.log_demand[:, self.russia] += shock
        s.russia_income = np.exp(p.longrun_growth[:, self.russia] * years + shock)
        trend = p.remittance_growth * years
        s.remittances[...], s.remittances_russia[...] = external.remittances(
            b.remittances, b.remittance_share, trend, shock, p.remittance_income_elasticity, p.migration_policy)
        self.remittance_trend = external.remittance_trend(b.remittances, trend)
        self.remittance_ratio = np.divide(s.remittances, self.remittance_trend, out=np.ones_like(s.remittances),
                                          where=self.remittance_trend > 0)
        income = external.external_income_index(b.commodity_share, self.price_index, b.remittance_weight,
                                                self.remittance_ratio)
        s.log_exchange_rate[...] = external.step_log_exchange_rate(
            s.log_exchange_rate, np.log(income), p.exchange_rate_elasticity, s.exchange_rate_offset,
            p.exchange_rate_adjustment[:, None], self.dt)
        self.log_value = economy.log_value_of_output(s.log_exchange_rate, p.commodity_gdp_elasticity, b.commodity_share,
                                                     self.log_price_index)
        self.value = np.exp(self.log_value)

    def _allocate(self) -> None:
        """What the powers see when they split their budgets (mechanisms 9, 10) and the card's time response.

        Attractiveness gaps from last step's state, the logit shares of each power's FDI and lending budget
        across states (lending withheld from distressed borrowers), and (T / T0)^(-eps) per state and power.
        """
        s, p, b = self.state, self.params, self.base
        years = max(self.steps - 1, 0) / self.steps_per_year  # output is last step's
        output_gap = s.log_output + self.log_value - p.base_growth * years  # USD output against its trend
        gap = economy.attractiveness_gap(output_gap, s.distress - b.distress, s.delay > 0,
                                         s.alignment - self.base_alignment, p.allocation_risk_weight,
                                         p.allocation_welcome_weight)
        weight = economy.allocation_weight(gap, p.allocation_sensitivity)
        self.fdi_allocation = economy.allocation_ratio(b.fdi_split, weight)
        self.lending_allocation = economy.allocation_ratio(b.lending_split, weight)
        self.lending_allocation *= economy.creditor_caution(p.creditor_caution, s.distress, b.distress)[:, :, None]
        self.shiptime_factor = economy.shiptime_factor(self.log_time_ratio, self.constants.fdi_exponent)

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
        s.market_time[...] = corridors.route_market_time(s.ship_time, a.route_legs, a.route_local_days,
                                                         a.corridor_transit_power, a.transit_exposed, p.sanctions,
                                                         p.sanction_transit_delay_days, p.ship_time_scale)
        self.log_time_ratio = np.log(s.market_time / self.base.market_time)

    def _trade(self) -> None:
        """Gravity trade, re-exports, financing-limited imports, FDI stocks, gains from trade (mechanisms 2-6, 8)."""
        s, p, b, c = self.state, self.params, self.base, self.constants
        # trade costs move with parameters (the step constants), except with the customs union's power,
        # whose cut grows with Russia's offer
        union = self.customs_union_powers
        import_resistance = c.import_resistance.copy(order="K")
        export_resistance = c.export_resistance.copy(order="K")
        cut = (p.eaeu_trade_cost_cut * (1.0 + s.russia_offer))[:, None] * p.eaeu_member                # (R, S)
        for before_cut, base_cost, resistance in zip(c.union_cost, (b.import_cost, b.export_cost),
                                                     (import_resistance, export_resistance)):
            tau = np.maximum(before_cut - cut[:, :, None], 0.05)
            resistance[:, :, union] = economy.trade_resistance(tau / base_cost[:, union], p.trade_cost_elasticity)
        exports, imports, rail = economy.gravity_flows(
            b.gravity_exports, b.gravity_imports, s.gdp / b.gdp, (s.gdp + s.remittances) / b.absorption,
            self.log_demand, self.log_supply, export_resistance, import_resistance, self.log_time_ratio,
            self.actors.pipeline_share, self.pipeline_volume, p.trade_gdp_elasticity, p.trade_time_elasticity,
            economy.export_price_factor(np.exp(s.log_prices), self.actors.export_commodity_weights),
            s.fdi_stock / np.maximum(b.fdi_stock, 1e-9), p.trade_fdi_link)
        # what the state can pay for: its total trade moves with its trade with the powers
        export_total = self.actors.state["exports"] * sum_last(exports) / b.gravity_exports.sum(axis=1)
        import_total = self.actors.state["imports"] * sum_last(imports) / b.gravity_imports.sum(axis=1)
        s.coverage[...] = external.import_coverage(export_total, s.remittances, sum_last(s.fdi_flow), sum_last(s.lending),
                                                   b.other_financing, s.gdp, import_total)
        # a gap is closed in part at once and in part from reserves, which run out (`financed_compression`)
        limit = external.reserve_buffer(p.reserves_to_gdp, p.reserve_usable_share, s.gdp)
        compression = external.import_compression(
            s.coverage, external.financed_compression(p.import_compression, s.reserves_drawn, limit))
        imports *= compression[:, :, None]
        s.reserves_drawn[...] = external.step_reserves_drawn(s.reserves_drawn, import_total * compression,
                                                             import_total * s.coverage, self.dt)
        # re-exports to Russia, bought from China and the EU
        reexport_share = external.reexport_share(p.reexport_intensity, p.sanctions[:, self.russia],
                                                 p.secondary_sanction_risk)
        s.reexports[...] = reexport_share * s.gdp
        s.china_transit[...] = s.reexports * b.transit_per_reexport
        goods = s.reexports * (1.0 - p.reexport_margin)[:, None]
        exports[:, :, self.russia] += s.reexports
        imports[:, :, self.china] += goods * p.reexport_china_share[:, None]
        imports[:, :, self.eu] += goods * (1.0 - p.reexport_china_share)[:, None]
        s.exports[...], s.imports[...] = exports, imports
        np.add(s.exports, s.imports, out=s.trade)
        s.fdi_stock[...] = economy.step_stock(s.fdi_stock, s.fdi_flow, c.fdi_outflow, self.dt)
        self.spending = economy.spending_factor(self.remittance_ratio, b.remittance_gdp_ratio, p.remittance_gdp_share,
                                                reexport_share, b.reexport_share, p.reexport_margin)
        self.log_trade_gain = economy.log_trade_gain(
            b.domestic_share, economy.trade_cost_index(b.import_shares, import_resistance, rail), p.trade_cost_elasticity)

    def _produce(self) -> None:
        """Capital, real output and USD GDP of every state, all states at once (mechanisms 1, 2, 6, 7)."""
        s, p, b, c = self.state, self.params, self.base, self.constants
        years = self.steps / self.steps_per_year
        multiplier = c.labour_multiplier[:, None, :] * economy.processing_retention(
            b.extractive_share, s.local_processing[:, :, None], p.processing_value_retained[:, None, None])
        foreign = sum_last(multiplier * (s.fdi_flow + s.lending))
        domestic = c.domestic_investment * b.gdp * s.output
        s.capital[...] = economy.step_stock(s.capital, domestic + foreign, p.capital_depreciation[:, None], self.dt)
        s.log_productivity[...] = economy.step_log_productivity(s.log_productivity, s.distress, b.distress,
                                                                p.distress_growth_drag[:, None], self.dt)
        s.log_output[...] = economy.log_real_output(years, p.base_growth, p.capital_share[:, None],
                                                    np.log(s.capital / c.capital0), s.log_productivity)
        s.log_output += self.log_trade_gain
        np.exp(s.log_output, out=s.output)
        s.gdp[...] = economy.usd_gdp(b.gdp, s.output, self.value, self.spending)

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
        return {name: self._channel_shares(name) for name in ECONOMIC_CHANNELS}

    def _channel_shares(self, name: str):
        """(shares, present) of one influence channel (`influence.CHANNEL_LEVELS`) from the current state."""
        return politics.shares_and_presence(influence.CHANNEL_LEVELS[name](self.snapshot(), self.china))

    def _update_influence(self) -> None:
        s, p = self.state, self.params
        # the economic channels' shares are this step's already (nothing since has moved trade, FDI or debt)
        channels = {name: self.economic_shares[name] if name in ECONOMIC_CHANNELS else self._channel_shares(name)
                    for name in influence.CHANNELS}
        influence.channel_weights(channels, {name: getattr(p, f"w_{name}") for name in channels}, out=s.channel_weight)
        s.influence[...] = influence.state_influence(channels, s.channel_weight)
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
        return step_date(np.asarray(steps), self.start_year, self.steps_per_year)

    def results(self, tidy: bool = False, include_params: bool | list[str] = False) -> dict:
        """{"region": DataFrame, "states": DataFrame}: the output contract's columns (`model.outputs`), every recorded step.

        Args:
            tidy: long tables instead (`model.tables.tidy`): one row per run x step [x state] x quantity [x power],
                with categorical `variable`, `power`, `state` and `scenario` columns and one float `value`.
            include_params: add each run's design row (`sample`) and parameter values (`model.tables.with_params`):
                True for the parameters the caller set (design columns, `params`, keywords) and every
                parameter that differs between runs; or a list of dotted paths.
        """
        if self.history is None:
            raise RuntimeError("this model was built with record=False")
        if not len(self.history):
            raise RuntimeError(f"no step recorded yet (record={self.record!r}); run the model first")
        steps, snap = self.history.steps, self.history.arrays()
        year, period = self.step_years(steps)
        ids = {"run": np.arange(self.n_runs), "scenario": np.full(self.n_runs, self.scenario, dtype=object),
               "replicate": np.asarray(self.replicates), "seed": np.asarray(self.seeds, dtype=np.int64),
               "step": steps, "year": year, "period": period}
        frames = build_frames(snap, self.actors, ids)
        if include_params:
            frames = tables.with_params(frames, self, include_params)
        return tables.tidy(frames, self.actors) if tidy else frames

    def runs_table(self) -> "pd.DataFrame":
        """One row per run: `run`, `scenario`, `replicate`, `sample` (design row), `seed` and every parameter's
        value at the start of the run, by dotted path (`model.tables.runs_table`)."""
        return tables.runs_table(self)

    def run(self) -> "CentralAsiaModel":
        """Step to the end of the horizon; returns self."""
        while self.running and self.steps < self.n_steps:
            self.step()
        return self


# the constructor's keywords, which an unknown keyword's hint is chosen from
KEYWORDS = tuple(name for name in inspect.signature(CentralAsiaModel.__init__).parameters
                 if name not in ("self", "overrides"))
