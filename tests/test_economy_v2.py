"""Model v2 maths in economy.py and corridors.py (issue 16) against hand-worked numbers."""
import numpy as np
import pytest

from model import corridors, economy

R1 = np.ones(1)


def test_fading_trend_starts_at_g0_and_ends_at_the_longrun_rate():
    g0, ginf, tau = np.array([[0.067]]), np.array([[0.04]]), R1 * 5.0
    assert economy.fading_log_trend(0.0, g0, ginf, tau)[0, 0] == 0.0
    t = 3.0
    assert economy.fading_log_trend(t, g0, ginf, tau)[0, 0] == pytest.approx(0.04 * 3 + 0.027 * 5 * (1 - np.exp(-0.6)))
    # the growth rate (slope) fades from g0 towards g_inf
    h = 1e-6
    slope = lambda t: (economy.fading_log_trend(t + h, g0, ginf, tau) - economy.fading_log_trend(t, g0, ginf, tau))[0, 0] / h
    assert slope(0.0) == pytest.approx(0.067, abs=1e-6)
    assert slope(5.0) == pytest.approx(0.04 + 0.027 * np.exp(-1), abs=1e-6)
    assert slope(60.0) == pytest.approx(0.04, abs=1e-6)


def test_import_tariffs_inside_and_outside_the_union():
    in_union = np.array([False, True, False, False])          # CHN, RUS, EU, USA
    member = np.array([[1.0, 0.0, 0.0]])                       # KGZ member; UZB in the CIS FTA; TKM outside
    fta = np.array([1.0, 1.0, 0.0])
    t = economy.import_tariffs(member, fta, in_union, R1 * 0.079, np.array([[0.0504, 0.075, 0.05]]))
    np.testing.assert_allclose(t[0], [[0.079, 0.0, 0.079, 0.079],          # member: CET outside, 0 inside
                                      [0.075, 0.0, 0.075, 0.075],          # UZB: MFN, free trade with Russia
                                      [0.05, 0.05, 0.05, 0.05]])           # TKM: MFN on everybody
    joined = economy.import_tariffs(np.array([[1.0, 1.0, 0.0]]), fta, in_union, R1 * 0.079,
                                    np.array([[0.0504, 0.075, 0.05]]))
    assert joined[0, 1, 0] - t[0, 1, 0] == pytest.approx(0.004)             # UZB joins: tariff on China 7.5 -> 7.9%
    tx = economy.export_tariffs(member, fta, in_union, R1 * 0.079)
    np.testing.assert_allclose(tx[0], [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0.079, 0, 0]])


def test_tariff_trade_cost_secondary_risk_and_union_cut():
    tariffs = np.zeros((1, 2, 2))
    tariffs[0, 1, 0] = 0.075
    tau = economy.tariff_trade_cost(tariffs, np.array([[0.0, 0.5]]), R1 * 0.15, R1 * 0.3, np.array([[1.0, 0.0]]),
                                    R1 * 0.08, np.array([False, True]))
    np.testing.assert_allclose(tau[0], [[1.0, 1.0 + 0.15 * 0.3 * 0.5 - 0.08], [1.075, 1.0 + 0.0225]])


def test_export_volume_factor_moves_pipelines_with_throughput_only():
    # the market time halved (eta = 0.8) and income and demand up 10%: gravity G = 1.1 x 2^0.8 = 1.9152;
    # a flow 95% by pipe whose throughput grew 2% moves 0.95 x 1.02 + 0.05 x 1.9152 = 1.0647, a rail flow by G
    gravity = np.full((1, 1, 2), 1.1 * 0.5 ** -0.8)
    f = economy.export_volume_factor(np.array([[0.95, 0.0]]), np.array([1.02]), gravity)
    np.testing.assert_allclose(f, [[[0.95 * 1.02 + 0.05 * 1.1 * 0.5 ** -0.8, 1.1 * 0.5 ** -0.8]]], rtol=1e-12)
    assert f[0, 0, 0] == pytest.approx(1.0647, abs=1e-4)


