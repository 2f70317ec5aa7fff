"""The Sim layer (model/run.py): one ensemble's tables and its atomic output directory."""
import pandas as pd
import pytest

from model.run import RunSpec, run_ensemble, write_outputs

SPEC = RunSpec(scenario="short", replicates=2, seed=4, end_year=2025)


def test_extra_files_join_the_atomic_output(tmp_path):
    def note(tables, directory):
        (directory / "note.txt").write_text(f"{len(tables['runs'])} runs")

    tables = write_outputs(tmp_path / "out", SPEC, extra=note)
    assert (tmp_path / "out" / "note.txt").read_text() == "2 runs"
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "region.parquet"), tables["region"])


def test_a_failing_extra_leaves_the_previous_output_untouched(tmp_path):
    write_outputs(tmp_path / "out", SPEC)
    before = sorted(p.name for p in (tmp_path / "out").iterdir())

    def broken(tables, directory):
        (directory / "half.png").write_bytes(b"...")
        raise RuntimeError("figure failed")

    with pytest.raises(RuntimeError, match="figure failed"):
        write_outputs(tmp_path / "out", SPEC, extra=broken)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]      # no temporary directory left behind


def test_runs_table_has_one_row_per_run_with_every_parameter():
    model, tables = run_ensemble(RunSpec(replicates=3, seed=1, end_year=2025, params={"beta_trade": [1.0, 2.0, 3.0]}))
    runs = tables["runs"]
    assert runs["run"].tolist() == [0, 1, 2] and runs["seed"].tolist() == model.seeds
    assert runs["beta_trade"].tolist() == [1.0, 2.0, 3.0]
    assert "powers.RUS.security_capacity" in runs and "states.KAZ.hedging_temperature" in runs
