"""The visualiser's inputs and model wrapper, without a browser."""
import numpy as np
import pytest

from casim.viz import controls, figures
from casim.viz.model import VizModel
from model.params import REGISTRY, parse_path


@pytest.mark.parametrize("spec", controls.SLIDERS, ids=lambda s: s.keyword)
def test_slider_reads_registry(spec):
    slider = controls.slider_for(spec)
    param, actor = parse_path(spec.path)
    lo, hi = param.bounds
    assert lo <= slider.min < slider.max <= hi
    assert slider.value == pytest.approx(controls.registry_default(spec.path))
    assert f"[{param.unit}]" in slider.label
    if actor:
        assert slider.value == pytest.approx(param.default_for(actor))


def test_only_moved_sliders_override():
    values = {s.keyword: controls.registry_default(s.path) for s in controls.SLIDERS}
    assert controls.moved_overrides(values) == {}
    values["russia_sanctions"] = 0.9
    assert controls.moved_overrides(values) == {"powers.RUS.sanctions": 0.9}


def test_moved_slider_reaches_the_model():
    model = VizModel(n_runs=3, seed=1, china_bri_budget=2.0)
    assert np.all(model.params.investment_scale[:, model.actors.power_index("CHN")] == 2.0)
    model.step()
    assert model.steps == 1 and len(model.history) == 2


def test_bad_seed_blocks_without_raising():
    model = VizModel(seed="abc", n_runs=3)
    assert model.blocked and "seed" in model.setup.errors[0]
    model.step()
    assert model.steps == 0


def test_unknown_input_is_rejected():
    with pytest.raises(TypeError, match="unknown visualiser input"):
        VizModel(bri=2.0)


def test_band_text():
    assert figures.band_text(np.array([1.0])) == "1.00"
    assert figures.band_text(np.arange(101.0), "{:.0f}") == "50 (5 to 95)"


def test_registry_names_exist():
    assert "fdi_gain_per_10pct_shiptime_cut" in REGISTRY