def test_export_price_factor_prices_each_flow_by_its_own_commodities():
    # metals x1.5, gas x0.8; flow 0 priced like a basket with commodity share 0.5, 90% metals (Uzbekistan's whole
    # exports): 1 + 0.45 * 0.5 + 0.05 * (-0.2) = 1.215, the old 1 + c (P - 1) with P = 0.9 * 1.5 + 0.1 * 0.8 = 1.43;
    # flow 1 with its own shares (Uzbek exports to China: gas 0.23, metals 0.12): 1 + 0.06 - 0.046 = 1.014
    prices = np.array([[1.5, 0.8], [0.0, 0.0]])
    weights = np.array([[[0.45, 0.05], [0.12, 0.23]]])
    f = economy.export_price_factor(prices, weights)
    np.testing.assert_allclose(f[0], [[1.215, 1.014]], rtol=1e-12)
    assert 1.215 == pytest.approx(1 + 0.5 * (economy.commodity_index(prices[:1], np.array([[0.9, 0.1]]))[0, 0] - 1))
    np.testing.assert_allclose(f[1], [[0.5, 1 - 0.35]])                   # prices at 0: what is not priced remains
    np.testing.assert_allclose(economy.export_price_factor(np.array([[0.0, 0.0]]), np.array([[[0.7, 0.3]]])), 0.0,
                               atol=1e-15)                                # all priced: the floor at 0


def test_repatriation_rate_puts_the_base_stock_at_rest():
    q = np.exp(0.04 * 0.25)
    r = economy.repatriation_rate(np.array([1.4, 0.05]), np.array([5.2, 1.0]), 0.05, np.array([0.04, 0.02]), 0.25)
    np.testing.assert_allclose(r, [1.4 / 5.2 * q - (q - 1) / 0.25 - 0.05, 0.0])
    assert r[0] == pytest.approx(1.4 / 5.2 - 0.09, abs=3e-3)               # near the continuous-time rate
    stock = np.array([5.2])
    for n in range(1, 9):                                                   # eight quarters on the trend
        stock = economy.step_stock(stock, np.array([1.4 * q ** n]), 0.05 + r[0], 0.25)
    assert stock[0] == pytest.approx(5.2 * q ** 8, rel=1e-12)


def test_capital_rest_point_and_level_effect():
    g0, delta, kappa, dt = 0.05, 0.05, 2.5, 0.25
    s = economy.domestic_investment_rate(g0, delta, kappa, 0.07, dt)
    assert s == pytest.approx(0.25 - 0.07, abs=1e-3)
    # at rest: domestic investment on last step's output and foreign on this step's keep K on e^{g0 t}
    q, k = np.exp(g0 * dt), np.array([kappa])
    for n in range(1, 9):
        k = economy.step_stock(k, np.array([s * q ** (n - 1) + 0.07 * q ** n]), delta, dt)
    assert k[0] == pytest.approx(kappa * q ** 8, rel=1e-12)
    # output at rest: (1 - a) g0 t + a g0 t = g0 t
    ln_y = economy.log_real_output(2.0, np.array([[g0]]), R1 * 0.4, np.array([[g0 * 2.0]]), np.zeros((1, 1)))
    assert ln_y[0, 0] == pytest.approx(g0 * 2.0)


def test_productivity_loss_from_distress_stays():
    a = economy.step_log_productivity(np.zeros((1, 1)), np.array([[0.6]]), np.array([0.1]), 0.03, 0.25)
    assert a[0, 0] == pytest.approx(-0.00375)
    assert economy.step_log_productivity(a, np.array([[0.1]]), np.array([0.1]), 0.03, 0.25)[0, 0] == pytest.approx(-0.00375)


