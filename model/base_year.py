"""The actor table for any base year 2013-2024, built from the observed history (docs/ODD.md, "Initialisation
for other base years").

`actors.yaml` describes 2024. For an earlier base year B every field takes the history value for B where one
exists, on ONE statistical basis per field, else a stated back-cast rule; `RULES` lists them (the ODD table is
checked against it). B = 2024 returns the table unchanged. The rules work on the raw YAML mapping, before it
is parsed, so the table's fields and sources stay those of `actors.yaml` (a field no rule names keeps its 2024
value, and its source says so).

Basis choices:
- bilateral trade: the state's own statistics, joined over time like the calibration patterns: IMF DOTS
  (state as reporter) to 2020, the national tables after; Kyrgyzstan and Uzbekistan national throughout
  (Uzbek DOTS rows before 2017 are IMF estimates; Kyrgyz national "EU" includes the UK to 2019, so DOTS there);
- China's customs basis: the mirror ratio GAC / state-reported trade of year B;
- GDP, remittances, external debt: WDI (July 2026 vintage).

World state at B (`base_params`): sanctions on Russia, the war, EAEU membership as they stood at the end of B,
and each state's reserves over GDP in B.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache

import os
from pathlib import Path

from .actors import ACTORS_ENV, ACTORS_FILE, Actors, load_actors, parse_actors
from .observed import HistoryData, history_file, load_history
from .safe_yaml import read_yaml

TABLE_YEAR = 2024                   # the base year of actors.yaml
BASE_YEARS = range(2013, TABLE_YEAR + 1)
PARTNER = {"CHN": "chn", "RUS": "rus", "EU": "eu", "USA": "usa"}

# Trade series by state and partner: (series suffix, first year, last year); the first that covers B wins.
_DOTS, _NSO = ("dots", 2013, 2020), ("nso", 2013, 2023)
TRADE_BASIS = {
    "KAZ": {p: (_DOTS, ("nso", 2021, 2023)) for p in PARTNER},
    "KGZ": {"CHN": (_NSO,), "RUS": (_NSO,), "EU": (_DOTS, ("nso", 2021, 2023)), "USA": (_NSO,)},
    "TJK": {p: (_DOTS,) for p in PARTNER},
    "TKM": {p: (_DOTS,) for p in PARTNER},
    "UZB": {p: (_NSO,) for p in PARTNER},
}


# States whose pair debts in actors.yaml are gross external debt by creditor (kz_gross_external_debt), not official debt.
DEBT_TOTAL_BASIS = ("KAZ",)


# The aggregate series whose 2024 values anchor the back-cast ratios B / 2024 (RULES): through them, and only
# through them, a 2024 datum reaches the initial state of an earlier base year. None is a hindcast observation.
ANCHORS = ("{state}_goods_exports_usd_wdi", "{state}_goods_imports_usd_wdi", "{state}_ext_debt_usd_wdi",
           "{state}_ext_debt_ppg_usd_wdi")


class BaseYearError(ValueError):
    """A base year outside the data."""


@dataclass(frozen=True)
class Rule:
    """One row of the ODD table: which field, from which series or rule, under which assumption."""
    field: str
    source: str
    assumption: str


RULES = (
    Rule("states.*.gdp", "{state}_gdp_usd_wdi2026 at B", "WDI July 2026 vintage, current USD"),
    Rule("states.*.exports, imports", "2024 value x {state}_goods_{exports,imports}_usd_wdi B / 2024",
         "services move with goods (the table's figures are goods and services)"),
    Rule("states.*.other_external_debt", "2024 value x {state}_ext_debt_usd_wdi B / 2024",
         "the non-official part moves with total external debt"),
    Rule("states.*.remittances", "{state}_remit_usd_wdi at B (Turkmenistan 0)", "WDI BoP basis"),
    Rule("states.*.china_mirror_ratio", "{state}_chn_trade_gac / state-reported trade with China, at B "
         "(nearest year with both where B has no GAC value)", "China's customs basis = ratio x the model's trade"),
    Rule("states.*.china_mirror_base", "= china_mirror_ratio at B for B < 2022, else the 2024 value",
         "no re-exports to Russia under the pre-2022 sanctions"),
    Rule("pairs.*.*.trade", "state-reported trade at B (TRADE_BASIS: DOTS to 2020, national tables after; "
         "KGZ, UZB national throughout); else 2024 value x the state's goods trade B / 2024",
         "one basis per state and partner, the same as calibration/patterns.yaml"),
    Rule("pairs.*.CHN, RUS.export_share", "state-reported exports / trade at B where both exist",
         "else the 2024 share"),
    Rule("pairs.*.*.fdi_flow, fdi_stock", "2024 value x {state}_gdp_usd_wdi2026 at B / the table's 2024 GDP",
         "FDI and its stock keep their 2024 ratio to GDP: WDI net inflows swing with intercompany loans "
         "(Kazakhstan 0.35 to 17.2 bn a year) and no by-source series exists before 2021"),
    Rule("pairs.*.*.debt", "2024 value x {state}_ext_debt_ppg_usd_wdi B / 2024 (Kazakhstan: x total external "
         "debt, its table figures being gross debt by creditor); China's Kyrgyz and Tajik debt: China's share of PPG "
         "debt (kgz_debt_chn_exim_usd, tjk_debt_chn_usd over PPG) at B, interpolated, held beyond the observed "
         "years", "official debt moves with public and publicly guaranteed debt; Turkmenistan's debt to China, "
         "repaid by 2024, is not in the data before, so it stays 0"),
    Rule("(every other field)", "the 2024 value", "security ties, sentiment, history, threat, population, "
         "commodity mix, routes: no annual series; 2024 kept"),
)


def base_years(actors=None) -> range:
    """The base years a run can start from (it starts the year after): an `Actors` table's own year; for a path
    or None (as `load_actors` takes them) every year the history builds a table for, `BASE_YEARS`. Every check
    of a run's start year reads this."""
    if isinstance(actors, Actors):
        return range(actors.base_year, actors.base_year + 1)
    return BASE_YEARS


