"""Model state: numpy arrays with a leading run axis R (DESIGN section 3).

Axes are always (run, state, power), (run, corridor) or (run, commodity).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import economy
from .influence import CHANNELS
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
    market_time: np.ndarray       # (R, S, P) days from each state to each power's market
    log_prices: np.ndarray        # (R, K) log commodity price index (2024 = 0)
    influence: np.ndarray         # (R, S, P)
    channel_weight: np.ndarray    # (R, S, C) effective weight of each influence channel (influence.CHANNELS)
    regional: np.ndarray          # (R, P) GDP-weighted influence
    friction: np.ndarray          # (R,) China-Russia friction in [0, 1]
    russia_offer: np.ndarray      # (R,) Russia's reactive security offer
    russia_income: np.ndarray     # (R,) Russia's USD income index (1 = base year)
    remittances: np.ndarray       # (R, S) USD bn per year, all sources
    remittances_russia: np.ndarray  # (R, S) USD bn per year from Russia
    reexports: np.ndarray         # (R, S) USD bn per year re-exported to Russia
    china_transit: np.ndarray     # (R, S) USD bn per year China books as exports to the state that go on to Russia
    coverage: np.ndarray          # (R, S) share of import demand the state can finance
    reserves_drawn: np.ndarray    # (R, S) USD bn of reserves spent on imports beyond what the state earns (0 at base)
    capital: np.ndarray           # (R, S) USD bn at base-year prices and exchange rate
    log_productivity: np.ndarray  # (R, S) output lost to debt distress above its base level (log)
    log_output: np.ndarray        # (R, S) log real output index (0 = base year)
    output: np.ndarray            # (R, S) real output index e^{log_output} (1 = base year)
    log_exchange_rate: np.ndarray  # (R, S) log real exchange rate (0 = base year)
    exchange_rate_offset: np.ndarray  # (R, S) log shift of the exchange-rate target by policy devaluations


def initial_state(actors, base, params, constants, n_runs: int) -> State:
    """The base-year state of every run: the 2024 data repeated along the run axis (run axis fastest).

    Alignment and influence start at zero; the model fills them from this state before step 1. The powers'
    security capacity and the states' capital come from the step constants (`StepConstants`).
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
        distress=tile(np.zeros(a.n_states)), debt_to_gdp=tile(np.zeros(a.n_states)),
        capacity=constants.capacity_potential, log_rise=np.zeros((R, a.n_powers)),
        corridor_investment=np.zeros((R, n_c)), disruption=np.ones((R, n_c)), ship_time=np.zeros((R, n_c)),
        market_time=tile(b.market_time), log_prices=np.zeros((R, len(a.commodities))),
        influence=tile(np.zeros_like(b.debt)),
        channel_weight=np.zeros((R, a.n_states, len(CHANNELS))), regional=np.zeros((R, a.n_powers)), friction=np.zeros(R),
        russia_offer=np.zeros(R), russia_income=np.ones(R), remittances=tile(b.remittances),
        remittances_russia=tile(b.remittances * b.remittance_share), reexports=tile(b.reexports),
        china_transit=tile(b.reexports * b.transit_per_reexport), coverage=tile(np.ones(a.n_states)),
        reserves_drawn=tile(np.zeros(a.n_states)),
        capital=constants.capital0, log_productivity=tile(np.zeros(a.n_states)), log_output=tile(np.zeros(a.n_states)),
        output=tile(np.ones(a.n_states)), log_exchange_rate=tile(np.zeros(a.n_states)),
        exchange_rate_offset=tile(np.zeros(a.n_states)),
    ).items()})
    state.debt_to_gdp[:] = (state.debt.sum(axis=2) + state.hidden_debt + state.other_debt) / state.gdp
    state.distress[:] = economy.debt_distress(state.debt_to_gdp, p.distress_threshold, p.distress_width[:, None])
    return state
