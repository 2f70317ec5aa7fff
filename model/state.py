"""Model state: numpy arrays with a leading run axis R (DESIGN section 3).

Axes are always (run, state, power), (run, corridor) or (run, commodity).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import economy
from .arrays import runs_fastest


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


def initial_state(actors, base, params, capacity: np.ndarray, n_runs: int) -> State:
    """The base-year state of every run: the 2024 data repeated along the run axis (run axis fastest).

    Alignment, market times and influence start at zero; the model fills them from this state before
    step 1. `capacity` (R, P) is the powers' security capacity (`StepConstants.capacity_potential`).
    """
    a, b, p, R = actors, base, params, n_runs
    n_c = len(a.corridors)

    def tile(x, dtype=float):
        """Base-year values (S, ...) repeated for every run."""
        return np.tile(np.asarray(x, dtype=dtype), (R,) + (1,) * np.ndim(x))

    state = State(**{name: runs_fastest(value) for name, value in dict(
        gdp=tile(b.gdp), trade=tile(b.exports + b.imports), exports=tile(b.exports), imports=tile(b.imports),
        fdi_flow=tile(b.fdi_flow), fdi_stock=tile(b.fdi_stock), lending=tile(b.lending), debt=tile(b.debt),
        hidden_debt=tile(b.hidden_debt), other_debt=tile(b.other_debt_ratio * b.gdp),
        alignment=tile(np.zeros_like(b.debt)), sentiment=tile(b.sentiment), security=tile(b.security),
        threat=tile(b.threat), local_processing=tile(b.local_processing), delay=tile(np.zeros_like(b.debt)),
        protest=tile(np.zeros(b.debt.shape, bool), bool), scandal=tile(np.zeros(b.debt.shape, bool), bool),
        distress=tile(np.zeros(a.n_states)), debt_to_gdp=tile(np.zeros(a.n_states)), capacity=capacity,
        log_rise=np.zeros((R, a.n_powers)), corridor_investment=np.zeros((R, n_c)), disruption=np.ones((R, n_c)),
        ship_time=np.zeros((R, n_c)), market_time=np.zeros((R, a.n_powers)),
        log_prices=np.zeros((R, len(a.commodities))), influence=tile(np.zeros_like(b.debt)),
        regional=np.zeros((R, a.n_powers)), friction=np.zeros(R), russia_offer=np.zeros(R),
    ).items()})
    state.debt_to_gdp[:] = (state.debt.sum(axis=2) + state.hidden_debt + state.other_debt) / state.gdp
    state.distress[:] = economy.debt_distress(state.debt_to_gdp, p.distress_threshold, p.distress_width[:, None])
    return state
