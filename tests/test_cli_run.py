"""End-to-end: the real `casim run` command in a subprocess."""
import json
import subprocess
import sys

import pandas as pd

CASIM = [sys.executable, "-m", "casim.cli"]


def run_cli(*args, cwd=None):
    return subprocess.run(CASIM + list(args), capture_output=True, text=True, cwd=cwd, timeout=600)


def test_run_writes_the_output_contract(tmp_path):
    out = tmp_path / "base"
    result = run_cli("run", "--out", str(out), "--replicates", "3", "--years", "2025-2026", "--seed", "9", "--csv")
    assert result.returncode == 0, result.stderr
    for name in ("region.parquet", "states.parquet", "runs.parquet", "manifest.json", "region.csv"):
        assert (out / name).exists(), name
    for figure in ("influence_shares", "alignment_by_state", "china_ca_trade", "debt_to_gdp"):
        assert (out / "plots" / f"{figure}.png").stat().st_size > 1000
        assert (out / "plots" / f"{figure}.svg").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["master_seed"] == 9 and len(manifest["run_seeds"]) == 3
    assert {"code_version", "params", "started", "finished", "runs", "executor", "input_files"} <= set(manifest)
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["seed"].tolist() == manifest["run_seeds"]
    region = pd.read_parquet(out / "region.parquet")
    assert len(region) == 3 * 9 and set(region["year"]) == {2024, 2025, 2026}
    assert not list(tmp_path.glob(".base.*"))          # no temporary directory left behind


def test_bad_arguments_exit_2_without_traceback(tmp_path):
    result = run_cli("run", "--out", str(tmp_path / "x"), "--years", "2040-2030")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--years" in result.stderr
    assert not (tmp_path / "x").exists()


def test_outputs_are_readable_by_others(tmp_path):
    from model.io import DIR_MODE, FILE_MODE, atomic_directory, write_json_atomic

    with atomic_directory(tmp_path / "shared") as tmp:
        write_json_atomic(tmp / "manifest.json", {"ok": True})
    assert (tmp_path / "shared").stat().st_mode & 0o777 == DIR_MODE
    assert (tmp_path / "shared" / "manifest.json").stat().st_mode & 0o777 == FILE_MODE
    assert FILE_MODE & 0o044 == 0o044 & FILE_MODE   # group/other read kept unless the umask removes it
