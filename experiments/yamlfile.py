"""Experiment-file validation errors from pydantic as `file:line: field.path: message (did you mean 'x'?)` lines.

The file itself is read by `model.safe_yaml.read_yaml`, which keeps the line of every value.
"""
from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ValidationError

from model.errors import did_you_mean, line_of


def format_errors(path: str | Path, exc: ValidationError, lines: dict, schema: type[BaseModel]) -> list[str]:
    """One `file:line: field.path: message` string per pydantic error, with nearest-name hints."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            valid = _fields_at(schema, loc[:-1])
            message = f"unknown field '{loc[-1]}'{did_you_mean(loc[-1], valid)}"
        elif err["type"] == "literal_error":
            message += did_you_mean(err["input"], re.findall(r"'([^']*)'", err["ctx"]["expected"]))
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
