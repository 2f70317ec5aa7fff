"""End-to-end: the real `casim` executable on scenario files, in a subprocess."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
CASIM = Path(sys.executable).parent / "casim"
LIBRARY = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))


def casim(*args, cwd=ROOT):
    command = [str(CASIM)] if CASIM.exists() else [sys.executable, "-m", "casim.cli"]
    return subprocess.run(command + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_validate_every_library_scenario():
    result = casim("validate", *LIBRARY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == len(LIBRARY) >= 11


BAD_FILES = {
    "unknown_key": ("name: x\ndescription: d\nreplicate: 3\n", ":3: replicate: unknown key 'replicate' (did you mean 'replicates'?)"),
    "wrong_type": ("name: x\ndescription: d\nseed: abc\n", ":3: seed: Input should be a valid integer"),
    "out_of_range": ("name: x\ndescription: d\nparams:\n  war_intensity: 7\n",
                     ":4: params.war_intensity: 7 is outside the valid range"),
    "bad_date": ("name: x\ndescription: d\nevents:\n  - {at: 2099, shock: war_ends}\n", ":4: events[0].at: 2099 is outside"),
    "unknown_shock": ("name: x\ndescription: d\nevents:\n  - {at: 2027, shock: sanktions}\n",
                      ":4: events[0].shock: unknown shock 'sanktions' (did you mean 'sanctions'?)"),
    "cycle": ("name: x\ndescription: d\nextends: cycle.yaml\n", ":3: extends: cycle cycle.yaml -> cycle.yaml"),
    "not_yaml": ("name: [x\n  : }\n", ":2: not valid YAML"),
    "python_tag": ("name: !!python/object/apply:os.system ['touch hacked']\n", ":1: name: YAML tag"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_validate_bad_file_exits_2_with_file_and_line(tmp_path, kind):
    text, expected = BAD_FILES[kind]
    path = tmp_path / ("cycle.yaml" if kind == "cycle" else f"{kind}.yaml")
    path.write_text(text)
    result = casim("validate", path, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}{expected}" in result.stderr, result.stderr
    assert not (tmp_path / "hacked").exists()


def test_run_small_scenario_writes_outputs(tmp_path):
    out = tmp_path / "out"
    result = casim("run", ROOT / "scenarios" / "anti_china_protests.yaml", "--out", out, "--replicates", 3,
                   "--seed", 5, "--years", "2025-2026", "--csv")
    assert result.returncode == 0, result.stderr
    region = pd.read_parquet(out / "region.parquet")
    assert set(region["scenario"]) == {"anti_china_protests"} and region["run"].nunique() == 3
    assert region["year"].max() == 2026
    assert (out / "states.csv").exists() and (out / "runs.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["master_seed"] == 5 and len(manifest["run_seeds"]) == 3
    assert any(name.endswith("anti_china_protests.yaml") for name in manifest["input_files"])
    assert any(name.endswith("baseline.yaml") for name in manifest["input_files"])  # via extends
    plots = {p.name for p in (out / "plots").iterdir()}
    assert {"influence_shares.png", "alignment_by_state.png", "china_ca_trade.png", "debt_to_gdp.png"} <= plots


def test_run_defaults_to_baseline_and_names_the_output_dir(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.yaml").write_text("name: local_base\ndescription: d\nend_year: 2025\n")
    result = casim("run", "--replicates", 2, "--no-plots", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "local_base" / "region.parquet").exists()


def test_run_broken_file_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: d\nparams: {beta_trad: 1}\n")
    out = tmp_path / "out"
    result = casim("run", bad, "--out", out)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:3: params.beta_trad: unknown parameter 'beta_trad' (did you mean 'beta_trade'?)" in result.stderr
    assert not out.exists()


def test_interrupted_run_leaves_no_output_directory(tmp_path):
    out = tmp_path / "runs" / "baseline"
    command = [str(CASIM)] if CASIM.exists() else [sys.executable, "-m", "casim.cli"]
    proc = subprocess.Popen(command + ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(out),
                                       "--replicates", "400"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    # wait until it is writing (its temporary directory exists), then stop it
    while time.time() < deadline and proc.poll() is None:
        if out.parent.exists() and any(out.parent.iterdir()):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0, "the run finished before it could be interrupted"
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not out.parent.exists() or not list(out.parent.iterdir()), list(out.parent.iterdir())
