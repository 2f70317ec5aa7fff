"""Scenario files: YAML -> a validated `Scenario` (DESIGN section 5).

    name: middle_corridor_push
    description: what it represents, and the source claim or fact id it rests on
    extends: baseline.yaml          # optional, relative to this file; cycles are an error
    start_year: 2025                # runs start here; the base year is the year before (2013-2024 from data)
    end_year: 2040
    steps_per_year: 4
    seed: 2024
    replicates: 400                 # default 400: a probability's Monte Carlo standard error <= 0.025
    params: {powers.EU.transport_investment: 3.0}
    events:
      - {at: 2027, set: {powers.RUS.sanctions: 0.8}}
      - {at: 2027-Q2, shock: corridor_disruption, corridor: northern, factor: 1.5, duration: 2}

Every problem is reported at once, one message each, as
`file:line: field.path: what is wrong (did you mean 'x'?)`, via `ScenarioError`.
Parameter names and valid ranges come from the registry (`model.params`);
shock names and arguments from `model.events.SHOCKS`.
"""
from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from .events import RULES, SHOCKS, make_event, make_set_event
from .params import ParameterError, check_value, parse_path
from .run import RunSpec
from .base_year import BASE_YEARS, check_base_year
from .errors import InputError, did_you_mean, line_of, show_path
from .safe_yaml import read_yaml
from .uncertainty import DEFAULT_MODE, DEFAULT_REPLICATES, check_mode

FIRST_START_YEAR = BASE_YEARS[0] + 1     # the earliest base year with data, plus one
EVENT_KEYS = ("at", "set", "shock", "label")  # every other key of a shock event is one of its arguments
_QUARTER = re.compile(r"^(\d{4})(?:-[Qq]([1-4]))?$")


class ScenarioError(InputError):
    """An invalid scenario file; `.messages` has one `file:line: field.path: problem` per problem."""


class EventSpec(BaseModel):
    """One scheduled event: `at` a year or quarter, either `set` parameters or a named `shock` with `args`."""
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)
    at: Any  # an int year or 'YYYY-Qn'; checked with the horizon in `_check_event`
    set: dict[str, float] | None = None
    shock: str | None = None
    label: str = ""
    args: dict[str, Any] = Field(default_factory=dict)


class Scenario(BaseModel):
    """A validated scenario. Build it with `load_scenario(path)`; turn it into a run with `run_spec()`."""
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = Field(min_length=1)
    extends: str | None = None
    start_year: int = Field(2025, le=2100)      # the base year, start_year - 1, needs data (_check)
    end_year: int = Field(2040, ge=FIRST_START_YEAR, le=2100)
    steps_per_year: int = Field(4, ge=1, le=52)
    seed: int = Field(2024, ge=0, le=2 ** 63 - 1)
    replicates: int = Field(DEFAULT_REPLICATES, ge=1, le=1_000_000)
    params: dict[str, float] = Field(default_factory=dict)
    events: list[EventSpec] = Field(default_factory=list)
    _files: list[str] = PrivateAttr(default_factory=list)
    _event_where: list[str] = PrivateAttr(default_factory=list)

    @property
    def path(self) -> str | None:
        """The file this scenario was loaded from (None if built in code)."""
        return self._files[0] if self._files else None

    @property
    def input_files(self) -> list[str]:
        """This file and every file it extends, for the manifest's hashes."""
        return list(self._files)

    def run_spec(self, replicates: int | None = None, seed: int | None = None,
                 start_year: int | None = None, end_year: int | None = None, uncertainty: str = DEFAULT_MODE):
        """The `RunSpec` (`model.run`) for this scenario.

        Args:
            replicates, seed: override the file's values.
            uncertainty: parameter draws per replicate (`model.uncertainty`): posterior (default), prior or point;
                the file's `params:` are pinned in every mode.
            start_year, end_year: override the horizon (e.g. a short test run); events after the end are
                dropped, since they would never happen; an event before the start is an error.
        Returns:
            RunSpec with picklable `Event`s whose step index follows from the date and steps_per_year.
        Raises:
            ScenarioError: an event falls before the start year.
        """
        start = self.start_year if start_year is None else start_year
        end = self.end_year if end_year is None else end_year
        if end < start:
            raise ScenarioError([f"{self.path or self.name}:1: end_year: {end} is before start_year {start}"])
        try:
            check_base_year(start - 1)
        except ValueError as exc:
            raise ScenarioError([f"{self.path or self.name}:1: start_year: {exc}"]) from None
        events, problems = [], []
        for k, ev in enumerate(self.events):
            year, period = parse_at(ev.at)
            if year < start:
                where = self._event_where[k] if k < len(self._event_where) else f"{self.path or self.name}:1"
                problems.append(f"{where}: events[{k}].at: {ev.at} is before the start year {start}")
                continue
            if year > end:
                continue
            step = event_step(year, period, start, self.steps_per_year)
            if ev.shock is not None:
                events.append(make_event(step, ev.shock, ev.args, ev.label))
            else:
                events.append(make_set_event(step, ev.set or {}, ev.label))
        if problems:
            raise ScenarioError(problems)
        return RunSpec(scenario=self.name, description=self.description.strip(), replicates=self.replicates if replicates is None else replicates,
                       seed=self.seed if seed is None else seed, start_year=start, end_year=end,
                       steps_per_year=self.steps_per_year, params=dict(self.params), events=events,
                       input_files=self.input_files, uncertainty=check_mode(uncertainty))


