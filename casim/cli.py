"""The `casim` command line: argument parsing only; the work lives in the layers below.

Every `InputError` a layer raises becomes its messages on stderr and its exit code (2; 3 for a `DiskFault`),
without a traceback; `casim/commands/faults.py` maps disk faults and busy or damaged directories to them.
"""
from __future__ import annotations

import argparse
import sys

from casim.errors import EXIT_BAD_INPUT
from model.errors import InputError

EXIT_CODES = """\
exit codes:
  0    done
  1    some runs failed (casim batch: rerun them with --retry-failed); damage found (casim verify)
  2    bad input: a bad file or argument, a damaged input directory, or an output directory that
       another casim process is writing
  3    the disk refused a write (full, read-only, no permission); everything finished is kept:
       fix the disk, then run the same command with --resume
  130  interrupted
"""


def build_parser() -> argparse.ArgumentParser:
    from casim.commands import batch, calibrate, compare, discover, run, sensitivity, validate, verify, viz

    parser = argparse.ArgumentParser(prog="casim", description="Central Asia balance-of-power simulator",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    # One module per command, each with add_parser(subparsers) setting `func`.
    for command in (run, batch, validate, verify, compare, sensitivity, discover, calibrate, viz):
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import matplotlib

    from casim.commands.faults import run_command

    matplotlib.use("Agg")  # the commands write figures to files and never open a window
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = parser.parse_args(argv)
    args.argv = argv  # the command as given, for messages that suggest running it again
    try:
        return run_command(args.func, args)
    except InputError as exc:  # bad input from any layer (UserError, ScenarioError, ParameterError, ...)
        for message in exc.messages:
            print(f"casim: error: {message}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        print("casim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
