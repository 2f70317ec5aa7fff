"""The external-account maths (model/external.py) against hand-worked numbers."""
import numpy as np
import pytest

from model import external, politics

R1 = np.ones(1)


def test_russia_income_shock_is_zero_at_base_and_adds_its_channels():
    at_base = external.russia_income_shock(R1 * 0.0, R1 * 0.5, R1 * 0.6, R1 * 0.4, R1 * 1.45, R1 * 0.65, 0.5, 0.6)
    assert at_base[0] == 0.0
    # Brent -52% (ln 0.48), sanctions 0.5 -> 0.7, war 0.6 -> 0: 0.4 ln 0.48 - 1.45 * 0.2 - 0.65 * 0.6
    shock = external.russia_income_shock(R1 * np.log(0.48), R1 * 0.7, R1 * 0.0, R1 * 0.4, R1 * 1.45, R1 * 0.65, 0.5, 0.6)
    assert shock[0] == pytest.approx(0.4 * np.log(0.48) - 0.29 - 0.39)


def test_remittances_split_by_source_and_answer_russia_with_the_elasticity():
    base, share = np.array([6.0, 0.3]), np.array([0.9, 0.5])
    total, russian = external.remittances(base, share, R1 * 0.0, R1 * 0.0, R1 * 1.0, np.ones((1, 2)))
    np.testing.assert_allclose(total, [[6.0, 0.3]])
    np.testing.assert_allclose(russian, [[5.4, 0.15]])
    # trend ln 1.1, Russia's income 40% below its trend (ln 0.6), tighter rules (m = 0.8 in state 0)
    total, russian = external.remittances(base, share, R1 * np.log(1.1), R1 * np.log(0.6), R1 * 1.5,
                                          np.array([[0.8, 1.0]]))
    assert russian[0, 0] == pytest.approx(6.0 * 1.1 * 0.9 * 0.6 ** 1.5 * 0.8)
    assert total[0, 0] == pytest.approx(6.0 * 1.1 * (0.9 * 0.6 ** 1.5 * 0.8 + 0.1))
    np.testing.assert_allclose(external.remittance_trend(base, R1 * np.log(1.1)), [[6.6, 0.33]])


def test_reexports_rise_with_sanctions_and_fall_with_secondary_risk():
    gdp = np.array([[17.5, 115.0]])
    xi = np.array([[0.111, 0.0224]])
    re = external.reexports(xi, R1 * 0.5, R1 * 0.3, gdp)
    np.testing.assert_allclose(re, [[0.111 * 0.35 * 17.5, 0.0224 * 0.35 * 115.0]])
    assert external.reexports(xi, R1 * 0.0, R1 * 0.3, gdp).sum() == 0.0          # no sanctions, no re-exports
    assert external.reexports(xi, R1 * 0.5, R1 * 1.0, gdp).sum() == 0.0          # certain secondary sanctions
    boom = external.reexports(xi, R1 * 0.8, R1 * 0.1, gdp)
    np.testing.assert_allclose(boom / re, (0.8 * 0.9) / (0.5 * 0.7))


def test_china_customs_trade_adds_transit_to_the_mirrored_national_figure():
    # Kyrgyzstan 2024: national 5.4 x pre-war mirror 2.8 + transit 7.58 = GAC 22.7
    assert external.china_customs_trade(5.4, 2.8, 7.58) == pytest.approx(22.7)


def test_external_income_index_mixes_exports_and_remittances():
    q = external.external_income_index(np.array([0.6, 0.75]), np.array([[0.8, 0.5]]), np.array([0.78, 0.0]),
                                       np.array([[0.5, 1.0]]))
    np.testing.assert_allclose(q, [[0.22 * (1 + 0.6 * -0.2) + 0.78 * 0.5, 1 + 0.75 * -0.5]])
    np.testing.assert_allclose(external.external_income_index(np.array([0.6]), np.ones((1, 1)), np.array([0.8]),
                                                              np.ones((1, 1))), [[1.0]])


def test_exchange_rate_moves_part_way_to_its_target():
    new = external.step_log_exchange_rate(np.array([[0.0, -0.1]]), np.array([[np.log(0.6), 0.0]]),
                                          np.array([[1.2, 1.0]]), np.zeros((1, 2)), np.array([[0.6]]), 0.25)
    np.testing.assert_allclose(new, [[0.15 * 1.2 * np.log(0.6), -0.1 + 0.15 * 0.1]])
    # a policy devaluation shifts the target for good
    devalued = external.step_log_exchange_rate(np.array([[-0.3]]), np.zeros((1, 1)), np.ones((1, 1)),
                                               np.array([[-0.3]]), np.array([[0.6]]), 0.25)
    assert devalued[0, 0] == pytest.approx(-0.3)