# ---- dates -----------------------------------------------------------------------------------------------------
def parse_at(value) -> tuple[int, int | None]:
    """`2027` -> (2027, None); `'2027-Q2'` -> (2027, 2). Raises ValueError with a readable message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    if isinstance(value, str) and (m := _QUARTER.match(value.strip())):
        return int(m.group(1)), int(m.group(2)) if m.group(2) else None
    hint = "; a calendar date is not supported" if isinstance(value, date) else ""
    raise ValueError(f"expected a year such as 2027 or a quarter such as 2027-Q2, got {_describe(value)}{hint}")


def event_step(year: int, quarter: int | None, start_year: int, steps_per_year: int) -> int:
    """Step index at which an event dated `year` (first period) or `year`-Q`quarter` applies.

    Step k belongs to year start_year - 1 + ceil(k / steps_per_year), so the first step of `year` is
    (year - start_year) * steps_per_year + 1; quarter q starts at period floor((q - 1) * steps_per_year / 4) + 1.
    """
    period = 1 if quarter is None else (quarter - 1) * steps_per_year // 4 + 1
    return (year - start_year) * steps_per_year + period


# ---- loading -----------------------------------------------------------------------------------------------------
def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (`extends`) and validate a scenario file.

    Raises:
        ScenarioError: with every problem found, one `file:line: field.path: problem` message each.
    """
    data, lines, files, problems = _load_merged(Path(path), [])
    if not problems:
        problems = _check(data, lines)
    if problems:
        raise ScenarioError(_sorted(problems))
    scenario = Scenario.model_validate(data)
    scenario._files = files
    scenario._event_where = [_where(lines, ("events", k)) for k in range(len(scenario.events))]
    return scenario


def _sorted(problems: list[tuple[str, int, str]]) -> list[str]:
    unique = dict.fromkeys(sorted(problems, key=lambda p: (p[0], p[1])))
    return [f"{file}:{line}: {msg}" for file, line, msg in unique]


def _where(lines: dict, loc: tuple) -> str:
    file, line = line_of(lines, loc)
    return f"{file}:{line}"


