"""`casim verify DIR...`: check the files of batch or run output directories against their manifests.

Runs nothing and writes nothing. Exit 0 when every directory is sound, 1 when a file is missing,
truncated, altered or not recorded, 2 when a path is not an output directory.
"""
from __future__ import annotations

import sys

from casim.errors import EXIT_BAD_INPUT

EXIT_DAMAGED = 1


def cmd_verify(args) -> int:
    from experiments.outputdir import NotAnOutput, verify_output

    worst = 0
    for directory in args.dirs:
        try:
            result = verify_output(directory)
        except NotAnOutput as exc:
            print(f"casim: error: {exc}", file=sys.stderr)
            worst = max(worst, EXIT_BAD_INPUT)
            continue
        report(result)
        worst = max(worst, 0 if result.sound else EXIT_DAMAGED)
    return worst


def report(result) -> None:
    """One line per bad file, then the verdict, and the command that repairs or finishes the directory."""
    from .faults import repair_command

    where = result.directory
    if result.writer:
        print(f"note: {where} is being written by {result.writer.describe()}: checked what it has finished")
    for note in result.notes:
        print(f"note: {note}")
    for damage in result.damage:
        print(f"{damage}" + (f"  [chunk {damage.chunk}]" if damage.chunk else ""))
    if result.kind == "batch" and result.manifest:
        done, failed, total = result.runs("done"), result.runs("failed"), result.manifest.get("n_runs", 0)
        state = f"batch, {done:,} of {total:,} runs done" + (f", {failed:,} failed" if failed else "")
    else:
        state = result.kind
    if not result.sound:
        chunks = {d.chunk for d in result.damage if d.chunk}
        print(f"{where}: DAMAGED ({state}): {len(result.damage)} bad file(s)"
              + (f" in {len(chunks)} chunk(s)" if chunks else ""))
        print(f"repair: {repair_command(where, result.manifest, result.damage)}")
        return
    print(f"{where}: sound ({state}; {result.checked} file(s) checked)")
    if result.kind == "batch" and result.writer is None and result.manifest:
        if done + failed < total:
            print(f"incomplete: finish it with {repair_command(where, result.manifest)}")
        if failed:
            print(f"failed runs: rerun them with {repair_command(where, result.manifest, flag='--retry-failed')}")


def add_parser(sub) -> None:
    parser = sub.add_parser("verify", help="check batch or run outputs against their manifests (runs nothing)")
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="output directories of casim run or casim batch")
    parser.set_defaults(func=cmd_verify)
