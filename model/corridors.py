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


def route_market_time(ship_time, route_legs, route_local_days, transit_power, transit_exposed, sanctions,
                      delay_days, ship_time_scale):
    """Days from each state to each power's market by its fastest route (state-specific legs).

    T_ij = min_r [ scale * local_ijr + sum_c leg_ijrc (days_c + scale * delay * sanctions_k(c) * exposed_jc) ]

    A route r is a chain of corridor segments: leg_ijrc is the share of corridor c's days it uses (0 if it
    does not use c), local_ijr its days off the corridors (inside the state); unused route slots have
    local = inf. Corridor days already carry the ship-time scale, so the scale multiplies every term and a
    10% cut in it cuts every state's time to every market by exactly 10%. Investment in a corridor by any
    payer shortens every route that uses it. Sanction delays apply on legs that cross the sanctioned
    transit power on the way to market j (Northern to the EU, not to China).

    Args:
        ship_time: (R, C) corridor days. route_legs: (S, P, N, C). route_local_days: (S, P, N).
        transit_power: (C,) index of the power a corridor transits, or -1. transit_exposed: (P, C) bool.
        sanctions: (R, P). delay_days, ship_time_scale: (R,).
    Returns:
        (R, S, P) days. Sources in actors.yaml `routes` (china_uzbekistan_rail_days, cku_railway_time_saving, transit_*).
    """
    n_s, n_p, n_r, n_c = route_legs.shape
    transits = transit_power >= 0
    transit_sanctions = np.where(transits, sanctions[:, np.maximum(transit_power, 0)], 0.0)       # (R, C)
    delay = (ship_time_scale * delay_days)[:, None] * transit_sanctions                             # (R, C)
    exposed = transit_exposed & transits[None, :]                                                   # (P, C)
    days = ship_time[:, None, :] + np.where(exposed, delay[:, None, :], 0.0)                        # (R, P, C)
    # every route's corridor days at once: each route's legs, placed in its market's block, times the
    # (P x C) days of all runs; routes first and runs last, so the min over routes walks whole rows of runs
    legs = np.zeros((n_s, n_p, n_r, n_p, n_c))
    for j in range(n_p):
        legs[:, j, :, j, :] = route_legs[:, j]
    routes = legs.reshape(-1, n_p * n_c) @ days.reshape(len(days), n_p * n_c).T                  # (S P N, R)
    routes += np.multiply.outer(route_local_days.reshape(-1), ship_time_scale)
    fastest = np.minimum.reduce(routes.reshape(n_s, n_p, n_r, len(days)), axis=2)                  # (S, P, R)
    return np.moveaxis(fastest, -1, 0)
