"""Named shocks for scenario events.

Each shock is a small function `shock(model, runs, args)` that changes the
state arrays (`model.state`, leading run axis R) or the per-run parameters
(`model.params`) for the runs selected by the boolean mask `runs` (R,). Its
arguments are checked by its own pydantic model, so a scenario file fails
before anything runs. Shocks apply at the start of a step, after commodity
prices move and before the powers act (DESIGN section 4, step 1).

`SHOCKS` maps a shock's name to its `Shock` (argument model + function);
`make_event` turns a validated shock into a picklable `Event`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .actors import load_actors
from .errors import did_you_mean
from .observed import load_history
from .params import REGISTRY

# Argument types from the actor table (CASIM_ACTORS or the packaged one), read when this module is imported.
_ACTORS = load_actors()
Power = Literal[_ACTORS.powers]
StateCode = Literal[_ACTORS.states]
Corridor = Literal[_ACTORS.corridors]
InvestableCorridor = Literal[tuple(c for c, ok in zip(_ACTORS.corridors, _ACTORS.investable) if ok)]
Commodity = Literal[(*_ACTORS.commodities, "all")]


class ShockArgs(BaseModel):
    """Base of every shock's arguments: strict types, no unknown keys, no NaN."""
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


@dataclass
class Event:
    """Something scheduled: `apply(model, runs)` runs at the start of `step` for the selected runs."""
    step: int
    apply: Callable[..., None]      # apply(model, runs)
    runs: np.ndarray | None = None  # bool (R,); None = all runs
    label: str = ""
    what: dict = field(default_factory=dict)  # for the record: {"shock": name, **arguments} or {"set": values}

    def record(self, start_year: int, steps_per_year: int) -> dict:
        """What a run manifest lists for this event: its step, date (and `time`, the calendar time at which the
        step begins, for plots), label and what it does."""
        year, period = step_date(self.step, start_year, steps_per_year)
        return {"step": self.step, "year": year, "period": period, "time": year + (period - 1) / steps_per_year,
                "date": period_label(year, period, steps_per_year), "label": self.label, **self.what}


def step_date(step, start_year: int, steps_per_year: int):
    """Calendar year and period (1..steps_per_year) of step(s) `step`; step 0 is the base year's last period.

    Step k belongs to year start_year - 1 + ceil(k / steps_per_year), period (k - 1) mod steps_per_year + 1.
    """
    year = start_year - 1 + (step + steps_per_year - 1) // steps_per_year
    period = (step - 1) % steps_per_year + 1
    return year, period


def period_label(year: int, period: int, steps_per_year: int) -> str:
    """`2026` (yearly steps), `2026-Q2` (quarterly, as scenario files write dates) or `2026-P5` (other steps)."""
    if steps_per_year == 1:
        return str(year)
    return f"{year}-{'Q' if steps_per_year == 4 else 'P'}{period}"


# ---- helpers --------------------------------------------------------------------------------------------------
def _at_war(model) -> list[str]:
    """The powers whose war drains their security capacity (Russia in the packaged table)."""
    return [code for code, war in zip(model.actors.powers, model.actors.at_war) if war]


def _set_param(model, path: str, values: np.ndarray, runs: np.ndarray) -> None:
    """Set a parameter for the masked runs; `values` is a scalar or per-run (R,) array."""
    model.params.set(path, np.broadcast_to(np.asarray(values, dtype=float), (model.n_runs,)).copy(), runs=runs)


def _schedule(model, steps_from_now: int, apply: Callable, runs: np.ndarray, label: str) -> None:
    """Queue a follow-up event (e.g. a disruption's end) `steps_from_now` steps later (at least 1)."""
    model.events.append(Event(model.steps + max(int(steps_from_now), 1), apply, runs.copy(), label))
    model.events.sort(key=lambda e: e.step)


def _steps(model, years: float) -> int:
    return max(int(round(years * model.steps_per_year)), 1)


