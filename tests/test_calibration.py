"""Calibration: the targets file, parameter recovery, determinism, and the committed calibrated defaults."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from calibration.fit import Evaluator, FitConfig, FitParam, fit
from calibration.hindcast_stage import QUICK as QUICK_HINDCAST, HindcastConfig
from calibration.measures import run_targets
from calibration.pipeline import calibrate
from calibration.targets import TARGETS_FILE, Target, TargetError, load_targets
from model.actors import load_fact_ids
from model.params import DEFAULTS_FILE, load_defaults, parse_path
from model.rng import run_seeds
from model.uncertainty import posterior_file

REDUCED = dict(n_seeds=3, popsize=3, maxiter=3, abc_log2=3, check_runs=10, balance_runs=4, balance_end_year=2026)


def test_targets_file_is_valid_and_cites_existing_facts():
    targets = load_targets()
    facts = load_fact_ids()
    assert len({t.name for t in targets}) == len(targets)
    for t in targets:
        assert t.fact_ids and all(f in facts for f in t.fact_ids), t.name
    names = {t.name for t in targets}
    for required in ("china_ca_trade_2024", "china_ca_trade_2025", "bri_kaz_share_2025", "china_debt_share_kgz_2024",
                     "russia_security_share_kaz_2024", "tkm_only_china_surplus_2025", "tjk_china_over_russia_2025",
                     "csto_russia_ties_gap_2025", "eaeu_members"):
        assert required in names


def test_bad_targets_file_names_the_field(tmp_path):
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - {name: x, fact: kz_gdp_usdd, year: 2024, measure: trade, "
                   "args: {state: KAZ, power: CHN}, kind: equal, value: 1, tolerance: 1, fit: true}\n")
    with pytest.raises(TargetError, match=r"targets\[0\] \(x\)\.fact: unknown fact id 'kz_gdp_usdd' \(did you mean 'kz_gdp_usd'"):
        load_targets(bad)
    bad.write_text("targets:\n  - {name: x, fact: kz_gdp_usd, year: 2024, measure: trade, kind: equall, "
                   "value: 1, tolerance: 1, fit: true}\n")
    with pytest.raises(TargetError, match=r"targets\[0\] \(x\)\.kind"):
        load_targets(bad)


def test_inequality_targets_penalise_only_violations():
    t = Target(name="x", fact="kz_gdp_usd", year=2025, measure="trade", kind="at_least", value=10, tolerance=2, fit=True)
    assert t.penalty(12.0) == 0 and t.penalty(8.0) == pytest.approx(1.0)
    assert t.passes(10.0) and not t.passes(9.99)


def test_fit_margin_moves_the_penalty_not_the_verdict():
    share = Target(name="x", fact="kz_gdp_usd", year=2025, measure="trade", kind="share_of_runs", value=0.9,
                   tolerance=0.02, fit_margin=0.04, fit=True)
    assert share.passes(0.91) and not share.passes(0.89)
    assert share.penalty(0.92) == pytest.approx(1.0) and share.penalty(0.95) == 0
    cap = Target(name="y", fact="kz_gdp_usd", year=2025, measure="trade", kind="at_most", value=10, tolerance=2,
                 fit_margin=1.0, fit=True)
    assert cap.passes(10.0) and cap.penalty(11.0) == pytest.approx(1.0) and cap.penalty(9.0) == 0


def test_parameter_recovery_on_a_reduced_problem():
    """Synthetic targets from known values of two parameters; the fit must recover them."""
    targets_all = {t.name: t for t in load_targets()}
    known = {"powers.CHN.demand_growth": 0.09, "hedging_temperature_scale": 1.6}
    chosen = ["china_ca_trade_2025", "china_trade_kgz_2025", "alignment_kaz_rus_2024", "alignment_uzb_chn_2024"]
    seeds = run_seeds(7, 4)
    truth = run_targets([targets_all[n] for n in chosen], known, seeds).mean(axis=0)
    synthetic = [targets_all[n].model_copy(update={"value": float(v), "tolerance": 0.01 * abs(float(v)), "fit": True,
                                                   "kind": "equal"}) for n, v in zip(chosen, truth)]
    params = (FitParam("powers.CHN.demand_growth", 0.0, 0.2, "synthetic"),
              FitParam("hedging_temperature_scale", 0.5, 3.0, "synthetic"))
    evaluator = Evaluator(synthetic, params, FitConfig(seed=7, n_seeds=4, popsize=6, maxiter=25, abc_log2=3))
    result = fit(evaluator, progress=False)
    assert result.best[0] == pytest.approx(0.09, abs=0.01)
    assert result.best[1] == pytest.approx(1.6, rel=0.1)


def test_reduced_calibration_is_deterministic(tmp_path):
    day = dt.date(2025, 1, 1)
    quick = HindcastConfig(seed=5, **QUICK_HINDCAST)
    first = calibrate(FitConfig(seed=5, **REDUCED), out_dir=tmp_path / "a", progress=False, today=day, hindcast=quick)
    calibrate(FitConfig(seed=5, **REDUCED), out_dir=tmp_path / "b", progress=False, today=day, hindcast=quick)
    for name in ("calibrated.yaml", "report.md"):
        text = (tmp_path / "a" / name).read_text()
        # the stage's wall time is the one line allowed to differ
        strip = lambda t: "\n".join(line for line in t.splitlines() if "hindcast stage time" not in line)
        assert strip(text) == strip((tmp_path / "b" / name).read_text())
    assert pd.read_parquet(tmp_path / "a" / "posterior.parquet").equals(pd.read_parquet(tmp_path / "b" / "posterior.parquet"))
    doc = yaml.safe_load((tmp_path / "a" / "calibrated.yaml").read_text())
    assert set(doc) >= {"params", "objective", "date", "source_version", "targets_sha256"}
    for path in doc["params"]:
        parse_path(path)
    assert len(first["posterior"]) >= 1
    report = (tmp_path / "a" / "report.md").read_text()
    assert "## Sources" in report and "ca_china_trade_2025_total" in report


# ---- the committed calibrated defaults -------------------------------------------------------

def _committed_params():
    path = DEFAULTS_FILE
    if not path.exists():
        pytest.fail("model/data/calibrated.yaml is missing: run `casim calibrate` and commit its outputs")
    return yaml.safe_load(path.read_text())["params"]


def test_model_loads_the_committed_calibration():
    """The defaults file names its posterior relative to itself: model data beside it, which the model draws from."""
    params = _committed_params()
    assert load_defaults() == pytest.approx(params)
    assert (DEFAULTS_FILE.parent / yaml.safe_load(DEFAULTS_FILE.read_text())["posterior"]).resolve() == \
        (DEFAULTS_FILE.parent / "posterior.parquet").resolve() == posterior_file()


@pytest.fixture(scope="module")
def baseline_2025():
    targets = load_targets()
    per_run = run_targets(targets, _committed_params(), run_seeds(99, 100))
    return targets, {t.name: per_run[:, k] for k, t in enumerate(targets)}


def test_base_year_trade_targets_within_5pct_or_tolerance(baseline_2025):
    targets, values = baseline_2025
    trade = [t for t in targets if t.year == 2024 and t.measure in ("trade", "china_ca_trade")]
    assert len(trade) >= 10
    for t in trade:
        allowed = max(0.05 * abs(t.value), t.tolerance)
        assert abs(values[t.name].mean() - t.value) <= allowed, t.name


def test_baseline_2025_stylised_facts_in_90pct_of_replicates(baseline_2025):
    _, values = baseline_2025
    assert np.mean(values["china_ca_trade_2025"] >= 100.0) >= 0.9
    assert np.mean(values["tkm_only_china_surplus_2025"]) >= 0.9
    assert np.mean(values["russia_top_security_kaz_2025"]) >= 0.9


def test_posterior_sample_is_reproducible():
    from calibration import posterior

    a, b = posterior.sample(5, seed=3), posterior.sample(5, seed=3)
    assert a.equals(b) and len(a) == 5 and not {"objective", "weight"} & set(a.columns)
    for path in a.columns:
        parse_path(path)


def test_cli_rejects_bad_input_with_exit_2(tmp_path, capsys):
    from casim.cli import main

    assert main(["calibrate", "--quick"]) == 2
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - {name: x, fact: kz_gdp_usd, year: 2024, measure: trde, "
                   "args: {state: KAZ, power: CHN}, kind: equal, value: 1, tolerance: 1, fit: true}\n")
    assert main(["calibrate", "--quick", "--out", str(tmp_path / "o"), "--targets", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "targets[0] (x).measure: unknown measure 'trde' (did you mean 'trade'?)" in err
    assert not (tmp_path / "o").exists()
