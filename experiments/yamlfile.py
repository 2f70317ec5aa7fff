"""Strict YAML input: safe loading, with the line of every field kept for error messages.

Errors read `file:line: field.path: message (did you mean 'x'?)`.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from model.params import _nearest


class InputError(ValueError):
    """A bad input file; the message names the file, line and field path."""


def load_yaml_with_lines(path: str | Path) -> tuple[object, dict[tuple, int]]:
    """Parse `path` with the safe loader; return the data and {field path tuple: 1-based line}.

    Raises:
        InputError: unreadable file or invalid YAML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    lines: dict[tuple, int] = {}
    _collect_lines(node, (), lines)
    return data, lines


def _collect_lines(node, prefix: tuple, lines: dict) -> None:
    if node is None:
        return
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = prefix + (key.value,)
            lines[here] = key.start_mark.line + 1
            _collect_lines(value, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_lines(item, prefix + (i,), lines)


def line_of(lines: dict[tuple, int], loc: tuple) -> int | None:
    """Line of the deepest known prefix of `loc`."""
    for end in range(len(loc), -1, -1):
        if tuple(loc[:end]) in lines:
            return lines[tuple(loc[:end])]
    return None


def format_errors(path: str | Path, exc: ValidationError, lines: dict, schema: type[BaseModel]) -> list[str]:
    """One `file:line: field.path: message` string per pydantic error, with nearest-name hints."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            valid = _fields_at(schema, loc[:-1])
            message = f"unknown field '{loc[-1]}'{_nearest(str(loc[-1]), valid)}"
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = line_of(lines, loc)
        out.append(f"{path}:{line}: {field}: {message}" if line else f"{path}: {field}: {message}")
    return out


def _fields_at(schema: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at `loc`, for suggestions."""
    model = schema
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return list(model.model_fields)
        model = nested[0]
    return list(model.model_fields)