def _load_merged(path: Path, stack: list[Path]):
    """(data, lines, files, problems): the file's data with its `extends` chain merged in.

    `lines` maps a location tuple to (file, line); a child's values override its parent's, `params` merge
    key by key, and the parent's events come first.
    """
    file = str(path)
    try:
        doc = read_yaml(path)
    except InputError as exc:
        return {}, {(): (file, 1)}, [file], [_split(m) for m in exc.messages]
    lines = {loc: (file, line) for loc, line in doc.lines.items()}
    lines.setdefault((), (file, 1))
    if doc.data is None:
        return {}, lines, [file], [(file, 1, "the file is empty; a scenario needs at least name: and description:")]
    if not isinstance(doc.data, dict):
        return {}, lines, [file], [(file, 1, "expected a mapping of scenario fields (name:, description:, params:, "
                                            f"events:, ...), got {_describe(doc.data)}")]
    data = _split_event_args(doc.data, lines)
    parent = data.get("extends")
    if parent is None or not isinstance(parent, str):
        return data, lines, [file], []  # a wrong type is reported by the schema
    here = lines[("extends",)]
    try:
        target = (path.parent / parent).resolve()
        target.is_file()
    except (OSError, ValueError) as exc:  # e.g. a NUL byte or an over-long name
        return data, lines, [file], [(*here, f"extends: not a usable file name ({exc})")]
    chain = [p.resolve() for p in stack] + [path.resolve()]
    if target in chain:
        cycle = " -> ".join(p.name for p in chain[chain.index(target):] + [target])
        return data, lines, [file], [(*here, f"extends: cycle {cycle}")]
    if not target.is_file():
        return data, lines, [file], [(*here, f"extends: no such file '{parent}' (looked for {target})")]
    p_data, p_lines, p_files, problems = _load_merged(target, stack + [path])
    merged = {**p_data, **data}
    if isinstance(p_data.get("params"), dict) and isinstance(data.get("params"), dict):
        merged["params"] = {**p_data["params"], **data["params"]}
    child_events = data.get("events")
    if isinstance(p_data.get("events"), list) and isinstance(child_events, list):
        merged["events"] = p_data["events"] + child_events
        shift = len(p_data["events"])
        lines = {(("events", loc[1] + shift) + loc[2:] if loc[:1] == ("events",) and len(loc) > 1 else loc): v
                 for loc, v in lines.items()}
    return merged, {**p_lines, **lines}, [file] + p_files, problems


def _split(message: str) -> tuple[str, int, str]:
    file, line, rest = re.match(r"^(.*?):(\d+): (.*)$", message, re.S).groups()
    return file, int(line), rest


def _split_event_args(data: dict, lines: dict) -> dict:
    """Move each event's extra keys (a shock's arguments) under `args`, keeping their lines."""
    events = data.get("events")
    if not isinstance(events, list):
        return data
    moved = []
    for k, ev in enumerate(events):
        if isinstance(ev, dict):
            args = {key: v for key, v in ev.items() if key not in EVENT_KEYS}
            ev = {key: v for key, v in ev.items() if key in EVENT_KEYS} | ({"args": args} if args else {})
        moved.append(ev)
    return {**data, "events": moved}


# ---- checking ------------------------------------------------------------------------------------------------------
def _check(data: dict, lines: dict) -> list[tuple[str, int, str]]:
    """Every problem in the merged document: schema errors, then registry, date and shock checks."""
    problems = []

    def report(loc, message):
        problems.append((*line_of(lines, _user_loc(loc)), f"{show_path(_user_loc(loc))}: {message}"))

    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            report(err["loc"], _explain(err, _fields_at(err["loc"])))
    for path, value in (data.get("params") or {}).items() if isinstance(data.get("params"), dict) else ():
        _check_param(("params", path), path, value, report)
    start, end, spy = (data.get(k, Scenario.model_fields[k].default) for k in ("start_year", "end_year",
                                                                                  "steps_per_year"))
    horizon_ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end, spy))
    if horizon_ok:
        try:
            check_base_year(start - 1)
        except ValueError as exc:
            report(("start_year",), str(exc))
    if horizon_ok and end < start:
        report(("end_year",), f"{end} is before start_year {start}")
    events = data.get("events")
    for k, ev in enumerate(events if isinstance(events, list) else []):
        if isinstance(ev, dict):
            _check_event(("events", k), ev, (start, end) if horizon_ok else None, report)
    return problems