def check_base_year(year: int) -> None:
    """Raises BaseYearError for a base year outside 2013-2024, naming the years the data allow."""
    if year not in BASE_YEARS:
        raise BaseYearError(f"base year {year} is outside the data: base years {BASE_YEARS[0]}-{BASE_YEARS[-1]} "
                            f"(start years {BASE_YEARS[0] + 1}-{BASE_YEARS[-1] + 1})")


def actors_raw_for_year(raw: dict, year: int, history: HistoryData | None = None) -> dict:
    """The raw actors mapping (as in actors.yaml) for base year `year`; `year` = 2024 returns a copy unchanged."""
    check_base_year(year)
    out = copy.deepcopy(raw)
    if year == int(raw["base_year"]):
        return out
    history = history or load_history()
    out["base_year"] = year
    for state, fields in out["states"].items():
        _state_fields(fields, history, state, year)
        for power, pair in out["pairs"][state].items():
            _pair_fields(pair, history, state, power, year, float(raw["states"][state]["gdp"]["v"]))
        _china_mirror(out, history, state, year)
    for state in out["states"]:
        for field in out["states"][state].values():
            _mark_kept(field)
        for pair in out["pairs"][state].values():
            for field in pair.values():
                _mark_kept(field)
    return out


def base_params(year: int, states=None) -> dict[str, object]:
    """Parameter values describing the world at the end of base year `year` (registry defaults describe 2024).

    Sanctions on Russia: 0 to 2013, 0.2 from the 2014 Crimea and sectoral sanctions, 0.5 from 2022 (the
    registry's 2024 value); war 0 before 2022; Kyrgyzstan an EAEU member from August 2015. Each state's reserves
    over GDP in `year` (`*_reserves_usd_wdi` over `*_gdp_usd_wdi2026`, to three decimals as the registry's 2024
    values), where the state publishes reserves. `states`: the table's states (default: `load_actors()`'s).
    """
    check_base_year(year)
    history = load_history()
    world: dict[str, object] = {
        "powers.RUS.sanctions": 0.0 if year <= 2013 else (0.2 if year <= 2021 else 0.5),
        "war_intensity": 0.0 if year <= 2021 else 0.6,
        "states.KGZ.eaeu_member": 1.0 if year >= 2015 else 0.0,
    }
    for state in (load_actors().states if states is None else states):
        reserves, gdp = f"{state.lower()}_reserves_usd_wdi", f"{state.lower()}_gdp_usd_wdi2026"
        if reserves in history.series and year in history.get(reserves).values:
            world[f"states.{state}.reserves_to_gdp"] = round(history.value(reserves, year) / history.value(gdp, year), 3)
    return world


