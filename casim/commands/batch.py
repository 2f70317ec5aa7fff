"""`casim batch`: run an experiment file in chunks, streamed to a resumable directory."""
from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

from casim.errors import EXIT_RUNS_FAILED, DiskFault, UserError
from model.uncertainty import MODES


def load_plan(path, uncertainty: str | None = None):
    """The experiment file's `BatchPlan` and `Experiment` (a bad file raises an `InputError`: exit 2); `uncertainty`
    (the --uncertainty option) overrides the file's mode."""
    from experiments.plan import build_plan

    return build_plan(path, uncertainty)


def executor_settings(args, experiment):
    """(executor, chunk_size) from the command line, else the experiment's `executor:` block."""
    from experiments.executors import make_executor

    settings = experiment.executor
    chunk_size = args.chunk_size or settings.chunk_size
    if chunk_size < 1 or (args.workers is not None and args.workers < 1):
        raise UserError("--chunk-size and --workers must be at least 1")
    try:
        executor = make_executor(args.executor or settings.kind, args.workers or settings.workers,
                                 args.scheduler or settings.scheduler)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return executor, chunk_size


def run_plan(plan, experiment, out: Path, args):
    """Run `plan` into the batch directory `out` with the command's executor and resume options."""
    from experiments.batch import run_batch
    from experiments.batchstore import BatchMismatch
    from model.integrity import disk_fault

    from .faults import batch_kept, disk_fault_message, resume_command

    executor, chunk_size = executor_settings(args, experiment)
    try:
        summary = run_batch(plan, out, executor, chunk_size, resume=args.resume, retry_failed=args.retry_failed,
                            force=args.force, quiet=args.quiet, log=lambda note: print(note, file=sys.stderr))
    except BatchMismatch as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        if not disk_fault(exc):
            raise
        raise DiskFault(disk_fault_message(exc, batch_kept(out), resume_command(getattr(args, "argv", sys.argv[1:])))) from None
    if summary.damaged_chunks:
        print(f"reran {len(summary.damaged_chunks)} damaged chunk(s): {', '.join(summary.damaged_chunks)} "
              f"(checked every finished chunk in {summary.verify_seconds:.2f} s)", file=sys.stderr)
    return summary


def holding(out: str | None):
    """Hold the batch directory's lock from the start of the command when `--out` names it (else `run_batch`
    takes it once the experiment file has named the directory), so that of two commands started on one
    directory the first always wins."""
    from model.dirlock import batch_lock_file, hold_directory

    return hold_directory(batch_lock_file(out)) if out else nullcontext()


def report_failures(summary, rerun: str) -> None:
    for chunk, error in summary.failed_chunks.items():
        print(f"  chunk {chunk} failed: {error}", file=sys.stderr)
    print(f"rerun the failed runs with: {rerun} --retry-failed", file=sys.stderr)


def cmd_batch(args) -> int:
    with holding(args.out):
        plan, experiment = load_plan(args.experiment, args.uncertainty)
        out = Path(args.out or Path("out") / experiment.name)
        summary = run_plan(plan, experiment, out, args)
    rate = summary.ran_now / summary.seconds if summary.seconds > 0 else 0.0
    print(f"{out}/: {summary.runs_done}/{summary.runs_total} runs done, {summary.runs_failed} failed "
          f"({summary.ran_now} run now in {summary.seconds:.1f} s, {rate:.1f} runs/s)")
    if summary.failed_chunks:
        report_failures(summary, f"casim batch {args.experiment} --out {out}")
        return EXIT_RUNS_FAILED
    return 0


def add_run_options(parser) -> None:
    """Resume and executor options, shared by every command that runs a batch."""
    parser.add_argument("--resume", action="store_true", help="run only the runs the directory does not hold yet")
    parser.add_argument("--retry-failed", action="store_true", help="resume and rerun the runs of failed chunks")
    parser.add_argument("--force", action="store_true",
                        help="resume although inputs or code changed; without --resume, start the batch again")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--executor", choices=("processes", "dask", "inline"), help="override the experiment's executor")
    parser.add_argument("--workers", type=int, help="worker processes (default: experiment file, else all cores)")
    parser.add_argument("--chunk-size", type=int, help="runs per vectorised ensemble (results do not depend on it)")
    parser.add_argument("--scheduler", help="dask scheduler address, e.g. tcp://host:8786 (default: a LocalCluster)")
    parser.add_argument("--uncertainty", choices=MODES,
                        help="what each replicate draws (default: the experiment's uncertainty:, else posterior): "
                             "posterior, prior or point; the design's sampled parameters win; --resume refuses a "
                             "change")


def add_parser(sub) -> None:
    batch = sub.add_parser("batch", help="run an experiment (scenarios x samples x replicates) as a batch")
    batch.add_argument("experiment", help="experiment file, e.g. experiments/balance_sweep_ci.yaml")
    batch.add_argument("--out", help="batch directory (default out/<experiment name>)")
    add_run_options(batch)
    batch.set_defaults(func=cmd_batch)
