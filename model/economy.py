"""Economics: commodity prices, FDI and lending, tariffs and gravity trade, capital and output, debt.

Pure functions over arrays with the run axis first. Axes: run R, state S,
power P, commodity K. A function called by an agent on its slice gets the
same maths with the sliced axes (broadcasting does the rest).
"""
from __future__ import annotations

import numpy as np

from .arrays import sum_axis1, sum_last, times


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


def export_price_factor(prices, export_weights):
    """F_ij = max(1 + sum_k w_ijk (p_k - 1), 0): what commodity prices do to the value of state i's exports to power j.

    w_ijk is commodity k's share of the flow's base-year value (`Actors.export_commodity_weights`): the state's
    whole basket c_i mix_ik unless the data give the flow its own (Uzbek exports to China hold no gold:
    uzb_chn_gas_exports_usd_gac, uzb_chn_exports_nso), so that F_ij = 1 + c_i (P_i - 1) for a flow priced like its
    state. prices (R, K) relative to the base year; export_weights (S, P, K) -> (R, S, P), runs fastest.
    """
    factor = times(prices[:, :1, None] - 1.0, export_weights[:, :, 0])
    for k in range(1, export_weights.shape[2]):
        factor += times(prices[:, k:k + 1, None] - 1.0, export_weights[:, :, k])
    factor += 1.0
    return np.maximum(factor, 0.0, out=factor)


def fdi_shiptime_exponent(gain_per_10pct):
    """epsilon such that a 10% cut in shipment time gives (1 + gain) times the FDI: ln(1+g) / ln(1/0.9)."""
    return np.log1p(gain_per_10pct) / np.log(1.0 / 0.9)


def shiptime_factor(log_time_ratio, exponent):
    """Level response of FDI to shipment time: (T / T0)^(-eps) = e^{-eps ln(T / T0)}, eps = `fdi_shiptime_exponent(g)`.

    A 10% cut in T gives exactly (1 + g) times the FDI (the project card: g = 0.12), for every state and power.
    log_time_ratio ln(T/T0) (R, S, P); exponent (R,). Source: project card; elast_fdi_bri_travel_time_aggregate
    for the literature range.
    """
    return np.exp(-exponent[:, None, None] * log_time_ratio)


def protest_factor(delayed, protest_cut):
    """1 - cut * delayed: projects held up by protests lose part of their flow. delayed (R, S) bool, cut (R,)."""
    return 1.0 - protest_cut[:, None] * delayed


def commodity_fdi_effect(price_index, extractive_share, elasticity):
    """Extractive FDI follows commodity prices: 1 + e * x_j * (P_i - 1), floored at 0.

    price_index (R, S); extractive_share scalar (the power's energy + mining weight); elasticity (R,).
    """
    return np.maximum(1.0 + (elasticity[:, None] * extractive_share) * (price_index - 1.0), 0.0)


def trade_resistance(cost_ratio, cost_elasticity):
    """The trade-cost factor of gravity trade: (tau / tau0)^(-theta). cost_ratio (R, ...), theta (R,)."""
    theta = np.reshape(cost_elasticity, np.shape(cost_elasticity) + (1,) * (np.ndim(cost_ratio) - 1))
    return np.exp(-theta * np.log(cost_ratio))


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


def step_debt(debt, lending, amortisation, dt):
    """dD = (L - amortisation * D) dt, floored at 0. Works for (R, ...) debt and matching lending."""
    return np.maximum(debt + (lending - amortisation * debt) * dt, 0.0)


def debt_distress(debt_to_gdp, threshold, width):
    """Distress in [0, 1]: logistic((debt/GDP - threshold) / width)."""
    return 1.0 / (1.0 + np.exp(-(debt_to_gdp - threshold) / width))