def _user_loc(loc: tuple) -> tuple:
    """Drop the internal 'args' level: a shock's arguments sit beside `at` and `shock` in the file."""
    loc = tuple(loc)
    return loc[:2] + loc[3:] if len(loc) > 2 and loc[0] == "events" and loc[2] == "args" else loc


def _check_param(loc, path, value, report) -> None:
    try:
        parse_path(path)
        if _finite_number(value):
            check_value(path, value)  # NaN, inf and huge numbers are reported once, by the schema
    except ParameterError as exc:
        report(loc, str(exc).removeprefix(f"{path}: "))


def _finite_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond float range
        return False


def _check_event(loc, ev: dict, horizon, report) -> None:
    if "at" not in ev:
        report(loc, "missing 'at' (a year such as 2027 or a quarter such as 2027-Q2)")
    else:
        try:
            year, _ = parse_at(ev["at"])
            if horizon and not horizon[0] <= year <= horizon[1]:
                report(loc + ("at",), f"{ev['at']} is outside the horizon {horizon[0]}-{horizon[1]}")
        except ValueError as exc:
            report(loc + ("at",), str(exc))
    has_set, shock = ev.get("set") is not None, ev.get("shock")
    if has_set == (shock is not None):
        report(loc, "an event needs exactly one of 'set: {parameter: value}' or 'shock: name'"
               + (f" (shocks: {', '.join(SHOCKS)})" if not has_set else ""))
    if isinstance(ev.get("set"), dict):
        for path, value in ev["set"].items():
            _check_param(loc + ("set", path), path, value, report)
    args = ev.get("args", {})
    if shock is None:
        for key in args:
            report(loc + (key,), f"unknown key '{key}'{did_you_mean(key, EVENT_KEYS)}")
        return
    if not isinstance(shock, str):
        return  # the schema reports the type
    if shock not in SHOCKS:
        report(loc + ("shock",), f"unknown shock '{shock}'{did_you_mean(shock, SHOCKS)}")
        return
    model = SHOCKS[shock].args
    try:
        parsed = model.model_validate(args)
    except ValidationError as exc:
        for err in exc.errors():
            report(loc + tuple(err["loc"]), _explain(err, list(model.model_fields) + list(EVENT_KEYS), shock))
        return
    rule = RULES.get(shock)
    if rule and (message := rule(parsed)):
        report(loc, message)


def _fields_at(loc: tuple) -> list[str]:
    """Valid keys at the mapping that holds `loc[-1]` (for unknown-key suggestions)."""
    if len(loc) == 1:
        return list(Scenario.model_fields)
    if len(loc) == 3 and loc[0] == "events":
        return list(EVENT_KEYS)
    return []


def _explain(err: dict, fields: list[str], shock: str | None = None) -> str:
    """A pydantic error as a short sentence with the offending value and a suggestion."""
    kind, name = err["type"], err["loc"][-1] if err["loc"] else ""
    if kind == "extra_forbidden":
        owner = f" for shock '{shock}'" if shock else ""
        return f"unknown key '{name}'{owner}{did_you_mean(name, fields)}"
    if kind == "missing":
        owner = f" of shock '{shock}'" if shock else ""
        return f"missing required field '{name}'{owner}"
    message = err["msg"]
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        return f"{message}, got {_describe(err['input'])}{did_you_mean(err['input'], options)}"
    return f"{message}, got {_describe(err['input'])}"


def _describe(value) -> str:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{type(value).__name__} {text}" if not isinstance(value, (dict, list)) else f"a {type(value).__name__}"
