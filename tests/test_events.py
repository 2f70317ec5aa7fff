"""Each named shock's maths, on a two-run model where only run 0 is shocked."""
import numpy as np
import pytest
from pydantic import ValidationError

from model import CentralAsiaModel
from model import events as ev

RUN0 = np.array([True, False])


@pytest.fixture
def model():
    return CentralAsiaModel(n_runs=2, seed=3, end_year=2027, record=False)


def test_sanctions_sets_intensity_for_masked_runs(model):
    before = model.params.sanctions[:, 2].copy()
    ev.sanctions(model, RUN0, ev.SanctionsArgs(power="EU", intensity=0.7))
    assert model.params.sanctions[0, 2] == 0.7
    assert model.params.sanctions[1, 2] == before[1]


def test_war_ends_zeroes_war_and_relieves_sanctions(model):
    rus = model.params.sanctions[:, 1].copy()
    ev.war_ends(model, RUN0, ev.WarEndsArgs(sanctions_relief=0.8))
    assert model.params.war_intensity[0] == 0.0
    assert model.params.war_intensity[1] == pytest.approx(0.6)
    assert model.params.sanctions[0, 1] == pytest.approx(rus[0] * 0.2)
    assert model.params.sanctions[1, 1] == rus[1]


def test_war_escalates_sets_intensity_and_optional_sanctions(model):
    ev.war_escalates(model, RUN0, ev.WarEscalatesArgs(intensity=0.95))
    assert model.params.war_intensity.tolist() == [0.95, pytest.approx(0.6)]
    assert model.params.sanctions[0, 1] == pytest.approx(0.5)  # unchanged without `sanctions`
    ev.war_escalates(model, RUN0, ev.WarEscalatesArgs(intensity=0.95, sanctions=0.9))
    assert model.params.sanctions[0, 1] == 0.9


def test_corridor_disruption_multiplies_days_then_ends(model):
    c = model.actors.corridors.index("northern")
    ev.corridor_disruption(model, RUN0, ev.CorridorDisruptionArgs(corridor="northern", factor=1.5, duration=0.5))
    assert model.state.disruption[:, c].tolist() == [1.5, 1.0]
    end = [e for e in model.events if "disruption" in e.label]
    assert end and end[0].step == model.steps + 2  # half a year at 4 steps per year
    model.step()
    assert model.state.disruption[0, c] == 1.5
    model.step()
    assert model.state.disruption[:, c].tolist() == [1.0, 1.0]


def test_corridor_investment_spreads_tranches_and_loans_add_debt(model):
    c = model.actors.corridors.index("middle")
    args = ev.CorridorInvestmentArgs(payer="CHN", amount=8.0, corridor="middle", years=1.0, financing="loan")
    invest0, debt0 = model.state.corridor_investment[:, c].copy(), model.state.debt[:, :, 0].sum(axis=1)
    ev.corridor_investment(model, RUN0, args)
    assert model.state.corridor_investment[0, c] - invest0[0] == pytest.approx(2.0)  # 8 over 4 quarters
    assert model.state.debt[0, :, 0].sum() - debt0[0] == pytest.approx(2.0)
    assert model.state.corridor_investment[1, c] == invest0[1]
    queued = [e for e in model.events if "investment" in e.label]
    assert len(queued) == 1 and queued[0].step == model.steps + 1


def test_commodity_price_shock_adds_log_factor(model):
    k = model.actors.commodities.index("oil")
    before = model.state.log_prices.copy()
    ev.commodity_price_shock(model, RUN0, ev.CommodityPriceShockArgs(commodity="oil", factor=0.5))
    assert model.state.log_prices[0, k] - before[0, k] == pytest.approx(np.log(0.5))
    assert np.array_equal(model.state.log_prices[1], before[1])
    ev.commodity_price_shock(model, RUN0, ev.CommodityPriceShockArgs(commodity="all", factor=2.0))
    assert np.allclose(model.state.log_prices[0] - before[0], np.log(2.0) + np.log(0.5) * (np.arange(len(model.actors.commodities)) == k))


