"""The hindcast calibration on the real model: no held-out datum enters the fit, known parameters are recovered,
`casim calibrate --quick` writes the calibrated values with their ranges and the posterior, and the committed
calibration's values lie inside the registry's ranges in effect."""
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from calibration.hindcast_stage import QUICK, SCENARIO_FILE, HindcastConfig, run_hindcast
from calibration.patterns import load_patterns
from calibration.targets import load_targets
from calibration.simulator import ModelSimulator
from model.base_year import ANCHORS
from model.observed import HISTORY_ENV, HISTORY_FILE
from model.params import DEFAULTS_FILE, load_defaults, load_ranges, parse_path, uncertainty_range
from model.rng import run_seeds
from model.scenario import load_scenario

CASIM = Path(sys.executable).parent / "casim"
STATES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def _history_copy(tmp_path, change=None, extra=()):
    raw = yaml.safe_load(HISTORY_FILE.read_text(encoding="utf-8"))
    for series in raw["series"]:
        if change:
            series["values"] = {year: change(series["id"], year, value) for year, value in series["values"].items()}
    raw["series"] += list(extra)
    path = tmp_path / "history.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_no_datum_after_2019_enters_the_fit(tmp_path, monkeypatch):
    """Every 2020+ value of every series (prices and every scored series included) changed in a copy of
    history.yaml: same posterior, different held-out scores. The exception is the back-cast anchors' 2024 values
    (model.base_year.ANCHORS, unscored aggregates), which shape the 2013 table by construction."""
    anchors = {a.format(state=s.lower()) for a in ANCHORS for s in STATES}
    config = HindcastConfig(seed=11, **QUICK)
    before = run_hindcast(config)
    history = _history_copy(tmp_path, lambda sid, y, v: v * 1.7 if y >= 2020 and sid not in anchors else v)
    monkeypatch.setenv(HISTORY_ENV, str(history))
    after = run_hindcast(config)
    np.testing.assert_array_equal(before.fit.result.posterior.theta, after.fit.result.posterior.theta)
    np.testing.assert_array_equal(before.fit.result.posterior.weights, after.fit.result.posterior.weights)
    held = lambda o: o.scores.table[o.scores.table["window"] == "out_of_sample"]["y"].to_numpy()
    assert not np.allclose(held(before), held(after))                   # the held-out data did change


def test_known_parameters_are_recovered_from_simulated_history(tmp_path, monkeypatch):
    """Trade with China and Russia simulated from known parameters (seeds the fit does not use), with 3%
    observation noise, then fitted back: each identified parameter's 90% interval narrows to under two thirds of
    its prior range and holds its true value for at least 3 of 5 noise draws (a calibrated 90% interval does so
    with probability 0.99; one draw alone misses one time in ten). The parameters are ones a decade of trade
    identifies: the powers' long-run growth rates (a start year's demand growth fades within about a year,
    docs/ODD.md section 8, so a decade hardly sees it). With one draw, China's interval [0.044, 0.054] missed its
    0.055 once the hindcast pinned gold and base metals: less simulated price noise, a narrower interval, and that
    draw's noise (without it the interval is [0.049, 0.059])."""
    truth = {"powers.CHN.longrun_growth": 0.055, "powers.RUS.longrun_growth": 0.02}
    names = list(truth)
    keys = [f"end:{s}.trade_{p}@{y}" for s in STATES for p in ("CHN", "RUS") for y in range(2013, 2025)]
    sim = ModelSimulator(list(truth), load_scenario(SCENARIO_FILE), run_seeds(909, 4))
    values = sim(np.array([list(truth.values())]), keys, 2024)
    held = {name: 0 for name in names}
    for draw in range(5):
        outcome = _fit_noisy_copy(tmp_path / str(draw), monkeypatch, names, values, np.random.default_rng(5 + draw))
        widths = outcome.widths.set_index("parameter")
        for name, value in truth.items():
            assert widths.loc[name, "identified"], name
            lo, hi = outcome.intervals[name]
            held[name] += lo <= value <= hi
            prior = parse_path(name)[0].prior_range(parse_path(name)[1])
            assert hi - lo < 2 / 3 * (prior[1] - prior[0])
    assert min(held.values()) >= 3, held


def _fit_noisy_copy(tmp_path, monkeypatch, names, values, rng):
    """The hindcast fit of `names` to the simulated trade `values`, each observed with 3% noise drawn from `rng`."""
    tmp_path.mkdir()
    series, observations = [], []
    for s in STATES:
        for p in ("CHN", "RUS"):
            sid = f"syn_{s.lower()}_{p.lower()}"
            data = {y: float(values[f"end:{s}.trade_{p}@{y}"].mean() * np.exp(rng.normal(0, 0.03)))
                    for y in range(2013, 2025)}
            series.append({"id": sid, "quantity": "trade", "unit": "USD bn", "basis": "synthetic",
                           "confidence": "high", "values": data})
            observations.append(f"      - {{series: {sid}, output: {s}.trade_{p}}}")
    monkeypatch.setenv(HISTORY_ENV, str(_history_copy(tmp_path, extra=series)))
    patterns = tmp_path / "patterns.yaml"
    patterns.write_text(textwrap.dedent("""\
        fit_years: [2014, 2019]
        held_out_years: [2020, 2024]
        parameters:
        """) + "".join(f"  - {{path: {n}, why: test}}\n" for n in names) + textwrap.dedent("""\
        patterns:
          - name: trade
            doc: synthetic
            transform: log
            error: {floor: 0.03, why: the noise added}
            observations:
        """) + "\n".join(observations) + "\n", encoding="utf-8")
    return run_hindcast(HindcastConfig(seed=3, n_particles=300, n_seeds=2, max_generations=10,
                                       predict_draws=20, predict_seeds=2), patterns)


