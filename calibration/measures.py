"""Model quantities that targets compare with: one value per run, at the last step of a year.

`simulate` runs one ensemble (any number of runs, per-run parameter arrays) that records the end of each
calendar year in its history (`record="year_end"`); each measure turns one year's snapshot into an (R,)
array. Measures that are output columns read them from the output contract (`model.outputs`); the others
combine columns, or recorded state fields where no column exists. Axes: run R, state S, power P.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from model import CentralAsiaModel
from model.outputs import column


def simulate(overrides: Mapping[str, object], run_seeds: Sequence[int], end_year: int = 2025,
             use_calibrated: bool = False, steps_per_year: int = 4) -> tuple[CentralAsiaModel, dict[int, dict]]:
    """Run an ensemble from the 2024 base year to `end_year`; snapshot each year's last step.

    Args:
        overrides: dotted path -> scalar or per-run array (length len(run_seeds)).
        run_seeds: one seed per run (repeat seeds across candidates for common random numbers).
        end_year: last simulated year (>= 2025).
        use_calibrated: layer the calibrated defaults under the overrides (False while fitting,
            so a fit never depends on the previous fit).
    Returns:
        The model at the end, and {year: {field: (R, ...) array}} for 2024 .. end_year.
    """
    model = CentralAsiaModel(run_seeds=list(run_seeds), params=dict(overrides), end_year=end_year,
                             steps_per_year=steps_per_year, record="year_end", use_calibrated=use_calibrated)
    model.run()
    years = model.step_years(model.history.steps)[0]
    return model, {int(year): model.history.at(step) for year, step in zip(years, model.history.steps)}


def output(snap, model, name: str, level: str = "states") -> np.ndarray:
    """An output column of the contract on one snapshot: (R, S) for a states column, (R,) for a region column."""
    return column(name, model.actors, level).compute(snap, model.actors)


def _idx(model, state=None, power=None):
    a = model.actors
    return (a.state_index(state) if state else None), (a.power_index(power) if power else None)


def gdp_growth(snap, model, state):
    """The state's USD GDP in the year over its base-year value (column gdp): a growth ratio, so that a level gap
    between the table's 2024 GDP and a later WDI vintage (Turkmenistan's revision) does not count as a miss."""
    i, _ = _idx(model, state)
    return output(snap, model, "gdp")[:, i] / model.actors.state["gdp"][i]


def trade(snap, model, state, power):
    """Exports plus imports of `state` with `power`, USD bn per year (national basis; column trade_<P>)."""
    i, _ = _idx(model, state)
    return output(snap, model, f"trade_{power}")[:, i]


def china_trade_gac(snap, model, state):
    """Trade of `state` with China on China's customs basis (mirror ratio x national, plus transit booked for
    re-exports), USD bn (column china_trade_gac)."""
    i, _ = _idx(model, state)
    return output(snap, model, "china_trade_gac")[:, i]


def china_ca_trade(snap, model):
    """China-Central Asia trade on China's customs basis, USD bn (region column china_ca_trade)."""
    return output(snap, model, "china_ca_trade", "region")


def china_ca_trade_at_least(snap, model, bn):
    """1 where China-Central Asia trade (customs basis) is at least `bn` USD bn, else 0."""
    return (china_ca_trade(snap, model) >= bn).astype(float)


def trade_ratio(snap, model, state, power, other):
    """Trade of `state` with `power` over its trade with `other`."""
    return trade(snap, model, state, power) / trade(snap, model, state, other)


def only_china_surplus(snap, model, state):
    """1 where `state` is the only state with a trade surplus with China (column trade_balance_CHN), else 0."""
    surplus = output(snap, model, "trade_balance_CHN") > 0
    i, _ = _idx(model, state)
    others = np.delete(surplus, i, axis=1)
    return (surplus[:, i] & ~others.any(axis=1)).astype(float)


def chinese_flow_share(snap, model, state):
    """Share of China's FDI plus lending into the region that goes to `state` (columns fdi_CHN, lending_CHN)."""
    flows = output(snap, model, "fdi_CHN") + output(snap, model, "lending_CHN")
    i, _ = _idx(model, state)
    return flows[:, i] / flows.sum(axis=1)


def china_debt_share(snap, model, state):
    """Official debt owed to China over official external debt (hidden debt is in neither).

    The debt owed to others is a recorded state field, not an output column.
    """
    i, china = _idx(model, state, "CHN")
    official = snap["debt"][:, i].sum(axis=1) + snap["other_debt"][:, i]
    return snap["debt"][:, i, china] / official


def security_share(snap, model, state, power):
    """The power's share of the state's security ties (proxy of its arms-import share)."""
    i, j = _idx(model, state, power)
    ties = snap["security"][:, i]
    return ties[:, j] / ties.sum(axis=1)


def top_security_partner(snap, model, state, power):
    """1 where `power` has the state's strongest security ties, else 0."""
    i, j = _idx(model, state, power)
    return (snap["security"][:, i].argmax(axis=1) == j).astype(float)


def csto_russia_gap(snap, model, members):
    """Weakest Russian security tie among CSTO members minus the strongest among non-members."""
    inside = np.array([s in members for s in model.actors.states])
    ties = output(snap, model, "security_RUS")
    return ties[:, inside].min(axis=1) - ties[:, ~inside].max(axis=1)


def eaeu_match(snap, model, members):
    """1 where the model's EAEU flags equal the observed membership of every state, else 0."""
    observed = np.array([s in members for s in model.actors.states])
    return np.all((model.params.eaeu_member > 0.5) == observed, axis=1).astype(float)


def alignment(snap, model, state, power):
    """The state's alignment towards the power (a share; rows sum to 1; column alignment_<P>)."""
    i, _ = _idx(model, state)
    return output(snap, model, f"alignment_{power}")[:, i]


MEASURES: dict[str, Callable] = {f.__name__: f for f in (
    gdp_growth, trade, china_trade_gac, china_ca_trade, china_ca_trade_at_least, trade_ratio, only_china_surplus, chinese_flow_share,
    china_debt_share, security_share, top_security_partner, csto_russia_gap, eaeu_match, alignment)}


def measure_targets(targets, model, snaps) -> np.ndarray:
    """(R, n_targets) per-run model values of every target."""
    return np.column_stack([MEASURES[t.measure](snaps[t.year], model, **t.args) for t in targets])


def run_targets(targets, overrides: Mapping[str, object], run_seeds: Sequence[int]) -> np.ndarray:
    """Simulate to the last target year and return (R, n_targets) per-run values."""
    model, snaps = simulate(overrides, run_seeds, end_year=max(t.year for t in targets))
    return measure_targets(targets, model, snaps)
