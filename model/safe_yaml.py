"""Reading user YAML safely, keeping the line of every value for error messages.

Only plain YAML is accepted: mappings with text keys, sequences, strings,
numbers, booleans, null and dates. Python tags, merge keys, duplicate keys,
alias bombs ("billion laughs"), deep nesting and huge files are rejected with
an `InputError` whose messages read `file:line: what is wrong`. Nothing in a
file is ever evaluated: parsing uses PyYAML's SafeLoader.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import InputError, show_path

MAX_BYTES = 1_000_000    # a scenario is a page of text; anything larger is a mistake or an attack
MAX_ALIASES = 100        # aliases are allowed for reuse, but not for exponential expansion
MAX_NODES = 20_000       # values after expanding aliases
MAX_DEPTH = 40           # nesting levels

_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG, _SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

Loc = tuple  # a value's location in the document: keys and list indices, e.g. ("events", 0, "at")


@dataclass
class Document:
    """A parsed YAML file: plain Python data plus the line of each value (1-based)."""
    file: str
    data: object
    lines: dict  # Loc -> line (find a value's line, or its parent's, with `model.errors.line_of`)


class _LimitError(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases and nesting while composing nodes."""

    def __init__(self, stream):
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _LimitError(self.peek_event().start_mark.line + 1,
                                  f"more than {MAX_ALIASES} YAML aliases (*name); refusing a possible alias bomb")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _LimitError(self.peek_event().start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    """Turns composed nodes into plain data, recording lines and collecting problems."""

    def __init__(self, loader: _Loader):
        self.loader = loader
        self.lines: dict = {}
        self.problems: list[tuple[int, str]] = []
        self.nodes = 0

    def build(self, node, path: Loc):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _LimitError(node.start_mark.line + 1, f"more than {MAX_NODES} values (after expanding aliases)")
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        where = show_path(path)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _PLAIN_TAGS:
                self.problems.append((line, f"{where}: YAML tag '{node.tag}' is not allowed; write a plain value"))
                return None
            try:
                return self.loader.construct_object(node, deep=True)
            except Exception as exc:  # e.g. an impossible date such as 2027-13-45
                self.problems.append((line, f"{where}: cannot read value {node.value!r}: {exc}"))
                return None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.problems.append((line, f"{where}: YAML tag '{node.tag}' is not allowed"))
                return None
            return [self.build(item, path + (k,)) for k, item in enumerate(node.value)]
        if node.tag != _MAP_TAG:
            self.problems.append((line, f"{where}: YAML tag '{node.tag}' is not allowed"))
            return None
        out: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"):
                what = "merge keys '<<'" if key_node.tag.endswith(":merge") else f"key {getattr(key_node, 'value', '?')!r}"
                self.problems.append((key_line, f"{where}: {what} not allowed; keys must be plain names"))
                continue
            key = key_node.value
            if key in out:
                self.problems.append((key_line, f"{show_path(path + (key,))}: duplicate key '{key}' "
                                                f"(first at line {first_line[key]})"))
                continue
            first_line[key] = key_line
            self.lines[path + (key,)] = key_line
            out[key] = self.build(value_node, path + (key,))
        return out


def read_yaml(path: str | Path) -> Document:
    """Parse a YAML file safely into a `Document`; raise `InputError` listing every problem.

    Args:
        path: the file.
    Raises:
        InputError: unreadable, too large, not UTF-8, not YAML, or using disallowed YAML features.
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise InputError([f"{file}:1: cannot read file: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([f"{file}:1: file is larger than {MAX_BYTES // 1000} kB; a scenario should be short"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([f"{file}:{line}: not UTF-8 text"]) from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str = "<string>") -> Document:
    """Parse YAML text safely into a `Document` (see `read_yaml`)."""
    loader = None
    try:
        loader = _Loader(text)  # the reader rejects control characters here already
        node = loader.get_single_node()
        builder = _Builder(loader)
        data = builder.build(node, ()) if node is not None else None
    except _LimitError as exc:
        raise InputError([f"{file}:{exc.line}: {exc.message}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise InputError([f"{file}:{line}: not valid YAML: {what}"]) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        line = exc.position and text[: exc.position].count("\n") + 1 if isinstance(exc, yaml.reader.ReaderError) else 1
        what = f"character {exc.character!r} is not allowed" if isinstance(exc, yaml.reader.ReaderError) else str(exc)
        raise InputError([f"{file}:{line or 1}: not valid YAML: {what}"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if builder.problems:
        raise InputError([f"{file}:{line}: {msg}" for line, msg in sorted(builder.problems, key=lambda p: p[0])])
    return Document(file, data, builder.lines)
