"""Faults on disk lose nothing and say so (issue 23): a full or read-only disk, truncated, missing and altered
parts, damaged run outputs. End to end through the real `casim` command, plus the Python readers."""
import errno
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cli_batches import (all_tables, assert_tables_equal, casim, done_runs, experiment_text, flip_silently,
                         manifest, no_traceback)
from model.integrity import DamagedOutput, file_record

N_RUNS = 40   # 5 samples x 8 replicates, in 8 chunks of 5 runs


@dataclass
class Reference:
    experiment: Path
    out: Path
    tables: dict
    bytes: int    # size of its parts on disk


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    """An uninterrupted batch: what every damaged or interrupted one must end up equal to."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = folder / "exp.yaml"
    experiment.write_text(experiment_text(replicates=8, chunk_size=5, end_year=2026))
    out = folder / "batch"
    result = casim("batch", experiment, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    size = sum(p.stat().st_size for p in out.rglob("part-*.parquet"))
    return Reference(experiment, out, all_tables(out), size)


@pytest.fixture
def mount_tmpfs(request):
    """mount_tmpfs(path, size, read_only=False): a small file system of its own (needs root, as in CI);
    unmounted at the end of the test. Skips, saying why, where mounting is not allowed."""
    def mount(path: Path, size: int, read_only: bool = False) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        options = f"size={size}" + (",ro" if read_only else "")
        try:
            result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                                    capture_output=True, text=True, timeout=60)
        except OSError as exc:
            pytest.skip(f"cannot run mount here ({exc}); CI runs as root and mounts a tmpfs")
        if result.returncode != 0:
            pytest.skip(f"mounting a tmpfs is not allowed here ({result.stderr.strip()}); CI runs as root")
        request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=60))
        return path
    return mount


def copy_of(reference: Reference, tmp_path: Path) -> Path:
    out = tmp_path / "batch"
    shutil.copytree(reference.out, out)
    return out


def chunk_ids(out: Path) -> list[str]:
    return sorted(manifest(out)["chunks"])


def test_disk_full_is_a_message_then_resume_after_freeing_space_gives_the_reference_tables(
        tmp_path, reference, mount_tmpfs):
    disk = mount_tmpfs(tmp_path / "disk", size=reference.bytes // 2)   # room for about half the parts
    out = disk / "batch"
    full = casim("batch", reference.experiment, "--out", out, "--quiet")
    print(full.stderr)
    assert full.returncode == 3 and no_traceback(full)
    kept = done_runs(out)
    assert 0 < kept < N_RUNS                                           # stopped part-way, progress recorded
    assert f"casim: error: cannot write {out}" in full.stderr
    assert "the disk is full (No space left on device)" in full.stderr
    assert f"Nothing is lost: the {kept} finished runs are recorded in {out}/manifest.json" in full.stderr
    assert f"Free space on that disk, then: casim batch {reference.experiment} --out {out} --quiet --resume" \
        in full.stderr
    verified = casim("verify", out)                                   # what it kept is sound and resumable
    assert verified.returncode == 0 and "incomplete: finish it with" in verified.stdout, verified.stdout
    recorded = {f"part-{c}.parquet" for c in chunk_ids(out)}
    assert {p.name for p in (out / "region").iterdir()} == recorded   # unfinished chunks' files were deleted

    subprocess.run(["mount", "-o", f"remount,size={reference.bytes * 4}", str(disk)], check=True, timeout=60)
    resumed = casim("batch", reference.experiment, "--out", out, "--quiet", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{N_RUNS}/{N_RUNS} runs done, 0 failed ({N_RUNS - kept} run now" in resumed.stdout
    assert_tables_equal(reference.tables, out)


@pytest.mark.parametrize("error, meaning, next_step", [
    (errno.ENOSPC, "the disk is full", "Free space on that disk, then: casim batch"),
    (errno.EACCES, "permission denied", "Choose an --out you may write to, or fix its permissions, then: casim"),
    (errno.EIO, "the disk reported an error", "Check the disk (or the network mount), then: casim batch"),
])
def test_a_disk_fault_while_the_manifest_is_rewritten(tmp_path, reference, monkeypatch, capsys, error, meaning,
                                                      next_step):
    """The first fault the issue met: ENOSPC raised while rewriting manifest.json (a traceback then); also the
    faults that cannot be made for real here (root may write anywhere)."""
    from casim.cli import main
    from experiments import batchstore

    rewrite, saves = batchstore.write_json_atomic, []

    def fails_from_the_fourth_save(path, obj):
        saves.append(path)
        if len(saves) >= 4:
            raise OSError(error, os.strerror(error), str(path))
        rewrite(path, obj)

    monkeypatch.setattr(batchstore, "write_json_atomic", fails_from_the_fourth_save)
    monkeypatch.setattr(batchstore.BatchStore, "save_soon", batchstore.BatchStore.save)  # a save per chunk
    out = tmp_path / "batch"
    args = ["batch", str(reference.experiment), "--out", str(out), "--quiet", "--executor", "inline"]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert f"cannot write {out}/manifest.json: {meaning} ({os.strerror(error)})" in err
    assert next_step in err and err.rstrip().endswith("--resume")
    assert 0 < done_runs(out) < N_RUNS
    monkeypatch.undo()
    assert main([*args, "--resume"]) == 0
    assert_tables_equal(reference.tables, out)


def test_read_only_output_is_a_message(tmp_path, reference, mount_tmpfs):
    read_only = mount_tmpfs(tmp_path / "ro", size=1 << 20, read_only=True)
    commands = {"batch": ["batch", reference.experiment, "--out", read_only / "batch", "--quiet"],
                "run": ["run", "--out", read_only / "run", "--replicates", "2", "--years", "2025-2025", "--no-plots"],
                "compare": ["compare", reference.out, "--out", read_only / "report"]}
    for name, args in commands.items():
        result = casim(*args)
        assert result.returncode == 3 and no_traceback(result), (name, result.stderr)
        assert f"cannot write {read_only}" in result.stderr and "the file system is read-only" in result.stderr
        assert "Choose an --out on a writable disk" in result.stderr


def test_missing_or_unreadable_inputs_exit_2_with_the_path(tmp_path, capsys):
    from casim.cli import main  # in-process: an uncaught exception would fail the test as a traceback would

    missing = tmp_path / "missing"
    for args, expected in ((["batch", missing / "exp.yaml", "--out", tmp_path / "x"], f"{missing}/exp.yaml"),
                           (["batch", tmp_path, "--out", tmp_path / "x"], "Is a directory"),
                           (["run", missing / "s.yaml"], f"{missing}/s.yaml"),
                           (["compare", missing, "--out", tmp_path / "report"], f"{missing}: no such output"),
                           (["discover", missing, "--where", "hhi@2026 > 0"], f"{missing}: no such output"),
                           (["verify", missing], f"{missing}: no such directory"),
                           (["verify", tmp_path], f"{tmp_path}: no manifest.json")):
        assert main([str(a) for a in args]) == 2, args
        assert expected in capsys.readouterr().err, args
    assert not (tmp_path / "x").exists() and not (tmp_path / "report").exists()


def test_truncated_deleted_and_altered_parts_are_named_and_rerun_on_resume(tmp_path, reference):
    out = copy_of(reference, tmp_path)
    chunks = chunk_ids(out)
    truncated = out / "region" / f"part-{chunks[1]}.parquet"
    deleted = out / "states" / f"part-{chunks[4]}.parquet"
    altered = out / "region" / f"part-{chunks[6]}.parquet"
    truncated.write_bytes(truncated.read_bytes()[:truncated.stat().st_size // 2])
    deleted.unlink()
    flip_silently(altered)          # still a valid Parquet file: only the checksum tells

    verified = casim("verify", out)
    assert verified.returncode == 1 and no_traceback(verified)
    lines = verified.stdout.splitlines()
    assert any(line.startswith(f"{truncated}: truncated (") for line in lines), verified.stdout
    assert f"{deleted}: missing  [chunk {chunks[4]}]" in lines
    assert f"{altered}: altered (its blake2b checksum differs from the manifest's)  [chunk {chunks[6]}]" in lines
    assert f"{out}: DAMAGED (batch, 40 of 40 runs done): 3 bad file(s) in 3 chunk(s)" in lines
    assert f"repair: casim batch {reference.experiment} --out {out} --resume" in lines

    for args in (["compare", out, "--out", tmp_path / "report"], ["discover", out, "--where", "hhi@2026 > 0.3"]):
        read = casim(*args)
        assert read.returncode == 2 and no_traceback(read), read.stderr
        for path in (truncated, deleted, altered):
            assert str(path) in read.stderr
        assert f"repair: casim batch {reference.experiment} --out {out} --resume" in read.stderr
    assert not (tmp_path / "report").exists()

    resumed = casim("batch", reference.experiment, "--out", out, "--quiet", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    for chunk, path in ((chunks[1], truncated), (chunks[4], deleted), (chunks[6], altered)):
        assert f"rerunning chunk {chunk}: {path}:" in resumed.stderr
    assert "40/40 runs done, 0 failed (15 run now" in resumed.stdout   # exactly the three chunks of 5 runs
    assert chunk_ids(out) == chunks
    assert_tables_equal(reference.tables, out)
    assert casim("verify", out).returncode == 0


def test_manifest_records_size_rows_and_checksum_of_every_part(reference):
    chunks = manifest(reference.out)["chunks"]
    assert len(chunks) == 8
    for chunk_id, chunk in chunks.items():
        assert set(chunk["parts"]) == {"region", "states", "runs"}
        for table, record in chunk["parts"].items():
            path = reference.out / table / f"part-{chunk_id}.parquet"
            assert record == file_record(path, rows=pq.read_metadata(path).num_rows)
        assert chunk["parts"]["runs"]["rows"] == 5 and chunk["parts"]["states"]["rows"] == 5 * 9 * 5


def test_python_readers_name_a_damaged_part_and_skip_unrecorded_ones(tmp_path, reference):
    from casim.analysis.tables import load_output
    from experiments.batch import read_table

    out = copy_of(reference, tmp_path)
    chunks = chunk_ids(out)
    # a part that the manifest does not list (left by a chunk that did not finish) is not read
    shutil.copy(out / "region" / f"part-{chunks[0]}.parquet", out / "region" / "part-000000090-000000094.parquet")
    pd.testing.assert_frame_equal(read_table(out, "region"), reference.tables["region"])
    assert casim("verify", out).returncode == 1                      # but verify reports it
    bad = out / "states" / f"part-{chunks[2]}.parquet"
    bad.write_bytes(b"PAR1 not really")
    for reader in (lambda: read_table(out, "states"), lambda: load_output(out)):
        with pytest.raises(DamagedOutput) as caught:
            reader()
        assert [str(d.path) for d in caught.value.damage] == [str(bad)]
        assert f"{bad}: truncated (15 of " in str(caught.value)


def test_a_silent_bit_flip_reads_as_other_numbers_without_the_checksum(tmp_path, reference):
    """Why parts carry a checksum: this flip leaves a valid Parquet file that pyarrow reads without error."""
    from experiments.batch import read_table

    out = copy_of(reference, tmp_path)
    part = out / "region" / f"part-{chunk_ids(out)[3]}.parquet"
    flip_silently(part)
    assert not pq.read_table(part).equals(pq.read_table(reference.out / "region" / part.name))
    with pytest.raises(DamagedOutput, match="altered"):
        read_table(out, "region")


def test_run_outputs_carry_checksums_that_verify_and_compare_check(tmp_path):
    out = tmp_path / "run"
    result = casim("run", "--out", out, "--replicates", "3", "--years", "2025-2026", "--seed", "9", "--csv")
    assert result.returncode == 0, result.stderr
    files = manifest(out)["files"]
    assert {"region.parquet", "states.parquet", "runs.parquet", "region.csv", "plots/influence_shares.png"} <= set(files)
    assert files["region.parquet"] == file_record(out / "region.parquet", rows=3 * 9)
    assert files["region.csv"]["rows"] == 3 * 9 and files["plots/influence_shares.png"]["rows"] is None
    assert not list(tmp_path.glob(".*"))                              # no lock file or temporary left beside it
    sound = casim("verify", out)
    assert sound.returncode == 0 and f"{out}: sound (run; {len(files)} file(s) checked)" in sound.stdout

    flip_silently(out / "states.parquet")
    damaged = casim("verify", out)
    assert damaged.returncode == 1
    assert f"{out / 'states.parquet'}: altered" in damaged.stdout
    assert "repair: casim run" in damaged.stdout and "--replicates 3 --seed 9 --years 2025-2026" in damaged.stdout
    compared = casim("compare", out, "--out", tmp_path / "report")
    assert compared.returncode == 2 and no_traceback(compared)
    assert f"{out / 'states.parquet'}: altered" in compared.stderr


def test_sensitivity_resume_reruns_a_damaged_chunk_and_verify_checks_its_folder(tmp_path):
    experiment = tmp_path / "tiny.yaml"
    experiment.write_text("name: tiny\nscenarios: [baseline]\nreplicates: 2\nseed: 4\n"
                          "horizon: {start_year: 2025, end_year: 2026}\nexecutor: {kind: inline, chunk_size: 5}\n"
                          "sample:\n  method: saltelli\n  n: 2\n  params:\n    war_intensity: [0.3, 0.9]\n"
                          "    powers.RUS.security_capacity: [0.1, 1.5]\n")
    out = tmp_path / "sens"
    args = ["sensitivity", experiment, "--output", "influence_RUS@2026", "--out", out, "--quiet"]
    assert casim(*args).returncode == 0
    indices = pd.read_csv(out / "report" / "sobol_influence_rus_2026.csv")
    part = sorted((out / "batch" / "region").glob("part-*.parquet"))[1]
    part.unlink()
    verified = casim("verify", out)
    assert verified.returncode == 1 and f"{part}: missing" in verified.stdout
    assert f"repair: casim sensitivity {experiment} --method sobol --out {out}" in verified.stdout
    resumed = casim(*args, "--resume")
    assert resumed.returncode == 0 and f"rerunning chunk {part.stem.removeprefix('part-')}" in resumed.stderr
    pd.testing.assert_frame_equal(pd.read_csv(out / "report" / "sobol_influence_rus_2026.csv"), indices)
    assert casim("verify", out).returncode == 0


def test_a_damaged_manifest_is_named_and_not_resumed(tmp_path, reference):
    out = copy_of(reference, tmp_path)
    (out / "manifest.json").write_text('{"kind": "batch", "chunks": {')
    verified = casim("verify", out)
    assert verified.returncode == 1 and f"{out}/manifest.json: not valid JSON" in verified.stdout
    resumed = casim("batch", reference.experiment, "--out", out, "--quiet", "--resume")
    assert resumed.returncode == 2 and no_traceback(resumed)
    assert f"{out}/manifest.json: not valid JSON" in resumed.stderr and "--force" in resumed.stderr
