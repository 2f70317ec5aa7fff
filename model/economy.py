"""Economics: commodity prices, FDI and lending, gravity trade, growth, debt.

Pure functions over arrays with the run axis first. Axes: run R, state S,
power P, commodity K. A function called by an agent on its slice gets the
same maths with the sliced axes (broadcasting does the rest).
"""
from __future__ import annotations

import numpy as np

from .arrays import times


def step_commodity_prices(log_prices, persistence, volatility, dt, shocks):
    """AR(1) in log prices around the base-year level (index 1).

    ln p_t = rho^dt * ln p_{t-1} + sigma * sqrt(dt) * z,   z ~ N(0, 1) per commodity.

    Args:
        log_prices: (R, K). persistence, volatility: (R,) annual. dt: years. shocks: (R, K) standard normals.
    Returns:
        (R, K) new log prices.
    """
    rho = persistence ** dt
    return rho[:, None] * log_prices + (volatility * np.sqrt(dt))[:, None] * shocks


def commodity_index(prices, commodity_mix):
    """Each state's export price index: sum_k mix_sk * p_k. prices (R, K), mix (S, K) -> (R, S), runs fastest."""
    index = times(prices[:, :1], commodity_mix[:, 0])
    for k in range(1, commodity_mix.shape[1]):
        index += times(prices[:, k:k + 1], commodity_mix[:, k])
    return index


def fdi_shiptime_exponent(gain_per_10pct):
    """epsilon such that a 10% cut in shipment time gives (1 + gain) times the FDI: ln(1+g) / ln(1/0.9)."""
    return np.log1p(gain_per_10pct) / np.log(1.0 / 0.9)


def shiptime_factor(market_time, base_market_time, exponent):
    """Level response of FDI to shipment time: (T / T0)^(-eps), eps = `fdi_shiptime_exponent(g)`.

    A 10% cut in T gives exactly (1 + g) times the FDI (the project card: g = 0.12).
    Source: project card; elast_fdi_bri_travel_time_aggregate for the literature range.
    """
    return np.exp(-exponent * np.log(market_time / base_market_time))


def investment_flow(base_flow, scale, protest_factor, commodity_effect=None):
    """FDI or lending from one power to each state (USD bn per year).

    F_ij = F0_ij * [budget_j * (T_j/T0_j)^(-eps)] * commodity effect_ij * (1 - cut * delayed_ij)

    Args:
        base_flow: (S,) base-year flows from the power. scale: (R,) budget relative to 2024 times the
        shipment-time factor. protest_factor: (R, S) from `protest_factor`. commodity_effect: (R, S) or None.
    """
    level = times(scale[:, None], base_flow)
    if commodity_effect is not None:
        level = level * commodity_effect
    return level * protest_factor


def protest_factor(delayed, protest_cut):
    """1 - cut * delayed: projects held up by protests lose part of their flow. delayed (R, S) bool, cut (R,)."""
    return 1.0 - protest_cut[:, None] * delayed


def commodity_fdi_effect(price_index, extractive_share, elasticity):
    """Extractive FDI follows commodity prices: 1 + e * x_j * (P_i - 1), floored at 0.

    price_index (R, S); extractive_share scalar (the power's energy + mining weight); elasticity (R,).
    """
    return np.maximum(1.0 + (elasticity[:, None] * extractive_share) * (price_index - 1.0), 0.0)


def trade_cost(sanctions, sanction_cost, eaeu_member, eaeu_cut, customs_union):
    """Ad-valorem trade cost tau_ij = 1 + sanction_cost * sanctions_j - eaeu_cut * member_i * [j customs union].

    sanctions (R, P); sanction_cost, eaeu_cut (R,); eaeu_member (R, S); customs_union (P,) bool. Returns (R, S, P).
    Sources: kz_memberships, kg_memberships (EAEU).
    """
    tau = 1.0 + sanction_cost[:, None, None] * sanctions[:, None, :]
    discount = times(eaeu_cut[:, None, None] * eaeu_member[:, :, None], customs_union[None, None, :])
    return np.maximum(tau - discount, 0.05)


def trade_resistance(cost_ratio, cost_elasticity):
    """The trade-cost factor of gravity trade: (tau / tau0)^(-theta). cost_ratio (R, ...), theta (R,)."""
    theta = np.reshape(cost_elasticity, np.shape(cost_elasticity) + (1,) * (np.ndim(cost_ratio) - 1))
    return np.exp(-theta * np.log(cost_ratio))


