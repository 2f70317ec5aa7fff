"""Patterns of the hindcast: observations from model/data/history.yaml, split by year into fit and held-out.

`calibration/patterns.yaml` ties each observed series to the model output that reproduces it and states its
observation-error scale. `load_patterns` turns it into `Observation`s, each with its role:

    year == fit_years[0] - 1 (the base year)  -> "check"     (initial condition: holds by construction)
    fit_years[0] <= year <= fit_years[1]      -> "fit"       (the only data the calibration sees)
    held_out_years[0] <= year <= held_out_years[1] -> "held_out" (scored out of sample)

A `score_only` pattern (one that re-measures flows another pattern fits) keeps these roles for scoring but
stays out of the distance (`fitted()`).

Error scales use only years up to fit_years[1], so no held-out datum reaches the fit through them.
Transforms: `log` -> ln(value x factor); `level` -> value x factor.
Measures (how the model's quarterly steps give the year's value; calibration.simulator): `end` (the default),
the year's last step: step 0 holds the base year's annual values, so a year-end step is that year's annual
value, for flows and stocks alike; `mean5`, the mean of the five year-end values ending in the year (SIPRI's
five-year windows); `mean`, the mean over the year's steps, which lags the year end by 3/8 of a year on average.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.observed import HistoryData, HistoryDataError, load_history
from model.errors import InputError, did_you_mean, line_of
from model.params import ParameterError, parse_path
from model.safe_yaml import read_yaml

PATTERNS_FILE = Path(__file__).resolve().parent / "patterns.yaml"
ROLES = ("check", "fit", "held_out")
_NAME = r"^[a-z][a-z0-9_]*$"


class PatternError(InputError):
    """A bad patterns file: `file:line: patterns[k] (name).field: problem`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorSpec(_Strict):
    floor: float = Field(gt=0)
    why: str = Field(min_length=1)


class ObservationSpec(_Strict):
    series: str
    output: str = Field(pattern=r"^([A-Z]{3}\.)?[A-Za-z_][A-Za-z0-9_]*$")
    alt: str | None = None        # the same quantity on another basis: sizes the error scale
    years: tuple[int, int] | None = None   # use only these years of the series (to join bases over time)


class PatternSpec(_Strict):
    name: str = Field(pattern=_NAME)
    doc: str = Field(min_length=1)
    transform: Literal["log", "level"]
    measure: Literal["mean", "end", "mean5"] = "end"    # the year's last step (module docstring of calibration.simulator)
    factor: float = Field(default=1.0, gt=0)
    error: ErrorSpec
    score_only: str | None = None  # why the pattern is scored but kept out of the fit (e.g. it re-measures fitted flows)
    observations: list[ObservationSpec] = Field(min_length=1)


class DerivedSpec(_Strict):
    name: str = Field(pattern=_NAME)
    doc: str = Field(min_length=1)
    kind: Literal["leader"]
    of: list[str] = Field(min_length=2, max_length=2)


class CheckSpec(_Strict):
    what: str = Field(min_length=1)
    why: str = Field(min_length=1)


class ParameterSpec(_Strict):
    path: str = Field(min_length=1)    # a registry dotted path; its prior is the registry's uncertainty range
    why: str = Field(min_length=1)     # which patterns should inform it, and how
    # a trend at the run's start (e.g. import-demand growth), fitted for the hindcast's 2014 start only: it is
    # reported but never written as the model's default, which describes a 2025 start
    initial: bool = False


class PatternsFile(_Strict):
    fit_years: tuple[int, int]
    held_out_years: tuple[int, int]
    parameters: list[ParameterSpec] = Field(default_factory=list)
    patterns: list[PatternSpec] = Field(min_length=1)
    derived: list[DerivedSpec] = Field(default_factory=list)
    checks: list[CheckSpec] = Field(default_factory=list)
    caveats: list[CheckSpec] = Field(default_factory=list)   # where held-out information reached the model anyway

    @model_validator(mode="after")
    def _windows(self):
        (a, b), (c, d) = self.fit_years, self.held_out_years
        if not (a <= b < c <= d):
            raise ValueError("need fit_years [first, last] before held_out_years [first, last], without overlap")
        return self


