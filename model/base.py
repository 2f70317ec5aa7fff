"""Structural constants computed directly from base-year data at default parameters.

Nothing here is fitted: gravity pair constants are the observed 2024 flows
themselves (trade is modelled in ratio-to-base form), base lending keeps
debt/GDP steady at default growth, and the growth offset makes the base year a
rest point of the investment term. Per-run parameter changes then move the
model away from the base from the first step on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import corridors, economy
from .actors import Actors
from .params import Params


@dataclass(frozen=True)
class Base:
    gdp: np.ndarray             # (S,)
    exports: np.ndarray         # (S, P)
    imports: np.ndarray         # (S, P)
    fdi_flow: np.ndarray        # (S, P)
    fdi_stock: np.ndarray       # (S, P)
    lending: np.ndarray         # (S, P) total new loans per year (official + hidden)
    debt: np.ndarray            # (S, P)
    hidden_debt: np.ndarray     # (S,)
    other_debt_ratio: np.ndarray  # (S,)
    sentiment: np.ndarray       # (S, P)
    security: np.ndarray        # (S, P)
    history: np.ndarray         # (S, P)
    threat: np.ndarray          # (S,)
    local_processing: np.ndarray  # (S,)
    market_time: np.ndarray     # (P,) days at defaults
    trade_cost: np.ndarray      # (S, P) tau at defaults
    capacity: np.ndarray        # (P,)
    growth_offset: np.ndarray   # (S,)
    benefit: np.ndarray         # (S, P)
    labour: np.ndarray          # (S, P)
    burden: np.ndarray          # (S, P)
    extractive_share: np.ndarray  # (P,)
    commodity_share: np.ndarray   # (S,)
    china: int                  # index of the power whose lending has a hidden part


def build_base(actors: Actors, defaults: Params) -> Base:
    """Base-year structure from the actor table and default parameters (`defaults` has R=1)."""
    d = {name: v[0] for name, v in defaults.values.items()}
    pair = actors.pair
    gdp = actors.state["gdp"]
    exports = pair["trade"] * pair["export_share"]
    imports = pair["trade"] - exports
    china = actors.power_index("CHN")
    hidden_share = d["hidden_debt_share"]
    steady = (d["debt_amortisation"] + d["base_growth"])[:, None]     # keeps debt/GDP flat
    lending = steady * pair["debt"]
    lending[:, china] /= (1.0 - hidden_share)
    hidden = hidden_share * pair["debt"][:, china]
    extractive = actors.sectors[:, actors.extractive].sum(axis=1)  # energy and mining weights

    ship = corridors.corridor_days(actors.corridor_base_days, actors.corridor_min_days, actors.corridor_invest_ref,
                                   np.zeros((1, len(actors.corridors))), np.ones((1, len(actors.corridors))),
                                   np.ones(1))
    market = corridors.market_time(ship, actors.market_legs, actors.corridor_transit_power, actors.transit_exposed,
                                   defaults.sanctions, defaults.sanction_transit_delay_days, np.ones(1))[0]
    tau = economy.trade_cost(defaults.sanctions, defaults.sanction_trade_cost, defaults.eaeu_member,
                             defaults.eaeu_trade_cost_cut, actors.customs_union)[0]
    capacity = d["security_capacity"] * (1.0 - d["war_capacity_drag"] * d["war_intensity"] * actors.at_war)
    multiplier = economy.local_multiplier(
        d["local_multiplier"], d["labour_leakage"], d["imported_labour_share"][None, :], extractive[None, :],
        d["local_processing"][:, None], d["processing_value_retained"])                       # (S, P)
    growth_offset = (multiplier * (pair["fdi_flow"] + lending)).sum(axis=1) / gdp
    debt_to_gdp = (pair["debt"].sum(axis=1) + hidden + actors.state["other_external_debt"]) / gdp
    distress = economy.debt_distress(debt_to_gdp, d["distress_threshold"], d["distress_width"])
    return Base(
        gdp=gdp, exports=exports, imports=imports, fdi_flow=pair["fdi_flow"], fdi_stock=pair["fdi_stock"],
        lending=lending, debt=pair["debt"], hidden_debt=hidden,
        other_debt_ratio=actors.state["other_external_debt"] / gdp,
        sentiment=pair["sentiment"], security=pair["security"], history=pair["history"],
        threat=actors.state["threat"], local_processing=d["local_processing"], market_time=market,
        trade_cost=tau, capacity=capacity, growth_offset=growth_offset,
        benefit=pair["fdi_stock"] / gdp[:, None],
        labour=d["imported_labour_share"] * pair["fdi_flow"] / gdp[:, None],
        burden=pair["debt"] / gdp[:, None] * (1.0 + distress[:, None]),
        extractive_share=extractive, commodity_share=actors.state["commodity_export_share"], china=china,
    )
