"""Step constants: per-run quantities that depend only on the parameters, the actor table and the step length.

`step_constants(params, actors, base, dt)` builds them as one frozen `StepConstants`; the model rebuilds
it when `params.version` changes (an event set a parameter) and the agents read it. Nothing here is
state: a run's trajectory is the same whether they are computed once or every step.

Arrays that meet a state's (R, P) row are widened to that shape, run axis fastest (`widen`): against
an (R, 1) column numpy broadcasts two to three times slower than against an array of the row's own
shape and layout. The maths is unchanged by it.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from . import economy, politics
from .actors import Actors
from .arrays import runs_fastest, times
from .base import Base, trade_costs
from .params import Params

# Global parameters a state's update reads against its (R, P) row, widened once per parameter change.
ROW_PARAMS = ("processing_value_retained", "debt_amortisation", "benefit_sentiment_gain", "labour_sentiment_penalty",
              "debt_sentiment_penalty", "sentiment_adjust_rate", "sentiment_noise", "corruption_hit", "protest_threshold",
              "protest_steepness", "protest_rate", "protest_delay_years", "security_adjust_rate")
ALIGNMENT_WEIGHTS = ("trade", "fdi", "security", "sentiment", "dependence", "leverage", "history")  # beta_<name>


@dataclass(frozen=True)
class StepConstants:
    """What the step reads besides the state and this step's noise. Shapes: R runs, S states, P powers, C corridors."""
    version: int                             # `params.version` these were built from
    rows: Mapping[str, np.ndarray]           # ROW_PARAMS, each (R, P): the same value for every power
    alignment_beta: Mapping[str, np.ndarray]  # beta_<name> for ALIGNMENT_WEIGHTS, each (R, P)
    alignment_keep: np.ndarray               # (R, P) share of alignment kept per step, inertia^dt
    temperature: tuple[np.ndarray, ...]      # per state, (R, P): hedging temperature x its scale
    dissent: tuple[np.ndarray, ...]          # per state, (R, P): 1 - civil_society / 2
    scandal_probability: np.ndarray          # (R, P) per state-power pair and step: min(rate x exposure x dt, 1)
    fdi_exponent: np.ndarray                 # (R,) epsilon of the FDI response to shipment time
    corridor_spending: tuple[np.ndarray, ...]  # per power, (R, C): USD bn put into each corridor per step
    capacity_potential: np.ndarray           # (R, P) security capacity after the war's drag, before the rise
    labour_multiplier: np.ndarray            # (R, P) local multiplier after imported labour
    spillover_jump: np.ndarray               # (R, S) threat jump of an Afghan spillover
    import_resistance: np.ndarray            # (R, S, P) (tau^M/tau^M0)^-theta, customs union at Russia's offer 0
    export_resistance: np.ndarray            # (R, S, P) (tau^X/tau^X0)^-theta, likewise
    union_cost: tuple[np.ndarray, np.ndarray]  # tau^M, tau^X with the customs union's power(s), before its cut (R, S, U)
    fdi_outflow: np.ndarray                  # (R, S, P) depreciation plus repatriation of FDI stocks, per year
    capital0: np.ndarray                     # (R, S) base-year capital, kappa Y0
    domestic_investment: np.ndarray          # (R, S) s_i: domestic investment over base GDP that keeps capital at rest


def widen(values: np.ndarray, n_powers: int) -> np.ndarray:
    """(R,) -> (R, P), the same value for every power, laid out like a state's row (run axis fastest)."""
    return np.asfortranarray(np.broadcast_to(values[:, None], (values.shape[0], n_powers)))


def resistances(params: Params, actors: Actors, base: Base) -> tuple[np.ndarray, np.ndarray]:
    """(tau^M/tau^M0)^-theta and (tau^X/tau^X0)^-theta (R, S, P) at Russia's offer 0 (run axis fastest)."""
    costs = trade_costs(params, actors, params.eaeu_trade_cost_cut)
    return tuple(runs_fastest(economy.trade_resistance(cost / base_cost, params.trade_cost_elasticity))
                 for cost, base_cost in zip(costs, (base.import_cost, base.export_cost)))


def step_constants(params: Params, actors: Actors, base: Base, dt: float) -> StepConstants:
    """Everything the step derives from parameters alone, for step length `dt` (years)."""
    p, n_p = params, actors.n_powers
    dissent = politics.dissent_factor(p.civil_society)
    temperature = p.hedging_temperature * p.hedging_temperature_scale[:, None]
    import_resistance, export_resistance = resistances(p, actors, base)
    union = np.flatnonzero(actors.customs_union)
    return StepConstants(
        version=p.version,
        rows=MappingProxyType({name: widen(getattr(p, name), n_p) for name in ROW_PARAMS}),
        alignment_beta=MappingProxyType({name: widen(getattr(p, f"beta_{name}"), n_p) for name in ALIGNMENT_WEIGHTS}),
        alignment_keep=widen(p.alignment_inertia ** dt, n_p),
        temperature=tuple(widen(temperature[:, i], n_p) for i in range(actors.n_states)),
        dissent=tuple(widen(dissent[:, i], n_p) for i in range(actors.n_states)),
        scandal_probability=politics.event_probability(p.corruption_rate[:, None] * p.corruption_exposure, dt),
        fdi_exponent=economy.fdi_shiptime_exponent(p.fdi_gain_per_10pct_shiptime_cut),
        corridor_spending=tuple(times((p.transport_investment[:, j] * dt)[:, None], actors.transport_alloc[j])
                                for j in range(n_p)),
        capacity_potential=politics.capacity_target(p.security_capacity, p.war_intensity[:, None],
                                                    p.war_capacity_drag[:, None], actors.at_war.astype(float), 1.0),
        labour_multiplier=economy.labour_retention(p.local_multiplier[:, None], p.labour_leakage[:, None],
                                                   p.imported_labour_share),
        spillover_jump=p.afghan_spillover_size[:, None] * p.afghan_exposure,
        import_resistance=import_resistance, export_resistance=export_resistance,
        union_cost=tuple(cost[:, :, union] for cost in trade_costs(p, actors, np.zeros(p.n_runs))),
        fdi_outflow=runs_fastest(np.broadcast_to(p.fdi_depreciation[:, None, None] + base.repatriation,
                                                 (p.n_runs,) + base.repatriation.shape)),
        capital0=runs_fastest(p.capital_output_ratio[:, None] * base.gdp),
        domestic_investment=runs_fastest(economy.domestic_investment_rate(
            p.base_growth, p.capital_depreciation[:, None], p.capital_output_ratio[:, None], base.foreign_investment, dt)),
    )