# ---- sanctions and war ----------------------------------------------------------------------------------------
class SanctionsArgs(ShockArgs):
    power: Power = Field(description="the sanctioned power")
    intensity: float = Field(ge=0.0, le=1.0, description="new sanction intensity, 0..1")


def sanctions(model, runs, args: SanctionsArgs) -> None:
    """Western sanctions on `power` are set to `intensity` (0..1).

    Raises the region's cost of trading with the power only through the risk of secondary sanctions
    (`sanction_trade_cost` x `secondary_sanction_risk` x intensity), adds transit days on corridors through it
    for other markets (`sanction_transit_delay_days` x intensity), moves re-exports to it (RE = xi s (1 - rho) Y)
    and, for Russia, its USD income (`russia_sanction_drag`) and with it remittances.
    """
    _set_param(model, f"powers.{args.power}.sanctions", args.intensity, runs)


class WarEndsArgs(ShockArgs):
    sanctions_relief: float = Field(0.5, ge=0.0, le=1.0, description="fraction of Russia's sanctions lifted")


def war_ends(model, runs, args: WarEndsArgs) -> None:
    """Russia's war ends: `war_intensity` = 0, so its security capacity recovers; sanctions fall by the relief.

    sanctions_RUS <- sanctions_RUS x (1 - sanctions_relief). Russia's USD income loses the war's stimulus
    (`russia_war_stimulus`) and gains from lighter sanctions (`russia_sanction_drag`).
    """
    _set_param(model, "war_intensity", 0.0, runs)
    for power in _at_war(model):
        current = model.params.sanctions[:, model.actors.power_index(power)]
        _set_param(model, f"powers.{power}.sanctions", current * (1.0 - args.sanctions_relief), runs)


class WarEscalatesArgs(ShockArgs):
    intensity: float = Field(0.9, ge=0.0, le=1.0, description="new war intensity, 0..1")
    sanctions: float | None = Field(None, ge=0.0, le=1.0, description="new sanctions on Russia (unchanged if absent)")


def war_escalates(model, runs, args: WarEscalatesArgs) -> None:
    """Russia's war intensifies: `war_intensity` rises to `intensity`, draining its security capacity
    (capacity x (1 - war_capacity_drag x intensity)); optionally tighter sanctions on Russia."""
    _set_param(model, "war_intensity", args.intensity, runs)
    if args.sanctions is not None:
        for power in _at_war(model):
            _set_param(model, f"powers.{power}.sanctions", args.sanctions, runs)


# ---- corridors --------------------------------------------------------------------------------------------------
class CorridorDisruptionArgs(ShockArgs):
    corridor: Corridor
    factor: float = Field(ge=0.1, le=10.0, description="multiplier on the corridor's days, 0.1..10, e.g. 1.5 = 50% slower")
    duration: float = Field(gt=0.0, le=50.0, description="years until the disruption ends")


def corridor_disruption(model, runs, args: CorridorDisruptionArgs) -> None:
    """The corridor's days are multiplied by `factor` for `duration` years, then divided back.

    Overlapping disruptions multiply, and each one's end undoes only its own factor.
    """
    c = model.actors.corridors.index(args.corridor)
    model.state.disruption[runs, c] *= args.factor
    end = partial(_end_disruption, corridor=c, factor=args.factor)
    _schedule(model, _steps(model, args.duration), end, runs, f"end of {args.corridor} disruption")


def _end_disruption(model, runs, corridor: int, factor: float) -> None:
    model.state.disruption[runs, corridor] /= factor


class CorridorInvestmentArgs(ShockArgs):
    payer: Power = Field(description="who pays")
    amount: float = Field(gt=0.0, le=500.0, description="USD bn in total")
    corridor: InvestableCorridor
    years: float = Field(5.0, gt=0.0, le=30.0, description="spread evenly over this many years")
    financing: Literal["grant", "loan"] = Field("grant", description="a loan adds the amount to the states' debt "
                                                                     "to the payer, split by GDP")