# ---- fading trends (mechanism 5) ---------------------------------------------------------------------
def fading_log_trend(years, initial, longrun, fade_years, faded=None):
    """Log of a trend index whose growth fades from g0 to g_inf: g(t) = g_inf + (g0 - g_inf) e^{-t/tau}.

    ln D(t) = g_inf t + (g0 - g_inf) tau (1 - e^{-t/tau})

    A growth rate fitted to one recent year does not run for fifteen. years: scalar (years since the base
    year); initial g0, longrun g_inf: (R, P); fade_years tau: (R,). `faded`, tau (1 - e^{-t/tau}) (R,), may be
    passed when several trends share tau.
    """
    if faded is None:
        faded = fade_years * (1.0 - np.exp(-years / fade_years))
    return longrun * years + (initial - longrun) * faded[:, None]


# ---- tariffs and trade costs (mechanisms 2 and 3) -----------------------------------------------------
def import_tariffs(member, free_trade, in_union, external_tariff, mfn):
    """Ad-valorem tariff on state i's imports from power j.

    t^M_ij = member_i [j outside the union] CET + (1 - member_i) (1 - fta_i [j in the union]) MFN_i

    Members of the customs union pay nothing inside it and its common external tariff (CET) outside;
    others apply their own MFN rate to everybody, except union goods under the CIS free-trade area.
    member (R, S); free_trade (S,) 0/1; in_union (P,) bool; external_tariff (R,); mfn (R, S). Returns (R, S, P).
    Sources: rus_tariff_mfn_simple_wdi, eaeu_cet_average, kg_tariff_eaeu_accession, *_tariff_mfn_simple_wdi, uzb_tariff_avg_national.
    """
    outside = ~in_union
    members = times((member * external_tariff[:, None])[:, :, None], outside[None, None, :])
    own = (1.0 - member) * mfn                                                          # (R, S)
    exempt = 1.0 - np.multiply.outer(free_trade, in_union)                              # (S, P)
    return members + own[:, :, None] * exempt


def export_tariffs(member, free_trade, in_union, external_tariff):
    """Tariff the union charges on state i's exports to it: t^X_ij = [j in the union] (1 - member_i)(1 - fta_i) CET.

    Other powers' tariffs on the region's exports do not change in any scenario, so they cancel in the
    ratio-to-base gravity and are left at 0. member (R, S); free_trade (S,); in_union (P,); CET (R,).
    """
    outsider = (1.0 - member) * (1.0 - free_trade) * external_tariff[:, None]          # (R, S)
    return times(outsider[:, :, None], in_union[None, None, :].astype(float))


def tariff_trade_cost(tariffs, sanctions, sanction_cost, secondary_risk, member, union_cut, in_union):
    """tau_ij = 1 + t_ij + c_s rho s_j - cut member_i [j in the union], floored at 0.05.

    Western sanctions on power j raise the region's cost of trading with it only through the risk rho of
    secondary sanctions (the region does not apply them); the union's non-tariff cut (no customs border,
    `eaeu_trade_cost_cut` times Russia's offer) lowers members' costs with it.
    tariffs (R, S, P); sanctions (R, P); sanction_cost, secondary_risk, union_cut (R,); member (R, S).
    """
    risk = (sanction_cost * secondary_risk)[:, None] * sanctions                         # (R, P)
    cut = times((union_cut[:, None] * member)[:, :, None], in_union[None, None, :].astype(float))
    return np.maximum(1.0 + tariffs + risk[:, None, :] - cut, 0.05)


def export_volume_factor(pipeline_share, pipeline_volume, gravity):
    """Volume of exports relative to the base year: pi_ij V + (1 - pi_ij) G_ij.

    Exports by pipeline (Turkmen gas to China, Kazakh oil through the CPC: kz_oil_cpc_share, tm_gas_to_china)
    move with the pipes' throughput V = e^{g_pipe t}, not with incomes or rail and sea days: Turkmen gas to China
    stayed at 29-34 bcm a year in 2016-2023 (tkm_chn_gas_exports_bcm) while China's imports grew. G_ij is the
    gravity part (Y_i/Y0_i)^a D_j^a (T_ij/T0_ij)^(-eta). pipeline_share (S, P); pipeline_volume V (R,);
    gravity (R, S, P), updated in place and returned.
    """
    gravity *= 1.0 - pipeline_share
    gravity += times(pipeline_volume[:, None, None], pipeline_share)
    return gravity


