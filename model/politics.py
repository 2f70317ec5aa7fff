"""Politics: sentiment, corruption and protests, security, alignment choice.

Pure functions over arrays with the run axis first (run R, state S, power P).
A `CentralAsianState` calls them on its own row: the P axis is then last.
"""
from __future__ import annotations

import math

import numpy as np

from .arrays import clamp, max_last, sum_last, times


def event_probability(rate, dt):
    """Probability of an event in a step of a discrete-time hazard: min(rate dt, 1).

    Close to the Poisson 1 - exp(-rate dt) for the small per-quarter rates used here, and one
    exponential cheaper per state-power pair and step.
    """
    return np.minimum(rate * dt, 1.0)


def sentiment_target(base_sentiment, benefit, base_benefit, labour, base_labour, burden, base_burden,
                     benefit_gain, labour_penalty, debt_penalty):
    """Where sentiment towards a power settles.

    s*_ij = s0_ij + gain (B_ij - B0_ij) - pen_L (L_ij - L0_ij) - pen_D (D_ij - D0_ij)

    B: visible benefits (FDI stock / GDP); L: imported-labour-weighted FDI inflow / GDP;
    D: debt to the power / GDP times (1 + distress). Deviations from the base year, so the
    base year is a rest point. Source: the articles' sentiment story (labour, debt, benefits).
    """
    return (base_sentiment + benefit_gain * (benefit - base_benefit)
            - labour_penalty * (labour - base_labour) - debt_penalty * (burden - base_burden))


def step_sentiment(sentiment, target, rate, noise, dt, shocks, scandal, scandal_hit):
    """s_t = clip(s + r dt (s* - s) + sigma sqrt(dt) z - hit * scandal, -1, 1).

    rate r and noise sigma per year; dt in years (a number); shocks z ~ N(0, 1); scandal a bool per pair.
    """
    moved = sentiment + rate * dt * (target - sentiment) + noise * math.sqrt(dt) * shocks - scandal_hit * scandal
    return clamp(moved, -1.0, 1.0)


def dissent_factor(civil_society):
    """How much weak civil society raises protests: 1 - civil_society / 2 (fewer channels for dissent)."""
    return 1.0 - 0.5 * civil_society


def protest_rate(sentiment, threshold, steepness, max_rate, dissent):
    """Protests per year against a power: max_rate * logistic((threshold - s) / steepness) * dissent.

    Low sentiment and weak civil society (`dissent_factor`) make protests likelier.
    """
    return max_rate / (1.0 + np.exp(-(threshold - sentiment) / steepness)) * dissent


def step_delay(delay_years, protest, protest_delay, dt):
    """Years left of a protest-induced project delay: counts down, and a new protest resets it."""
    return np.where(protest, protest_delay, np.maximum(delay_years - dt, 0.0))


def step_threat(threat, base_threat, reversion, volatility, dt, shocks, spillover, jump):
    """Threat in [0, 1]: mean-reverting noise plus Afghan spillover jumps.

    t_t = clip(t + kappa dt (t0 - t) + sigma sqrt(dt) z + jump * spillover, 0, 1), reversion kappa and
    volatility sigma per year, jump = spillover size * the state's exposure.
    """
    moved = threat + reversion * dt * (base_threat - threat) + volatility * math.sqrt(dt) * shocks + jump * spillover
    return clamp(moved, 0.0, 1.0)


def capacity_target(security_capacity, war_intensity, war_drag, at_war, rise):
    """Capacity a power can project: capacity * (1 - drag * war * [at war]) * rise.

    `rise` is the accumulated slow growth of a power's role (China's, by `security_growth`).
    """
    return security_capacity * (1.0 - war_drag * war_intensity * at_war) * rise


def step_rise(log_rise, security_growth, friction, friction_drag, dt):
    """ln rise_t = ln rise + g (1 - drag * friction)+ dt: China's role grows slowly, slower with friction."""
    return log_rise + security_growth * np.maximum(1.0 - friction_drag * friction, 0.0) * dt


def step_toward(value, target, rate, dt):
    """Partial adjustment: x + min(r dt, 1) (x* - x), rate r per year; never overshoots the target."""
    return value + np.minimum(rate * dt, 1.0) * (target - value)


def tie_target(base_ties, capacity, base_capacity, offer):
    """Security ties follow capacity: clip(tie0 * cap / cap0 + offer, 0, 1)."""
    return clamp(base_ties * capacity / base_capacity + offer, 0.0, 1.0)


def shares_and_presence(x):
    """(x / sum(x) along the power axis, 0 where the total is 0; whether the total is positive)."""
    total = sum_last(x)
    present = total > 0
    return x / np.where(present, total, np.inf)[..., None], present


def alignment_utility(trade_share, fdi_share, security, threat, sentiment, debt_share, debt_to_gdp,
                      distress, history, beta):
    """U_ij for one state's row or all states (power axis last).

    U = b_trade trade share + b_fdi FDI share + b_sec tie (0.5 + threat) + b_sent sentiment
        - b_dep debt share * debt/GDP + b_lev leverage * distress * debt share + b_hist history

    `beta` maps names to per-run arrays shaped to broadcast against the power axis.
    threat, debt_to_gdp, distress: shaped to broadcast too (a trailing axis of 1).
    """
    return (beta["trade"] * trade_share + beta["fdi"] * fdi_share
            + beta["security"] * security * (0.5 + threat) + beta["sentiment"] * sentiment
            - beta["dependence"] * debt_share * debt_to_gdp
            + beta["leverage"] * distress * debt_share + times(beta["history"], history))


def softmax(utility, temperature):
    """softmax(U / T) along the last axis, stable. temperature broadcasts against utility."""
    z = utility / temperature
    e = np.exp(z - max_last(z)[..., None])
    return e / sum_last(e)[..., None]


def step_alignment(alignment, preferred, keep):
    """a_t = keep a + (1 - keep) softmax(U / T), keep = inertia^dt: a convex mix, so rows stay on the simplex."""
    return keep * alignment + (1.0 - keep) * preferred


def remittance_sentiment(gain, remittance_ratio, base_ratio):
    """Shift of the sentiment target towards the power migrants work in: g_R (Rem_ij / Y_i - Rem0_ij / Y0_i).

    Families who live on transfers from Russia feel its economy (Tajikistan ~48%, Kyrgyzstan ~19% of GDP:
    tj_remittances_gdp, kg_remittances_gdp). gain (R, 1) or (R,); ratios broadcast.
    """
    return gain * (remittance_ratio - base_ratio)
