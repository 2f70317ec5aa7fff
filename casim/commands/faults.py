"""Faults on disk and directories in use, as messages, repair hints and exit codes (the one place that maps
them; the layers below raise `DamagedOutput`, `DirectoryBusy`, `NotAnOutput` and plain `OSError`s).

A damaged input or a directory in use is a `UserError` (exit 2), a disk fault a `DiskFault` (exit 3);
the exit codes are listed in `casim.cli.EXIT_CODES` (shown by `casim --help`).
"""
from __future__ import annotations

import errno
import shlex
import sys
import warnings
from pathlib import Path

from casim.errors import DiskFault, UserError
from model.dirlock import DirectoryBusy, StillBeingWritten

NEXT_STEP = {  # what to do about each disk fault (`integrity.DISK_FAULTS` says what it is)
    errno.ENOSPC: "free space on that disk",
    errno.EDQUOT: "free space or raise the quota",
    errno.EROFS: "choose an --out on a writable disk, or remount it read-write",
    errno.EACCES: "choose an --out you may write to, or fix its permissions",
    errno.EPERM: "choose an --out you may write to, or fix its permissions",
    errno.EIO: "check the disk (or the network mount)",
}


def run_command(func, args) -> int:
    """Run a command function; faults become `UserError`s (printed without a traceback by `casim.cli`) and a
    reader's `StillBeingWritten` warnings become notes on stderr."""
    shown = warnings.showwarning

    def show(message, category, *rest, **kw):
        if issubclass(category, StillBeingWritten):
            print(f"casim: note: {message}", file=sys.stderr)
        else:
            shown(message, category, *rest, **kw)

    with warnings.catch_warnings():
        warnings.simplefilter("always", StillBeingWritten)
        warnings.showwarning = show
        try:
            return func(args)
        except Exception as exc:
            error = as_user_error(exc)
            if error is None:
                raise
            raise error from None


def as_user_error(exc: Exception) -> UserError | None:
    """The message and exit code for a fault, or None when `exc` is not one."""
    from model.integrity import DamagedOutput, disk_fault
    from experiments.outputdir import NotAnOutput

    if isinstance(exc, DamagedOutput):
        return UserError(f"{exc}\nrepair: {repair_command(exc.directory, exc.manifest, exc.damage)}")
    if isinstance(exc, (DirectoryBusy, NotAnOutput)):
        return UserError(str(exc))
    if disk_fault(exc):
        return DiskFault(disk_fault_message(exc))
    if isinstance(exc, OSError) and exc.filename:  # e.g. an input that vanished or cannot be read
        return UserError(f"cannot read or write {exc.filename}: {exc.strerror}")
    return None


def disk_fault_message(exc: OSError, kept: str = "", repair: str = "") -> str:
    """'cannot write PATH: the disk is full (No space left on device). KEPT. Free space on that disk, then: REPAIR'."""
    from model.integrity import disk_fault

    step = NEXT_STEP.get(exc.errno, "check the disk")
    text = f"cannot write {exc.filename or 'the output'}: {disk_fault(exc)} ({exc.strerror})."
    if kept:
        text += f" {kept}"
    return f"{text} {step[0].upper()}{step[1:]}" + (f", then: {repair}" if repair else ".")


def resume_command(argv: list[str]) -> str:
    """The command `casim ARGV...` made to resume: with --resume (and without a --force meaning 'start again')."""
    if "--resume" not in argv and "--retry-failed" not in argv:
        argv = [w for w in argv if w != "--force"] + ["--resume"]
    return shlex.join(["casim", *argv])


def batch_kept(out: Path) -> str:
    """How many runs the batch directory's manifest holds (what a disk fault did not lose)."""
    from experiments.batchstore import count_runs
    from experiments.outputdir import load_manifest

    try:
        done = count_runs(load_manifest(out), "done")
    except (ValueError, OSError):
        done = 0
    return (f"Nothing is lost: the {done:,} finished runs are recorded in {out}/manifest.json." if done
            else "No run had finished.")


def repair_command(directory: Path, manifest: dict, damage=(), flag: str = "--resume") -> str:
    """The command that repairs a damaged output directory, from what its manifest says wrote it."""
    directory = Path(directory)
    kind = manifest.get("kind") or ("batch" if (directory / "region").is_dir() else "run")
    if any(Path(d.path).name == "manifest.json" for d in damage):
        return ("the manifest is lost, so the directory cannot be resumed: write it again (for a batch, "
                f"casim batch EXPERIMENT.yaml --out {shlex.quote(str(directory))} --force)")
    if kind == "batch":
        experiment = shlex.quote(manifest.get("experiment") or "EXPERIMENT.yaml")
        method = manifest.get("sample_method") or ""
        if method.startswith("sensitivity-"):
            return (f"casim sensitivity {experiment} --method {method.removeprefix('sensitivity-')} "
                    f"--out {shlex.quote(str(directory.parent))} --output ... {flag} (the same outputs as before)")
        return f"casim batch {experiment} --out {shlex.quote(str(directory))} {flag}"
    scenario = next(iter(manifest.get("input_files", {})), "SCENARIO.yaml")
    command = ["casim", "run", scenario, "--out", str(directory)]
    horizon = manifest.get("horizon", {})
    if "run_seeds" in manifest:
        command += ["--replicates", str(len(manifest["run_seeds"])), "--seed", str(manifest.get("master_seed"))]
    if horizon:
        command += ["--years", f"{horizon['start_year']}-{horizon['end_year']}"]
    return shlex.join(command) + " (a run directory is written whole)"
