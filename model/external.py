"""The region's external accounts: Russia's economy, remittances, re-exports, exchange rates, financing.

Pure functions over arrays with the run axis first (run R, state S, power P). Each docstring gives the
equation, its reason and the sources; the sizing arithmetic from the data is in docs/ODD.md, section 8.

Time enters only as years since the base year (`years`) and through base-year quantities, so the same
functions serve a run that starts in any year.
"""
from __future__ import annotations

import numpy as np

from .arrays import times


# ---- Russia's economy (mechanism 1) ----------------------------------------------------------------------
def russia_income_shock(log_oil, sanctions, war, oil_elasticity, sanction_drag, war_stimulus, base_sanctions,
                        base_war):
    """Deviation of Russia's USD income from its trend: ln w~ = phi_R ln(p_oil/p0) - c_s (s - s0) + c_w (war - war0).

    Russia's GDP in USD moves with oil, sanctions and war spending (`rus_gdp_usd_wdi2026`: -41% 2013-15 with
    Brent -52% and the first sanctions; +25% in 2022 with Brent +42% and war demand). Zero at the base year. All arguments (R,); sanctions and war are Russia's own intensities.
    """
    return (oil_elasticity * log_oil - sanction_drag * (sanctions - base_sanctions)
            + war_stimulus * (war - base_war))


# ---- remittances (mechanism 1) ----------------------------------------------------------------------------
def remittances(base, russia_share, log_trend, russia_shock, elasticity, migration):
    """Remittance inflows by state (USD bn per year), in total and from Russia.

    Rem_i = Rem0_i e^{g t} [ sigma_i e^{eps ln w~} m_i + (1 - sigma_i) ]

    Remittances grow on their own trend g (migrant numbers and wages: 3-9% a year in USD 2013-2024, the
    `*_remit_usd_wdi` series); the part from Russia answers deviations of Russia's USD income from its trend
    w~ with the elasticity eps (remittances to Tajikistan, Kyrgyzstan and Uzbekistan fell to 0.50-0.74 of
    their 2013 level as Russia's USD income fell 41%: `remit_shock_2013_2016_ratios`); m_i is the
    migration-policy factor (1 at base).

    Args:
        base: (S,) base-year inflows Rem0. russia_share: (S,) sigma. log_trend g t, russia_shock, elasticity: (R,).
        migration: (R, S).
    Returns:
        (R, S) total inflows and (R, S) the part from Russia.
    """
    trend = remittance_trend(base, log_trend)
    from_russia = times(np.exp(elasticity * russia_shock)[:, None], russia_share) * migration
    from_russia *= trend
    return trend * (1.0 - russia_share) + from_russia, from_russia


def remittance_trend(base, log_trend):
    """Remittances on their no-shock path: Rem0_i e^{g t}. base (S,), log_trend (R,) -> (R, S)."""
    return times(np.exp(log_trend)[:, None], base)


# ---- sanctions and re-exports (mechanism 2) --------------------------------------------------------------
def reexports(intensity, sanctions, secondary_risk, gdp):
    """Re-exports to a sanctioned Russia (USD bn per year): RE_i = xi_i s_RUS (1 - rho) Y_i.

    Goods from China and the EU, bought by the state and shipped on to Russia. They rise with sanctions on
    Russia and fall with the risk of secondary sanctions rho. xi_i per state from the 2022 jump in exports
    to Russia (Kyrgyzstan 0.39 -> 1.07 bn, `kgz_rus_exports_nat`; Kazakhstan +1.8 bn and Uzbekistan
    +0.9 bn, `reexport_wsj_eu_us_2022`).

    Args: intensity xi (R, S); sanctions, secondary_risk (R,); gdp (R, S).
    """
    return reexport_share(intensity, sanctions, secondary_risk) * gdp


def reexport_share(intensity, sanctions, secondary_risk):
    """Re-exports as a share of GDP: r_i = xi_i s_RUS (1 - rho), in [0, 1] for valid parameters (`reexports`)."""
    return intensity * (sanctions * (1.0 - secondary_risk))[:, None]


def china_customs_trade(national, mirror_ratio, transit):
    """Trade with China on China's customs (GAC) basis: GAC_i = m_i national_i + transit_i.

    m_i is the mirror ratio without re-exports (Kyrgyzstan 2013-2020: 3.66 on average, `kgz_chn_trade_gac`
    over `kgz_chn_trade_dots`); transit_i the goods China books as exports to the state that travel on to
    Russia without entering its national statistics (transit_i = gamma_i RE_i, gamma_i from the base year).
    national (..., S), mirror_ratio (S,), transit (..., S). Summed over states by the caller.
    """
    return national * mirror_ratio + transit


# ---- exchange rates (mechanism 7) ------------------------------------------------------------------------
def external_income_index(commodity_share, price_index, remittance_weight, remittance_ratio):
    """The state's external-income index Q_i (1 at base):

    Q_i = (1 - omega_i) (1 + c_i (P_i - 1)) + omega_i Rem_i / Rem_i^trend

    omega_i = Rem0 / (exports0 + Rem0): remittances' weight in what the state earns abroad; c_i the
    commodity share of exports; P_i its export price index. commodity_share, remittance_weight (S,);
    price_index, remittance_ratio (R, S).
    """
    exports = 1.0 + commodity_share * (price_index - 1.0)
    return (1.0 - remittance_weight) * exports + remittance_weight * remittance_ratio


