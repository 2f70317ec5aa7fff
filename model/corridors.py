"""Transport corridors: shipment time with diminishing returns to investment.

Axes: run R, power P, corridor C. Pure functions; no state is mutated.
"""
from __future__ import annotations

import numpy as np


UNUSED_ROUTE_DAYS = 1e30  # local days of an empty route slot: never the fastest


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
    exposed = (transit_exposed & transits[None, :]).astype(float)                                  # (P, C)
    # every route's days at once, as one matrix product: each route weighs the corridor days, the delays on
    # its legs that cross a sanctioned transit power, and the scale (times its local days); an unused slot
    # gets a huge finite number of local days (inf would make 0 x inf = nan in the product)
    local = np.where(np.isfinite(route_local_days), route_local_days, UNUSED_ROUTE_DAYS)
    weights = np.concatenate([route_legs.reshape(-1, n_c), (route_legs * exposed[None, :, None, :]).reshape(-1, n_c),
                              local.reshape(-1, 1)], axis=1)                                          # (S P N, 2C + 1)
    # the runs laid out last and contiguous: numpy then multiplies in one thread (for a transposed operand,
    # OpenBLAS starts its threads and spends ten times the CPU)
    inputs = np.concatenate([ship_time.T, delay.T, ship_time_scale[None, :]])                         # (2C + 1, R)
    routes = np.dot(weights, inputs)                                                                 # (S P N, R)
    fastest = np.minimum.reduce(routes.reshape(n_s, n_p, n_r, inputs.shape[1]), axis=2)            # (S, P, R)
    return np.moveaxis(fastest, -1, 0)
