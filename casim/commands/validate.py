"""`casim validate FILE...`: check scenario and experiment files without running them."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from model.errors import InputError
from model.safe_yaml import read_yaml


def _validate_scenario(path: str) -> list[str]:
    from model.scenario import ScenarioError, load_scenario

    try:
        load_scenario(path)
    except ScenarioError as exc:
        return exc.messages
    return []


# File kind -> validator returning one message per problem ([] when valid). Experiment files are added here.
def _validate_experiment(path: str) -> list[str]:
    from experiments.spec import validate_experiment_file

    return validate_experiment_file(path)


VALIDATORS: dict[str, Callable[[str], list[str]]] = {"scenario": _validate_scenario, "experiment": _validate_experiment}


def file_kind(data) -> str:
    """'experiment' for a mapping with a `scenarios:` list (DESIGN section 5), else 'scenario'."""
    return "experiment" if isinstance(data, dict) and "scenarios" in data else "scenario"


def validate_file(path: str | Path) -> list[str]:
    """Every problem in one file, as `file:line: field.path: problem` messages; [] when the file is valid."""
    try:
        kind = file_kind(read_yaml(path).data)
    except InputError as exc:
        return exc.messages
    validator = VALIDATORS.get(kind)
    if validator is None:
        return [f"{path}:1: looks like an {kind} file, which this version of casim cannot validate"]
    return validator(str(path))


def cmd_validate(args) -> int:
    from casim.errors import EXIT_BAD_INPUT

    failed = 0
    for path in args.files:
        messages = validate_file(path)
        for message in messages:
            print(message, file=sys.stderr)
        if messages:
            failed += 1
        elif not args.quiet:
            print(f"{path}: ok")
    if failed:
        print(f"casim: {failed} of {len(args.files)} file(s) invalid", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def add_parser(sub) -> None:
    validate = sub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    validate.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    validate.set_defaults(func=cmd_validate)
