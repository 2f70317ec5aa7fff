"""Batch experiments: run identity across chunking/workers/executors, CRN, failures and retries, bad files."""
import dataclasses
import json
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casim.cli import main as casim
from cli_batches import CASIM, experiment_text, manifest
from experiments.batch import BatchPlan, ScenarioEntry, read_table, run_batch, run_chunk
from experiments.executors import DaskExecutor, InlineExecutor, ProcessExecutor, default_start_method
from experiments.plan import build_plan
from model.events import Event
from model.rng import run_seed
from model.run import RunSpec

HORIZON = {"start_year": 2025, "end_year": 2025, "steps_per_year": 4}


def small_plan(templates: dict[str, RunSpec], n_samples=2, replicates=3, seed=11) -> BatchPlan:
    """A plan built directly from RunSpecs (no scenario files needed)."""
    samples = pd.DataFrame({"beta_trade": np.linspace(0.6, 1.8, n_samples)})
    return BatchPlan(scenarios=[ScenarioEntry(name, spec) for name, spec in templates.items()], samples=samples,
                     replicates=replicates, master_seed=seed, horizon=HORIZON, identity={"code_version": "test"})


def two_scenarios():
    return {"slow": RunSpec(params={"ship_time_scale": 1.1}), "fast": RunSpec(params={"ship_time_scale": 0.8})}


def all_tables(out):
    return {name: read_table(out, name) for name in ("region", "states", "runs")}


def assert_same_tables(a, b):
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=False)