def step_log_exchange_rate(log_rer, log_income_index, elasticity, offset, rate, dt):
    """Real exchange rate, partial adjustment in logs: ln RER += min(r dt, 1) (phi_i ln Q_i + d_i - ln RER).

    Commodity and remittance economies' currencies follow their external income (2014-16: Kazakhstan's USD
    GDP -38% with Brent -60% and the tenge's float; Tajikistan's -23% as its remittances halved:
    kz_usd_gdp_bust_2013_2016, fx_depreciation_2014_2016, remit_shock_2013_2016_ratios). d_i shifts the
    target by policy devaluations (Uzbekistan 2017), 0 otherwise. log_rer, log_income_index, offset (R, S);
    elasticity phi (R, S); rate r per year (R, 1).
    """
    return log_rer + np.minimum(rate * dt, 1.0) * (elasticity * log_income_index + offset - log_rer)


# ---- external financing (mechanism 5) --------------------------------------------------------------------
def other_financing_ratio(exports, remittances, fdi, lending, import_demand, gdp):
    """Base-year residual o_i that closes the external account: o_i = (M0 - X0 - Rem0 - F0 - L0) / Y0.

    Services, other capital, income payments and reserves, as a share of GDP (negative where the state
    runs a surplus on these). All (S,) at the base year.
    """
    return (import_demand - exports - remittances - fdi - lending) / gdp


def import_coverage(exports, remittances, fdi, lending, other_ratio, gdp, import_demand):
    """c_i = (X_i + Rem_i + F_i + L_i + o_i Y_i) / M^d_i: how much of its import demand a state can pay for.

    1 at the base year by construction of o_i (`other_financing_ratio`). All (R, S).
    """
    return (exports + remittances + fdi + lending + other_ratio * gdp) / import_demand


COVERAGE_FLOOR = 0.01  # numerical guard, not a mechanism: c_i can fall to or below 0 (o_i < 0 in a deep bust)


def import_compression(coverage, compression):
    """Factor on every partner's imports: min(1, max(c_i, 0.01))^lambda (1 when the state can pay for what it wants).

    The floor keeps the power defined when a deep commodity bust drives the financing c_i to zero or below (a
    negative residual o_i outweighs what is left of exports and inflows): imports are then compressed to
    0.01^lambda of demand instead of becoming NaN. coverage (R, S), compression lambda: (R,) or, once the
    reserves are drawn (`financed_compression`), (R, S).
    """
    compression = compression[:, None] if np.ndim(compression) == 1 else compression
    return np.exp(compression * np.log(np.clip(coverage, COVERAGE_FLOOR, 1.0)))


def financed_compression(compression, drawn, limit):
    """Compression exponent once reserves pay for part of the gap: lambda_i = lambda + (1 - lambda) min(B_i / Bmax_i, 1).

    A state short of financing cuts its imports at once only in part (lambda < 1: Kazakhstan 2015, exports -42%,
    imports -25%) and pays for the rest from its reserves; the reserves it has drawn, B_i, are a stock with a
    limit Bmax_i (`reserve_buffer`), and as they run out the exponent rises to 1, where imports equal what the
    state can finance (c_i M^d_i): no state imports more than it can pay for for ever (import_financing_ratio).
    A state without usable reserves (Bmax_i = 0) has used them all. compression (R,); drawn, limit (R, S). Returns (R, S).
    """
    # min(B, Bmax) / Bmax is min(B / Bmax, 1) for B >= 0, and cannot overflow when Bmax is tiny
    used = np.divide(np.minimum(drawn, limit), limit, out=np.ones_like(drawn), where=limit > 0)
    return compression[:, None] + (1.0 - compression[:, None]) * used


def reserve_buffer(reserves_to_gdp, usable_share, gdp):
    """Bmax_i = u r_i Y_i (USD bn): the reserves a state will spend on imports it cannot otherwise finance.

    r_i = reserves over GDP (`*_reserves_usd_wdi` over `*_gdp_usd_wdi2026`, in the base year: `base_params`
    for an earlier one); u the share a state lets go
    before it cuts imports to what it earns: the largest falls of 2013-2015 were 21% (Kyrgyzstan), 26% (Tajikistan)
    and 28% (Russia) of reserves (`*_reserves_usd_wdi`). reserves_to_gdp (R, S); usable_share (R,); gdp (R, S).
    """
    return usable_share[:, None] * reserves_to_gdp * gdp


def step_reserves_drawn(drawn, imports, financing, dt):
    """dB_i = (M_i - c_i M^d_i) dt, floored at 0: imports beyond what the state earns draw reserves, a surplus rebuilds them.

    drawn B, imports M (total, after compression), financing c M^d: all (R, S), USD bn (per year for the flows).
    """
    return np.maximum(drawn + (imports - financing) * dt, 0.0)