def test_protest_wave_drops_sentiment_and_delays(model):
    s = model.state
    before = s.sentiment[:, 0, 0].copy()
    ev.protest_wave(model, RUN0, ev.ProtestWaveArgs(state="KAZ", power="CHN", sentiment_drop=0.3, delay_years=2.0))
    assert s.sentiment[0, 0, 0] == pytest.approx(max(before[0] - 0.3, -1.0))
    assert s.sentiment[1, 0, 0] == before[1]
    assert s.delay[:, 0, 0].tolist() == [2.0, 0.0]
    ev.protest_wave(model, RUN0, ev.ProtestWaveArgs(state="KAZ", power="CHN", sentiment_drop=5 / 2.5))
    assert s.sentiment[0, 0, 0] == -1.0  # clipped


def test_debt_crisis_adds_debt_share_of_gdp_and_cuts_threshold(model):
    i = 1  # KGZ
    s = model.state
    debt0, threshold0 = s.debt[:, i, 0].copy(), model.params.distress_threshold[:, i].copy()
    ev.debt_crisis(model, RUN0, ev.DebtCrisisArgs(state="KGZ", debt_jump=0.2, threshold_factor=0.5))
    assert s.debt[0, i, 0] - debt0[0] == pytest.approx(0.2 * s.gdp[0, i])
    assert s.debt[1, i, 0] == debt0[1]
    assert model.params.distress_threshold[:, i].tolist() == [pytest.approx(threshold0[0] * 0.5), threshold0[1]]
    model.params.set("states.KGZ.distress_threshold", 2.0)   # x 2 would leave the valid range [0.05, 3]: kept at 3
    ev.debt_crisis(model, RUN0, ev.DebtCrisisArgs(state="KGZ", debt_jump=0.0, threshold_factor=2.0))
    assert model.params.distress_threshold[:, i].tolist() == [3.0, 2.0]


def test_security_threat_scales_with_afghan_exposure(model):
    before = model.state.threat.copy()
    ev.security_threat(model, RUN0, ev.SecurityThreatArgs(size=0.2, spillover_rate=0.9))
    expected = np.clip(before[0] + 0.2 * model.params.afghan_exposure[0], 0, 1)
    assert np.allclose(model.state.threat[0], expected)
    assert np.array_equal(model.state.threat[1], before[1])
    assert model.params.afghan_spillover_rate.tolist() == [0.9, pytest.approx(0.1)]


def test_treaty_security_raises_ties_and_economic_joins_eaeu(model):
    uzb, chn = 4, 0
    before = model.state.security[:, uzb, chn].copy()
    ev.treaty(model, RUN0, ev.TreatyArgs(state="UZB", power="CHN", kind="security", strength=0.25))
    assert model.state.security[:, uzb, chn].tolist() == [pytest.approx(min(before[0] + 0.25, 1)), before[1]]
    ev.treaty(model, RUN0, ev.TreatyArgs(state="UZB", power="RUS", kind="economic"))
    assert model.params.eaeu_member[:, uzb].tolist() == [1.0, 0.0]
    assert ev.RULES["treaty"](ev.TreatyArgs(state="UZB", power="CHN", kind="economic")) is not None


def test_local_processing_mandate_sets_target(model):
    ev.local_processing_mandate(model, RUN0, ev.LocalProcessingArgs(state="KAZ", share=0.8))
    assert model.params.local_processing[:, 0].tolist() == [0.8, pytest.approx(0.35)]


def test_shock_args_are_strict():
    with pytest.raises(ValidationError):
        ev.SanctionsArgs(power="RUS", intensity=1.5)
    with pytest.raises(ValidationError):
        ev.SanctionsArgs.model_validate({"power": "RUS", "intensity": "0.5"})
    with pytest.raises(ValidationError):
        ev.SanctionsArgs.model_validate({"power": "RUS", "intensity": 0.5, "extra": 1})


def test_every_shock_is_registered_with_documentation():
    assert len(ev.SHOCKS) >= 11
    for name, shock in ev.SHOCKS.items():
        assert shock.apply.__doc__, name
