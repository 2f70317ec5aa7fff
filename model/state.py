"""Model state: numpy arrays with a leading run axis R (DESIGN section 3).

Axes are always (run, state, power), (run, corridor) or (run, commodity).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class State:
    gdp: np.ndarray               # (R, S) USD bn per year
    trade: np.ndarray             # (R, S, P) USD bn per year, exports + imports
    exports: np.ndarray           # (R, S, P) USD bn per year, state -> power
    imports: np.ndarray           # (R, S, P) USD bn per year, power -> state
    fdi_flow: np.ndarray          # (R, S, P) USD bn per year, from power
    fdi_stock: np.ndarray         # (R, S, P) USD bn
    lending: np.ndarray           # (R, S, P) USD bn per year, new loans from power
    debt: np.ndarray              # (R, S, P) USD bn owed to power (official)
    hidden_debt: np.ndarray       # (R, S) USD bn owed to China, off the books
    other_debt: np.ndarray        # (R, S) USD bn owed to everyone else
    alignment: np.ndarray         # (R, S, P) rows on the simplex
    sentiment: np.ndarray         # (R, S, P) in [-1, 1]
    security: np.ndarray          # (R, S, P) ties in [0, 1]
    threat: np.ndarray            # (R, S) in [0, 1]
    local_processing: np.ndarray  # (R, S) share processed at home
    delay: np.ndarray             # (R, S, P) years of protest delay left
    protest: np.ndarray           # (R, S, P) bool: protest this step
    scandal: np.ndarray           # (R, S, P) bool: corruption scandal this step
    distress: np.ndarray          # (R, S) in [0, 1]
    debt_to_gdp: np.ndarray       # (R, S) all external debt (official, hidden, others) over GDP
    capacity: np.ndarray          # (R, P) security capacity
    log_rise: np.ndarray          # (R, P) accumulated slow rise of a power's security role
    corridor_investment: np.ndarray  # (R, C) USD bn since the base year
    disruption: np.ndarray        # (R, C) factor on corridor days
    ship_time: np.ndarray         # (R, C) days
    market_time: np.ndarray       # (R, P) days to each power's market
    log_prices: np.ndarray        # (R, K) log commodity price index (2024 = 0)
    influence: np.ndarray         # (R, S, P)
    regional: np.ndarray          # (R, P) GDP-weighted influence
    friction: np.ndarray          # (R,) China-Russia friction in [0, 1]
    russia_offer: np.ndarray      # (R,) Russia's reactive security offer