@dataclass(frozen=True)
class Observation:
    """One observed value, in its series' unit (`value`) and on the fitted scale (`y`), with its error scale."""
    pattern: str
    series: str
    output: str       # `STATE.column` or a region `column`
    year: int
    value: float
    y: float          # transform(value x factor)
    sigma: float      # observation-error sd on the y scale
    role: str         # check | fit | held_out
    measure: str = "end"    # how the model's steps make the year's value (calibration.simulator)

    @property
    def ref(self) -> str:
        """The model output reference `output@year`."""
        return f"{self.output}@{self.year}"

    @property
    def key(self) -> str:
        """What a simulator is asked for: `measure:output@year`, e.g. `end:KAZ.trade_CHN@2015`."""
        return f"{self.measure}:{self.ref}"


@dataclass(frozen=True)
class Patterns:
    """All observations of a patterns file; select a role with `of(role)`."""
    fit_years: tuple[int, int]
    held_out_years: tuple[int, int]
    specs: tuple[PatternSpec, ...]
    derived: tuple[DerivedSpec, ...]
    checks: tuple[CheckSpec, ...]
    observations: tuple[Observation, ...]
    parameters: tuple[ParameterSpec, ...] = ()
    caveats: tuple[CheckSpec, ...] = ()

    @property
    def base_year(self) -> int:
        return self.fit_years[0] - 1

    def of(self, role: str, pattern: str | None = None) -> tuple[Observation, ...]:
        """Observations with `role` (check, fit, held_out), optionally of one pattern."""
        if role not in ROLES:
            raise ValueError(f"role '{role}' is not one of {', '.join(ROLES)}")
        return tuple(o for o in self.observations if o.role == role and pattern in (None, o.pattern))

    def spec(self, name: str) -> PatternSpec:
        for spec in self.specs:
            if spec.name == name:
                return spec
        raise KeyError(f"unknown pattern '{name}'{did_you_mean(name, [s.name for s in self.specs])}")

    def fitted(self) -> tuple[Observation, ...]:
        """The observations the calibration fits: fit years of the patterns that are not `score_only`."""
        scored_only = {s.name for s in self.specs if s.score_only}
        return tuple(o for o in self.of("fit") if o.pattern not in scored_only)

    def fit_vector(self) -> tuple[np.ndarray, np.ndarray]:
        """(y, sigma) of the fitted observations, in `fitted()` order: what the distance compares with."""
        fit = self.fitted()
        return np.array([o.y for o in fit]), np.array([o.sigma for o in fit])


def transform(values, kind: str, factor: float = 1.0) -> np.ndarray:
    """The fitted scale: ln(value x factor) for `log` (non-positive values give nan), value x factor for `level`."""
    scaled = np.asarray(values, dtype=float) * factor
    if kind == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(scaled > 0, np.log(np.where(scaled > 0, scaled, 1.0)), np.nan)
    return scaled


def role_of(year: int, fit_years: tuple[int, int], held_out_years: tuple[int, int]) -> str | None:
    """check (base year), fit, held_out, or None for years outside all three."""
    if year == fit_years[0] - 1:
        return "check"
    if fit_years[0] <= year <= fit_years[1]:
        return "fit"
    if held_out_years[0] <= year <= held_out_years[1]:
        return "held_out"
    return None


def basis_scatter(history: HistoryData, series: str, alt: str, last_year: int) -> float:
    """sd (ddof 1) over the common years <= last_year of log(series / alt) minus its mean; 0 with < 3 years."""
    a, b = history.get(series).values, history.get(alt).values
    years = [y for y in a if y in b and y <= last_year and a[y] > 0 and b[y] > 0]
    if len(years) < 3:
        return 0.0
    ratio = np.log([a[y] / b[y] for y in years])
    return float(np.std(ratio, ddof=1))


def output_sigmas(pattern: PatternSpec, history: HistoryData, last_year: int) -> dict[str, float]:
    """Error scale per output of a pattern: max(floor, basis scatter of each of its series with an `alt`).

    One scale per output, so a series that continues another (a national table after DOTS) keeps its scale.
    """
    sigma: dict[str, float] = {}
    for obs in pattern.observations:
        scatter = basis_scatter(history, obs.series, obs.alt, last_year) if obs.alt else 0.0
        sigma[obs.output] = max(sigma.get(obs.output, pattern.error.floor), scatter)
    return sigma


