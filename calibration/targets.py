"""Loading and validating `calibration/targets.yaml` (safe YAML, strict schema)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.actors import load_fact_ids
from model.observed import load_history
from model.errors import InputError, did_you_mean, line_of
from model.safe_yaml import read_yaml

from .measures import MEASURES

TARGETS_FILE = Path(__file__).resolve().parent / "targets.yaml"


class TargetError(InputError):
    """A bad targets file: the message names the file, the target and the field."""


class Target(BaseModel):
    """One observed quantity and how the model reproduces it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    fact: str
    year: int = Field(ge=2024, le=2100)
    measure: str
    args: dict = Field(default_factory=dict)
    kind: Literal["equal", "at_least", "at_most", "share_of_runs"]
    value: float
    tolerance: float = Field(ge=0.0)
    fit: bool
    why: str = ""
    fit_margin: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _check(self):
        if self.fit and self.tolerance <= 0:
            raise ValueError("a fitted target needs tolerance > 0 (its penalty scale)")
        if not self.fit and not self.why:
            raise ValueError("a target left out of the fit needs `why`")
        return self

    @property
    def fact_ids(self) -> list[str]:
        return [part.strip() for part in self.fact.split(";")]

    def passes(self, model_value: float) -> bool:
        """True if the ensemble value meets the target (see targets.yaml for each kind)."""
        if self.kind == "equal":
            return abs(model_value - self.value) <= self.tolerance + 1e-12
        if self.kind == "at_most":
            return model_value <= self.value
        return model_value >= self.value  # at_least, share_of_runs

    def penalty(self, model_value):
        """Squared standardised miss: 0 when an inequality holds with its fit margin. Works on arrays."""
        import numpy as np

        if self.kind == "equal":
            miss = np.asarray(model_value, dtype=float) - self.value
        elif self.kind == "at_most":
            miss = np.maximum(np.asarray(model_value, dtype=float) - (self.value - self.fit_margin), 0.0)
        else:
            # the fit aims `fit_margin` beyond the bound, so that what holds on the fit's runs still holds on
            # fresh replicates (a share near 0.9 estimated on 256 runs is known to ~0.02)
            miss = np.minimum(np.asarray(model_value, dtype=float) - (self.value + self.fit_margin), 0.0)
        return (miss / self.tolerance) ** 2


def load_gaps(path: str | Path = TARGETS_FILE) -> list[str]:
    """The targets file's `gaps:`, the observations the calibration would need but the data lack."""
    return [str(gap) for gap in (read_yaml(path).data or {}).get("gaps", [])]


def load_targets(path: str | Path = TARGETS_FILE) -> list[Target]:
    """Read and validate a targets file; every fact id must be a figure of model/data/facts.yaml or a series of
    model/data/history.yaml.

    Raises:
        TargetError: with the file, the target's position and name, and the field path.
    """
    path = Path(path)
    document = read_yaml(path)
    raw, lines = document.data or {}, document.lines
    if not isinstance(raw, dict) or not isinstance(raw.get("targets"), list):
        raise TargetError(f"{path}:1: expected a mapping with a `targets:` list")
    facts = sorted(load_fact_ids() | set(load_history().series))
    targets, seen = [], set()
    for k, entry in enumerate(raw["targets"]):
        name = f" ({entry.get('name')})" if isinstance(entry, dict) else ""

        def where(field: str) -> str:
            return f"{path}:{line_of(lines, ('targets', k, field))}: targets[{k}]{name}.{field}"

        try:
            target = Target.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise TargetError(f"{where('.'.join(str(x) for x in err['loc']) or 'entry')}: {err['msg']}") from None
        missing = [f for f in target.fact_ids if f not in facts]
        if missing:
            raise TargetError(f"{where('fact')}: unknown fact id '{missing[0]}'{did_you_mean(missing[0], facts)}")
        if target.measure not in MEASURES:
            raise TargetError(f"{where('measure')}: unknown measure '{target.measure}'"
                              f"{did_you_mean(target.measure, MEASURES)}")
        if target.name in seen:
            raise TargetError(f"{where('name')}: duplicate target name '{target.name}'")
        seen.add(target.name)
        targets.append(target)
    return targets

