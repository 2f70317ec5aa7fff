"""The observed history 2013-2025: `data/history.yaml` as series (id -> {year: value}) and dated events.

The hindcast reads its base-year actor state, its replayed shocks and its calibration patterns from
here. The file is trusted, vendored data (like `facts.yaml`): its year keys are integers, so it is read
with `yaml.safe_load`, not with the scenario loader (`docs/DATA.md`, "Loading"). Every series keeps its
unit, statistical basis and confidence, so a caller can pick one basis per quantity.

(Named `observed`, not `history`: `model/history.py` is the model's recorder of simulated steps.)
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import yaml

from .errors import InputError, did_you_mean

HISTORY_FILE = Path(__file__).parent / "data" / "history.yaml"
HISTORY_ENV = "CASIM_HISTORY"   # another history file for every default read (as CASIM_ACTORS for the actor table)
CONFIDENCE = ("high", "medium", "low")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:-(\d{4}))?$")  # 2014, 2014-03, 2014-03-17, 2014-2016


class HistoryDataError(InputError):
    """A malformed history file or an unknown series id: the message names the file, entry and field."""


@dataclass(frozen=True)
class Series:
    """One observed annual series on one statistical basis. `values` maps calendar year -> value in `unit`."""
    id: str
    quantity: str
    unit: str
    basis: str
    confidence: str
    values: Mapping[int, float]
    note: str = ""

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self.values))

    def at(self, year: int) -> float:
        """The value for `year`.

        Raises:
            HistoryDataError: the series has no value that year (the message lists the years it has).
        """
        try:
            return self.values[year]
        except KeyError:
            raise HistoryDataError([f"series '{self.id}' has no value for {year} (years: {_spans(self.years)})"]) from None

    def between(self, first: int, last: int) -> dict[int, float]:
        """The values of the years first..last (inclusive) that exist."""
        return {y: v for y, v in sorted(self.values.items()) if first <= y <= last}


@dataclass(frozen=True)
class Event:
    """A dated event of the decade. `start` is the first day the date names (2014-07 -> 1 Jul 2014)."""
    date: str
    start: dt.date
    event: str
    tags: tuple[str, ...]
    ref: str

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def fraction(self) -> float:
        """Calendar time of `start` as a decimal year (2014-07-01 -> 2014.496)."""
        begin = dt.date(self.start.year, 1, 1)
        days = (dt.date(self.start.year + 1, 1, 1) - begin).days
        return self.start.year + (self.start - begin).days / days


@dataclass(frozen=True)
class HistoryData:
    """All series (by id) and events (in date order) of one history file."""
    path: Path
    series: Mapping[str, Series]
    events: tuple[Event, ...]

    def get(self, series_id: str) -> Series:
        """The series called `series_id`.

        Raises:
            HistoryDataError: unknown id, with the nearest valid one.
        """
        try:
            return self.series[series_id]
        except KeyError:
            raise HistoryDataError([f"{self.path}: unknown series '{series_id}'{did_you_mean(series_id, self.series)}"]) from None

    def value(self, series_id: str, year: int) -> float:
        return self.get(series_id).at(year)

    def events_tagged(self, *tags: str) -> tuple[Event, ...]:
        """Events carrying every one of `tags`."""
        return tuple(e for e in self.events if set(tags) <= set(e.tags))


def parse_history(raw, path: Path | str = "history.yaml") -> HistoryData:
    """Validate a parsed history mapping and build a `HistoryData`.

    Raises:
        HistoryDataError: the first problem, as `path: series[k] (id).field: problem`.
    """
    path = Path(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("series"), list):
        raise HistoryDataError([f"{path}: expected a mapping with a `series:` list"])
    series: dict[str, Series] = {}
    for k, entry in enumerate(raw["series"]):
        item = _series(entry, f"{path}: series[{k}]")
        if item.id in series:
            raise HistoryDataError([f"{path}: series[{k}].id: duplicate series id '{item.id}'"])
        series[item.id] = item
    if not isinstance(raw.get("events") or [], list):
        raise HistoryDataError([f"{path}: events: expected a list"])
    events = tuple(sorted((_event(e, f"{path}: events[{k}]") for k, e in enumerate(raw.get("events") or [])),
                          key=lambda e: e.start))
    return HistoryData(path, MappingProxyType(series), events)


def history_file() -> Path:
    """The default history file: the environment variable CASIM_HISTORY, else the packaged `data/history.yaml`."""
    return Path(os.environ.get(HISTORY_ENV) or HISTORY_FILE).resolve()


def load_history(path: str | Path | None = None) -> HistoryData:
    """Read and validate a history file (default: `history_file()`)."""
    return _load(str(Path(path).resolve() if path else history_file()))


@lru_cache(maxsize=4)
def _load(path: str) -> HistoryData:
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        return parse_history(yaml.safe_load(fh), path)


def _series(entry, where: str) -> Series:
    if not isinstance(entry, dict):
        raise HistoryDataError([f"{where}: expected a mapping"])
    sid = entry.get("id")
    if not isinstance(sid, str) or not sid:
        raise HistoryDataError([f"{where}.id: missing or not a string"])
    where = f"{where} ({sid})"
    for key in ("quantity", "unit", "basis"):
        if not isinstance(entry.get(key), str):
            raise HistoryDataError([f"{where}.{key}: missing or not a string"])
    if entry.get("confidence") not in CONFIDENCE:
        raise HistoryDataError([f"{where}.confidence: '{entry.get('confidence')}' is not one of {', '.join(CONFIDENCE)}"])
    values = entry.get("values")
    if not isinstance(values, dict) or not values:
        raise HistoryDataError([f"{where}.values: expected a non-empty mapping year -> number"])
    clean = {}
    for year, value in values.items():
        if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
            raise HistoryDataError([f"{where}.values: year key {year!r} is not a calendar year"])
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise HistoryDataError([f"{where}.values.{year}: {value!r} is not a finite number"])
        clean[year] = float(value)
    return Series(sid, entry["quantity"], entry["unit"], entry["basis"], entry["confidence"],
                  MappingProxyType(dict(sorted(clean.items()))), str(entry.get("note") or ""))


def _event(entry, where: str) -> Event:
    if not isinstance(entry, dict) or not isinstance(entry.get("event"), str):
        raise HistoryDataError([f"{where}.event: missing or not a string"])
    date = str(entry.get("date"))
    match = _DATE.match(date)
    if not match:
        raise HistoryDataError([f"{where}.date: '{date}' is not YYYY, YYYY-MM, YYYY-MM-DD or YYYY-YYYY"])
    year, month, day = int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)
    try:
        start = dt.date(year, month, day)
    except ValueError as exc:
        raise HistoryDataError([f"{where}.date: {exc}"]) from None
    tags = entry.get("tags") or []
    if not isinstance(tags, list):
        raise HistoryDataError([f"{where}.tags: expected a list"])
    return Event(date, start, entry["event"], tuple(str(t) for t in tags), str(entry.get("ref") or ""))


def _spans(years) -> str:
    """(2013, 2014, 2015, 2018) -> '2013-2015, 2018'."""
    years, out = sorted(years), []
    for y in years:
        if out and y == out[-1][1] + 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out)
