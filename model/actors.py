"""The actor table: base-year (2024) data for states, powers, corridors; their names, colours and map positions.

Actors are data. `load_actors()` reads `data/actors.yaml` (or the file named by the environment
variable CASIM_ACTORS, or a path it is given) into arrays whose axes are documented once: state S,
power P, corridor C, commodity K. Every figure keeps its source (a fact id or a stated assumption).
A power or state added to the file runs through the model, its outputs, plots and the command line
without code changes; its parameters take the registry's `default` entries (`model/params.py`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from .errors import InputError, did_you_mean, line_of, show_path
from .safe_yaml import read_yaml

DATA_DIR = Path(__file__).parent / "data"
ACTORS_FILE = DATA_DIR / "actors.yaml"
ACTORS_ENV = "CASIM_ACTORS"  # path of another actor table, for every command and model of the process
PAIR_FIELDS = ("trade", "export_share", "fdi_flow", "fdi_stock", "debt",
               "security", "sentiment", "history")
STATE_FIELDS = ("gdp", "population_m", "exports", "imports", "commodity_export_share",
                "other_external_debt", "threat", "china_mirror_ratio")
# figures a state may leave out (an actor added as data): remittances and Russia's share of them, membership of
# the CIS free-trade area (0/1), and the China-customs mirror ratio before re-exports (default: china_mirror_ratio)
OPTIONAL_STATE_FIELDS = {"remittances": 0.0, "remittance_share_russia": 0.0, "cis_fta": 0.0, "china_mirror_base": None}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity, so derived tables can be cached per table
class Actors:
    """Base-year data as arrays. Shapes: (S,), (S, P), (C,), (P, C), (S, K)."""

    base_year: int
    states: tuple[str, ...]
    powers: tuple[str, ...]
    corridors: tuple[str, ...]
    commodities: tuple[str, ...]
    names: dict[str, str]                 # code -> full name (states, powers, corridors)
    short_names: dict[str, str]           # code -> name in legends (states and powers)
    colours: dict[str, str]               # code -> colour in plots and the visualiser (states and powers)
    positions: dict[str, tuple[float, float]]  # code -> (longitude, latitude) on the map
    state: dict[str, np.ndarray]          # field -> (S,)
    pair: dict[str, np.ndarray]           # field -> (S, P)
    commodity_mix: np.ndarray             # (S, K), rows sum to 1
    sector_names: tuple[str, ...]         # the sectors of a power's strategy weights
    extractive: np.ndarray                # (n_sectors,) bool: energy and mining in the packaged table
    sectors: np.ndarray                   # (P, n_sectors) strategy weights
    corridor_base_days: np.ndarray        # (C,)
    corridor_min_days: np.ndarray         # (C,)
    corridor_invest_ref: np.ndarray       # (C,) USD bn
    corridor_transit_power: np.ndarray    # (C,) index of transit power or -1
    investable: np.ndarray                # (C,) bool: a corridor_investment shock may name it
    transit_exposed: np.ndarray           # (P, C) bool: the leg to market j crosses corridor c's transit power
    market_legs: np.ndarray               # (P, C) fraction of corridor days, inf if unusable
    transport_alloc: np.ndarray           # (P, C) split of each power's corridor spending
    at_war: np.ndarray                    # (P,) bool: war drains this power's capacity
    customs_union: np.ndarray             # (P,) bool: EAEU members get a trade-cost cut with it
    route_legs: np.ndarray                # (S, P, N, C) share of corridor c's days used by route n from state s to market p
    route_local_days: np.ndarray          # (S, P, N) days of route n off the corridors (inf: no such route)
    pipeline_share: np.ndarray            # (S, P) share of the state's exports to the power sent by pipeline
    export_commodity_weights: np.ndarray  # (S, P, K) value share of commodity k in the state's exports to the power
    sources: dict[str, str] = field(default_factory=dict)  # "pairs.KAZ.CHN.trade" -> src
    path: str = ""                        # the file the table was read from

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


class _Table:
    """The parsed file with lines, so that a missing or malformed entry is reported at its place."""

    def __init__(self, data, lines: dict, file: str):
        self.data, self.lines, self.file = data, lines, file

    def get(self, *path, default=...):
        value = self.data
        for k, key in enumerate(path):
            in_list = isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value)
            if not in_list and (not isinstance(value, dict) or key not in value):
                if default is not ...:
                    return default
                where = line_of(self.lines, path[:k], 1)
                raise InputError(f"{self.file}:{where}: {show_path(path)}: missing")
            value = value[key]
        return value

    def number(self, *path, sources: dict | None = None) -> float:
        """A figure: {v: number, src: fact id or assumption} when `sources` collects the sources, else a number."""
        entry = self.get(*path)
        if sources is not None:
            if not isinstance(entry, dict) or "v" not in entry or "src" not in entry:
                self.fail(path, "must be {v: number, src: fact id or assumption}")
            sources[".".join(path)] = str(entry["src"])
            entry = entry["v"]
        try:  # a string too: YAML 1.1 reads 1.0e9 (no sign in the exponent) as text
            if isinstance(entry, bool):
                raise ValueError
            return float(entry)
        except (TypeError, ValueError):
            self.fail(path, f"expected a number, got {entry!r}")

    def codes(self, *path) -> tuple[str, ...]:
        entry = self.get(*path)
        if not isinstance(entry, (dict, list)) or not entry:
            self.fail(path, "expected a non-empty mapping or list of codes")
        return tuple(entry)

    def code(self, options, *path) -> str:
        value = self.get(*path)
        if value not in options:
            self.fail(path, f"unknown code {value!r}; expected one of {', '.join(options)}")
        return value

    def fail(self, path, message: str):
        raise InputError(f"{self.file}:{line_of(self.lines, path, 1)}: {show_path(path)}: {message}")


def parse_actors(raw: dict, lines: dict | None = None, file: str = "actors.yaml") -> Actors:
    """Turn the parsed actors.yaml mapping into an `Actors` table.

    Raises:
        InputError: a missing or malformed entry, with its file, line and path.
    """
    t = _Table(raw, lines or {}, file)
    sources: dict[str, str] = {}
    states, powers = t.codes("states"), t.codes("powers")
    corridors, commodities, sector_names = t.codes("corridors"), t.codes("commodities"), t.codes("sectors")
    names = {code: str(t.get(group, code, "name")) for group, codes in
             (("states", states), ("powers", powers), ("corridors", corridors)) for code in codes}
    short_names = {code: str(t.get(group, code, "short_name", default=names[code]))
                   for group, codes in (("states", states), ("powers", powers)) for code in codes}
    colours = {code: str(t.get(group, code, "colour")) for group, codes in (("states", states), ("powers", powers))
               for code in codes}
    positions = {code: tuple(float(x) for x in t.get(group, code, "position"))
                 for group, codes in (("states", states), ("powers", powers)) for code in codes}

    state = {f: np.array([t.number("states", s, f, sources=sources) for s in states]) for f in STATE_FIELDS}
    for f, default in OPTIONAL_STATE_FIELDS.items():
        state[f] = np.array([t.number("states", s, f, sources=sources) if t.get("states", s, f, default=None) is not None
                             else (default if default is not None else state["china_mirror_ratio"][i])
                             for i, s in enumerate(states)])
    for i, s in enumerate(states):  # GDP is a product of positive factors only for such states (economy.spending_factor)
        if not 0.0 <= state["remittances"][i] < state["gdp"][i]:
            t.fail(("states", s, "remittances"), f"must be at least 0 and below the state's gdp ({state['gdp'][i]:g}), "
                                                 f"got {state['remittances'][i]:g}")
    pair = {f: np.array([[t.number("pairs", s, p, f, sources=sources) for p in powers] for s in states])
            for f in PAIR_FIELDS}
    mix = np.array([_commodity_mix(t, s, commodities, sources) for s in states])
    sectors = np.array([[t.number("powers", p, "sectors", k) for k in sector_names] for p in powers])
    extractive = np.array([bool(t.get("sectors", k, "extractive")) for k in sector_names])

    def corridor_field(name):
        return np.array([t.number("corridors", c, name, sources=sources) for c in corridors])

    transit = np.array([powers.index(t.code(powers, "corridors", c, "transits"))
                        if t.get("corridors", c, "transits") else -1 for c in corridors])
    investable = np.array([bool(t.get("corridors", c, "investable", default=True)) for c in corridors])
    exposed = np.array([[p in (t.get("corridors", c, "transit_markets", default=None) or []) for c in corridors]
                        for p in powers])

    def by_corridor(*path) -> dict[int, float]:
        """{corridor index: number} of a mapping keyed by corridor names."""
        entry = t.get(*path, default={}) or {}
        for c in entry:
            if c not in corridors:
                t.fail((*path, c), f"unknown corridor '{c}'; expected one of {', '.join(corridors)}")
        return {corridors.index(c): t.number(*path, c) for c in entry}

    legs = np.full((len(powers), len(corridors)), np.inf)
    alloc = np.zeros((len(powers), len(corridors)))
    for j, p in enumerate(powers):
        t.get("markets", p)  # every power needs a market entry
        for c, fraction in by_corridor("markets", p).items():
            legs[j, c] = fraction
        for c, share in by_corridor("powers", p, "transport_alloc").items():
            alloc[j, c] = share
    route_legs, route_local = _routes(t, states, powers, corridors, legs, sources)
    pipeline = np.zeros((len(states), len(powers)))
    for i, s in enumerate(states):
        for j, p in enumerate(powers):
            if t.get("pipelines", s, p, default=None) is not None:
                pipeline[i, j] = t.number("pipelines", s, p, sources=sources)
    export_weights = _export_commodity_weights(t, states, powers, commodities, state["commodity_export_share"],
                                               mix / mix.sum(axis=1, keepdims=True), sources)
    at_war = np.array([bool(t.get("powers", p, "at_war", default=False)) for p in powers])
    customs_union = np.array([bool(t.get("powers", p, "customs_union", default=False)) for p in powers])
    return Actors(
        base_year=int(t.number("base_year")), states=states, powers=powers, corridors=corridors,
        commodities=commodities, names=names, short_names=short_names, colours=colours, positions=positions,
        state=state, pair=pair, commodity_mix=mix / mix.sum(axis=1, keepdims=True), sector_names=sector_names,
        extractive=extractive, sectors=sectors,
        corridor_base_days=corridor_field("base_days"), corridor_min_days=corridor_field("min_days"),
        corridor_invest_ref=corridor_field("invest_ref_bn"), corridor_transit_power=transit, investable=investable,
        transit_exposed=exposed, market_legs=legs, transport_alloc=alloc, at_war=at_war, customs_union=customs_union,
        route_legs=route_legs, route_local_days=route_local, pipeline_share=pipeline,
        export_commodity_weights=export_weights, sources=sources, path=file,
    )


def _commodity_mix(t: _Table, state: str, commodities, sources) -> np.ndarray:
    """The state's commodity exports by commodity (K,), from `commodity_mix: {commodity: share, ..., src}`.

    Commodities left out are 0; the shares are >= 0 and sum to more than 0 (the loader scales them to 1).
    """
    path = ("states", state, "commodity_mix")
    entry = t.get(*path)
    if not isinstance(entry, dict) or "src" not in entry:
        t.fail(path, "must be {commodity: share, ..., src: fact id or assumption}")
    row = np.zeros(len(commodities))
    for k in entry:
        if k == "src":
            continue
        if k not in commodities:
            t.fail((*path, k), f"unknown commodity '{k}'{did_you_mean(k, commodities)}; "
                               f"expected one of {', '.join(commodities)}")
        share = row[commodities.index(k)] = t.number(*path, k)
        if share < 0.0:
            t.fail((*path, k), f"must be a share >= 0, got {share:g}")
    if row.sum() <= 0.0:
        t.fail(path, "the shares sum to 0; give at least one commodity a positive share")
    sources[".".join(path)] = str(entry["src"])
    return row


def _export_commodity_weights(t: _Table, states, powers, commodities, commodity_share, mix, sources) -> np.ndarray:
    """Commodity k's share of the value of state s's exports to power p (S, P, K).

    The state's whole basket, commodity_export_share x commodity_mix, unless `export_commodities: {state: {power:
    {commodity: share, ..., src}}}` gives the flow its own (commodities left out: 0). Each share is in [0, 1]
    and a flow's shares sum to at most 1 (the rest is not priced by commodities).
    """
    weights = np.repeat((commodity_share[:, None] * mix)[:, None, :], len(powers), axis=1)
    section = t.get("export_commodities", default={}) or {}
    if not isinstance(section, dict):
        t.fail(("export_commodities",), "expected a mapping of state -> power -> {commodity: share, src}")
    for s, by_power in section.items():
        if s not in states:
            t.fail(("export_commodities", s), f"unknown state '{s}'; expected one of {', '.join(states)}")
        for p, entry in (by_power or {}).items():
            path = ("export_commodities", s, p)
            if p not in powers:
                t.fail(path, f"unknown power '{p}'; expected one of {', '.join(powers)}")
            if not isinstance(entry, dict) or "src" not in entry:
                t.fail(path, "must be {commodity: share, ..., src: fact id or assumption}")
            row = np.zeros(len(commodities))
            for k, value in entry.items():
                if k == "src":
                    continue
                if k not in commodities:
                    t.fail((*path, k), f"unknown commodity '{k}'; expected one of {', '.join(commodities)}")
                row[commodities.index(k)] = t.number(*path, k)
                if not 0.0 <= row[commodities.index(k)] <= 1.0:
                    t.fail((*path, k), f"must be a share in [0, 1], got {row[commodities.index(k)]:g}")
            if row.sum() > 1.0 + 1e-9:
                t.fail(path, f"the shares sum to {row.sum():g}; at most 1")
            sources[".".join(path)] = str(entry["src"])
            weights[states.index(s), powers.index(p)] = row
    return weights


def _routes(t: _Table, states, powers, corridors, market_legs, sources) -> tuple[np.ndarray, np.ndarray]:
    """Each state's routes to each market: legs (S, P, N, C) and local days (S, P, N), N the most routes of a pair.

    A route is {legs: {corridor: share of its days}, local: days, src: source}; unused slots have local days
    inf. A pair the `routes` section does not list takes the market's region-wide legs (`markets`) as its one
    route, with no local days (an actor added as data needs no routes).
    """
    listed = {(s, p): t.get("routes", s, p) for s in states for p in powers
              if t.get("routes", s, p, default=None) is not None}
    for (s, p), routes in listed.items():
        if not isinstance(routes, list) or not routes:
            t.fail(("routes", s, p), "expected a list of routes {legs: {corridor: share}, local: days, src: ...}")
    n = max([len(r) for r in listed.values()] + [1])
    legs = np.zeros((len(states), len(powers), n, len(corridors)))
    local = np.full((len(states), len(powers), n), np.inf)
    for i, s in enumerate(states):
        for j, p in enumerate(powers):
            if (s, p) not in listed:
                usable = np.isfinite(market_legs[j])
                legs[i, j, 0, usable], local[i, j, 0] = market_legs[j, usable], 0.0
                continue
            for k in range(len(listed[s, p])):
                where = ("routes", s, p, k)
                sources[".".join(map(str, where))] = str(t.get(*where, "src"))
                local[i, j, k] = t.number(*where, "local") if t.get(*where, "local", default=None) is not None else 0.0
                for c in t.get(*where, "legs"):
                    if c not in corridors:
                        t.fail((*where, "legs", c), f"unknown corridor '{c}'; expected one of {', '.join(corridors)}")
                    legs[i, j, k, corridors.index(c)] = t.number(*where, "legs", c)
    return legs, local


def load_actors(path: str | os.PathLike | None = None) -> Actors:
    """The actor table: `path`, else the file named by CASIM_ACTORS, else the packaged `data/actors.yaml`.

    Raises:
        InputError: the file cannot be read or is not a valid actor table (file, line and entry named).
    """
    chosen = path or os.environ.get(ACTORS_ENV) or ACTORS_FILE
    return _load(str(Path(chosen).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> Actors:
    document = read_yaml(path)
    if not isinstance(document.data, dict):
        raise InputError(f"{path}:1: expected a mapping (base_year:, states:, powers:, ...)")
    return parse_actors(document.data, document.lines, path)


@lru_cache(maxsize=1)
def load_facts() -> dict[str, dict]:
    """The sourced figures of the vendored facts.yaml, by id (each with its value, source and quote)."""
    with open(DATA_DIR / "facts.yaml", encoding="utf-8") as fh:
        return {f["id"]: f for f in yaml.safe_load(fh)["facts"]}


def load_fact_ids() -> frozenset[str]:
    """Ids of the sourced figures in the vendored facts.yaml."""
    return frozenset(load_facts())
