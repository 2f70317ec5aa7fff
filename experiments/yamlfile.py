"""Strict experiment input: pydantic errors as `file:line` messages (YAML read by `model.safe_yaml`).

Errors read `file:line: field.path: message (did you mean 'x'?)`.
"""
from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ValidationError

from model.params import _nearest
from model.safe_yaml import InputError as SafeYamlError, read_yaml


class InputError(ValueError):
    """A bad input file; the message names the file, line and field path."""


def load_yaml_with_lines(path: str | Path) -> tuple[object, dict[tuple, int]]:
    """Parse `path` with the project's hardened safe reader; return the data and {field path: line}.

    Raises:
        InputError: unreadable file, invalid YAML or a disallowed YAML feature.
    """
    try:
        document = read_yaml(path)
    except SafeYamlError as exc:
        raise InputError("\n".join(exc.messages)) from None
    return document.data, document.lines


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
        elif err["type"] == "literal_error":
            message += _nearest(str(err["input"]), re.findall(r"'([^']*)'", err["ctx"]["expected"]))
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
