"""Bad input, at the bottom of the stack: one error type, one nearest-name helper, one line finder.

Every layer raises `InputError` (or a subclass: `ParameterError`, `ScenarioError`, `ExperimentError`,
`TargetError`, the CLI's `UserError`) for input it cannot use: a file, a parameter name or value, an
output reference. `.messages` holds one line per problem, `file:line: field.path: problem (did you mean
'x'?)` when the input came from a file. Libraries raise; only the command line (`casim/cli.py` and
`casim/commands/`) prints the messages and exits with code 2.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


class InputError(ValueError):
    """Input that cannot be used; `.messages` has one `file:line: field.path: problem` line per problem.

    Args:
        messages: one message, or a list of them (every problem found, not only the first).
    """

    def __init__(self, messages: str | Sequence[str]):
        self.messages = [messages] if isinstance(messages, str) else [str(m) for m in messages]
        super().__init__("\n".join(self.messages))


def did_you_mean(name, options: Iterable) -> str:
    """' (did you mean 'x'?)' with the closest of `options` to `name`, or '' when there are no options."""
    match = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.0)
    return f" (did you mean '{match[0]}'?)" if match else ""


def show_path(path: Sequence) -> str:
    """A location in a document as the user writes it: ('events', 0, 'at') -> 'events[0].at'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def line_of(lines: Mapping[tuple, T], path: Sequence, default: T | None = None) -> T | None:
    """What `lines` records for `path` (its line), else for its nearest enclosing location, else `default`.

    `lines` maps locations such as ("events", 0, "at") to a line number (or to a (file, line) pair);
    a value missing from the file (a required field, say) is reported at the line of its parent.
    """
    path = tuple(path)
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return default