def corridor_investment(model, runs, args: CorridorInvestmentArgs) -> None:
    """`amount` USD bn spent on a corridor over `years`, in equal tranches each step.

    Cumulative corridor investment I_c grows, so days fall as T_min + (T_base - T_min) exp(-I_c / I_ref)
    (model.corridors.corridor_days). Loan financing adds each tranche to the states' debt to the payer,
    split by GDP share.
    """
    tranches = _steps(model, args.years)
    _invest_tranche(model, runs, args, tranches)


def _invest_tranche(model, runs, args: CorridorInvestmentArgs, remaining: int) -> None:
    s = model.state
    tranche = args.amount / _steps(model, args.years)
    s.corridor_investment[runs, model.actors.corridors.index(args.corridor)] += tranche
    if args.financing == "loan":
        gdp_share = s.gdp[runs] / s.gdp[runs].sum(axis=1, keepdims=True)
        s.debt[runs, :, model.actors.power_index(args.payer)] += tranche * gdp_share
    if remaining > 1:
        _schedule(model, 1, partial(_invest_tranche, args=args, remaining=remaining - 1), runs,
                  f"{args.payer} investment in {args.corridor}")


# ---- prices, politics, debt, security -----------------------------------------------------------------------
class CommodityPriceShockArgs(ShockArgs):
    commodity: Commodity
    factor: float = Field(ge=0.1, le=10.0, description="price multiplier, 0.1..10, e.g. 0.6 = a 40% fall")


def commodity_price_shock(model, runs, args: CommodityPriceShockArgs) -> None:
    """log price += ln(factor) for one commodity (or all); the AR(1) price process then decays it back
    at `commodity_persistence` per year."""
    commodities = model.actors.commodities
    cols = list(range(len(commodities))) if args.commodity == "all" else [commodities.index(args.commodity)]
    model.state.log_prices[np.ix_(runs, cols)] += np.log(args.factor)


class CommodityPathArgs(ShockArgs):
    commodity: Commodity
    series: str = Field(min_length=1, description="history.yaml series of annual prices, e.g. wld_brent_usd_eia")

    @field_validator("series")
    @classmethod
    def _known_series(cls, value: str) -> str:
        series = load_history().series
        if value not in series:
            raise ValueError(f"unknown history series {value!r}{did_you_mean(value, series)}")
        return value


def commodity_path(model, runs, args: CommodityPathArgs) -> None:
    """Pin the commodity's log price to its observed annual path: ln p = ln(P_year / P_base) at every step of
    each year the series covers (P_base: the base year's annual mean), so the price noise does not apply
    there; after the series' last year the AR(1) process takes over from the last pinned value."""
    values = load_history().get(args.series).values
    year = int(model.step_years(model.steps)[0])
    if year not in values or model.actors.base_year not in values:
        return
    commodities = model.actors.commodities
    cols = list(range(len(commodities))) if args.commodity == "all" else [commodities.index(args.commodity)]
    model.state.log_prices[np.ix_(runs, cols)] = np.log(values[year] / values[model.actors.base_year])
    if model.steps < model.n_steps:
        _schedule(model, 1, partial(commodity_path, args=args), runs, "commodity_path")


class ProtestWaveArgs(ShockArgs):
    state: StateCode
    power: Power = Field(description="the power the protests target")
    sentiment_drop: float = Field(0.3, ge=0.0, le=2.0, description="fall in sentiment towards the power")
    delay_years: float | None = Field(None, ge=0.0, le=10.0,
                                      description="project delay (default: the protest_delay_years parameter)")


def protest_wave(model, runs, args: ProtestWaveArgs) -> None:
    """A protest wave in `state` against `power`: sentiment drops (clipped to [-1, 1]) and the power's
    projects there are delayed, which holds back `protest_fdi_cut` of its FDI and lending."""
    s, i, j = model.state, model.actors.state_index(args.state), model.actors.power_index(args.power)
    s.sentiment[runs, i, j] = np.clip(s.sentiment[runs, i, j] - args.sentiment_drop, -1.0, 1.0)
    delay = model.params.protest_delay_years[runs] if args.delay_years is None else args.delay_years
    s.delay[runs, i, j] = np.maximum(s.delay[runs, i, j], delay)


