"""The visualiser's inputs, paired model, numbers, figures, exports and sessions, without a browser."""
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from casim.viz import controls, figures, numbers
from casim.viz.components import leader_text, spread_note
from casim.viz.markup import safe_markdown
from casim.viz.session import Session, scenario_summary
from casim.viz.export import results_csv, scenario_yaml
from casim.viz.model import VizModel, period_label, resolve_setup
from model.actors import load_actors
from model.params import DEFAULTS_FILE, REGISTRY, parse_path

REPO = Path(__file__).resolve().parents[1]
CASIM = str(Path(sys.executable).parent / "casim")
MIDDLE = "middle_corridor_push.yaml"


def file_value(path: Path, key: str) -> float:
    """A number as written in a YAML file (an independent reading of what the page should show)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return float(data["params"][key])


# ---- sliders -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", controls.SLIDERS, ids=lambda s: s.keyword)
def test_slider_range_and_unit_come_from_the_registry(spec):
    lo, hi, step = controls.slider_range(spec)
    param, _ = parse_path(spec.path)
    assert param.bounds[0] <= lo < hi <= param.bounds[1]
    assert 50 <= (hi - lo) / step <= 201
    assert controls.unit_of(spec) == REGISTRY[param.name].unit
    assert spec.words  # a unit in words for students


def test_sliders_follow_the_registry_when_it_changes(monkeypatch):
    """Range, grid, unit and the value a slider shows are read from the registry, not written into the visualiser.

    Every slider's parameter is given other bounds (0 to 20, wide enough for every calibrated value and interval,
    which are checked against them), another unit and other defaults; the expected numbers are worked by hand:
    0 to 20 in about 100 positions is a grid of 0.2; the values in effect under the
    plain model defaults are the new defaults of the slider's actor (or the mean over the five states for a bare
    state-scoped name: (5.3 + 4 x 3.3) / 5 = 3.7), except where the calibrated defaults set the parameter.
    """
    scoped = {"default": 3.3, "CHN": 1.7, "RUS": 2.4, "EU": 4.6, "KAZ": 5.3}
    for spec in controls.SLIDERS:
        param, _ = parse_path(spec.path)
        monkeypatch.setitem(REGISTRY, param.name, replace(param, bounds=(0.0, 20.0), unit="test units",
                                                          default=scoped if param.scope != "global" else 3.3))
    expected = {"china_bri_budget": 1.7, "russia_security": 2.4, "russia_sanctions": 2.4, "eu_middle_corridor": 4.6,
                "fdi_gain": 3.3, "china_imported_labour": 1.7, "local_processing": 3.7,
                "hedging_temperature": file_value(DEFAULTS_FILE, "hedging_temperature_scale")}
    assert set(expected) == {s.keyword for s in controls.SLIDERS}
    in_effect = resolve_setup(controls.DEFAULTS_CHOICE, 1, 2).in_effect
    for spec in controls.SLIDERS:
        assert controls.slider_range(spec) == (0.0, 20.0, 0.2), spec.keyword
        assert controls.unit_of(spec) == "test units"
        assert in_effect[spec.keyword] == pytest.approx(expected[spec.keyword], rel=1e-12), spec.keyword


def test_sliders_show_the_scenarios_values():
    setup = resolve_setup(MIDDLE, 1, 3)
    # the scenario's own value, not the registry default (1.0)
    assert setup.in_effect["eu_middle_corridor"] == file_value(REPO / "scenarios" / MIDDLE,
                                                               "powers.EU.transport_investment") == 2.0
    # not set by the scenario: the calibrated default, read from the calibration file
    assert setup.in_effect["hedging_temperature"] == pytest.approx(
        file_value(DEFAULTS_FILE, "hedging_temperature_scale"))
    assert setup.in_effect["hedging_temperature"] != REGISTRY["hedging_temperature_scale"].default
    # a path for every state (states.all.local_processing): the mean of the five states' defaults
    defaults = REGISTRY["local_processing"].default
    assert setup.in_effect["local_processing"] == pytest.approx(np.mean([defaults[s] for s in load_actors().states]))
    assert setup.overrides == {}


def test_the_slider_position_is_what_runs_including_a_move_back():
    path = "powers.EU.transport_investment"
    eu = lambda m: m.params.transport_investment[:, m.actors.power_index("EU")]  # noqa: E731
    moved = VizModel(MIDDLE, 1, 3, {"eu_middle_corridor": 1.0})  # equal to the registry default: still a move
    assert moved.setup.overrides == {path: 1.0} and np.all(eu(moved) == 1.0)
    back = VizModel(MIDDLE, 1, 3, {"eu_middle_corridor": 2.0})  # moved back to the scenario's value
    assert back.setup.overrides == {} and np.all(eu(back) == 2.0) and back.reference is None
    hedging = VizModel(MIDDLE, 1, 3, {"hedging_temperature": 2.1})  # the grid point next to the calibrated 2.1027
    assert np.all(hedging.params.hedging_temperature_scale == 2.1)


def test_snap_puts_a_position_on_the_grid():
    assert controls.snap(2.37, 0.0, 50.0, 0.5) == 2.5
    assert controls.snap(-3.0, 0.0, 1.0, 0.01) == 0.0
    assert controls.snap(7.0, 0.2, 20.0, 0.2) == 7.0
    assert controls.snap(99.0, 0.2, 20.0, 0.2) == 20.0


@pytest.mark.parametrize("text", ["３", "1_000", "-1", "1e3", "12 34", "", "0x10", "9223372036854775808"])
def test_seed_box_refuses_anything_but_ascii_digits(text):
    with pytest.raises(ValueError, match="seed"):
        controls.parse_seed(text)
    model = VizModel(seed=text, n_runs=2)
    assert model.blocked and "seed" in model.setup.errors[0]
    model.step()
    assert model.steps == 0


def test_seed_box_accepts_digits():
    assert controls.parse_seed(" 0042 ") == 42
    assert controls.parse_seed(str(2 ** 63 - 1)) == 2 ** 63 - 1


def test_picker_lists_only_files_in_the_scenario_folder(tmp_path, monkeypatch):
    folder, outside = tmp_path / "scenarios", tmp_path / "outside.yaml"
    folder.mkdir()
    (folder / "a.yaml").write_text("name: a\ndescription: x\n", encoding="utf-8")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    (folder / "sub.yaml").mkdir()
    outside.write_text("name: o\ndescription: x\n", encoding="utf-8")
    (folder / "link.yaml").symlink_to(outside)
    monkeypatch.setenv("CASIM_SCENARIO_DIR", str(folder))
    assert controls.scenario_choices() == ["a.yaml", controls.DEFAULTS_CHOICE]
    for name in ("../outside.yaml", "link.yaml", "/etc/passwd"):
        with pytest.raises(ValueError, match="not a file in"):
            controls.scenario_path(name)
        assert VizModel(name, 1, 2).blocked


def test_unknown_slider_is_rejected():
    with pytest.raises(TypeError, match="unknown slider"):
        VizModel(sliders={"bri": 2.0})


# ---- the paired run -------------------------------------------------------------------------------------------------
def test_paired_run_is_the_unmodified_scenario_with_the_same_seeds():
    moved = VizModel(MIDDLE, 7, 6, {"russia_sanctions": 0.9})
    plain = VizModel(MIDDLE, 7, 6)
    assert moved.reference is not None and plain.reference is None
    assert moved.reference.seeds == moved.seeds == plain.seeds
    for name, values in moved.params.values.items():  # same parameter arrays apart from the moved slider
        if name != "sanctions":
            assert np.array_equal(values, moved.reference.params.values[name]), name
    for _ in range(6):
        moved.step()
        plain.step()
    # the ghost is exactly the unmodified run, run for run
    assert np.array_equal(np.stack(moved.reference_influence), np.stack(plain.influence))
    assert not np.array_equal(np.stack(moved.influence), np.stack(plain.influence))
    change = moved.paired("region", "influence_RUS").change
    # sanctions 0.5 -> 0.9 cost Russia on average by at least 0.2 points after six quarters (0.35 with stop 29's
    # calibration); a single pair may gain a little, through the re-exports that sanctions open (mechanism 2)
    assert change.shape == (6,) and change.mean() <= -0.002, change


def test_steps_stop_at_the_horizon_whoever_asks():
    model = VizModel(n_runs=2)
    while model.running:
        model.step()
    assert model.steps == model.n_steps and model.at_horizon
    before = model.state.regional.copy()
    model.step()
    model.step()
    assert model.steps == model.n_steps and np.array_equal(model.state.regional, before)
    assert len(model.influence) == model.n_steps + 1


def test_plotted_quantities_come_from_the_output_contract():
    model = VizModel(MIDDLE, 3, 4)
    for _ in range(3):
        model.step()
    region = model.results()["region"]
    last = region[region["step"] == 3].sort_values("run")
    for j, p in enumerate(model.actors.powers):
        assert np.allclose(model.influence[-1][:, j], last[f"influence_{p}"])
    assert np.allclose(model.region_now("china_ca_trade"), last["china_ca_trade"])


def test_period_label():
    assert period_label(0, 2025, 4) == "2024 (base year)"
    assert period_label(1, 2025, 4) == "2025 Q1"
    assert period_label(8, 2025, 4) == "2026 Q4"
    assert period_label(3, 2025, 2) == "2026 period 1"


# ---- numbers --------------------------------------------------------------------------------------------------------
def test_paired_change_and_probability_by_hand():
    mine = np.array([[0.30, 0.20], [0.25, 0.30], [0.40, 0.10], [0.20, 0.35]])
    unmodified = np.array([[0.28, 0.22], [0.26, 0.29], [0.35, 0.15], [0.20, 0.30]])
    # changes: power 0: +0.02, -0.01, +0.05, 0.00 -> 2 of 4 positive; power 1: -0.02, +0.01, -0.05, +0.05 -> 2 of 4
    rows = numbers.influence_change(mine, unmodified, ["A", "B"])
    assert rows[0].p_positive == 0.5 and rows[1].p_positive == 0.5
    assert rows[0].change.median == pytest.approx(0.01)  # median of -0.01, 0, 0.02, 0.05
    assert rows[1].change.median == pytest.approx(-0.005)


def test_influence_now_by_hand():
    influence = np.array([[0.5, 0.3], [0.2, 0.6], [0.45, 0.4], [0.1, 0.8]])
    rows = numbers.influence_now(influence, ["A", "B"])
    assert rows[0].p_leads == 0.5 and rows[1].p_leads == 0.5
    assert rows[0].influence.median == pytest.approx(0.325)
    assert not numbers.narrow_bands(rows)
    flat = numbers.influence_now(np.full((10, 2), 0.3) + np.linspace(0, 0.005, 10)[:, None], ["A", "B"])
    assert numbers.narrow_bands(flat)


def test_band_text():
    assert figures.band_text(np.array([1.0])) == "1.00"
    assert figures.band_text(np.arange(101.0), "{:.0f}") == "50 (5 to 95)"


# ---- figures --------------------------------------------------------------------------------------------------------
def _model_after(steps: int, **sliders) -> VizModel:
    model = VizModel("baseline.yaml", 5, 8, sliders or None)
    for _ in range(steps):
        model.step()
    return model


def test_kept_frame_gives_the_same_picture_as_a_fresh_one():
    model = _model_after(4, eu_middle_corridor=6.0)
    plot = figures.InfluencePlot(model.actors.powers, (model.time_of(0), model.time_of(model.n_steps)), 8)
    plot.update(np.array(model.times), np.stack(model.influence), np.stack(model.reference_influence))
    fresh = plot.png()
    kept = plot.png()
    plot.redraw_frame()
    assert fresh == kept == plot.png()
    model.step()
    plot.update(np.array(model.times), np.stack(model.influence), np.stack(model.reference_influence))
    assert plot.png() != fresh


def test_map_labels_do_not_collide():
    a = _model_after(0).actors
    plot = figures.MapPlot(a.positions, a.states, a.powers)
    boxes = plot.label_boxes
    for i, box in enumerate(boxes):
        for other in boxes[i + 1:] + plot.legend_boxes + [m for k, m in enumerate(plot.marker_boxes) if k != i]:
            assert figures._overlap(box, other) == 0, f"label {a.states[i]} overlaps something"
        inside = plot.ax.get_window_extent(plot.canvas.get_renderer())
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1


def test_ghosts_show_only_with_a_paired_run():
    moved, plain = _model_after(2, russia_security=0.2), _model_after(2)
    a = moved.actors
    for model, shown in ((moved, True), (plain, False)):
        influence = figures.InfluencePlot(a.powers, (2024, 2040), 8)
        unmodified = np.stack(model.reference_influence) if shown else None
        influence.update(np.array(model.times), np.stack(model.influence), unmodified)
        assert all(g.get_visible() == shown for g in influence.ghosts)
        alignment = figures.AlignmentPlot(a.states, a.powers)
        ref = model.per_power("states", "alignment", model.reference) if shown else None
        alignment.update(model.per_power("states", "alignment"), ref)
        assert alignment.ghost_bars.get_visible() == shown


# ---- safe text ------------------------------------------------------------------------------------------------------
def test_description_markdown_is_sanitised():
    text = ('Hello *world* <img src=x onerror="alert(1)"> <script>alert(2)</script> '
            '[bad](javascript:alert(3)) [good](https://example.org) <a href="JaVaScRiPt:alert(4)">x</a>')
    html = safe_markdown(text)
    assert "<em>world</em>" in html and 'href="https://example.org"' in html
    for bad in ("<img", "onerror", "<script", "alert(2)", "javascript:", "JaVaScRiPt"):
        assert bad not in html


@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ :;&#()[]*_abcdefghijklmnopqrstuvwxyzJS0123456789")),
               max_size=120))
def test_sanitised_markdown_never_carries_script(text):
    html = safe_markdown(text).lower()
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html


# ---- take it home ---------------------------------------------------------------------------------------------------
def test_downloaded_scenario_reproduces_the_page_through_the_cli(tmp_path):
    model = VizModel("russia_war_prolonged.yaml", "77", 6, {"eu_middle_corridor": 4.0, "russia_security": 0.6})
    for _ in range(7):
        model.step()
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(scenario_yaml(model), encoding="utf-8")
    doc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert "extends" not in doc and doc["seed"] == 77 and doc["replicates"] == 6
    assert doc["params"]["powers.EU.transport_investment"] == 4.0 and doc["events"][0]["shock"] == "war_escalates"
    checked = subprocess.run([CASIM, "validate", str(scenario)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    ran = subprocess.run([CASIM, "run", str(scenario), "--out", str(tmp_path / "out"), "--no-plots"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    cli = pd.read_parquet(tmp_path / "out" / "region.parquet")
    page = pd.read_csv(pd.io.common.StringIO(results_csv(model)))
    assert sorted(page["step"].unique()) == list(range(8))
    cli = cli[cli["step"] <= 7].sort_values(["run", "step"]).reset_index(drop=True)
    page = page.sort_values(["run", "step"]).reset_index(drop=True)
    for column in ("influence_CHN", "influence_RUS", "influence_EU", "influence_USA", "china_ca_trade", "hhi"):
        assert np.allclose(page[column], cli[column], rtol=1e-12, atol=1e-12), column


def test_downloaded_scenario_of_the_model_defaults_validates(tmp_path):
    model = VizModel(controls.DEFAULTS_CHOICE, 3, 2, {"china_bri_budget": 2.0})
    text = scenario_yaml(model)
    assert "events" not in yaml.safe_load(text)
    assert "China's BRI budget = 2 (scenario: 1)" in yaml.safe_load(text)["description"]


def test_scenario_summary_says_when_a_scenario_starts_to_differ():
    assert "2026 Q1 (step 5)" in scenario_summary("russia_war_prolonged.yaml")
    assert "1 parameter setting from the start" in scenario_summary(MIDDLE)


# ---- one session per tab --------------------------------------------------------------------------------------------
def _wait(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _play_threads():
    return [t for t in threading.enumerate() if t.name.startswith("casim-play-")]


def test_sessions_keep_their_own_models():
    first, second = Session(), Session()
    first.step()
    first.step()
    second.step()
    assert (first.model.steps, second.model.steps) == (2, 1) and first.model is not second.model
    first.inputs.value = replace(first.inputs.value, positions={**first.inputs.value.positions, "russia_sanctions": 1.0})
    first.reset()
    assert first.model.steps == 0 and second.model.steps == 1 and second.model.setup.overrides == {}


def test_play_loop_stops_when_the_session_closes():
    session = Session()
    session.interval_ms.value = 0
    session.play()
    _wait(lambda: session.model.steps >= 3)
    session.close()
    _wait(lambda: not _play_threads())
    steps = session.model.steps
    time.sleep(0.3)
    assert session.model.steps == steps < session.model.n_steps
    session.play()  # a closed session does not play again
    assert not _play_threads()


def test_play_loop_pauses_when_the_tab_disconnects():
    from types import SimpleNamespace

    from solara.server.kernel_context import PageStatus

    session = Session()
    session._kernel = SimpleNamespace(page_status={"page": PageStatus.CONNECTED})  # as inside a Solara server
    session.interval_ms.value = 0
    session.play()
    _wait(lambda: session.model.steps >= 2)
    session._kernel.page_status["page"] = PageStatus.DISCONNECTED
    _wait(lambda: not session.playing.value)
    steps = session.model.steps
    time.sleep(0.3)
    assert session.model.steps == steps < session.model.n_steps and not _play_threads()
    session.close()


def test_play_loop_stops_at_the_horizon():
    session = Session()
    session.interval_ms.value = 0
    session.steps_per_redraw.value = 16
    session.play()
    _wait(lambda: not session.playing.value)
    assert session.model.steps == session.model.n_steps
    session.step()
    session.play()
    assert session.model.steps == session.model.n_steps and not session.playing.value
    session.close()


def test_viz_command_stops_its_server(tmp_path):
    """`casim viz` owns the Solara server it starts: SIGTERM and SIGINT stop both (tests/test_viz_browser.py drives the page)."""
    import signal
    import socket
    import urllib.request

    import psutil

    for signum in (signal.SIGTERM, signal.SIGINT):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"}
        viz = subprocess.Popen([CASIM, "viz", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                    break
                except OSError:
                    assert viz.poll() is None and time.monotonic() < deadline, "casim viz did not start its server"
                    time.sleep(0.5)
            children = psutil.Process(viz.pid).children(recursive=True)
            assert children, "expected the Solara server as a child process"
            viz.send_signal(signum)
            assert viz.wait(timeout=30) == 0
            gone, alive = psutil.wait_procs(children, timeout=15)
            assert not alive, f"server left running after {signal.Signals(signum).name}: {alive}"
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
        finally:
            if viz.poll() is None:
                viz.kill()


def test_the_model_says_whether_its_runs_draw_different_parameters():
    drawn, point = VizModel(MIDDLE, 1, 4), VizModel(MIDDLE, 1, 4, uncertainty="point")
    assert drawn.parameters_vary_by_run and not point.parameters_vary_by_run  # posterior draws by default
    rows = numbers.influence_now(np.array([[0.3, 0.3, 0.2, 0.2]] * 4), drawn.actors.powers)  # narrow bands
    assert "differ in their parameters (drawn from the calibrated posterior) and in their random shocks" in \
        spread_note(drawn, rows)
    assert "The bands are narrow" in spread_note(point, rows) and "differ only in their random shocks" in \
        spread_note(point, rows)
    point.params.set("beta_trade", [1.0, 1.0, 1.2, 1.0])
    assert point.parameters_vary_by_run


def test_a_moved_slider_pins_a_drawn_parameter_in_the_students_runs_only():
    model = VizModel(MIDDLE, 5, 8, {"russia_security": 0.6})
    russia = model.actors.power_index("RUS")
    assert np.all(model.params.security_capacity[:, russia] == 0.6)
    unmodified = model.reference.params.security_capacity[:, russia]
    assert np.unique(unmodified).size == 8  # each run of the unmodified scenario keeps its own draw
    assert np.array_equal(model.reference.params.beta_history, model.params.beta_history)  # shared draws
    assert np.unique(model.params.beta_history).size > 1


def test_leader_probabilities_with_their_standard_errors_by_hand():
    powers = ("CHN", "RUS", "EU", "USA")
    leaders = np.array([0, 0, 0, 1])  # China leads in 3 of 4 runs: sqrt(0.75 * 0.25 / 4) = 0.2165
    assert leader_text(leaders, powers, 4) == "China 75% ± 21.7, Russia 25% ± 21.7"
    assert leader_text(np.zeros(4, dtype=int), powers, 4) == "China 100% (> 47%)"  # 0.05^(1/4) = 0.473


def test_download_of_a_point_run_says_how_to_rerun_it():
    model = VizModel(MIDDLE, 3, 2, uncertainty="point")
    assert f"casim run {MIDDLE} --uncertainty point" in scenario_yaml(model)
    assert "--uncertainty" not in scenario_yaml(VizModel(MIDDLE, 3, 2))