def gravity_trade(base_exports, base_imports, gdp_ratio, log_demand_ratio, resistance, time_ratio,
                  gdp_elasticity, time_elasticity, price_index, commodity_share, fdi_stock_ratio, fdi_link):
    """Gravity trade in ratio form, calibrated to reproduce base-year trade (K_ij from data).

    X_ij = X0_ij (Y_i/Y0_i)^a (D_j/D0_j)^a (tau/tau0)^(-theta) (T_j/T0_j)^(-eta) (1 + c_i (P_i - 1))
    M_ij = M0_ij (Y_i/Y0_i)^a (D_j/D0_j)^a (tau/tau0)^(-theta) (T_j/T0_j)^(-eta) (K_ij/K0_ij)^link

    The state and power factors are computed on their own axes and multiplied out once.

    Args:
        base_exports, base_imports: (S, P) USD bn. gdp_ratio (R, S); log_demand_ratio ln(D_j/D0_j) (R, P);
        resistance (tau/tau0)^(-theta) (R, S, P) from `trade_resistance`; time_ratio (R, P);
        elasticities (R,); price_index (R, S); commodity_share (S,); fdi_stock_ratio (R, S, P); fdi_link (R,).
    Returns:
        exports, imports: (R, S, P) USD bn per year.
    """
    a = gdp_elasticity[:, None]
    state_factor = np.exp(a * np.log(gdp_ratio))                                                      # (R, S)
    power_factor = np.exp(a * log_demand_ratio - time_elasticity[:, None] * np.log(time_ratio))     # (R, P)
    common = times(state_factor[:, :, None], power_factor[:, None, :])
    common *= resistance
    export_price = np.maximum(1.0 + commodity_share * (price_index - 1.0), 0.0)
    exports = times(export_price[:, :, None], base_exports)
    exports *= common
    fdi_factor = np.log(np.maximum(fdi_stock_ratio, 1e-9))
    fdi_factor *= fdi_link[:, None, None]
    np.exp(fdi_factor, out=fdi_factor)
    imports = common * base_imports
    imports *= fdi_factor
    return exports, imports


def local_multiplier(multiplier, labour_leakage, imported_labour, extractive_share, local_processing,
                     value_retained):
    """Effective local multiplier of a power's investment in a state.

    m_ij = m * max(1 - leak * labour_j, 0) * (1 - x_j * (1 - lp_i) * (1 - retained))

    Imported labour and processing abroad both lose local value added (sources: BRI labour,
    raw exports). Arguments broadcast: the caller shapes them, e.g. (R, 1) against (R, P).
    """
    return (labour_retention(multiplier, labour_leakage, imported_labour)
            * processing_retention(extractive_share, local_processing, value_retained))


def labour_retention(multiplier, labour_leakage, imported_labour):
    """The labour part of the local multiplier: m * max(1 - leak * labour_j, 0)."""
    return multiplier * np.maximum(1.0 - labour_leakage * imported_labour, 0.0)


def processing_retention(extractive_share, local_processing, value_retained):
    """The processing part of the local multiplier: 1 - x_j * (1 - lp_i) * (1 - retained)."""
    return 1.0 - times(extractive_share, 1.0 - local_processing) * (1.0 - value_retained)


def gdp_growth_rate(base_growth, growth_offset, investment_effect, distress, distress_drag):
    """Annual log growth: g_i = g0_i - offset_i + sum_j m_ij I_ij / Y_i - drag * distress_i.

    The offset is the base-year investment term at default parameters, so at defaults
    GDP grows at g0 while a change in investment, labour or processing moves it.
    """
    return base_growth - growth_offset + investment_effect - distress_drag * distress


def step_gdp(gdp, growth_rate, dt, commodity_elasticity, commodity_share, log_price_change):
    """Y_t = Y_{t-1} * exp(g dt + e * c_i * d ln P_i)."""
    return gdp * np.exp(growth_rate * dt + commodity_elasticity * commodity_share * log_price_change)


def step_debt(debt, lending, amortisation, dt):
    """dD = (L - amortisation * D) dt, floored at 0. Works for (R, ...) debt and matching lending."""
    return np.maximum(debt + (lending - amortisation * debt) * dt, 0.0)


def debt_distress(debt_to_gdp, threshold, width):
    """Distress in [0, 1]: logistic((debt/GDP - threshold) / width)."""
    return 1.0 / (1.0 + np.exp(-(debt_to_gdp - threshold) / width))


def step_fdi_stock(stock, flow, depreciation, dt):
    """dK = (F - delta K) dt, floored at 0."""
    return np.maximum(stock + (flow - depreciation * stock) * dt, 0.0)