# ---- stock-flow consistency (mechanism 8) --------------------------------------------------------------
def repatriation_rate(base_flow, base_stock, depreciation, growth, dt):
    """Outflow rate that puts a base-year FDI stock at rest on its trend.

    r = max(F0/K0 q - (q - 1)/dt - delta, 0), q = e^{g dt}: the stock grows at the flow's rate g when it is
    updated each step by `step_stock` with this step's flow (r -> F0/K0 - delta - g as dt -> 0). Gross
    inflows include intercompany loans that are repaid and profits taken home; without r China's 2024
    stock (14) would head for flow / depreciation (89) and jump in every run.
    """
    q = np.exp(growth * dt)
    ratio = np.divide(base_flow, base_stock, out=np.zeros_like(base_flow, dtype=float), where=base_stock > 0)
    return np.maximum(ratio * q - (q - 1.0) / dt - depreciation, 0.0)


# ---- capital and output (mechanism 6) ------------------------------------------------------------------
def domestic_investment_rate(base_growth, depreciation, capital_output, foreign_investment_ratio, dt):
    """Domestic investment over base-year GDP that keeps capital on the base growth path at rest.

    s_i = max(kappa ((q - 1)/dt + delta_K) - q f_i, 0), q = e^{g0_i dt}, f_i = sum_j m_ij (F0_ij + L0_ij) / Y0_i:
    the step's domestic investment follows last step's output and its foreign investment this step's flows
    (s -> (g0 + delta_K) kappa - f as dt -> 0). Gross investment is not negative: where the base path
    would need capital to shrink faster than it wears out (g0 < -delta_K) or foreign investment alone
    exceeds what keeps capital on it, s_i = 0 and capital stays above its base path (it then never
    reaches 0: `step_stock` with rate delta_K dt < 1). Negative investment tied to output would run the
    stock to 0 while output, with its small capital share, barely fell.
    """
    q = np.exp(base_growth * dt)
    return np.maximum(capital_output * ((q - 1.0) / dt + depreciation) - q * foreign_investment_ratio, 0.0)


def step_stock(stock, inflow, outflow_rate, dt):
    """dK = (I - rate K) dt, floored at 0: capital, FDI stocks (rate = delta + r)."""
    return np.maximum(stock + (inflow - outflow_rate * stock) * dt, 0.0)


def log_real_output(years, base_growth, capital_share, log_capital_ratio, log_productivity):
    """ln y_i = (1 - alpha) g0_i t + alpha ln(K_i / K0_i) + ln A_i.

    Cobb-Douglas output relative to the base year: labour-augmenting progress at the base growth, so that
    capital growing at g0 gives y = e^{g0 t}. A permanent rise in investment raises the level of output by a
    bounded amount (alpha times the rise in the steady-state capital stock), not its growth rate.
    Arrays broadcast against each other (a state's (R,) slice, or (R, S) with alpha as (R, 1)).
    """
    return (1.0 - capital_share) * base_growth * years + capital_share * log_capital_ratio + log_productivity


def step_log_productivity(log_productivity, distress, base_distress, distress_drag, dt):
    """ln A -= drag (D - D0) dt: output lost while a state is in more debt distress than in the base year.

    A level loss that stays; measured from the base-year distress D0 so that the base year is a rest point.
    """
    return log_productivity - distress_drag * (distress - base_distress) * dt


def log_value_of_output(log_exchange_rate, commodity_elasticity, commodity_share, log_price_index):
    """ln v_i = ln RER_i + e c_i ln P_i (R, S): the USD value of a unit of real output relative to the base year;
    the real exchange rate and the export price index lift or cut what the state's output is worth in dollars."""
    value = times(commodity_elasticity[:, None], commodity_share)   # run axis fastest, like the state
    value *= log_price_index
    value += log_exchange_rate
    return value


