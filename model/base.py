"""Structural constants computed directly from base-year data at default parameters.

Nothing here is fitted: gravity pair constants are the observed 2024 flows less the re-exports they
contain (trade is modelled in ratio-to-base form), base lending keeps debt/GDP steady at default growth,
FDI stocks are put at rest by a repatriation rate, and the residual external financing makes the base
year's imports exactly financed. Per-run parameter changes then move the model away from the base from
the first step on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import corridors, economy, external
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
    market_time: np.ndarray     # (S, P) days at defaults, by each state's fastest route
    import_cost: np.ndarray     # (S, P) tau^M at defaults
    export_cost: np.ndarray     # (S, P) tau^X at defaults
    capacity: np.ndarray        # (P,)
    gravity_exports: np.ndarray  # (S, P) base exports less re-exports (the gravity constants)
    gravity_imports: np.ndarray  # (S, P) base imports less re-exported goods
    reexports: np.ndarray       # (S,) re-exports to Russia at defaults
    transit_per_reexport: np.ndarray  # (S,) China-customs transit per unit of re-exports
    remittances: np.ndarray     # (S,) base-year remittance inflows
    remittance_share: np.ndarray  # (S,) Russia's share of them
    remittance_weight: np.ndarray  # (S,) remittances' weight in external income, Rem0 / (exports0 + Rem0)
    remittance_russia_ratio: np.ndarray  # (S,) remittances from Russia over GDP
    remittance_gdp_ratio: np.ndarray  # (S,) remittances over GDP, omega_i of the spending factor
    reexport_share: np.ndarray   # (S,) re-exports over GDP, r0_i
    absorption: np.ndarray      # (S,) GDP + remittances
    other_financing: np.ndarray  # (S,) o_i: residual external financing over GDP
    repatriation: np.ndarray    # (S, P) outflow rate r that puts FDI stocks at rest
    import_shares: np.ndarray   # (S, P) each power's share of the state's imports from the four
    domestic_share: np.ndarray  # (S,) share of spending on home goods, 1 - M / (Y + M - X), total trade
    foreign_investment: np.ndarray  # (S,) f_i: base foreign investment into capital over GDP, sum_j m_ij (F0 + L0) / Y0
    distress: np.ndarray        # (S,) base-year debt distress
    russia_sanctions: float     # sanctions on Russia in the base year
    war_intensity: float        # Russia's war intensity in the base year
    fdi_split: np.ndarray       # (S, P) each power's base FDI split across states (columns sum to 1)
    lending_split: np.ndarray   # (S, P) the same for lending
    benefit: np.ndarray         # (S, P)
    labour: np.ndarray          # (S, P)
    burden: np.ndarray          # (S, P)
    extractive_share: np.ndarray  # (P,)
    commodity_share: np.ndarray   # (S,)
    china: int                  # index of the power whose lending has a hidden part


def build_base(actors: Actors, defaults: Params, dt: float = 0.25) -> Base:
    """Base-year structure from the actor table and default parameters (`defaults` has R=1), for steps of `dt` years."""
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
    market = corridors.route_market_time(ship, actors.route_legs, actors.route_local_days, actors.corridor_transit_power,
                                         actors.transit_exposed, defaults.sanctions,
                                         defaults.sanction_transit_delay_days, np.ones(1))[0]
    import_cost, export_cost = trade_costs(defaults, actors, defaults.eaeu_trade_cost_cut)
    capacity = d["security_capacity"] * (1.0 - d["war_capacity_drag"] * d["war_intensity"] * actors.at_war)
    multiplier = economy.local_multiplier(
        d["local_multiplier"], d["labour_leakage"], d["imported_labour_share"][None, :], extractive[None, :],
        d["local_processing"][:, None], d["processing_value_retained"])                       # (S, P)
    debt_to_gdp = (pair["debt"].sum(axis=1) + hidden + actors.state["other_external_debt"]) / gdp
    distress = economy.debt_distress(debt_to_gdp, d["distress_threshold"], d["distress_width"])

    # re-exports are part of the observed trade: gravity reproduces the rest
    russia, eu = actors.power_index("RUS"), actors.power_index("EU")
    reexports = external.reexports(defaults.reexport_intensity, defaults.sanctions[:, russia],
                                   defaults.secondary_sanction_risk, gdp[None, :])[0]
    goods = reexports * (1.0 - d["reexport_margin"])
    gravity_exports, gravity_imports = exports.copy(), imports.copy()
    gravity_exports[:, russia] -= reexports
    gravity_imports[:, china] -= goods * d["reexport_china_share"]
    gravity_imports[:, eu] -= goods * (1.0 - d["reexport_china_share"])
    if (gravity_exports < 0).any() or (gravity_imports < 0).any():
        raise ValueError("base-year re-exports exceed the observed trade they are part of (reexport_intensity)")
    transit = (actors.state["china_mirror_ratio"] - actors.state["china_mirror_base"]) * pair["trade"][:, china]
    transit_per_reexport = np.divide(transit, reexports, out=np.zeros_like(transit), where=reexports > 0)

    remittances, share = actors.state["remittances"], actors.state["remittance_share_russia"]
    fdi0 = pair["fdi_flow"].sum(axis=1)
    lending0 = lending.sum(axis=1)
    # financing is judged on the state's total trade (actors.yaml), which moves with its trade with the powers
    other = external.other_financing_ratio(actors.state["exports"], remittances, fdi0, lending0,
                                           actors.state["imports"], gdp)
    foreign = (multiplier * (pair["fdi_flow"] + lending)).sum(axis=1) / gdp
    return Base(
        gdp=gdp, exports=exports, imports=imports, fdi_flow=pair["fdi_flow"], fdi_stock=pair["fdi_stock"],
        lending=lending, debt=pair["debt"], hidden_debt=hidden,
        other_debt_ratio=actors.state["other_external_debt"] / gdp,
        sentiment=pair["sentiment"], security=pair["security"], history=pair["history"],
        threat=actors.state["threat"], local_processing=d["local_processing"], market_time=market,
        import_cost=import_cost[0], export_cost=export_cost[0], capacity=capacity,
        gravity_exports=gravity_exports, gravity_imports=gravity_imports, reexports=reexports,
        transit_per_reexport=transit_per_reexport, remittances=remittances, remittance_share=share,
        remittance_weight=remittances / (actors.state["exports"] + remittances),
        remittance_russia_ratio=remittances * share / gdp, remittance_gdp_ratio=remittances / gdp,
        reexport_share=reexports / gdp, absorption=gdp + remittances, other_financing=other,
        repatriation=economy.repatriation_rate(pair["fdi_flow"], pair["fdi_stock"], d["fdi_depreciation"],
                                               d["budget_growth"][None, :], dt),
        import_shares=imports / imports.sum(axis=1, keepdims=True),
        domestic_share=1.0 - actors.state["imports"] / (gdp + actors.state["imports"] - actors.state["exports"]),
        foreign_investment=foreign,
        distress=distress, russia_sanctions=float(d["sanctions"][russia]), war_intensity=float(d["war_intensity"]),
        fdi_split=_columns_sum_to_one(pair["fdi_flow"]), lending_split=_columns_sum_to_one(lending),
        benefit=pair["fdi_stock"] / gdp[:, None],
        labour=d["imported_labour_share"] * pair["fdi_flow"] / gdp[:, None],
        burden=pair["debt"] / gdp[:, None] * (1.0 + distress[:, None]),
        extractive_share=extractive, commodity_share=actors.state["commodity_export_share"], china=china,
    )


def _columns_sum_to_one(x: np.ndarray) -> np.ndarray:
    """Each power's split across states (S, P); a power with no flow anywhere gets an even split."""
    total = x.sum(axis=0)
    return np.where(total > 0, x / np.where(total > 0, total, 1.0), 1.0 / x.shape[0])


def tariffs(params: Params, actors: Actors) -> tuple[np.ndarray, np.ndarray]:
    """Import and export tariffs (R, S, P) of the customs union, the CIS free-trade area and national MFN rates."""
    p, in_union, fta = params, actors.customs_union, actors.state["cis_fta"]
    return (economy.import_tariffs(p.eaeu_member, fta, in_union, p.eaeu_common_external_tariff, p.mfn_tariff),
            economy.export_tariffs(p.eaeu_member, fta, in_union, p.eaeu_common_external_tariff))


def trade_costs(params: Params, actors: Actors, union_cut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """tau^M and tau^X (R, S, P): tariffs, secondary-sanction risk and the customs union's cut (`union_cut`, (R,))."""
    p = params
    args = (p.sanctions, p.sanction_trade_cost, p.secondary_sanction_risk, p.eaeu_member, union_cut, actors.customs_union)
    return tuple(economy.tariff_trade_cost(t, *args) for t in tariffs(p, actors))
