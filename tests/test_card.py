"""The project card's parameter beyond the 10% cut: other cut sizes, per-run gains, and the parameter set
from a scenario file, the command line and the visualiser's slider.

The card: a 10% cut in shipment time gives (1 + g) times the FDI, g = `fdi_gain_per_10pct_shiptime_cut`
(0.12). FDI is a level response to shipment time, so two successive 10% cuts (time x 0.81) give (1 + g)^2,
three (x 0.729) give (1 + g)^3, and undoing one cut (x 1/0.9) gives 1 / (1 + g). The expected values
below are worked by hand from that, not from the model's exponent. Same seed, same first step: only the
shipment time differs between the two runs compared, so their FDI ratio is exactly the card's.
"""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from model import CentralAsiaModel

CASIM = [sys.executable, "-m", "casim.cli"]
POWERS = ["CHN", "RUS", "EU", "USA"]


def first_step(n_runs=1, **overrides):
    """FDI inflow and new lending (R, S, P) after the first quarter (2025 Q1)."""
    model = CentralAsiaModel(n_runs=n_runs, seed=5, end_year=2025, record=False, **overrides)
    model.step()
    return model.state.fdi_flow.copy(), model.state.lending.copy()


@pytest.mark.parametrize("scale, gain, expected", [
    (0.81, 0.12, 1.2544),              # two 10% cuts: 1.12^2
    (0.729, 0.12, 1.404928),           # three: 1.12^3
    (1 / 0.9, 0.12, 1 / 1.12),         # one cut undone: slower shipping, less FDI
    (0.81, 0.5, 2.25),                 # 1.5^2
    (0.9, 0.0, 1.0),                   # no gain: shipment time does not matter
])
def test_other_cut_sizes_compound_the_card(scale, gain, expected):
    base_fdi, base_lending = first_step(fdi_gain_per_10pct_shiptime_cut=gain)
    cut_fdi, cut_lending = first_step(fdi_gain_per_10pct_shiptime_cut=gain, ship_time_scale=scale)
    assert (base_fdi > 0).all()
    np.testing.assert_allclose(cut_fdi / base_fdi, expected, rtol=1e-9, atol=0)
    # model v2 allocates lending on the attractiveness gap and debt caution, not on shipment time
    assert (base_lending > 0).any()
    np.testing.assert_array_equal(cut_lending, base_lending)


def test_per_run_gains_and_cuts_each_hold_in_their_own_run():
    gains = np.array([0.3, 0.1, 0.7, 0.12])
    scales = np.array([0.9, 0.81, 1.0, 0.729])
    expected = np.array([1.3, 1.21, 1.0, 1.404928])   # 1.3, 1.1^2, no cut, 1.12^3
    base_fdi, _ = first_step(4, params={"fdi_gain_per_10pct_shiptime_cut": gains})
    cut_fdi, _ = first_step(4, params={"fdi_gain_per_10pct_shiptime_cut": gains, "ship_time_scale": scales})
    ratio = cut_fdi / base_fdi
    for run in range(4):
        np.testing.assert_allclose(ratio[run], expected[run], rtol=1e-9, atol=0, err_msg=f"run {run}")


def scenario_file(path, name, **params):
    lines = [f"name: {name}", "description: the project card's parameter, set from a file",
             "start_year: 2025", "end_year: 2025", "params:"]
    path.write_text("\n".join(lines + [f"  {key}: {value}" for key, value in params.items()]) + "\n")
    return path


def test_set_from_a_scenario_file_through_casim_run(tmp_path):
    """`casim run` on two scenario files that differ only in the shipment time: FDI x 1.25^2 by 2025 Q1."""
    files = {"slow": scenario_file(tmp_path / "slow.yaml", "slow", fdi_gain_per_10pct_shiptime_cut=0.25),
             "cut": scenario_file(tmp_path / "cut.yaml", "cut", fdi_gain_per_10pct_shiptime_cut=0.25,
                                  ship_time_scale=0.81)}
    fdi = {}
    for name, path in files.items():
        out = tmp_path / f"out_{name}"
        result = subprocess.run(CASIM + ["run", str(path), "--out", str(out), "--replicates", "2", "--seed", "8",
                                         "--no-plots"], capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        runs = pd.read_parquet(out / "runs.parquet")
        assert (runs["fdi_gain_per_10pct_shiptime_cut"] == 0.25).all()
        states = pd.read_parquet(out / "states.parquet")
        fdi[name] = states[states["step"] == 1].sort_values(["run", "state"])[[f"fdi_{p}" for p in POWERS]].to_numpy()
    assert (fdi["slow"] > 0).all()
    np.testing.assert_allclose(fdi["cut"] / fdi["slow"], 1.5625, rtol=1e-9)


def test_set_from_the_visualisers_slider(tmp_path, monkeypatch):
    """The FDI-gain slider, moved on a scenario that cuts shipment time by two tenths, is the g that runs."""
    from casim.viz.session import Inputs, Session, scenario_values

    monkeypatch.setenv("CASIM_SCENARIO_DIR", str(tmp_path))
    scenario_file(tmp_path / "cut.yaml", "cut", ship_time_scale=0.81)
    session = Session()
    positions = {**scenario_values("cut.yaml"), "fdi_gain": 0.3}
    session.inputs.value = Inputs("cut.yaml", seed="5", n_runs=3, positions=positions)
    session.reset()
    session.step()
    model = session.model
    assert model.steps == 1 and model.reference is not None
    # the same runs without the cut: same seeds and the same parameter draws (master seed 5, replicates 0-2)
    same_draws = dict(seed=5, n_runs=3, uncertainty=model.uncertainty, end_year=2025, record=False)
    plain = CentralAsiaModel(**same_draws, fdi_gain_per_10pct_shiptime_cut=0.3)
    plain.step()
    assert plain.seeds == model.seeds
    np.testing.assert_allclose(model.state.fdi_flow / plain.state.fdi_flow, 1.69, rtol=1e-9)  # 1.3^2
    # the unmodified scenario stepped beside it keeps each run's own gain g (the card's 0.12, or a draw around it)
    default = CentralAsiaModel(**same_draws)
    default.step()
    g = default.params.fdi_gain_per_10pct_shiptime_cut
    assert np.all((0.10 <= g) & (g <= 0.155))  # the registry's uncertainty range around the card's 0.12
    np.testing.assert_allclose(model.reference.state.fdi_flow / default.state.fdi_flow,
                               np.broadcast_to(((1 + g) ** 2)[:, None, None], default.state.fdi_flow.shape), rtol=1e-9)
    session.close()