class DaskCluster:
    """A Dask scheduler and worker processes, started as on a cluster (`dask scheduler`, `dask worker ADDRESS`)
    on free ports of this machine. One thread per worker and no nanny, so a killed worker stays dead."""

    def __init__(self, folder: Path):
        self.folder, self.processes = folder, []
        self.dask = str(Path(sys.executable).with_name("dask"))
        info = folder / "scheduler.json"
        scheduler = self._start("scheduler", "scheduler", "--port", "0", "--scheduler-file", str(info))
        deadline = time.monotonic() + 120
        while not info.exists() or not info.read_text().strip():
            assert time.monotonic() < deadline and scheduler.poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.05)
        self.address = json.loads(info.read_text())["address"]
        assert self.address.startswith("tcp://127.0.0.1:")

    def _start(self, name: str, *args) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "w") as log:
            self.processes.append(subprocess.Popen([self.dask, *args, "--no-dashboard", "--host", "127.0.0.1"],
                                                   cwd=self.folder, stdout=log, stderr=subprocess.STDOUT))
        return self.processes[-1]

    def start_workers(self, *names: str) -> list[subprocess.Popen]:
        """Worker processes with these names; returns once the scheduler has them all."""
        from dask.distributed import Client

        workers = [self._start(name, "worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny",
                               "--local-directory", str(self.folder / name)) for name in names]
        with Client(self.address, timeout=60) as client:
            deadline = time.monotonic() + 120
            while not set(names) <= {w["name"] for w in client.scheduler_info()["workers"].values()}:
                assert time.monotonic() < deadline, f"workers {names} did not join"
                time.sleep(0.1)
        return workers

    def executed(self) -> int:
        """Tasks the workers now connected have run."""
        from dask.distributed import Client

        with Client(self.address, timeout=60) as client:
            return sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())

    def close(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler with two workers, shared by the tests of this file (each adds what it needs)."""
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
    try:
        cluster.start_workers("w0", "w1")
        yield cluster
    finally:
        cluster.close()


def test_run_identity_across_chunk_size_workers_and_executor(tmp_path, dask_cluster):
    plan = small_plan(two_scenarios())
    remote = DaskExecutor(scheduler=dask_cluster.address)
    assert not remote.shares_filesystem  # its workers return Parquet bytes, as on another machine
    setups = {"one_worker_big_chunks": (ProcessExecutor(1), 100),
              "two_workers_chunks_of_2": (ProcessExecutor(2), 2),
              "spawned_workers": (ProcessExecutor(2, start_method="spawn"), 4),
              "forked_workers": (ProcessExecutor(2, start_method="fork" if sys.platform.startswith("linux")
                                                 else "spawn"), 3),
              "dask_scheduler_address": (remote, 5),
              "dask_local_cluster": (DaskExecutor(2), 3)}
    results = {}
    executed_before = dask_cluster.executed()
    for label, (executor, chunk_size) in setups.items():
        summary = run_batch(plan, tmp_path / label, executor, chunk_size, quiet=True)
        assert summary.ok and summary.runs_done == 12
        results[label] = all_tables(tmp_path / label)
    assert dask_cluster.executed() - executed_before == 4  # the cluster's workers ran its chunks: 5 + 1 runs twice
    assert manifest(tmp_path / "dask_scheduler_address")["executor"] == f"dask ({dask_cluster.address})"
    reference = results.pop("one_worker_big_chunks")
    for tables in results.values():
        assert_same_tables(reference, tables)
    runs = reference["runs"]
    assert runs["run"].tolist() == list(range(12))                      # no lost or duplicate runs
    assert len(reference["region"]) == 12 * 5 and reference["region"]["run"].nunique() == 12
    # common random numbers: replicate k of sample j has one seed in every scenario
    by_scenario = runs.pivot(index=["sample", "replicate"], columns="scenario", values="seed")
    assert (by_scenario["slow"] == by_scenario["fast"]).all()
    assert runs["seed"].nunique() == 6
    assert runs.loc[7, "seed"] == run_seed(11, runs.loc[7, "sample"], runs.loc[7, "replicate"])
    assert np.allclose(runs["beta_trade"], np.repeat(np.tile([0.6, 1.8], 2), 3))


def test_casim_batch_on_a_dask_scheduler_finishes_exactly_when_a_worker_is_killed(tmp_path, dask_cluster):
    """`casim batch --executor dask --scheduler tcp://...` against the scheduler's worker processes, one of which
    is killed (SIGKILL) while it holds a chunk. The scheduler gives that chunk to the other workers, and the batch
    ends with the tables of an uninterrupted run."""
    from dask.distributed import Client

    experiment = tmp_path / "exp.yaml"
    experiment.write_text(experiment_text(replicates=4, chunk_size=2, end_year=2026, name="remote"))
    reference = tmp_path / "reference"
    assert run_batch(build_plan(experiment)[0], reference, InlineExecutor(), 20, quiet=True).ok
    out = tmp_path / "remote"
    address = dask_cluster.address
    [doomed] = dask_cluster.start_workers("doomed")
    batch = subprocess.Popen([CASIM, "batch", str(experiment), "--out", str(out), "--quiet", "--executor", "dask",
                              "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with Client(address, timeout=60) as client:
        victim = next(a for a, w in client.scheduler_info()["workers"].items() if w["name"] == "doomed")
        deadline = time.monotonic() + 300
        while not any(str(key).startswith("run_chunk") for key in client.processing().get(victim, ())):
            assert time.monotonic() < deadline and batch.poll() is None, "the doomed worker was never given a chunk"
            time.sleep(0.01)
        doomed.kill()
        held = client.processing().get(victim, ())
        alive_at_kill = batch.poll() is None
        while victim in client.scheduler_info()["workers"]:
            assert time.monotonic() < deadline, "the scheduler did not notice the killed worker"
            time.sleep(0.05)
    stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    assert alive_at_kill and doomed.wait() == -9 and held
    assert "20/20 runs done, 0 failed" in stdout, stdout
    assert manifest(out)["executor"] == f"dask ({address})"
    for name in ("region", "states", "runs"):
        pd.testing.assert_frame_equal(read_table(reference, name), read_table(out, name))


def end_gap(plan, scenario_index, runs):
    """China-Russia gap at the last step, per run, run in-process."""
    entry = plan.scenarios[scenario_index]
    region = pd.read_parquet(__import__("io").BytesIO(run_chunk(plan.task(entry, runs))["parts"]["region"]))
    return region[region["step"] == region["step"].max()]["china_russia_gap"].to_numpy()


def test_workers_are_forked_only_on_linux_while_no_other_thread_runs(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert default_start_method() == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert default_start_method() == "spawn"  # a thread may hold a lock that a forked child would inherit
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_start_method() == "spawn"


def test_common_random_numbers_lower_the_variance_of_scenario_differences():
    replicates = 40
    crn = small_plan(two_scenarios(), n_samples=1, replicates=replicates, seed=3)
    other_seed = small_plan(two_scenarios(), n_samples=1, replicates=replicates, seed=4)
    first = np.arange(replicates)
    second = first + replicates
    paired = end_gap(crn, 1, second) - end_gap(crn, 0, first)
    independent = end_gap(other_seed, 1, second) - end_gap(crn, 0, first)
    ratio = paired.var() / independent.var()
    print(f"variance of scenario differences, CRN / independent seeds: {ratio:.4f}")
    assert ratio < 0.25


def fail_when_flagged(flag: Path, model, runs):
    """Event that raises in chunks holding replicate 2 while `flag` exists (a worker-side failure)."""
    if flag.exists() and 2 in model.replicates:
        raise RuntimeError("injected failure")


def test_failed_chunk_is_recorded_and_retried(tmp_path):
    flag = tmp_path / "fail"
    flag.touch()
    template = RunSpec(events=[Event(step=1, apply=partial(fail_when_flagged, flag), label="fail")])
    plan = small_plan({"base": template})
    out = tmp_path / "batch"
    summary = run_batch(plan, out, ProcessExecutor(2), chunk_size=2, quiet=True)
    assert not summary.ok and summary.runs_failed == 4 and summary.runs_done == 2  # runs 2 and 5 are replicate 2
    assert all("injected failure" in error for error in summary.failed_chunks.values())
    again = run_batch(plan, out, ProcessExecutor(1), chunk_size=2, resume=True, quiet=True)
    assert again.ran_now == 0 and again.runs_failed == 4          # plain resume leaves failed runs alone
    flag.unlink()
    retried = run_batch(plan, out, ProcessExecutor(1), chunk_size=2, retry_failed=True, quiet=True)
    assert retried.ok and retried.ran_now == 4
    reference = tmp_path / "reference"
    run_batch(plan, reference, ProcessExecutor(1), chunk_size=6, quiet=True)
    assert_same_tables(all_tables(reference), all_tables(out))


GOOD = """\
name: tiny
scenarios: []
replicates: 2
seed: 5
sample:
  method: lhs
  n: 2
  params:
    beta_trade: [0.5, 2.0]
horizon: {start_year: 2025, end_year: 2025}
executor: {workers: 1, chunk_size: 2}
"""


@pytest.mark.parametrize("text, expected", [
    (GOOD.replace("replicates", "replicats"), ":3: replicats: unknown field 'replicats' (did you mean 'replicates'?)"),
    (GOOD.replace("beta_trade:", "beta_trad:"), ":9: sample.params.beta_trad: unknown parameter 'beta_trad' "
                                                "(did you mean 'beta_trade'?)"),
    (GOOD.replace("[0.5, 2.0]", "[0.5, 99.0]"), ":9: sample.params.beta_trade: 99 is outside the valid range"),
    (GOOD.replace("method: lhs", "method: halton"), ":6: sample.method: Input should be 'grid', 'lhs'"),
    (GOOD.replace("[0.5, 2.0]", "uncertainty_rnge"), ":9: sample.params.beta_trade: expected [low, high] or "
                                                      "'uncertainty_range', got str 'uncertainty_rnge' (did you mean"),
    (GOOD.replace("beta_trade: [0.5, 2.0]", "powers.all.security_capacity: uncertainty_range"),
     ":9: sample.params.powers.all.security_capacity: its actors' ranges in effect differ"),
    (GOOD.replace("[0.5, 2.0]", "[0.5, true]"), ":9: sample.params.beta_trade: expected [low, high] or"),
    (GOOD.replace("n: 2", "n: '2'"), ":7: sample.n: Input should be a valid integer"),
    (GOOD.replace("scenarios: []", "scenarios: [baselin]"), ":2: scenarios.0: no scenario 'baselin'"),
    (GOOD.replace("lhs", "sobol").replace("n: 2", "n: 3"), "sobol: n must be a power of 2"),
    ("name: [unclosed\n", ":2: not valid YAML"),
    (GOOD.replace("scenarios: []\n", ""), ": scenarios: Field required"),
    (GOOD + "x: !!python/object/apply:os.system ['true']\n", ":12: x: YAML tag"),
    (GOOD + "record: finale\n", ":12: record: Input should be 'all', 'year_end' or 'final' (did you mean 'final'?)"),
])
def test_bad_experiment_files_exit_2_with_file_line_and_hint(tmp_path, capsys, text, expected):
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    assert casim(["batch", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}" in err and expected in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_resume_refuses_changed_inputs_unless_forced(tmp_path, capsys):
    path, out = tmp_path / "exp.yaml", tmp_path / "out"
    path.write_text(GOOD)
    args = ["batch", str(path), "--out", str(out), "--quiet"]
    assert casim(args) == 0
    assert casim(args) == 2 and "--resume" in capsys.readouterr().err     # will not overwrite silently
    assert casim(args + ["--resume"]) == 0                                # nothing left to run
    path.write_text(GOOD.replace("seed: 5", "seed: 6"))
    assert casim(args + ["--resume"]) == 2
    assert "experiment_sha256" in capsys.readouterr().err
    assert casim(args + ["--resume", "--force"]) == 0


def test_record_final_writes_exactly_the_final_step_rows_of_record_all(tmp_path):
    plan = small_plan(two_scenarios())
    assert run_batch(plan, tmp_path / "all", ProcessExecutor(2), 5, quiet=True).ok
    every = all_tables(tmp_path / "all")
    final = dataclasses.replace(plan, record="final")
    assert run_batch(final, tmp_path / "final", ProcessExecutor(2), 4, quiet=True).ok
    got = all_tables(tmp_path / "final")
    for name in ("region", "states"):
        last = every[name][every[name]["step"] == every[name]["step"].max()].reset_index(drop=True)
        pd.testing.assert_frame_equal(last, got[name])
    pd.testing.assert_frame_equal(every["runs"], got["runs"])


def test_resume_refuses_another_record_mode_even_when_forced(tmp_path, capsys):
    path, out = tmp_path / "exp.yaml", tmp_path / "out"
    path.write_text(GOOD)
    args = ["batch", str(path), "--out", str(out), "--quiet"]
    assert casim(args) == 0
    path.write_text(GOOD + "record: year_end\n")
    assert casim(args + ["--resume", "--force"]) == 2
    assert "record='all'" in capsys.readouterr().err
    assert casim(args + ["--force"]) == 0                                 # starting again is fine
    assert sorted(read_table(out, "region")["step"].unique()) == [0, 4]


def test_a_chunk_recorded_after_the_last_manifest_save_reruns_on_resume(tmp_path):
    from experiments.batchstore import BatchStore
    identity = {"code_version": "test", "n_runs": 4}
    store = BatchStore(tmp_path, identity)
    part = pd.DataFrame({"run": [0, 1]}).to_parquet()
    store.record_done("a", np.array([0, 1]), {"region": part}, 0.1)
    store.save()
    store._save_seconds = 1e9                                          # a slow manifest: the next save waits
    store.record_done("b", np.array([2, 3]), {"region": part}, 0.1)
    assert len(list((tmp_path / "region").iterdir())) == 2              # then the batch is killed
    resumed = BatchStore(tmp_path, identity, resume=True)
    assert resumed.runs_with("done").tolist() == [0, 1]
    assert [p.name for p in (tmp_path / "region").iterdir()] == ["part-a.parquet"]
