"""Transport corridors: shipment time with diminishing returns to investment.

Axes: run R, power P, corridor C. Pure functions; no state is mutated.
"""
from __future__ import annotations

import numpy as np

from .arrays import min_last


def corridor_days(base_days, min_days, invest_ref, cumulative_investment, disruption, ship_time_scale):
    """Days on each corridor.

    T_c = scale * disruption_c * [T_min + (T_base - T_min) * exp(-I_c / I_ref)]

    Args:
        base_days, min_days, invest_ref: (C,) base-year days, floor days, USD bn closing 63% of the gap.
        cumulative_investment: (R, C) USD bn invested since the base year.
        disruption: (R, C) multiplicative factor (1 = normal).
        ship_time_scale: (R,) multiplier on every corridor.
    Returns:
        (R, C) days. Sources: transit_rail_northern, transit_middle_corridor, transit_sea, wb_middle_corridor_report.
    """
    gap = (base_days - min_days) * np.exp(-cumulative_investment / invest_ref)
    return ship_time_scale[:, None] * disruption * (min_days + gap)


def market_time(ship_time, market_legs, transit_power, sanctions, delay_days, ship_time_scale):
    """Days from the region to each power's market by the fastest usable corridor.

    T_j = min_c legs_jc * (days_c + scale * delay * sanctions_k(c)),  k(c) the power corridor c transits,
    and the sanction delay only applies when the market j is not k(c) itself.

    Args:
        ship_time: (R, C) corridor days.
        market_legs: (P, C) fraction of each corridor's length to reach market j (inf if unusable).
        transit_power: (C,) index of the power a corridor transits, or -1.
        sanctions: (R, P) sanction intensity on each power.
        delay_days: (R,) extra days per unit sanction intensity.
        ship_time_scale: (R,) so that the scale multiplies market time exactly.
    Returns:
        (R, P) days.
    """
    n_powers = market_legs.shape[0]
    transits = transit_power >= 0
    transit_sanctions = np.where(transits, sanctions[:, np.maximum(transit_power, 0)], 0.0)  # (R, C)
    delay = (ship_time_scale * delay_days)[:, None] * transit_sanctions                          # (R, C)
    exposed = transits[None, :] & (transit_power[None, :] != np.arange(n_powers)[:, None])      # (P, C)
    days = ship_time[:, None, :] + np.where(exposed, delay[:, None, :], 0.0)                     # (R, P, C)
    return min_last(market_legs * days)


def transport_spending(transport_investment, transport_alloc, dt):
    """USD bn added to each corridor's cumulative investment this step: sum_j budget_j * alloc_jc * dt.

    Args:
        transport_investment: (R, P) USD bn per year. transport_alloc: (P, C). dt: years per step.
    Returns:
        (R, C) USD bn.
    """
    return (transport_investment * dt) @ transport_alloc