def spending_factor(remittance_ratio, remittance_gdp_ratio, remittance_share, reexport_share, base_reexport_share,
                    reexport_margin):
    """Factor on USD GDP from spending, not production (R, S):

    F_i = (1 + mu_R omega_i (Rem_i / Rem_i^trend - 1)) e^{m_RE (r_i - r0_i)}

    The part mu_R of remittances above or below their trend spent on domestic output, omega_i = Rem0_i / Y0_i
    their base-year share of GDP; and the margin m_RE earned on re-exports r_i = RE_i / Y_i above their base-year
    share r0_i. To first order Y F = Y + mu_R (Rem - Rem^trend) + m_RE (RE - RE0) at base-year proportions; as a
    factor F > 0 for any valid parameters: Rem_i >= 0 gives the first factor >= 1 - mu_R omega_i > 0 (mu_R <= 1,
    remittances below GDP, `model.actors`), and the second lies in [e^-1, e] (m_RE, r_i in [0, 1]). Added in
    USD, a remittance gap on the trend's scale could exceed the output of an economy whose currency had fallen.
    remittance_ratio (R, S); remittance_gdp_ratio, base_reexport_share (S,); reexport_share (R, S); mu_R, m_RE (R,).
    """
    factor = 1.0 + times(remittance_share[:, None] * (remittance_ratio - 1.0), remittance_gdp_ratio)
    factor *= np.exp(reexport_margin[:, None] * (reexport_share - base_reexport_share))
    return factor


def usd_gdp(base_gdp, output, value, spending):
    """GDP in USD: Y_i = Y0_i y_i v_i F_i, a product of positive factors: real output y = e^{ln y} at its USD
    value v = e^{ln v} (`log_value_of_output`), times the spending factor F (`spending_factor`). Arrays broadcast."""
    return base_gdp * output * value * spending


# ---- lending and allocation (mechanisms 9 and 10) -------------------------------------------------------
def creditor_caution(caution, distress, base_distress):
    """Lenders pull back from distressed borrowers: (1 - c D_i) / (1 - c D0_i), 1 at the base year.

    China's lending to the region contracted after 2019 as borrowers' debt burdens rose (china_dev_finance_ca).
    caution (R,); distress (R, S); base_distress (S,).
    """
    c = caution[:, None]
    return (1.0 - c * distress) / (1.0 - c * base_distress)


def attractiveness_gap(output_gap, distress_gap, delayed, alignment_gap, risk_weight, welcome_weight):
    """Change since the base year of a state's attractiveness to power j:

    V_ij - V0_ij = ln(Y_i / Y_i^trend) - w_R (D_i - D0_i + delayed_ij) + w_A (a_ij - a0_ij)

    Expected return (the state's USD GDP against its base trend), risk (debt distress, projects held up by
    protests) and welcome (the state's alignment towards j). output_gap, distress_gap (R, S); delayed (R, S, P)
    bool; alignment_gap (R, S, P); weights (R,).
    """
    state_part = output_gap - risk_weight[:, None] * distress_gap                          # (R, S)
    pair_part = welcome_weight[:, None, None] * alignment_gap - risk_weight[:, None, None] * delayed
    return state_part[:, :, None] + pair_part


def allocation_weight(gap, sensitivity):
    """e^{lambda dV_ij}: the logit weight of a state in power j's budget, relative to the base year (R, S, P)."""
    return np.exp(sensitivity[:, None, None] * gap)


def allocation_ratio(base_split, weight):
    """How a power's budget moves between states: a_ij / a0_ij = e^{lambda dV_ij} / sum_k a0_kj e^{lambda dV_kj}.

    A multinomial-logit split around the base-year split a0 (1 everywhere at the base year): the budget
    goes to states whose attractiveness rises, and what one state loses the others gain.
    base_split (S,) or (S, P) with columns summing to 1; weight (R, S) or (R, S, P) from `allocation_weight`.
    """
    return weight / sum_axis1(weight * base_split)[:, None]