class DebtCrisisArgs(ShockArgs):
    state: StateCode
    debt_jump: float = Field(0.15, ge=0.0, le=3.0, description="debt revealed or called, as a share of GDP")
    creditor: Power = Field("CHN", description="who the revealed debt is owed to")
    threshold_factor: float = Field(1.0, gt=0.0, le=2.0, description="multiplier on the distress threshold")


def debt_crisis(model, runs, args: DebtCrisisArgs) -> None:
    """A debt crisis in `state`: debt to `creditor` jumps by `debt_jump` x GDP (hidden debt surfacing) and the
    distress threshold is multiplied by `threshold_factor` (markets lose confidence), within its valid range."""
    s, i = model.state, model.actors.state_index(args.state)
    s.debt[runs, i, model.actors.power_index(args.creditor)] += args.debt_jump * s.gdp[runs, i]
    path = f"states.{args.state}.distress_threshold"
    current = model.params.distress_threshold[:, i]
    low, high = REGISTRY["distress_threshold"].bounds
    _set_param(model, path, np.clip(current * args.threshold_factor, low, high), runs)


class SecurityThreatArgs(ShockArgs):
    size: float = Field(0.3, ge=0.0, le=1.0, description="threat jump at full Afghan exposure")
    spillover_rate: float | None = Field(None, ge=0.0, le=2.0,
                                         description="new rate of random spillover events per year")


def security_threat(model, runs, args: SecurityThreatArgs) -> None:
    """Afghan spillover: each state's threat rises by size x afghan_exposure (clipped to [0, 1]); optionally
    the rate of later random spillovers changes."""
    s = model.state
    exposure = model.params.afghan_exposure[runs]
    s.threat[runs] = np.clip(s.threat[runs] + args.size * exposure, 0.0, 1.0)
    if args.spillover_rate is not None:
        _set_param(model, "afghan_spillover_rate", args.spillover_rate, runs)


class TreatyArgs(ShockArgs):
    state: StateCode
    power: Power
    kind: Literal["security", "economic"]
    strength: float = Field(0.2, ge=0.0, le=1.0, description="security: jump in ties (0..1)")


def treaty(model, runs, args: TreatyArgs) -> None:
    """A treaty between `state` and `power`.

    security: ties jump by `strength` (clipped to [0, 1]) and then relax towards the capacity-driven target
    at `security_adjust_rate`. economic: EAEU accession (`eaeu_member` = 1): the state drops its own MFN
    tariff for the union's common external tariff on imports from outside the union, trades with Russia
    without a customs border (`eaeu_trade_cost_cut`) and sells to it without the CET; only Russia leads a
    customs union in the model, so `power` must be RUS.
    """
    i, j = model.actors.state_index(args.state), model.actors.power_index(args.power)
    if args.kind == "security":
        s = model.state
        s.security[runs, i, j] = np.clip(s.security[runs, i, j] + args.strength, 0.0, 1.0)
    else:
        _set_param(model, f"states.{args.state}.eaeu_member", 1.0, runs)


class LocalProcessingArgs(ShockArgs):
    state: StateCode
    share: float = Field(ge=0.0, le=1.0, description="target share of extractive output processed at home")


def local_processing_mandate(model, runs, args: LocalProcessingArgs) -> None:
    """The state mandates local processing: its `local_processing` target becomes `share`; the actual share
    moves towards it at `local_processing_adjust_rate` per year, raising the local multiplier."""
    _set_param(model, f"states.{args.state}.local_processing", args.share, runs)


class DevaluationArgs(ShockArgs):
    state: StateCode
    size: float = Field(gt=0.0, le=0.9, description="fall of the currency's real value, e.g. 0.4 = 40%")


