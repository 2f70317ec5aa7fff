"""End-to-end: the real `casim run` command in a subprocess."""
import json
import os
import stat
import subprocess
import sys

import pandas as pd
import pytest

from cli_batches import experiment_text

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


@pytest.mark.parametrize("umask, file_mode, dir_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_outputs_are_readable_by_others(tmp_path, umask, file_mode, dir_mode):
    """Every file and folder `casim run` and `casim batch` write has the modes open() and mkdir() would give
    under the user's umask: readable by group and others under 022, by the group alone under 027 (the
    temporary files they are renamed from start private)."""
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(experiment_text(replicates=2, chunk_size=2, end_year=2025, name="modes"))
    commands = {"run": ["run", "--out", str(tmp_path / "run"), "--years", "2025-2025", "--replicates", "2"],
                "batch": ["batch", str(experiment), "--out", str(tmp_path / "batch"), "--workers", "2", "--quiet"]}
    for name, args in commands.items():
        result = subprocess.run(CASIM + args, capture_output=True, text=True, timeout=600,
                                preexec_fn=lambda: os.umask(umask))
        assert result.returncode == 0, result.stderr
        out = tmp_path / name
        files = [p for p in out.rglob("*") if p.is_file()]
        assert len(files) > (10 if name == "run" else 15), files   # tables, manifest, plots; or every chunk's parts
        for path in [out, *out.rglob("*")]:
            expected = dir_mode if path.is_dir() else file_mode
            assert stat.S_IMODE(path.stat().st_mode) == expected, f"{path}: {oct(path.stat().st_mode)}"