def test_usd_gdp_is_output_at_its_value_times_the_spending_factor():
    value = economy.log_value_of_output(np.array([[-0.3, 0.0]]), R1 * 0.25, np.array([0.75, 0.0]), np.array([[np.log(0.7), 0.0]]))
    np.testing.assert_allclose(value, [[-0.3 + 0.25 * 0.75 * np.log(0.7), 0.0]])
    # Tajikistan-like: remittances 0.479 of GDP at half their trend, mu_R 0.2; re-exports from 0.02 to 0.03 of GDP at margin 0.15
    spending = economy.spending_factor(np.array([[0.5]]), np.array([0.479]), R1 * 0.2, np.array([[0.03]]),
                                       np.array([0.02]), R1 * 0.15)
    assert spending[0, 0] == pytest.approx((1 - 0.2 * 0.479 * 0.5) * np.exp(0.15 * 0.01))   # 0.9521 x 1.0015 = 0.95353
    assert spending[0, 0] == pytest.approx(0.953529, abs=1e-6)
    y = economy.usd_gdp(14.2, np.exp(np.array([0.1])), np.exp(np.array([-0.3])), spending[0])
    assert y[0] == pytest.approx(14.2 * np.exp(-0.2) * 0.953529, rel=1e-6)                 # 11.626 * 0.9535 = 11.085


def test_usd_gdp_stays_positive_at_the_corner_where_the_added_spending_made_it_negative():
    """The regression's corner: every remittance gone (mu_R = 1, Tajikistan's 0.479 of GDP) while the currency has
    fallen to 0.3 of its base value: added in USD, 14.2 x 0.3 - 1.0 x 0.479 x 14.2 = 4.26 - 6.80 < 0."""
    assert 14.2 * 0.3 - 1.0 * 0.479 * 14.2 < 0
    spending = economy.spending_factor(np.array([[0.0]]), np.array([0.479]), R1, np.array([[0.0]]), np.array([1.0]), R1)
    assert spending[0, 0] == pytest.approx(0.521 * np.exp(-1.0))                             # 0.19166: both at their floor
    y = economy.usd_gdp(14.2, np.ones(1), np.array([0.3]), np.array([0.521]))
    assert y[0] == pytest.approx(2.21946)                                                    # 4.26 x 0.521 > 0


def test_domestic_investment_is_not_negative_so_capital_stays_positive():
    """The regression's corner: base growth -20% a year is faster than depreciation (5%), kappa 0.5, no foreign investment.

    The rest-point rate 0.5 ((e^{-0.05} - 1)/0.25 + 0.05) = 0.5 (-0.195082 + 0.05) = -0.07254 would disinvest
    a share of output every step, which runs the stock to 0 while output falls less; gross investment stops at 0."""
    q = np.exp(-0.2 * 0.25)
    assert 0.5 * ((q - 1) / 0.25 + 0.05) == pytest.approx(-0.072541, abs=1e-6)
    assert economy.domestic_investment_rate(-0.2, 0.05, 0.5, 0.0, 0.25) == 0.0
    # foreign investment alone above the rest path (0.5 x (0.05063 + 0.05) = 0.0503 < q x 0.07): no domestic disinvestment either
    assert economy.domestic_investment_rate(0.05, 0.05, 0.5, 0.07, 0.25) == 0.0
    # capital then only wears out: K (1 - delta dt) > 0 at the largest valid depreciation (0.3)
    assert economy.step_stock(np.array([1.25]), np.array([0.0]), 0.3, 0.25)[0] == pytest.approx(1.25 * 0.925)


def test_creditor_caution_is_one_at_base_distress():
    f = economy.creditor_caution(R1 * 0.5, np.array([[0.2, 0.9]]), np.array([0.2, 0.1]))
    np.testing.assert_allclose(f, [[1.0, (1 - 0.45) / (1 - 0.05)]])