def devaluation(model, runs, args: DevaluationArgs) -> None:
    """A policy devaluation (Uzbekistan's 2017 unification): the real exchange rate falls by `size` at once and
    its target moves with it, so the fall lasts: ln RER += ln(1 - size), offset += ln(1 - size)."""
    i = model.actors.state_index(args.state)
    step = np.log1p(-args.size)
    model.state.log_exchange_rate[runs, i] += step
    model.state.exchange_rate_offset[runs, i] += step


class MigrationRulesArgs(ShockArgs):
    states: list[StateCode] = Field(min_length=1, description="whose migrants the rules hit")
    factor: float = Field(gt=0.0, le=2.0, description="new migration-policy factor, e.g. 0.8 = a fifth fewer transfers")


def migration_rules(model, runs, args: MigrationRulesArgs) -> None:
    """Russia changes its rules for the states' migrant workers (patents, bans, EAEU rights): their
    `migration_policy` factor, which multiplies remittances from Russia, becomes `factor`."""
    for state in args.states:
        _set_param(model, f"states.{state}.migration_policy", args.factor, runs)


# ---- registry -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shock:
    args: type[ShockArgs]
    apply: Callable
    summary: str


SHOCKS: dict[str, Shock] = {
    "sanctions": Shock(SanctionsArgs, sanctions, "set Western sanctions on a power"),
    "war_ends": Shock(WarEndsArgs, war_ends, "Russia's war ends; sanctions eased"),
    "war_escalates": Shock(WarEscalatesArgs, war_escalates, "Russia's war intensifies"),
    "corridor_disruption": Shock(CorridorDisruptionArgs, corridor_disruption, "a corridor slows for a while"),
    "corridor_investment": Shock(CorridorInvestmentArgs, corridor_investment, "a power funds a corridor"),
    "commodity_price_shock": Shock(CommodityPriceShockArgs, commodity_price_shock, "a commodity price jump"),
    "commodity_path": Shock(CommodityPathArgs, commodity_path, "pin a commodity to an observed annual price path"),
    "protest_wave": Shock(ProtestWaveArgs, protest_wave, "protests in a state against a power"),
    "debt_crisis": Shock(DebtCrisisArgs, debt_crisis, "hidden debt surfaces in a state"),
    "security_threat": Shock(SecurityThreatArgs, security_threat, "Afghan spillover raises the threat"),
    "treaty": Shock(TreatyArgs, treaty, "security ties or EAEU accession"),
    "devaluation": Shock(DevaluationArgs, devaluation, "a policy devaluation of a state's currency"),
    "migration_rules": Shock(MigrationRulesArgs, migration_rules, "Russia's rules for migrant workers change"),
    "local_processing_mandate": Shock(LocalProcessingArgs, local_processing_mandate,
                                      "a state keeps processing at home"),
}

# Extra cross-field rules that a field type cannot express: (shock, check(args) -> message or None).
def _treaty_rule(args: TreatyArgs) -> str | None:
    leaders = [code for code, union in zip(_ACTORS.powers, _ACTORS.customs_union) if union]
    if args.kind == "economic" and args.power not in leaders:
        return (f"economic treaties model EAEU accession, so power must be {' or '.join(map(repr, leaders))} "
                "(did you mean kind 'security'?)")
    return None


RULES: dict[str, Callable[[ShockArgs], str | None]] = {"treaty": _treaty_rule}


def set_params(model, runs, values: dict) -> None:
    """A `set:` event: each dotted path gets its value for the masked runs."""
    for path, value in values.items():
        _set_param(model, path, value, runs)


def make_event(step: int, shock: str, args: dict, label: str = ""):
    """A picklable `Event` applying a named shock (args already validated) at `step`."""
    spec = SHOCKS[shock]
    checked = spec.args(**args)
    return Event(step, partial(spec.apply, args=checked), None, label or shock,
                 {"shock": shock, **checked.model_dump(exclude_none=True)})


def make_set_event(step: int, values: dict, label: str = ""):
    """A picklable `Event` setting parameters at `step`."""
    return Event(step, partial(set_params, values=dict(values)), None, label or "set " + ", ".join(values),
                 {"set": dict(values)})
