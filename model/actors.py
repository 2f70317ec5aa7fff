"""The actor table: base-year (2024) data for states, powers, corridors.

Actors are data. `load_actors()` reads `data/actors.yaml` into arrays whose
axes are documented once: state S, power P, corridor C, commodity K.
Every figure keeps its source (a fact id or a stated assumption).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

DATA_DIR = Path(__file__).parent / "data"
PAIR_FIELDS = ("trade", "export_share", "fdi_flow", "fdi_stock", "debt",
               "security", "sentiment", "history")
STATE_FIELDS = ("gdp", "population_m", "exports", "imports", "commodity_export_share",
                "other_external_debt", "threat", "china_mirror_ratio")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity, so derived tables can be cached per table
class Actors:
    """Base-year data as arrays. Shapes: (S,), (S, P), (C,), (P, C), (S, K)."""

    base_year: int
    states: tuple[str, ...]
    powers: tuple[str, ...]
    corridors: tuple[str, ...]
    commodities: tuple[str, ...]
    names: dict[str, str]
    positions: dict[str, tuple[float, float]]
    state: dict[str, np.ndarray]          # field -> (S,)
    pair: dict[str, np.ndarray]           # field -> (S, P)
    commodity_mix: np.ndarray             # (S, K), rows sum to 1
    sectors: np.ndarray                   # (P, 4): energy, mining, transport, digital
    corridor_base_days: np.ndarray        # (C,)
    corridor_min_days: np.ndarray         # (C,)
    corridor_invest_ref: np.ndarray       # (C,) USD bn
    corridor_transit_power: np.ndarray    # (C,) index of transit power or -1
    transit_exposed: np.ndarray           # (P, C) bool: the leg to market j crosses corridor c's transit power
    market_legs: np.ndarray               # (P, C) fraction of corridor days, inf if unusable
    transport_alloc: np.ndarray           # (P, C) split of each power's corridor spending
    at_war: np.ndarray                    # (P,) bool: war drains this power's capacity
    customs_union: np.ndarray             # (P,) bool: EAEU members get a trade-cost cut with it
    sources: dict[str, str] = field(default_factory=dict)  # "pairs.KAZ.CHN.trade" -> src

    @property
    def n_states(self) -> int:
        return len(self.states)

    @property
    def n_powers(self) -> int:
        return len(self.powers)

    def state_index(self, code: str) -> int:
        return self.states.index(code)

    def power_index(self, code: str) -> int:
        return self.powers.index(code)


def _value(entry, path: str, sources: dict[str, str]) -> float:
    if not isinstance(entry, dict) or "v" not in entry or "src" not in entry:
        raise ValueError(f"actors.yaml: {path} must be {{v: number, src: fact id or assumption}}")
    sources[path] = str(entry["src"])
    return float(entry["v"])


def parse_actors(raw: dict) -> Actors:
    """Turn the parsed actors.yaml mapping into an `Actors` table."""
    sources: dict[str, str] = {}
    states = tuple(raw["states"])
    powers = tuple(raw["powers"])
    corridors = tuple(raw["corridors"])
    commodities = tuple(raw["commodities"])
    names = {code: raw["states"][code]["name"] for code in states}
    names |= {code: raw["powers"][code]["name"] for code in powers}
    names |= {code: raw["corridors"][code]["name"] for code in corridors}
    positions = {code: tuple(raw["states"][code]["position"]) for code in states}
    positions |= {code: tuple(raw["powers"][code]["position"]) for code in powers}

    state = {f: np.array([_value(raw["states"][s][f], f"states.{s}.{f}", sources) for s in states])
             for f in STATE_FIELDS}
    pair = {f: np.array([[_value(raw["pairs"][s][p][f], f"pairs.{s}.{p}.{f}", sources)
                          for p in powers] for s in states]) for f in PAIR_FIELDS}
    mix = np.array([[float(raw["states"][s]["commodity_mix"][k]) for k in commodities] for s in states])
    sectors = np.array([[float(raw["powers"][p]["sectors"][k])
                         for k in ("energy", "mining", "transport", "digital")] for p in powers])

    def corridor_field(name):
        return np.array([_value(raw["corridors"][c][name], f"corridors.{c}.{name}", sources)
                         for c in corridors])

    transit = np.array([powers.index(raw["corridors"][c]["transits"]) if raw["corridors"][c]["transits"]
                        else -1 for c in corridors])
    exposed = np.array([[p in (raw["corridors"][c].get("transit_markets") or []) for c in corridors]
                        for p in powers])
    legs = np.full((len(powers), len(corridors)), np.inf)
    for j, p in enumerate(powers):
        for c, frac in raw["markets"][p].items():
            legs[j, corridors.index(c)] = float(frac)
    alloc = np.zeros((len(powers), len(corridors)))
    for j, p in enumerate(powers):
        for c, frac in raw["powers"][p].get("transport_alloc", {}).items():
            alloc[j, corridors.index(c)] = float(frac)
    at_war = np.array([bool(raw["powers"][p].get("at_war", False)) for p in powers])
    customs_union = np.array([bool(raw["powers"][p].get("customs_union", False)) for p in powers])
    return Actors(
        base_year=int(raw["base_year"]), states=states, powers=powers, corridors=corridors,
        commodities=commodities, names=names, positions=positions, state=state, pair=pair,
        commodity_mix=mix / mix.sum(axis=1, keepdims=True), sectors=sectors,
        corridor_base_days=corridor_field("base_days"), corridor_min_days=corridor_field("min_days"),
        corridor_invest_ref=corridor_field("invest_ref_bn"), corridor_transit_power=transit, transit_exposed=exposed,
        market_legs=legs, transport_alloc=alloc, at_war=at_war, customs_union=customs_union,
        sources=sources,
    )


@lru_cache(maxsize=4)
def load_actors(path: str | None = None) -> Actors:
    """Load the actor table (default: the packaged `data/actors.yaml`)."""
    with open(path or DATA_DIR / "actors.yaml", encoding="utf-8") as fh:
        return parse_actors(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def load_fact_ids() -> frozenset[str]:
    """Ids of the sourced figures in the vendored facts.yaml."""
    with open(DATA_DIR / "facts.yaml", encoding="utf-8") as fh:
        return frozenset(f["id"] for f in yaml.safe_load(fh)["facts"])