def test_coverage_is_one_at_base_and_compression_bites_below_one():
    x, rem, f, l, m, y = 3.6, 3.0, 0.5, 0.4, 10.7, 17.5
    o = external.other_financing_ratio(x, rem, f, l, m, y)
    assert o == pytest.approx((10.7 - 3.6 - 3.0 - 0.5 - 0.4) / 17.5)
    c = external.import_coverage(np.array([[x]]), np.array([[rem]]), np.array([[f]]), np.array([[l]]), o,
                                 np.array([[y]]), np.array([[m]]))
    assert c[0, 0] == pytest.approx(1.0)
    # remittances halve: coverage (10.7 - 1.5) / 10.7, imports scaled by coverage^0.5
    c = external.import_coverage(np.array([[x]]), np.array([[1.5]]), np.array([[f]]), np.array([[l]]), o,
                                 np.array([[y]]), np.array([[m]]))
    assert c[0, 0] == pytest.approx(9.2 / 10.7)
    assert external.import_compression(c, R1 * 0.5)[0, 0] == pytest.approx((9.2 / 10.7) ** 0.5)
    assert external.import_compression(np.array([[1.3]]), R1 * 0.5)[0, 0] == 1.0   # surplus financing: no boost


def test_remittance_sentiment_is_zero_at_base():
    assert politics.remittance_sentiment(0.5, 0.38, 0.38) == 0.0
    assert politics.remittance_sentiment(0.5, 0.18, 0.38) == pytest.approx(-0.1)


def test_reserves_pay_for_part_of_a_gap_until_they_run_out():
    # Kyrgyzstan-like: GDP 17.5, reserves 0.28 of GDP of which 30% usable: Bmax = 0.3 * 0.28 * 17.5 = 1.47
    limit = external.reserve_buffer(np.array([[0.28]]), R1 * 0.3, np.array([[17.5]]))
    assert limit[0, 0] == pytest.approx(1.47)
    demand, c, lam = 10.7, 0.8, R1 * 0.5
    # nothing drawn yet: the short-run cut only, imports 10.7 * 0.8^0.5 = 9.570; the rest, 9.570 - 8.56 = 1.010 a
    # year, comes out of the reserves: a quarter draws 0.2526
    exponent = external.financed_compression(lam, np.zeros((1, 1)), limit)
    imports = demand * external.import_compression(np.array([[c]]), exponent)
    assert exponent[0, 0] == 0.5 and imports[0, 0] == pytest.approx(9.5704, abs=1e-4)
    drawn = external.step_reserves_drawn(np.zeros((1, 1)), imports, np.array([[demand * c]]), 0.25)
    assert drawn[0, 0] == pytest.approx(0.25 * (9.5704 - 8.56), abs=1e-4)
    # half the buffer drawn: exponent 0.5 + 0.5 * 0.5 = 0.75, imports 10.7 * 0.8^0.75 = 9.051
    exponent = external.financed_compression(lam, np.array([[0.735]]), limit)
    assert exponent[0, 0] == pytest.approx(0.75)
    assert demand * external.import_compression(np.array([[c]]), exponent)[0, 0] == pytest.approx(9.0511, abs=1e-4)
    # all of it drawn: imports are what the state earns, 8.56, and the stock stops growing
    exponent = external.financed_compression(lam, np.array([[2.0]]), limit)
    imports = demand * external.import_compression(np.array([[c]]), exponent)
    assert imports[0, 0] == pytest.approx(8.56)
    assert external.step_reserves_drawn(np.array([[1.47]]), imports, np.array([[8.56]]), 0.25)[0, 0] == pytest.approx(1.47)
    # a surplus (c = 1.2: financing 12.84 against imports 10.7) rebuilds the reserves, down to nothing drawn
    assert external.step_reserves_drawn(np.array([[1.0]]), np.array([[10.7]]), np.array([[12.84]]), 0.25)[0, 0] \
        == pytest.approx(1.0 - 0.535)
    assert external.step_reserves_drawn(np.array([[0.2]]), np.array([[10.7]]), np.array([[12.84]]), 0.25)[0, 0] == 0.0
    # no usable reserves: the whole gap is cut at once
    assert external.financed_compression(lam, np.zeros((1, 1)), np.zeros((1, 1)))[0, 0] == 1.0


def test_a_tiny_reserve_buffer_counts_as_used_up_without_overflow():
    # a buffer of 1e-310 (a drawn extreme) against 1 bn drawn: drawn / Bmax overflows a float, min(B, Bmax) / Bmax does not
    with np.errstate(all="raise"):
        exponent = external.financed_compression(R1 * 0.5, np.array([[1.0, 0.0]]), np.array([[1e-310, 1e-310]]))
    assert exponent.tolist() == [[1.0, 0.5]]