def test_allocation_two_by_two_by_hand():
    # two states, two powers; state 1 becomes riskier for power 0 (gap -1), nothing changes for power 1
    split = np.array([[0.6, 0.3], [0.4, 0.7]])
    gap = np.array([[[0.0, 0.0], [-1.0, 0.0]]])
    ratio = economy.allocation_ratio(split, economy.allocation_weight(gap, R1 * 0.8))
    total = 0.6 + 0.4 * np.exp(-0.8)
    np.testing.assert_allclose(ratio[0, :, 0], [1 / total, np.exp(-0.8) / total])
    np.testing.assert_allclose(ratio[0, :, 1], [1.0, 1.0])
    np.testing.assert_allclose((ratio[0] * split).sum(axis=0), [1.0, 1.0])   # the budget is only moved
    gap = economy.attractiveness_gap(np.array([[0.1, 0.0]]), np.array([[0.0, 0.5]]),
                                     np.array([[[True, False], [False, False]]]), np.array([[[0.05, 0.0], [0.0, -0.1]]]),
                                     R1 * 1.0, R1 * 2.0)
    np.testing.assert_allclose(gap[0], [[0.1 - 1.0 + 0.1, 0.1], [-0.5, -0.5 - 0.2]])


def test_route_market_time_by_state_takes_the_fastest_chain_of_segments():
    ship = np.array([[15.0, 6.0, 33.0]])                       # northern (via RUS), ccawa, middle
    legs = np.zeros((2, 2, 2, 3))                              # state, market (CHN, EU), route, corridor
    local = np.full((2, 2, 2), np.inf)
    legs[0, 0, 0, 0], local[0, 0, 0] = 0.3, 0.0                # KAZ -> CHN: northern 4.5 d
    legs[1, 0, 0, 0], local[1, 0, 0] = 0.3, 3.5                # UZB -> CHN: northern 4.5 + 3.5 in Kazakhstan = 8
    legs[1, 0, 1, 1], local[1, 0, 1] = 1.0, 3.0                # UZB -> CHN: CKU segment 6 + 3 = 9
    legs[1, 1, 0, 0], local[1, 1, 0] = 1.0, 2.0                # UZB -> EU: northern 15 + 2 (+ delay)
    legs[1, 1, 1, 1], legs[1, 1, 1, 2], local[1, 1, 1] = 0.5, 1.0, 1.0   # UZB -> EU: CKU part + middle
    args = (np.array([1, -1, -1]), np.array([[False, False, False], [True, False, False]]),
            np.array([[0.0, 0.5]]), R1 * 10.0)
    t = corridors.route_market_time(ship, legs, local, *args, R1)
    assert t[0, 0, 0] == pytest.approx(4.5) and t[0, 1, 0] == pytest.approx(8.0)
    assert t[0, 1, 1] == pytest.approx(15 + 2 + 0.5 * 10)     # via Russia, with the sanction delay
    # the CKU railway halves its segment: UZB -> CHN switches to it, KAZ -> CHN does not move
    t = corridors.route_market_time(np.array([[15.0, 3.0, 33.0]]), legs, local, *args, R1)
    assert t[0, 1, 0] == pytest.approx(6.0) and t[0, 0, 0] == pytest.approx(4.5)
    # the ship-time scale multiplies every term, local days included
    scaled = corridors.route_market_time(0.9 * ship, legs, local, *args, R1 * 0.9)
    np.testing.assert_allclose(scaled, 0.9 * corridors.route_market_time(ship, legs, local, *args, R1))


def test_trade_gain_by_hand():
    shares = np.array([[0.6, 0.4]])
    rail = np.full((1, 1, 2), 0.9 ** -0.8)
    phi = economy.trade_cost_index(shares, np.ones((1, 1, 2)), rail)
    assert phi[0, 0] == pytest.approx(0.9 ** -0.8)
    gain = economy.log_trade_gain(np.array([0.7]), phi, R1 * 4.0)
    assert gain[0, 0] == pytest.approx(np.log(0.7 + 0.3 * 0.9 ** -0.8) / 4)      # +0.65%
    assert economy.log_trade_gain(np.array([0.7]), np.ones((1, 1)), R1 * 4.0)[0, 0] == 0.0