@pytest.fixture(scope="module")
def quick_calibration(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibrate")
    done = subprocess.run([str(CASIM), "calibrate", "--quick", "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"}, timeout=900)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_quick_calibrate_writes_values_ranges_and_weighted_posterior(quick_calibration):
    out, stdout = quick_calibration
    assert "held-out coverage" in stdout
    doc = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert doc["posterior"] == "posterior.parquet" and doc["hindcast"]["fit_years"] == [2014, 2019]
    assert set(doc["intervals"]) == set(doc["params"])
    fitted = {p.path for p in load_patterns().parameters if not p.initial}   # initial trends: the target fit's
    unidentified = set(doc["hindcast"]["not_identified"])
    assert unidentified <= fitted and fitted <= set(doc["params"])   # every fitted parameter takes its posterior
    for path, value in doc["params"].items():
        lo, hi = doc["intervals"][path]
        assert lo <= value <= hi, path
    assert load_ranges(out / "calibrated.yaml") == {k: tuple(v) for k, v in doc["intervals"].items()}
    draws = pd.read_parquet(out / "posterior.parquet")
    assert set(draws.columns) == set(doc["params"]) | {"weight"}
    assert draws["weight"].sum() == pytest.approx(1.0) and (draws["weight"] >= 0).all()
    for path in fitted:   # the hindcast's particles stay inside the prior (the registry's sourced range)
        param, actor = parse_path(path)
        low, high = param.prior_range(actor)
        assert draws[path].between(low, high).all(), path


def test_quick_calibrate_reports_scores_widths_and_figures(quick_calibration):
    out, _ = quick_calibration
    report = (out / "report.md").read_text()
    for heading in ("## Hindcast: fit on 2014-2019, predict 2020-2024", "### Scores per pattern",
                    "### What fails out of sample", "### Identifiability", "### Held-out observations"):
        assert heading in report
    for pattern in ("trade_china", "trade_russia", "gdp_usd"):
        assert f"| out_of_sample | {pattern} |" in report and (out / "figures" / f"hindcast_{pattern}.png").is_file()
    assert "eps = ln(1 + g) / ln(1 / 0.9)" in report and "g = 0.155 is eps = 1.37" in report
    # the pass count is split into fitted and scored targets, which tell different things
    fitted = sum(t.fit for t in load_targets())
    assert re.search(rf"- \d+ of {len(load_targets())} targets pass: \d+ of the {fitted} fitted; \d+ of the "
                     rf"{len(load_targets()) - fitted} scored, never fitted", report)
    html = (out / "report.html").read_text()
    assert "<table>" in html and "data:image/png;base64," in html
    assert 'src="figures/' not in html and 'src="http' not in html and "<script" not in html


def test_posterior_draws_follow_the_weights(tmp_path):
    from experiments.sampling import posterior_draw

    path = tmp_path / "posterior.parquet"
    pd.DataFrame({"beta_trade": [1.0, 2.0, 3.0], "weight": [0.0, 0.25, 0.75]}).to_parquet(path)
    draws = posterior_draw(path, 4000, seed=1)
    assert list(draws.columns) == ["beta_trade"] and 1.0 not in set(draws["beta_trade"])
    assert (draws["beta_trade"] == 3.0).mean() == pytest.approx(0.75, abs=0.03)


def test_committed_calibrated_values_lie_inside_their_registry_ranges():
    """Each calibrated value lies in its range in effect (the calibrated 90% interval, read by the same load step
    as the values), and the hindcast's values also in the registry's sourced range, their prior's support."""
    values, ranges = load_defaults(), load_ranges()
    assert values and set(ranges) == set(values)
    for path, value in values.items():
        lo, hi = uncertainty_range(path)
        assert (lo, hi) == ranges[path] and lo <= value <= hi, path
    for spec in (p for p in load_patterns().parameters if not p.initial):
        assert spec.path in values, spec.path   # every fitted parameter takes its posterior, identified or not
        param, actor = parse_path(spec.path)
        low, high = param.prior_range(actor)
        assert low <= values[spec.path] <= high and low <= ranges[spec.path][0] <= ranges[spec.path][1] <= high
    assert (DEFAULTS_FILE.parent / yaml.safe_load(DEFAULTS_FILE.read_text())["posterior"]).is_file()