def gravity_flows(base_exports, base_imports, output_ratio, absorption_ratio, log_demand, log_supply,
                  export_resistance, import_resistance, log_time_ratio, pipeline_share, pipeline_volume, gdp_elasticity,
                  time_elasticity, export_prices, fdi_stock_ratio, fdi_link):
    """Gravity exports and import demand in ratio-to-base form, with state-specific times (mechanisms 3-5).

    X_ij  = X0_ij (tau^X/tau^X0)^(-theta) [pi_ij V + (1 - pi_ij) (Y_i/Y0_i)^a D_j^a (T_ij/T0_ij)^(-eta)] F_ij
    M^d_ij = M0_ij (A_i/A0_i)^a S_j^a (tau^M/tau^M0)^(-theta) (T_ij/T0_ij)^(-eta) (K_ij/K0_ij)^link

    D_j is the power's import demand (Russia's moves with its income shocks), S_j its supplying economy on
    its trend; both relative to world income. Import demand follows absorption A = Y + remittances;
    pipeline exports (pi) move with the pipes' throughput V, not with incomes or days (`export_volume_factor`);
    F_ij is the flow's commodity-price factor (`export_price_factor`).
    X0, M0 exclude re-exports (added by the caller). log_demand, log_supply (R, P); resistances (R, S, P) from
    `trade_resistance`; log_time_ratio ln(T/T0) (R, S, P); pipeline_share (S, P); pipeline_volume V (R,);
    export_prices F (R, S, P).
    """
    a = gdp_elasticity[:, None]
    export_state = np.exp(a * np.log(output_ratio))                                               # (R, S)
    import_state = np.exp(a * np.log(absorption_ratio))                                           # (R, S)
    demand = np.exp(a * log_demand)                                                               # (R, P)
    supply = np.exp(a * log_supply)                                                               # (R, P)
    rail = np.exp(-time_elasticity[:, None, None] * log_time_ratio)                               # (R, S, P)
    # products built in place on arrays laid out like the state's (run axis fastest), so no operand is
    # walked against its memory order
    exports = np.multiply(rail, export_state[:, :, None], out=np.empty_like(export_resistance))
    exports *= demand[:, None, :]
    export_volume_factor(pipeline_share, pipeline_volume, exports)
    exports *= export_resistance
    exports *= export_prices
    exports *= base_exports
    imports = np.log(np.maximum(fdi_stock_ratio, 1e-9))
    imports *= fdi_link[:, None, None]
    np.exp(imports, out=imports)
    imports *= import_resistance
    imports *= import_state[:, :, None]
    imports *= supply[:, None, :]
    imports *= rail
    imports *= base_imports
    return exports, imports, rail


def trade_cost_index(import_shares, import_resistance, rail):
    """Phi_i = sum_j s0_ij (tau^M_ij / tau^M0_ij)^(-theta) (T_ij / T0_ij)^(-eta): how much cheaper imports have become.

    s0_ij: base-year import shares. 1 at the base year; 1.088 for a 10% cut in every shipment time (eta = 0.8).
    """
    return sum_last(import_shares * import_resistance * rail)


def log_trade_gain(domestic_share, cost_index, cost_elasticity):
    """Real income gain from cheaper trade (Arkolakis, Costinot and Rodriguez-Clare 2012): ln G_i = (1/theta) ln(lambda0_i + (1 - lambda0_i) Phi_i).

    lambda0_i is the base-year share of spending on home goods; the gain is (lambda'/lambda)^(-1/theta) with
    lambda' the new home share when foreign goods get cheaper by Phi. Only trade costs and times move it, not
    income-driven import growth. domestic_share (S,); cost_index (R, S); theta (R,).
    """
    return np.log(domestic_share + (1.0 - domestic_share) * cost_index) / cost_elasticity[:, None]