def load_patterns(path: str | Path = PATTERNS_FILE, history: HistoryData | None = None) -> Patterns:
    """Read and validate a patterns file against a history file (default: the packaged one).

    Raises:
        PatternError: with the file, line, pattern and field; unknown series ids name the nearest one.
    """
    path = Path(path)
    history = history or load_history()
    document = read_yaml(path)
    raw = document.data if isinstance(document.data, dict) else {}
    try:
        spec = PatternsFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise PatternError([f"{path}:{line_of(document.lines, loc, 1)}: {_show(loc, raw)}: {err['msg']}"]) from None
    for k, parameter in enumerate(spec.parameters):
        try:
            parse_path(parameter.path)
        except ParameterError as exc:
            loc = ("parameters", k, "path")
            raise PatternError([f"{path}:{line_of(document.lines, loc, 1)}: {_show(loc, raw)}: {exc}"]) from None
    names = [p.name for p in spec.patterns] + [d.name for d in spec.derived]
    for k, name in enumerate(names):
        if names.index(name) != k:
            raise PatternError([f"{path}: duplicate pattern name '{name}'"])
    for k, derived in enumerate(spec.derived):
        for m, ref in enumerate(derived.of):
            if ref not in [p.name for p in spec.patterns]:
                loc = ("derived", k, "of", m)
                raise PatternError([f"{path}:{line_of(document.lines, loc, 1)}: {_show(loc, raw)}: unknown pattern '{ref}'"
                                    f"{did_you_mean(ref, [p.name for p in spec.patterns])}"])
    observations, seen = [], {}
    for k, pattern in enumerate(spec.patterns):
        for m, obs in enumerate(pattern.observations):
            for field in ("series", "alt"):
                sid = getattr(obs, field)
                if sid is not None and sid not in history.series:
                    loc = ("patterns", k, "observations", m, field)
                    raise PatternError([f"{path}:{line_of(document.lines, loc, 1)}: {_show(loc, raw)}: unknown series '{sid}'"
                                        f"{did_you_mean(sid, history.series)}"])
        sigma_of = output_sigmas(pattern, history, spec.fit_years[1])
        for m, obs in enumerate(pattern.observations):
            sigma = sigma_of[obs.output]
            for year, value in history.get(obs.series).values.items():
                role = role_of(year, spec.fit_years, spec.held_out_years)
                if role is None or (obs.years and not obs.years[0] <= year <= obs.years[1]):
                    continue
                key = (obs.output, year)
                if key in seen:
                    loc = ("patterns", k, "observations", m, "series")
                    raise PatternError([f"{path}:{line_of(document.lines, loc, 1)}: {_show(loc, raw)}: {obs.output}@{year} is "
                                        f"already observed by '{seen[key]}' (one basis per output and year)"])
                seen[key] = obs.series
                y = float(transform([value], pattern.transform, pattern.factor)[0])
                if not np.isfinite(y):
                    raise HistoryDataError([f"{history.path}: series '{obs.series}' {year}: {value} has no log"])
                observations.append(Observation(pattern.name, obs.series, obs.output, year, value, y, sigma, role,
                                                pattern.measure))
    observations.sort(key=lambda o: (ROLES.index(o.role), [p.name for p in spec.patterns].index(o.pattern),
                                     o.output, o.year))
    return Patterns(tuple(spec.fit_years), tuple(spec.held_out_years), tuple(spec.patterns), tuple(spec.derived),
                    tuple(spec.checks), tuple(observations), tuple(spec.parameters), tuple(spec.caveats))


def _show(loc: tuple, raw) -> str:
    """patterns[2].observations[0].series, with the pattern's name: patterns[2] (gdp_usd).observations[0].series."""
    out = ""
    for k, part in enumerate(loc):
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        if k == 1 and loc[0] in ("patterns", "derived") and isinstance(part, int):
            try:
                out += f" ({raw[loc[0]][part]['name']})"
            except (KeyError, IndexError, TypeError):
                pass
    return out
