"""One writer per batch directory (issue 24): a second `casim batch` on a directory in use is refused, a killed
holder's lock does not block a resume, readers read what is finished. End to end through the real `casim`."""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_batches import (all_tables, assert_tables_equal, batch_args, casim, done_runs, experiment_text, manifest,
                         no_traceback)
from model.dirlock import Holder, batch_lock_file, current_holder, hold_directory, run_lock_file

HOST = socket.gethostname()
N_RUNS = 5 * 160  # long enough (several seconds, also on a faster machine) that a second command started
#                   1-2 s later finds the first one still running


@pytest.fixture(scope="module")
def long_batch(tmp_path_factory):
    """(experiment file, tables of an uninterrupted batch)."""
    folder = tmp_path_factory.mktemp("lock")
    experiment = folder / "exp.yaml"
    experiment.write_text(experiment_text(replicates=N_RUNS // 5, chunk_size=10, end_year=2040, name="lock_check"))
    result = casim("batch", experiment, "--out", folder / "reference", "--quiet")
    assert result.returncode == 0, result.stderr
    return experiment, all_tables(folder / "reference")


def start(command) -> subprocess.Popen:
    """Start a command in its own process group (so that a test can always clean up after it)."""
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@pytest.fixture
def processes():
    """Processes a test started; any still running at its end are killed with their workers."""
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def refusal(out: Path, holder: subprocess.Popen, experiment: Path, *extra) -> str:
    """The start of the message that names the directory and its holder."""
    command = " ".join(["casim", "batch", str(experiment), "--out", str(out), "--quiet", *extra])
    return f"casim: error: {out} is being written by {command} (pid {holder.pid} on host {HOST}, since "


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_a_second_batch_on_a_directory_in_use_is_refused_and_nothing_is_lost(tmp_path, long_batch, processes,
                                                                           executor):
    experiment, reference = long_batch
    rng = random.Random(24)
    seconds = {"processes": [], "dask": []}
    rounds = 4 if executor == "processes" else 2
    for round_ in range(rounds):
        out = tmp_path / f"round{round_}"
        options = ["--executor", executor] if executor == "dask" else []
        first = start(batch_args(experiment, out, *options))
        processes.append(first)
        gap = rng.uniform(1.0, 2.0)
        time.sleep(gap)
        second_options = (["--resume"], [], ["--force"])[round_ % 3]   # --force would delete the first's parts
        second = subprocess.run(batch_args(experiment, out, *second_options), capture_output=True, text=True,
                                timeout=300)
        assert first.poll() is None, "the first batch ended before the second started: lengthen the experiment"
        assert second.returncode == 2 and no_traceback(second), second.stderr
        assert second.stderr.startswith(refusal(out, first, experiment, *options)), second.stderr
        assert second.stderr.rstrip().endswith("; wait for it to finish or stop it")
        stdout, stderr = first.communicate(timeout=600)
        assert first.returncode == 0, stderr
        assert f"{N_RUNS}/{N_RUNS} runs done, 0 failed ({N_RUNS} run now" in stdout
        assert_tables_equal(reference, out)
        assert not batch_lock_file(out).exists()        # a clean end leaves no lock behind
        seconds[executor].append(round(gap, 2))
    print(f"{executor}: second batch started after {seconds[executor]} s, refused every time")


def test_kill_9_of_the_holder_then_resume_takes_over_the_stale_lock(tmp_path, long_batch, processes):
    experiment, reference = long_batch
    out = tmp_path / "killed"
    holder = start(batch_args(experiment, out, "--workers", "2"))
    processes.append(holder)
    deadline = time.monotonic() + 300
    while done_runs(out) == 0 and holder.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(holder.pid, signal.SIGKILL)                  # the holder only, not its workers
    holder.wait()
    kept = done_runs(out)
    assert holder.returncode == -signal.SIGKILL and 0 < kept < N_RUNS
    assert json.loads(batch_lock_file(out).read_text())["pid"] == holder.pid   # the lock file names the dead holder
    assert current_holder(batch_lock_file(out)) is None                      # but nobody holds the lock
    assert wait_until_gone(str(out)), "the killed batch's workers outlived it"

    resumed = casim("batch", experiment, "--out", out, "--quiet", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert (f"note: {out} was left by casim batch {experiment} --out {out} --quiet --workers 2 (pid {holder.pid} "
            f"on host {HOST}, since ") in resumed.stderr
    assert "which ended without finishing; its lock was stale and is taken over" in resumed.stderr
    assert f"{N_RUNS}/{N_RUNS} runs done, 0 failed ({N_RUNS - kept} run now" in resumed.stdout
    assert_tables_equal(reference, out)
    assert not batch_lock_file(out).exists()


def wait_until_gone(text: str, seconds: float = 20) -> bool:
    """Whether, within `seconds`, no process has `text` in its command line."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [pid for pid in os.listdir("/proc") if pid.isdigit() and text in command_of(pid)]:
            return True
        time.sleep(0.1)
    return False


def command_of(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_readers_see_only_finished_runs_while_a_batch_runs_and_say_so(tmp_path, processes):
    from experiments.batch import read_table

    # 40,000 runs: it runs until the test stops it (4,000 took the engine ~16 s on a quiet machine, less than the
    # readers below)
    experiment = tmp_path / "many_samples.yaml"
    experiment.write_text(experiment_text(replicates=20, chunk_size=10, end_year=2040, name="readers_check")
                          .replace("n: 5", "n: 2000"))
    out = tmp_path / "running"
    writer = start(batch_args(experiment, out))
    processes.append(writer)
    deadline = time.monotonic() + 300
    while done_runs(out) < 60 and time.monotonic() < deadline:    # three samples' runs, for discover
        time.sleep(0.05)
    before = finished_runs(out)
    region = read_table(out, "region")
    after = finished_runs(out)
    read = set(region["run"])
    assert before <= read <= after and 60 <= len(read) < 40000  # recorded chunks only, none unfinished
    assert (region.groupby("run").size() == 65).all()              # whole runs, none twice
    final = region[region["year"] == 2040].groupby("run")["hhi"].last()

    verified = casim("verify", out)
    assert verified.returncode == 0, verified.stdout
    assert f"note: {out} is being written by casim batch {experiment}" in verified.stdout
    assert f"(pid {writer.pid} on host {HOST}" in verified.stdout
    compared = casim("compare", out, "--out", tmp_path / "report")
    assert compared.returncode == 0, compared.stderr
    assert f"casim: note: {out} is still being written by casim batch {experiment}" in compared.stderr
    assert "of 40,000 runs finished so far" in compared.stderr and (tmp_path / "report" / "report.html").is_file()
    discovered = casim("discover", out, "--where", f"hhi@2040 > {final.median()}", "--out", tmp_path / "found")
    assert discovered.returncode == 0 and "still being written" in discovered.stderr, discovered.stderr
    assert writer.poll() is None, "the batch ended before the readers were done: lengthen the experiment"


def finished_runs(out) -> set[int]:
    """Runs of the chunks the manifest on disk records as done."""
    return {run for c in manifest(out)["chunks"].values() if c["status"] == "done"
            for a, b in c["runs"] for run in range(a, b)}


def test_run_and_sensitivity_outputs_are_refused_while_another_process_writes_them(tmp_path):
    me = f"(pid {os.getpid()} on host {HOST}, since "
    run_out = tmp_path / "run"
    run = ["run", "--out", run_out, "--replicates", "2", "--years", "2025-2025", "--no-plots"]
    with hold_directory(run_lock_file(run_out)):
        refused = casim(*run)
    assert refused.returncode == 2 and no_traceback(refused)
    assert f"casim: error: {run_out} is being written by " in refused.stderr and me in refused.stderr
    assert not run_out.exists()
    assert casim(*run).returncode == 0 and not run_lock_file(run_out).exists()

    experiment = tmp_path / "tiny.yaml"
    experiment.write_text("name: tiny\nscenarios: [baseline]\nreplicates: 1\nseed: 4\n"
                          "horizon: {start_year: 2025, end_year: 2025}\nexecutor: {kind: inline}\n"
                          "sample: {method: saltelli, n: 2, params: {war_intensity: [0.3, 0.9]}}\n")
    sens_out = tmp_path / "sens"
    for held in (sens_out, sens_out / "batch"):      # the report folder, and the runs' batch folder
        with hold_directory(batch_lock_file(held)):
            refused = casim("sensitivity", experiment, "--output", "hhi@2025", "--out", sens_out, "--quiet")
        assert refused.returncode == 2 and f"casim: error: {held} is being written by " in refused.stderr
        assert me in refused.stderr
    assert not (sens_out / "report").exists()


def test_nested_holds_share_one_lock_and_a_stale_holder_is_reported(tmp_path):
    lock = batch_lock_file(tmp_path / "batch")
    probe = [sys.executable, "-c", "import sys; from model.dirlock import current_holder; "
             "h = current_holder(sys.argv[1]); print(h.pid if h else 'free')", str(lock)]
    with hold_directory(lock) as outer:
        with hold_directory(lock) as inner:
            assert inner is outer
        # leaving the inner hold must not drop the process's lock (POSIX locks go with any close)
        assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == str(os.getpid())
    assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "free"
    assert not lock.exists() and not lock.parent.exists()   # the folder was made only for the lock

    dead = Holder("casim batch exp.yaml --out batch", 999_999_999, HOST, "2025-01-02T03:04:05+00:00")
    lock.parent.mkdir()
    lock.write_text(json.dumps(dead.__dict__))              # what a killed holder leaves
    with hold_directory(lock) as hold:
        assert hold.stale == dead and hold.holder.pid == os.getpid()
    assert "pid 999999999 on host" in dead.describe()
