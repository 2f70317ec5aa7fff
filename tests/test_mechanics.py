"""Pure maths, against hand-worked numbers (one test per mechanic)."""
import numpy as np
import pytest

from model import corridors, economy, influence, politics

R1 = np.ones(1)


def test_corridor_days_diminishing_returns():
    days = corridors.corridor_days(np.array([33.0]), np.array([14.0]), np.array([9.0]),
                                   np.array([[9.0 * np.log(2)]]), np.ones((1, 1)), R1 * 0.9)
    assert days[0, 0] == pytest.approx(0.9 * (14 + 19 / 2))


@pytest.mark.parametrize("gain", [0.12, 0.2, 0.155])
def test_shiptime_factor_is_exact(gain):
    exponent = economy.fdi_shiptime_exponent(np.array([gain]))
    factor = economy.shiptime_factor(np.full((1, 2, 1), np.log(0.9)), exponent)
    np.testing.assert_allclose(factor, 1 + gain, rtol=1e-12)


def test_commodity_prices_ar1():
    new = economy.step_commodity_prices(np.array([[0.2]]), R1 * 0.7, R1 * 0.2, 0.25, np.array([[1.0]]))
    assert new[0, 0] == pytest.approx(0.7 ** 0.25 * 0.2 + 0.2 * 0.5)
    assert economy.commodity_index(np.array([[2.0, 1.0]]), np.array([[0.25, 0.75]]))[0, 0] == pytest.approx(1.25)


def test_local_multiplier_loses_labour_and_processing():
    m = economy.local_multiplier(0.8, 1.0, 0.3, 0.5, 0.2, 0.4)
    assert m == pytest.approx(0.8 * 0.7 * (1 - 0.5 * 0.8 * 0.6))
    assert economy.local_multiplier(0.8, 1.0, 0.0, 0.5, 1.0, 0.4) == pytest.approx(0.8)


def test_debt_accrues_and_distress():
    assert economy.step_debt(np.array([10.0]), np.array([2.0]), 0.1, 0.25)[0] == pytest.approx(10.25)
    assert economy.step_debt(np.array([0.1]), np.array([0.0]), 5.0, 1.0)[0] == 0.0
    assert economy.debt_distress(0.6, 0.6, 0.1) == pytest.approx(0.5)
    assert economy.debt_distress(1.0, 0.6, 0.1) > 0.98


def test_sentiment_target_and_step():
    target = politics.sentiment_target(0.1, 0.2, 0.1, 0.05, 0.0, 0.3, 0.3, 2.0, 10.0, 1.0)
    assert target == pytest.approx(0.1 + 0.2 - 0.5)
    # rate 0.5/yr over a quarter closes 0.125 of the gap; a scandal takes 0.1; noise 0.2 sqrt(0.25) = 0.1 per unit shock
    s = politics.step_sentiment(np.array([0.0]), np.array([-0.2]), 0.5, 0.2, 0.25, np.zeros(1), np.array([True]), 0.1)
    assert s[0] == pytest.approx(0.125 * -0.2 - 0.1)
    s = politics.step_sentiment(np.array([0.0]), np.array([0.0]), 0.5, 0.2, 0.25, np.array([1.5]), np.array([False]), 0.1)
    assert s[0] == pytest.approx(0.1 * 1.5)
    assert politics.step_sentiment(np.array([-0.95]), -1.0, 2.0, 0.0, 0.25, np.zeros(1), True, 0.5)[0] == -1.0


def test_protests_likelier_with_low_sentiment_and_weak_civil_society():
    weak, sturdy = politics.dissent_factor(0.2), politics.dissent_factor(0.9)
    assert (weak, sturdy) == pytest.approx((0.9, 0.55))
    low = politics.protest_rate(-0.5, -0.2, 0.1, 0.4, weak)
    high = politics.protest_rate(0.3, -0.2, 0.1, 0.4, weak)
    strong = politics.protest_rate(-0.5, -0.2, 0.1, 0.4, sturdy)
    assert low > high and low > strong
    assert politics.protest_rate(-0.2, -0.2, 0.1, 0.4, politics.dissent_factor(0.0)) == pytest.approx(0.2)
    delay = politics.step_delay(np.array([0.6, 0.1, 0.0]), np.array([False, False, True]), 1.0, 0.25)
    assert delay.tolist() == pytest.approx([0.35, 0.0, 1.0])
    assert politics.event_probability(np.array([0.4, 8.0]), 0.25).tolist() == [0.1, 1.0]


