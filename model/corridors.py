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


def market_time(ship_time, market_legs, transit_power, transit_exposed, sanctions, delay_days, ship_time_scale):
    """Days from the region to each power's market by the fastest usable corridor.

    T_j = min_c legs_jc * (days_c + scale * delay * sanctions_k(c) * exposed_jc),  k(c) the power corridor c
    transits; exposed_jc marks the legs that actually cross it (Northern to the EU, not to China).

    Args:
        ship_time: (R, C) corridor days.
        market_legs: (P, C) fraction of each corridor's length to reach market j (inf if unusable).
        transit_power: (C,) index of the power a corridor transits, or -1.
        transit_exposed: (P, C) bool, legs that cross the transit power.
        sanctions: (R, P) sanction intensity on each power.
        delay_days: (R,) extra days per unit sanction intensity.
        ship_time_scale: (R,) so that the scale multiplies market time exactly.
    Returns:
        (R, P) days.
    """
    transits = transit_power >= 0
    transit_sanctions = np.where(transits, sanctions[:, np.maximum(transit_power, 0)], 0.0)  # (R, C)
    delay = (ship_time_scale * delay_days)[:, None] * transit_sanctions                          # (R, C)
    exposed = transit_exposed & transits[None, :]                                                # (P, C)
    days = ship_time[:, None, :] + np.where(exposed, delay[:, None, :], 0.0)                     # (R, P, C)
    return min_last(market_legs * days)