# ---- field rules ----------------------------------------------------------------------------------------
def _set(field: dict, value: float, src: str) -> None:
    field["v"], field["src"] = float(value), src


def _mark_kept(field) -> None:
    if isinstance(field, dict) and "src" in field and not str(field["src"]).startswith("base year"):
        field["src"] = f"base year: 2024 value kept ({field['src']})"


def _ratio(history: HistoryData, series: str, year: int) -> float:
    values = history.get(series).values
    return values[year] / values[TABLE_YEAR]


def _state_fields(fields: dict, history: HistoryData, state: str, year: int) -> None:
    s = state.lower()
    _set(fields["gdp"], history.value(f"{s}_gdp_usd_wdi2026", year), f"base year: {s}_gdp_usd_wdi2026 {year}")
    for key, series in (("exports", f"{s}_goods_exports_usd_wdi"), ("imports", f"{s}_goods_imports_usd_wdi"),
                        ("other_external_debt", f"{s}_ext_debt_usd_wdi")):
        _set(fields[key], fields[key]["v"] * _ratio(history, series, year), f"base year: 2024 x {series} {year}/2024")
    if "remittances" in fields:
        series = f"{s}_remit_usd_wdi"
        value = history.value(series, year) if series in history.series else 0.0
        _set(fields["remittances"], value, f"base year: {series} {year}" if value else "base year: none recorded")


def trade_series(history: HistoryData, state: str, power: str, year: int, flow: str = "trade") -> str | None:
    """The state-reported series of `flow` (trade, exports) with `power` that covers `year`, or None."""
    for suffix, first, last in TRADE_BASIS[state][power]:
        series = f"{state.lower()}_{PARTNER[power]}_{flow}_{suffix}"
        if first <= year <= last and series in history.series and year in history.get(series).values:
            return series
    return None


def _pair_fields(pair: dict, history: HistoryData, state: str, power: str, year: int, table_gdp: float) -> None:
    s = state.lower()
    series = trade_series(history, state, power, year)
    if series:
        trade = history.value(series, year)
        _set(pair["trade"], trade, f"base year: {series} {year}")
    else:
        goods = (_ratio(history, f"{s}_goods_exports_usd_wdi", year) * _goods(history, s, "exports")
                 + _ratio(history, f"{s}_goods_imports_usd_wdi", year) * _goods(history, s, "imports"))
        goods /= _goods(history, s, "exports") + _goods(history, s, "imports")
        _set(pair["trade"], pair["trade"]["v"] * goods, f"base year: 2024 x {s} goods trade {year}/2024")
    exports = trade_series(history, state, power, year, "exports") if power in ("CHN", "RUS") else None
    if series and exports:
        _set(pair["export_share"], history.value(exports, year) / pair["trade"]["v"], f"base year: {exports} / {series} {year}")
    # over the table's own 2024 GDP, not history's: 2024 GDP is a held-out observation of the hindcast
    gdp = history.value(f"{s}_gdp_usd_wdi2026", year) / table_gdp
    for key in ("fdi_flow", "fdi_stock"):
        _set(pair[key], pair[key]["v"] * gdp, f"base year: 2024 x {s}_gdp_usd_wdi2026 {year} / the table's 2024 GDP")
    own = {("KGZ", "CHN"): "kgz_debt_chn_exim_usd", ("TJK", "CHN"): "tjk_debt_chn_usd"}.get((state, power))
    ppg = f"{s}_ext_debt_ppg_usd_wdi"
    if state in DEBT_TOTAL_BASIS:   # the table's figures are gross external debt by creditor country
        total = f"{s}_ext_debt_usd_wdi"
        _set(pair["debt"], pair["debt"]["v"] * _ratio(history, total, year), f"base year: 2024 x {total} {year}/2024")
    elif own:
        _set(pair["debt"], _share_of(history, own, ppg, year) * history.value(ppg, year),
             f"base year: {own} / {ppg} (interpolated share) x {ppg} {year}")
    else:
        _set(pair["debt"], pair["debt"]["v"] * _ratio(history, ppg, year), f"base year: 2024 x {ppg} {year}/2024")