def test_security_threat_capacity_rise_ties():
    t = politics.step_threat(np.array([0.3]), 0.2, 0.5, 0.08, 0.25, np.zeros(1), np.array([True]), 0.3 * 1.0)
    assert t[0] == pytest.approx(0.3 - 0.0125 + 0.3)
    t = politics.step_threat(np.array([0.3]), 0.3, 0.5, 0.08, 0.25, np.array([-2.0]), np.array([False]), 0.3)
    assert t[0] == pytest.approx(0.3 - 0.04 * 2.0)
    assert politics.capacity_target(1.0, 0.6, 0.5, 1.0, 1.0) == pytest.approx(0.7)
    assert politics.capacity_target(0.3, 0.6, 0.5, 0.0, 1.2) == pytest.approx(0.36)
    assert politics.step_rise(0.0, 0.04, 0.5, 1.0, 1.0) == pytest.approx(0.02)
    assert politics.tie_target(0.8, 0.35, 0.7, 0.1) == pytest.approx(0.5)
    assert politics.step_toward(1.0, 2.0, 0.4, 0.25) == pytest.approx(1.1)
    assert politics.step_toward(1.0, 2.0, 8.0, 0.25) == 2.0          # never overshoots the target


def test_alignment_softmax_and_inertia():
    u = np.array([[1.0, 0.0, 0.0, 0.0]])
    p = politics.softmax(u, 1.0)
    assert p[0, 0] == pytest.approx(np.e / (np.e + 3))
    flat = politics.softmax(u, 1e6)
    assert flat[0] == pytest.approx([0.25] * 4, abs=1e-5)        # a neutral state spreads evenly
    a = politics.step_alignment(np.array([[1.0, 0, 0, 0]]), np.array([[0.0, 1, 0, 0]]), 0.25 ** 0.5)
    assert a[0].tolist() == pytest.approx([0.5, 0.5, 0, 0])
    beta = dict(trade=1.0, fdi=0.0, security=2.0, sentiment=0.0, dependence=1.0, leverage=0.0, history=0.0)
    util = politics.alignment_utility(np.array([0.5]), 0, np.array([0.4]), 0.5, 0, np.array([0.2]), 0.5, 0, 0, beta)
    assert util[0] == pytest.approx(0.5 + 2 * 0.4 * 1.0 - 0.1)


def test_influence_renormalises_missing_channels():
    trade = np.array([[[3.0, 1.0]]])
    debt = np.zeros((1, 1, 2))                                 # no debt to any power
    w = {"trade": np.array([0.5]), "debt": np.array([0.5])}
    channels = {"trade": politics.shares_and_presence(trade), "debt": politics.shares_and_presence(debt)}
    omega = influence.channel_weights(channels, w)
    assert omega[0, 0].tolist() == [1.0, 0.0]                 # the absent debt channel's weight goes to trade
    infl = influence.state_influence(channels, omega)
    assert infl[0, 0].tolist() == pytest.approx([0.75, 0.25])
    both = {"trade": channels["trade"], "debt": politics.shares_and_presence(np.array([[[1.0, 3.0]]]))}
    omega = influence.channel_weights(both, {"trade": np.array([0.6]), "debt": np.array([0.2])})
    assert omega[0, 0].tolist() == pytest.approx([0.75, 0.25])
    # 0.75 * (3/4, 1/4) + 0.25 * (1/4, 3/4)
    assert influence.state_influence(both, omega)[0, 0].tolist() == pytest.approx([0.625, 0.375])
    regional = influence.regional_influence(np.array([[[0.75, 0.25], [0.25, 0.75]]]), np.array([[3.0, 1.0]]))
    assert regional[0].tolist() == pytest.approx([0.625, 0.375])


def test_balance_measures_are_output_columns():
    """Leader, HHI and normalised entropy of regional influence, worked by hand: equal shares and one leader."""
    from model.actors import load_actors
    from model.outputs import region_columns

    actors = load_actors()
    columns = {c.name: c for c in region_columns(actors)}
    snap = {"regional": np.array([[[0.25] * 4, [1.0, 0, 0, 0]]])}  # (T=1, R=2, P=4)
    assert columns["leader"].compute(snap, actors)[0].tolist() == [0, 0]
    assert columns["hhi"].compute(snap, actors)[0].tolist() == pytest.approx([0.25, 1.0])
    assert columns["entropy"].compute(snap, actors)[0].tolist() == pytest.approx([1.0, 0.0])


def test_reactions():
    offer = influence.russia_reaction(np.array([0.3, 0.5]), np.array([0.4, 0.4]), 2.0, 1.0)
    assert offer.tolist() == pytest.approx([0.2, 0.0])
    f = influence.china_russia_friction(np.array([[0.1, 0.15]]), np.array([[0.5, 0.5]]), np.array([0.25]))
    assert f[0] == pytest.approx(0.5)