def _goods(history: HistoryData, s: str, flow: str) -> float:
    return history.value(f"{s}_goods_{flow}_usd_wdi", TABLE_YEAR)


def _share_of(history: HistoryData, part: str, whole: str, year: int) -> float:
    """part / whole at `year`, linearly interpolated between the years with both, held beyond them."""
    a, b = history.get(part).values, history.get(whole).values
    points = sorted((y, a[y] / b[y]) for y in a if y in b)
    if year <= points[0][0]:
        return points[0][1]
    if year >= points[-1][0]:
        return points[-1][1]
    for (y0, v0), (y1, v1) in zip(points, points[1:]):
        if y0 <= year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    raise AssertionError("unreachable")


def _china_mirror(out: dict, history: HistoryData, state: str, year: int) -> None:
    fields, s = out["states"][state], state.lower()
    gac = history.get(f"{s}_chn_trade_gac").values
    years = [y for y in gac if trade_series(history, state, "CHN", y)]
    nearest = min(years, key=lambda y: (abs(y - year), y))
    ratio = gac[nearest] / history.value(trade_series(history, state, "CHN", nearest), nearest)
    _set(fields["china_mirror_ratio"], ratio, f"base year: {s}_chn_trade_gac / state-reported trade, {nearest}")
    if "china_mirror_base" in fields and year < 2022:
        _set(fields["china_mirror_base"], ratio, "base year: = china_mirror_ratio (before the 2022 sanctions)")


def actors_at_start(actors, start_year: int) -> tuple[Actors, dict[str, object]]:
    """The actor table and the world's parameter values for runs starting in `start_year`.

    Given an `Actors` table, it is used as it is (no world values). Otherwise (a path or None, as for
    `load_actors`) the base year is `start_year - 1`: the table's own year (2024) gives `load_actors(path)`; an earlier base year gives `actors_for_year(B, path)` and `base_params(B)`, which the model
    layers under the caller's parameters. A start after 2025 keeps the 2024 table.
    """
    if isinstance(actors, Actors):
        return actors, {}
    base = start_year - 1
    if base >= TABLE_YEAR:
        return load_actors(actors), {}
    table = actors_for_year(base, actors)
    return table, base_params(base, table.states)


def actors_for_year(year: int, path: str | os.PathLike | None = None) -> Actors:
    """The parsed actor table for base year `year` (2024: `load_actors(path)`'s table).

    Args:
        year: base year, 2013-2024.
        path: the 2024 table (default as `load_actors`: CASIM_ACTORS, else the packaged actors.yaml).
    """
    chosen = str(Path(path or os.environ.get(ACTORS_ENV) or ACTORS_FILE).resolve())
    return _for_year(year, chosen, str(history_file()))


@lru_cache(maxsize=16)
def _for_year(year: int, path: str, history: str) -> Actors:
    document = read_yaml(path)
    return parse_actors(actors_raw_for_year(document.data, year, load_history(history)), document.lines, path)
