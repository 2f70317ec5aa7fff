"""The parameter registry: every model parameter, defined once.

Each `Param` has a unit, a default, a valid range (`bounds`, enforced), an
uncertainty range (`range`, used by samplers and calibration), a source
(a fact id from `data/facts.yaml` or a stated assumption) and a `kind` (see `KINDS`):
whether the ensemble draws it (`uncertain`, `model.uncertainty`) or a scenario sets it.

Scopes and dotted paths:
- global:  `beta_trade`
- state:   `states.KAZ.hedging_temperature`, or `states.all.hedging_temperature` for every state
- power:   `powers.RUS.security_capacity`, or `powers.all.security_capacity` for every power

A scoped parameter's bare name (`security_capacity`) is refused, with the two forms as the hint: setting
every actor at once must be said (`all`), never implied.

The states and powers are those of the actor table (`model.actors.load_actors`). A scoped
parameter's default is a dict by actor code; its `default` entry serves an actor the dict does not
list (an actor added to the table as data).

A resolved value is a per-run array: global (R,), state (R, S), power (R, P).
Precedence: registry default < calibrated defaults (`load_defaults`, `data/calibrated.yaml`) < each run's
parameter draw (`model.uncertainty`) < caller overrides.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np

from .actors import Actors, load_actors
from .arrays import runs_fastest
from .errors import InputError, did_you_mean, line_of
from .safe_yaml import read_yaml

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "calibrated.yaml"  # written by `casim calibrate`


class ParameterError(InputError):
    """An unknown parameter name, a bad value, or a value out of its valid range."""


KINDS = {
    "uncertain": "not known exactly: each replicate draws it (from the calibrated posterior, else uniformly on "
                 "its uncertainty range) unless a scenario, a design or an event pins it",
    "lever": "a policy or design choice that scenarios set (budgets, sanctions, offers, switches, the influence "
             "index's weights): never drawn",
    "data": "an observed fact (e.g. EAEU membership): never drawn",
}


def default_kind(source: str, rng: tuple[float, float]) -> str:
    """The kind of an entry that does not state one: a source that calls it a design choice makes it a
    `lever`, a single-point uncertainty range `data`, anything else `uncertain`."""
    if source.lower().startswith("design"):
        return "lever"
    return "data" if rng[0] == rng[1] else "uncertain"


@dataclass(frozen=True)
class Param:
    name: str
    default: float | dict[str, float]
    unit: str
    bounds: tuple[float, float]
    range: tuple[float, float]
    source: str
    doc: str
    scope: str = "global"  # "global" | "state" | "power"
    kind: str | None = None  # one of KINDS; None: `default_kind(source, range)`
    # A scoped entry whose actors' defaults differ widely, so that the shared `range` only spans the actors: each
    # actor's prior is around its own default, ("times", a, b) -> [a d, b d] or ("plus", a, b) -> [d + a, d + b].
    prior_around: tuple[str, float, float] | None = None
    # Actors whose prior is stated on its own ((actor, low, high), ...), e.g. the fitted powers' import-demand pulses:
    # it wins over `range` and `prior_around` for them.
    actor_ranges: tuple[tuple[str, float, float], ...] = ()

    def __post_init__(self):
        kind = self.kind if self.kind is not None else default_kind(self.source, self.range)
        if kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if self.prior_around is not None and (self.scope == "global" or self.prior_around[0] not in ("times", "plus")):
            raise ValueError(f"{self.name}: prior_around is ('times' or 'plus', low, high), for actor-scoped entries")
        object.__setattr__(self, "kind", kind)

    def prior_range(self, actor: str | None = None) -> tuple[float, float]:
        """The interval a replicate draws this parameter from, uniformly (for `actor` of a scoped entry): the
        uncertainty `range`, or with `prior_around` an interval around the actor's default, within `bounds`."""
        for code, low, high in self.actor_ranges:
            if code == actor:
                return low, high
        if self.prior_around is None:
            return self.range
        op, a, b = self.prior_around
        value = self.default_for(actor)
        lo, hi = (value * a, value * b) if op == "times" else (value + a, value + b)
        return max(self.bounds[0], lo), min(self.bounds[1], hi)

    @property
    def drawn(self) -> bool:
        """True when replicates draw this parameter (kind `uncertain`)."""
        return self.kind == "uncertain"

    def default_for(self, actor: str | None = None) -> float:
        """The default value; for a scoped parameter, the actor's (its dict's `default` for an unlisted actor)."""
        if isinstance(self.default, dict):
            return float(self.default.get(actor, self.default["default"]))
        return float(self.default)


def _g(name, default, unit, bounds, rng, source, doc, kind=None):
    return Param(name, default, unit, bounds, rng, source, doc, "global", kind)


def _s(name, default, unit, bounds, rng, source, doc, kind=None, prior_around=None):
    return Param(name, default, unit, bounds, rng, source, doc, "state", kind, prior_around)


def _p(name, default, unit, bounds, rng, source, doc, kind=None, prior_around=None, actor_ranges=()):
    return Param(name, default, unit, bounds, rng, source, doc, "power", kind, prior_around, actor_ranges)


_PARAMS = [
    # --- transport and FDI -------------------------------------------------
    _g("fdi_gain_per_10pct_shiptime_cut", 0.12, "fraction of FDI per 10% cut", (0.0, 1.0), (0.10, 0.155),
       "project card (a 10% cut in shipment time gives +12% FDI); literature alternative 0.155 from "
       "elast_fdi_bri_travel_time_aggregate (Chen & Lin 2018, elasticity ~1.55)",
       "Level response of FDI to shipment time; the exponent is ln(1+g)/ln(1/0.9)."),
    _g("ship_time_scale", 1.0, "x", (0.2, 3.0), (0.9, 1.1), "design parameter",
       "Multiplies every corridor's shipment time."),
    _g("trade_time_elasticity", 0.8, "-", (0.0, 3.0), (0.4, 1.2), "trade_per_day_travel_time; trade_cost_shipment_time_desoyres",
       "Elasticity of bilateral trade to shipment time to that market."),
    _g("pipeline_volume_growth", 0.01, "1/yr", (-0.1, 0.1), (0.0, 0.03),
       "tkm_chn_gas_exports_bcm: Turkmen gas to China 29.4 bcm (2016), 33 (2018), 34 (2021), ~31-32 a year over "
       "2017-2022 (2.9%/yr 2016-21, 1.0%/yr 2018-21); tm_gas_to_china: lines A-C carry 55 bcm/yr",
       "g_pipe: growth of pipeline throughput, which sets the volume of pipeline exports (V = e^{g_pipe t})."),
    _g("trade_cost_elasticity", 4.0, "-", (0.5, 10.0), (3.0, 6.0), "assumption: standard gravity trade elasticity",
       "theta: elasticity of trade to the ad-valorem trade cost tau."),
    _g("trade_gdp_elasticity", 0.8, "-", (0.0, 2.0), (0.4, 1.2),
       "assumption: gravity's income elasticities are near unity, the upper end; the lower end leaves room for the "
       "hindcast, whose posterior piled up at 0.7, the earlier lower bound (docs/ODD.md section 8)",
       "a: elasticity of exports to the state's GDP, of imports to its absorption, and of both to the power's demand."),
    _g("trade_fdi_link", 0.15, "-", (0.0, 1.0), (0.0, 0.4), "assumption: project imports follow FDI (bre_trade_income_fdi_headline)",
       "Elasticity of the state's imports from a power to that power's FDI stock."),
    _g("eaeu_trade_cost_cut", 0.08, "ad-valorem", (0.0, 0.5), (0.03, 0.15), "kz_memberships; kg_memberships",
       "Non-tariff trade-cost cut with Russia for EAEU members (no customs border), times 1 + Russia's offer."),
    _g("sanction_trade_cost", 0.15, "ad-valorem per unit intensity", (0.0, 1.0), (0.05, 0.3), "assumption: secondary-sanction compliance costs",
       "c_s: trade cost with a sanctioned power at certain secondary sanctions (times secondary_sanction_risk)."),
    _g("sanction_transit_delay_days", 10.0, "days per unit intensity", (0.0, 60.0), (5.0, 20.0), "transit_rail_northern (door-to-door 20-26 vs 12-18)",
       "Extra days on a corridor transiting a sanctioned power, for other powers' markets."),
    # --- commodity prices ----------------------------------------------------
    _g("commodity_persistence", 0.7, "per year", (0.0, 0.999), (0.5, 0.9), "assumption: AR(1) of log prices",
       "Annual AR(1) coefficient of log commodity prices (per step: persistence**dt)."),
    _g("commodity_volatility", 0.18, "log sd per sqrt(year)", (0.0, 1.0), (0.1, 0.3), "assumption: oil/gas price volatility",
       "Annual volatility of log commodity prices."),
    _g("commodity_gdp_elasticity", 0.25, "-", (0.0, 1.0), (0.1, 0.4), "assumption",
       "e: response of the USD value of a state's output to its commodity price index, times its commodity export share."),
    _g("commodity_fdi_elasticity", 0.5, "-", (0.0, 2.0), (0.2, 1.0), "assumption",
       "Extractive FDI response to the state's commodity price index."),
    # --- growth ----------------------------------------------------------------
    _g("local_multiplier", 0.8, "capital per USD of investment", (0.0, 3.0), (0.4, 1.2), "bre_trade_income_fdi_headline; bre_income_kg_tj",
       "m: share of FDI and loan-financed spending that becomes local capital, before labour and processing leakages."),
    _g("labour_leakage", 1.0, "-", (0.0, 2.0), (0.5, 1.5), "sources: Chinese projects import their own labour",
       "Share of the multiplier lost per unit of imported-labour share."),
    _g("processing_value_retained", 0.4, "fraction", (0.0, 1.0), (0.2, 0.6), "sources: raw exports, processing abroad",
       "Share of the extractive multiplier kept when processing happens abroad."),
    _g("fdi_depreciation", 0.05, "per year", (0.0, 0.5), (0.03, 0.08), "assumption",
       "delta: depreciation of FDI stocks (repatriation on top puts base-year stocks at rest)."),
    # --- debt ----------------------------------------------------------------------
    _g("debt_amortisation", 0.08, "per year", (0.0, 0.5), (0.05, 0.12), "assumption: ~12-year average maturity",
       "Share of the debt stock repaid each year."),
    _g("hidden_debt_share", 0.25, "fraction of Chinese lending", (0.0, 1.0), (0.1, 0.4), "tj_debt_china (60% vs ~32% reports conflict)",
       "Share of Chinese lending that is not in official debt statistics."),
    _g("distress_width", 0.08, "debt/GDP", (0.01, 0.5), (0.05, 0.15), "assumption",
       "Width of the logistic debt-distress curve."),
    _g("distress_growth_drag", 0.03, "per year", (0.0, 0.2), (0.01, 0.05), "assumption",
       "Output lost per year while in full debt distress above the base year's (a productivity level loss)."),
    # --- sentiment and protests ---------------------------------------------------
    _g("sentiment_adjust_rate", 0.5, "per year", (0.0, 5.0), (0.2, 1.0), "assumption",
       "Speed at which sentiment relaxes to its target."),
    _g("sentiment_noise", 0.05, "per sqrt(year)", (0.0, 0.5), (0.02, 0.1), "assumption", "Sentiment shocks."),
    _g("benefit_sentiment_gain", 2.0, "per (FDI stock/GDP)", (0.0, 20.0), (0.5, 4.0), "sources: visible benefits",
       "Sentiment gain per unit change of the power's FDI stock relative to GDP."),
    _g("labour_sentiment_penalty", 20.0, "per (imported-labour FDI/GDP)", (0.0, 100.0), (5.0, 40.0), "sources: imported Chinese labour",
       "Sentiment loss per unit of imported-labour-weighted FDI inflow relative to GDP."),
    _g("debt_sentiment_penalty", 1.0, "per (debt/GDP)", (0.0, 10.0), (0.5, 3.0), "sources: debt-trap narrative",
       "Sentiment loss per unit of debt-to-the-power relative to GDP, times (1 + distress)."),
    _g("corruption_rate", 0.15, "events per year", (0.0, 2.0), (0.05, 0.3), "sources: corruption scandals around projects",
       "Base rate of a corruption scandal per state-power pair, times the power's exposure."),
    _g("corruption_hit", 0.10, "sentiment", (0.0, 1.0), (0.05, 0.2), "assumption", "Sentiment drop per scandal."),
    _g("protest_rate", 0.4, "events per year", (0.0, 4.0), (0.1, 0.8), "sources: anti-China protests (KZ 2016, 2019; KG 2019-20)",
       "Maximum protest rate per state-power pair."),
    _g("protest_threshold", -0.2, "sentiment", (-1.0, 1.0), (-0.4, 0.0), "assumption",
       "Sentiment at which the protest rate is half its maximum."),
    _g("protest_steepness", 0.1, "sentiment", (0.01, 1.0), (0.05, 0.2), "assumption", "Logistic width of the protest response."),
    _g("protest_delay_years", 1.0, "years", (0.0, 5.0), (0.5, 2.0), "sources: protests delay projects",
       "How long a protest delays the power's projects."),
    _g("protest_fdi_cut", 0.5, "fraction", (0.0, 1.0), (0.3, 0.7), "assumption", "Share of FDI and lending held back during a delay."),
    # --- security -------------------------------------------------------------------
    _g("threat_reversion", 0.5, "per year", (0.0, 5.0), (0.2, 1.0), "assumption", "Mean reversion of the threat level."),
    _g("threat_volatility", 0.08, "per sqrt(year)", (0.0, 1.0), (0.04, 0.15), "assumption", "Threat shocks."),
    _g("afghan_spillover_rate", 0.1, "events per year", (0.0, 2.0), (0.05, 0.3), "sources: Afghan spillover risk",
       "Rate of an Afghan spillover shock."),
    _g("afghan_spillover_size", 0.3, "threat", (0.0, 1.0), (0.1, 0.5), "assumption", "Threat jump times exposure."),
    _g("security_adjust_rate", 0.25, "per year", (0.0, 5.0), (0.1, 0.5), "assumption", "Speed at which ties follow capacity."),
    _g("war_intensity", 0.6, "0..1", (0.0, 1.0), (0.3, 0.9), "sources: the war in Ukraine absorbs Russia",
       "Intensity of Russia's war; drains its security capacity."),
    _g("war_capacity_drag", 0.5, "fraction", (0.0, 1.0), (0.3, 0.7), "assumption", "Capacity lost at full war intensity."),
    _g("china_russia_tolerance", 0.25, "China/Russia security-tie ratio", (0.0, 2.0), (0.15, 0.4), "sources: cooperative rivalry",
       "China's regional security ties relative to Russia's that Russia tolerates before friction rises."),
    _g("friction_drag", 1.0, "-", (0.0, 5.0), (0.5, 2.0), "assumption", "How much friction slows China's security rise."),
    # --- reactions ---------------------------------------------------------------------
    _g("reactions", 1.0, "switch", (0.0, 1.0), (1.0, 1.0), "design switch", "1 turns the great powers' reaction rules on."),
    _g("russia_reaction_gain", 2.0, "-", (0.0, 10.0), (1.0, 4.0), "sources: Russia counters China",
       "Security offer per unit of lost regional influence."),
    _g("russia_reaction_cost", 0.1, "capacity per year", (0.0, 1.0), (0.05, 0.2), "assumption",
       "Capacity spent per unit of offer per year."),
    # --- alignment -------------------------------------------------------------------------
    _g("beta_trade", 2.0, "utility per share", (0.0, 20.0), (0.0, 8.0),
       "calibrated (casim calibrate) on the alignment proxies (cab_covid_help_2020); prior: uniform on this range",
       "Weight of trade share."),
    _g("beta_fdi", 1.0, "utility per share", (0.0, 20.0), (0.5, 2.0), "calibrated", "Weight of FDI-stock share."),
    _g("beta_security", 3.0, "utility per tie", (0.0, 20.0), (1.5, 5.0),
       "not identified by data; prior: arms_unga_alignment_studies and arms_imports_unga_voting_raab_2024 find a positive effect of a supplier's arms on alignment, without a size; set so that the 2021-size Afghan spillover moves Tajikistan's alignment with Russia by 1-3 points",
       "Weight of security ties x (0.5 + threat); fixed, not fitted."),
    _g("beta_sentiment", 1.0, "utility per sentiment", (0.0, 20.0), (0.5, 2.0), "calibrated", "Weight of public sentiment."),
    _g("beta_dependence", 2.0, "utility", (0.0, 20.0), (1.0, 4.0), "calibrated", "Aversion to debt dependence."),
    _g("beta_leverage", 1.0, "utility", (0.0, 20.0), (0.0, 2.0), "calibrated", "Pull of creditor leverage in distress."),
    _g("beta_history", 1.0, "utility", (0.0, 20.0), (0.0, 15.0),
       "calibrated (casim calibrate) on the alignment proxies (cab_covid_help_2020); prior: uniform on this range, wide "
       "because historical ties dominate the proxies (cab_2012_russia_role; gallup_ca_avg_approval_2006_2018)",
       "Weight of historical ties."),
    _g("alignment_inertia", 0.5, "retained per year", (0.0, 1.0), (0.3, 0.8), "assumption",
       "Share of last year's alignment kept (per step: inertia**dt)."),
    _g("hedging_temperature_scale", 1.0, "x", (0.05, 20.0), (0.2, 10.0),
       "calibrated (casim calibrate) on the alignment proxies (cab_covid_help_2020); prior: uniform on this range "
       "(sources: multi-vector foreign policy)",
       "Multiplies every state's hedging temperature."),
    # --- influence weights -------------------------------------------------------------
    _g("w_trade", 0.25, "weight", (0.0, 1.0), (0.15, 0.35), "design", "Weight of trade share in influence."),
    _g("w_fdi", 0.20, "weight", (0.0, 1.0), (0.1, 0.3), "design", "Weight of FDI-stock share in influence."),
    _g("w_debt", 0.15, "weight", (0.0, 1.0), (0.05, 0.25), "design", "Weight of debt share in influence."),
    _g("w_security", 0.20, "weight", (0.0, 1.0), (0.1, 0.3), "design", "Weight of security-tie share in influence."),
    _g("w_alignment", 0.20, "weight", (0.0, 1.0), (0.1, 0.3), "design", "Weight of alignment in influence."),
    _g("local_processing_adjust_rate", 0.2, "per year", (0.0, 5.0), (0.1, 0.5), "assumption",
       "Speed at which local processing moves to its policy target."),
    # --- states (each dict's `default`: an assumption for a state the actor table adds) ---------------
    # prior_around (here and for the powers): where the shared uncertainty range spans actors with very different
    # defaults, each actor's prior lies around its own default (assumption: one actor's relative or absolute
    # uncertainty, e.g. Russia's security capacity 0.5-1.5 as in the shared range's upper part, growth +-2 points).
    _s("base_growth", {"KAZ": 0.05, "KGZ": 0.07, "TJK": 0.07, "TKM": 0.05, "UZB": 0.07, "default": 0.05}, "per year (USD terms)",
       (-0.2, 0.3), (0.02, 0.09), "assumption: IMF-range medium-term growth in USD terms",
       "g0: trend growth of real output in USD at the base year's exchange rate (labour and productivity; capital grows with it at rest).",
       prior_around=("plus", -0.02, 0.02)),
    _s("hedging_temperature", {"KAZ": 1.2, "KGZ": 0.8, "TJK": 0.8, "TKM": 3.0, "UZB": 1.2, "default": 1.2}, "utility",
       (0.01, 20.0), (0.3, 3.0), "tm_memberships (permanent neutrality); unga_ukraine_votes (abstentions)",
       "Softmax temperature: high means multi-vector balancing.", prior_around=("times", 0.67, 1.5)),
    _s("local_processing", {"KAZ": 0.35, "KGZ": 0.2, "TJK": 0.2, "TKM": 0.3, "UZB": 0.35, "default": 0.3}, "share",
       (0.0, 1.0), (0.1, 0.6), "kz_main_exports; uz_main_exports (raw exports dominate)",
       "Policy target for the share of extractive output processed locally.", kind="lever"),
    _s("distress_threshold", {"KAZ": 0.9, "KGZ": 0.5, "TJK": 0.45, "TKM": 0.5, "UZB": 0.75, "default": 0.6}, "debt/GDP",
       (0.05, 3.0), (0.3, 1.0), "kz_gross_external_debt (mostly corporate); kg_debt_china; tj_debt_china",
       "External debt/GDP at which distress is half way.", prior_around=("times", 0.75, 1.25)),
    _s("civil_society", {"KAZ": 0.4, "KGZ": 0.6, "TJK": 0.15, "TKM": 0.05, "UZB": 0.25, "default": 0.3}, "0..1",
       (0.0, 1.0), (0.0, 0.8), "assumption: freedom-index ordering", "Strength of civil society (lowers protest risk).",
       prior_around=("times", 0.5, 1.5)),
    _s("afghan_exposure", {"KAZ": 0.1, "KGZ": 0.3, "TJK": 1.0, "TKM": 0.6, "UZB": 0.6, "default": 0.0}, "0..1",
       (0.0, 1.0), (0.0, 1.0), "assumption: border lengths with Afghanistan", "Exposure to Afghan spillover.",
       prior_around=("times", 0.5, 1.5)),
    _s("eaeu_member", {"KAZ": 1.0, "KGZ": 1.0, "TJK": 0.0, "TKM": 0.0, "UZB": 0.0, "default": 0.0}, "0/1",
       (0.0, 1.0), (0.0, 1.0), "kz_memberships; kg_memberships; tj_memberships; uz_memberships (observer)",
       "EAEU membership: the common external tariff outside the union, no tariff or customs border with Russia.",
       kind="data"),
    # --- powers (each dict's `default`: an assumption for a power the actor table adds) -------------
    _p("investment_scale", {"CHN": 1.0, "RUS": 1.0, "EU": 1.0, "USA": 1.0, "default": 1.0}, "x base", (0.0, 10.0), (0.6, 1.6),
       "bri_h1_2025_ca; china_dev_finance_ca", "FDI and lending budget relative to 2024 (China: the BRI budget).",
       kind="lever"),
    _p("budget_growth", {"CHN": 0.04, "RUS": 0.0, "EU": 0.02, "USA": 0.02, "default": 0.02}, "per year", (-0.5, 0.5), (-0.05, 0.08),
       "assumption", "b0: initial growth of the power's FDI and lending budget; fades to longrun_growth.",
       prior_around=("plus", -0.03, 0.03)),
    _p("demand_growth", {"CHN": 0.03, "RUS": 0.0, "EU": 0.01, "USA": 0.015, "default": 0.01}, "per year", (-0.5, 0.5), (-0.02, 0.06),
       "calibrated (casim calibrate) for CHN and RUS, whose prior is the valid range: one sd of the annual log growth of "
       "China-Central Asia trade 2014-2025 (0.20, ca5_chn_trade_gac) is a pulse g0 of 0.42 (docs/ODD.md section 8); "
       "assumption for the EU and the US (default +-0.02; no data fit them)",
       "g0: initial growth of the power's import demand relative to world income; fades to longrun_growth - world_growth.",
       prior_around=("plus", -0.02, 0.02), actor_ranges=(("CHN", -0.5, 0.5), ("RUS", -0.5, 0.5))),
    _p("transport_investment", {"CHN": 1.5, "RUS": 0.3, "EU": 1.0, "USA": 0.1, "default": 0.0}, "USD bn per year", (0.0, 50.0), (0.0, 4.0),
       "eu_ca_trade (Global Gateway EUR 12bn); kz_china_joint_projects", "Spending on regional corridors.",
       kind="lever"),
    _p("security_capacity", {"CHN": 0.3, "RUS": 1.0, "EU": 0.1, "USA": 0.2, "default": 0.1}, "index", (0.0, 3.0), (0.1, 1.5),
       "sipri_ca_russia_china_share (Russia 62%, China 18%)", "Capacity to provide security (before war drag).",
       prior_around=("times", 0.5, 1.5)),
    _p("security_growth", {"CHN": 0.03, "RUS": 0.0, "EU": 0.0, "USA": 0.0, "default": 0.0}, "per year", (-0.2, 0.3), (0.0, 0.08),
       "sipri_ca_russia_china_share: China 1.5% (2010-14) to 18% (2015-19)", "Slow rise of the power's security role.",
       prior_around=("times", 0.0, 2.0)),
    _p("imported_labour_share", {"CHN": 0.3, "RUS": 0.05, "EU": 0.05, "USA": 0.05, "default": 0.05}, "share", (0.0, 1.0), (0.1, 0.5),
       "sources: Chinese projects bring Chinese workers", "Share of project labour brought from home.",
       prior_around=("times", 0.5, 1.5)),
    _p("sanctions", {"CHN": 0.0, "RUS": 0.5, "EU": 0.0, "USA": 0.0, "default": 0.0}, "0..1", (0.0, 1.0), (0.2, 0.8),
       "sources: Western sanctions on Russia", "Intensity of Western sanctions on the power.", kind="lever"),
    _p("corruption_exposure", {"CHN": 1.0, "RUS": 0.8, "EU": 0.2, "USA": 0.2, "default": 0.5}, "x", (0.0, 5.0), (0.5, 1.5),
       "assumption", "Relative exposure of the power's projects to corruption scandals.",
       prior_around=("times", 0.5, 1.5)),
    _p("security_offer", {"CHN": 0.0, "RUS": 0.0, "EU": 0.0, "USA": 0.0, "default": 0.0}, "tie", (0.0, 1.0), (0.0, 0.3),
       "design lever", "Extra security ties offered to every state."),
    # --- model v2 (issue 16): Russia's economy and remittances ---------------------------------
    _g("russia_oil_elasticity", 0.4, "-", (0.0, 2.0), (0.3, 0.6),
       "rus_gdp_usd_wdi2026; wld_brent_usd_eia: least squares of Russia's USD GDP 2013-2024 on ln Brent, sanctions, war and a trend (0.39-0.42); kz_usd_gdp_bust_2013_2016",
       "phi_R: elasticity of Russia's USD income to the oil price."),
    _g("russia_sanction_drag", 1.2, "log income per unit sanctions", (0.0, 5.0), (0.6, 1.8),
       "rus_gdp_usd_wdi2026: the same fit gives 1.07 to 1.48 for two assumed paths of sanction intensity (0.1 or 0.15 in 2014, 0.2 or 0.25 to 2021, 0.45 or 0.5 in 2022); sanctions and trend are collinear, 1.2 between",
       "c_s: fall of Russia's USD income per unit of Western sanctions."),
    _g("russia_war_stimulus", 0.6, "log income per unit war", (0.0, 3.0), (0.3, 0.9),
       "rus_gdp_usd_wdi2026: the same fit gives 0.52 to 0.72 with war intensity 0.6 from 2022 (war spending and labour demand)",
       "c_w: rise of Russia's USD income per unit of war intensity."),
    _g("remittance_income_elasticity", 1.0, "-", (0.0, 6.0), (0.4, 2.0),
       "tjk_remit_usd_wdi, kgz_remit_usd_wdi, uzb_remit_usd_wdi on rus_gdp_usd_wdi2026, 2013-2024 with trends: 1.6, 0.4, 0.9; troughs of 2015-16 give 0.55-0.95 (remit_shock_2013_2016_ratios); transfers through money-transfer systems alone (tjk_remit_from_rus_cbr) give 2.3-2.7",
       "eps: elasticity of remittances from Russia to Russia's USD income off its trend."),
    _g("remittance_growth", 0.05, "per year", (-0.2, 0.3), (0.03, 0.08),
       "tjk_remit_usd_wdi, kgz_remit_usd_wdi, uzb_remit_usd_wdi: 2013-2024 growth in USD of 5.7%, 3.1% and 9.0% a year",
       "g: trend growth of remittance inflows (migrant numbers and wages)."),
    _s("migration_policy", {"KAZ": 1.0, "KGZ": 1.0, "TJK": 1.0, "TKM": 1.0, "UZB": 1.0, "default": 1.0}, "x 2024",
       (0.0, 2.0), (0.8, 1.1), "design lever: Russia's rules for the state's migrants (patents, bans, EAEU rights); 1 = 2024",
       "m_i: factor on remittances from Russia set by migration policy."),
    _g("remittance_gdp_share", 0.2, "GDP per USD of remittances", (0.0, 1.0), (0.0, 0.5),
       "assumption: Tajik remittances halved 2013-16 (remit_shock_2013_2016_ratios) while real output kept growing; the fall in USD GDP came through the exchange rate (fx_depreciation_2014_2016)",
       "mu_R: part of remittances above or below trend spent on domestic output (a factor on USD GDP: economy.spending_factor)."),
    _g("remittance_sentiment_gain", 0.5, "sentiment per (remittances/GDP)", (0.0, 5.0), (0.0, 1.5),
       "assumption: families living on transfers from Russia (tj_remittances_gdp, kg_remittances_gdp) feel its economy",
       "g_R: sentiment towards Russia per unit change of remittances from Russia over GDP."),
    # --- sanctions and re-exports --------------------------------------------------------------------
    _g("secondary_sanction_risk", 0.3, "0..1", (0.0, 1.0), (0.1, 0.6),
       "sanctions_secondary_ca_entities: designations have hit single firms, not states or their banks (a small observed hazard); reexport_ebrd_2023",
       "rho: risk that trading with a sanctioned power brings secondary sanctions; scales the sanction trade cost and cuts re-exports."),
    _s("reexport_intensity", {"KAZ": 0.018, "KGZ": 0.111, "TJK": 0.0, "TKM": 0.0, "UZB": 0.022, "default": 0.0}, "share of GDP per unit effective sanctions",
       (0.0, 1.0), (0.0, 0.15),
       "reexport_wsj_eu_us_2022; kgz_rus_exports_nat: the 2022 rise in exports to Russia (KAZ 1.8, KGZ 0.68, UZB 0.9 bn) over 0.5 x (1 - 0.3) x 2024 GDP",
       "xi_i: re-exports to Russia per unit of sanctions x (1 - secondary risk), as a share of GDP.",
       prior_around=("times", 0.5, 1.5)),  # Tajikistan and Turkmenistan re-export nothing in the data: they stay at 0
    _g("reexport_margin", 0.15, "share of re-export value", (0.0, 1.0), (0.05, 0.3),
       "assumption: trading and transport margin kept at home", "m_RE: part of re-exports' value added in the state (a factor on USD GDP: economy.spending_factor)."),
    _g("reexport_china_share", 0.5, "share", (0.0, 1.0), (0.3, 0.7),
       "assumption: reexport_wsj_eu_us_2022 counts Western goods only; Chinese goods go too (reexport_kg_2022_trade: imports from China x3)",
       "Share of re-exported goods bought from China (the rest from the EU)."),
    # --- customs union -------------------------------------------------------------------------------
    _g("eaeu_common_external_tariff", 0.064, "ad-valorem", (0.0, 0.5), (0.056, 0.079),
       "rus_tariff_mfn_simple_wdi: Russia's MFN simple mean, the union's schedule, 6.4% in 2017; eaeu_cet_average (7.9% projected after the WTO commitments); eaeu_cet_trade_weighted (5.6% trade-weighted)",
       "CET: the customs union's tariff on imports from outside it."),
    _s("mfn_tariff", {"KAZ": 0.063, "KGZ": 0.0455, "TJK": 0.075, "TKM": 0.05, "UZB": 0.075, "default": 0.064}, "ad-valorem",
       (0.0, 0.5), (0.03, 0.12),
       "kaz_tariff_mfn_simple_wdi (2017); kgz_tariff_mfn_simple_wdi (2014, before accession; kg_tariff_eaeu_accession); tjk_tariff_mfn_simple_wdi (2017); uzb_tariff_avg_national (2020); TKM assumption",
       "A state's own MFN simple-mean tariff, applied when it is outside the customs union.", kind="data"),
    # --- external balance and fading trends ----------------------------------------------------------
    _p("longrun_growth", {"CHN": 0.045, "RUS": 0.03, "EU": 0.03, "USA": 0.035, "default": 0.04}, "per year", (-0.2, 0.3), (0.0, 0.06),
       "assumption: medium-term nominal USD growth of each economy (IMF range)",
       "g_inf: each power's long-run nominal USD growth: its budget growth fades to it, its import-demand "
       "growth to it less world growth; Russia's income trend.", prior_around=("plus", -0.015, 0.015)),
    _g("world_growth", 0.04, "per year", (-0.1, 0.2), (0.03, 0.05),
       "assumption: medium-term nominal USD growth of world GDP (IMF range)",
       "g_W: in structural gravity a partner's demand counts relative to world income, so the trade a power's "
       "growth brings is its growth less the world's."),
    _g("trend_fade_years", 1.0, "years", (0.1, 50.0), (0.5, 1.5),
       "ca5_chn_trade_gac: deviations of China-Central Asia trade growth from its 2013-2025 mean have a first-order "
       "autocorrelation of 0.36 (tau = -1/ln 0.36 = 0.98 years); in the five states' own series (*_chn_trade_gac) "
       "it is -0.03 (docs/ODD.md section 8)",
       "tau: years over which initial growth rates fade to their long-run rate."),
    _g("import_compression", 0.5, "-", (0.0, 3.0), (0.25, 1.0),
       "import_financing_ratio: imports stay within ~1.1x of exports plus remittances except in Kyrgyzstan's transit boom; assumption for the size",
       "lambda: elasticity of imports to the share of import demand a state can finance, when below 1, before its reserves are drawn."),
    _s("reserves_to_gdp", {"KAZ": 0.157, "KGZ": 0.28, "TJK": 0.252, "TKM": 0.2, "UZB": 0.34, "default": 0.2}, "share of GDP",
       (0.0, 2.0), (0.1, 0.45),
       "*_reserves_usd_wdi over *_gdp_usd_wdi2026, 2024 (KAZ 45.8/291, KGZ 5.09/18.2, TJK 3.63/14.4, UZB 41.2/121); "
       "TKM publishes none: assumption; an earlier base year takes that year's ratio (docs/ODD.md, other base years)",
       "r_i: official reserves over GDP; with reserve_usable_share it bounds the imports a state pays for from reserves.",
       prior_around=("times", 0.75, 1.25)),
    _g("reserve_usable_share", 0.3, "share", (0.0, 1.0), (0.2, 0.45),
       "*_reserves_usd_wdi: the largest falls of 2013-2015 were 21% (KGZ), 26% (TJK) and 28% (RUS) of reserves",
       "u: share of its reserves a state spends on imports it cannot otherwise finance before it cuts them to what it earns."),
    # --- capital -------------------------------------------------------------------------------------
    _g("capital_output_ratio", 2.5, "years of GDP", (0.5, 6.0), (2.0, 3.5),
       "assumption: capital stock of 2-3.5 years of GDP in middle-income economies (no regional figure found)",
       "kappa: base-year capital stock over GDP."),
    _g("capital_share", 0.4, "share", (0.05, 0.8), (0.3, 0.5), "assumption: capital share of income",
       "alpha: output elasticity of capital."),
    _g("capital_depreciation", 0.05, "per year", (0.0, 0.3), (0.04, 0.07), "assumption: average depreciation of fixed capital",
       "delta_K: depreciation of the capital stock."),
    # --- exchange rates ------------------------------------------------------------------------------
    _s("exchange_rate_elasticity", {"KAZ": 1.3, "KGZ": 1.2, "TJK": 0.75, "TKM": 0.3, "UZB": 0.8, "default": 0.8}, "-",
       (0.0, 3.0), (0.3, 1.7),
       "fx_depreciation_2014_2016 less pass-through (erpt_cca: 25% at 12 months) over the fall of each state's external income 2013-16 (wld_brent_usd_eia, remit_shock_2013_2016_ratios): KAZ 1.3-1.7, KGZ 1.2, TJK 0.75, TKM 0.3 (peg); UZB 0.8 assumed for its managed float since 2017",
       "phi_i: elasticity of the real exchange rate to the state's external-income index.",
       prior_around=("times", 0.6, 1.4)),  # a peg (Turkmenistan, 0.3) and a float (Kazakhstan, 1.3) draw around their own
    _g("exchange_rate_adjustment", 0.6, "per year", (0.0, 10.0), (0.3, 1.5),
       "kaz_gdp_usd_wdi2026: Kazakhstan's USD GDP fell over three years (-6%, -17%, -26%) after the 2014 oil fall; erpt_cca",
       "Speed at which the real exchange rate moves to its target."),
    # --- lending and allocation ----------------------------------------------------------------------
    _g("creditor_caution", 0.5, "share", (0.0, 1.0), (0.2, 0.8),
       "assumption: Chinese lenders cut new loans to distressed borrowers (kgz_debt_chn_exim_share: 43% of Kyrgyz public external debt in 2020, 30% by 2025)",
       "c: share of new lending withheld from a state in full debt distress."),
    _g("allocation_sensitivity", 1.0, "1/utility", (0.0, 10.0), (0.5, 2.0),
       "assumption: a prior (multinomial-logit split of each power's budget)",
       "lambda_A: how strongly powers move their FDI and lending budgets towards more attractive states."),
    _g("allocation_risk_weight", 1.0, "utility", (0.0, 10.0), (0.5, 2.0),
       "assumption: a prior; full debt distress or a protest delay weighs like a 100% fall of output",
       "w_R: weight of debt distress and protest delays in a state's attractiveness."),
    _g("allocation_welcome_weight", 2.0, "utility per alignment", (0.0, 10.0), (0.0, 4.0),
       "assumption: a prior; a state 10 points more aligned with a power gets ~20% more of its budget",
       "w_A: weight of the state's alignment with the power in its attractiveness."),
]

REGISTRY: dict[str, Param] = {p.name: p for p in _PARAMS}
PREFIXES = {"state": "states", "power": "powers"}  # scope -> first part of its dotted paths


def scope_codes(scope: str, actors: Actors | None = None) -> tuple[str, ...]:
    """The actor codes a scope's values run over: () for global, else the table's states or powers."""
    if scope == "global":
        return ()
    actors = actors or load_actors()
    return actors.states if scope == "state" else actors.powers


ALL = "all"  # `powers.all.x` / `states.all.x`: every actor of the scope


def parameter_paths(actors: Actors | None = None) -> list[str]:
    """One dotted path per parameter value, registry order: `beta_trade`, `powers.CHN.security_capacity`, ...

    These are the parameter columns of the runs table and the columns a design may have (for the
    actors of `actors`, default the actor table). `valid_paths` adds the `all` forms.
    """
    paths = []
    for p in REGISTRY.values():
        codes = scope_codes(p.scope, actors)
        paths += [f"{PREFIXES[p.scope]}.{a}.{p.name}" for a in codes] if codes else [p.name]
    return paths


def valid_paths(actors: Actors | None = None) -> list[str]:
    """Every dotted path the registry accepts: `parameter_paths` plus `powers.all.x` and `states.all.x`."""
    alls = [f"{PREFIXES[p.scope]}.{ALL}.{p.name}" for p in REGISTRY.values() if p.scope != "global"]
    return parameter_paths(actors) + alls


def parse_path(path: str, actors: Actors | None = None) -> tuple[Param, str | None]:
    """Split a dotted path into (Param, actor code), the actor None for a global parameter or an `all` path.

    Raises:
        ParameterError: an unknown path, with the nearest valid one, or a scoped parameter's bare name.
    """
    parts = str(path).split(".")
    if len(parts) == 1 and path in REGISTRY:
        param = REGISTRY[path]
        if param.scope == "global":
            return param, None
        prefix, example = PREFIXES[param.scope], scope_codes(param.scope, actors)[0]
        raise ParameterError(f"'{path}' is set per {param.scope}: name one ({prefix}.{example}.{path}) "
                             f"or every {param.scope} ({prefix}.{ALL}.{path})")
    if len(parts) == 3 and parts[0] in ("states", "powers"):
        scope = "state" if parts[0] == "states" else "power"
        codes = scope_codes(scope, actors)
        if parts[1] not in (*codes, ALL):
            raise ParameterError(f"unknown {scope} '{parts[1]}' in '{path}'{did_you_mean(parts[1], (*codes, ALL))}")
        p = REGISTRY.get(parts[2])
        if p is not None and p.scope == scope:
            return p, None if parts[1] == ALL else parts[1]
        names = [q.name for q in REGISTRY.values() if q.scope == scope]
        raise ParameterError(f"unknown {scope} parameter '{parts[2]}' in '{path}'{did_you_mean(parts[2], names)}")
    raise ParameterError(f"unknown parameter '{path}'{did_you_mean(path, valid_paths(actors))}")


def check_value(path: str, value, actors: Actors | None = None) -> np.ndarray:
    """Return value as a float array, or raise ParameterError if not numeric or out of bounds.

    A number, or per-run numbers: a list, tuple, numpy array or pandas Series (read by position).
    """
    param, _ = parse_path(path, actors)
    arr = None if isinstance(value, (bool, str, bytes, Mapping)) else np.asarray(value)
    if arr is None or arr.dtype.kind not in "iuf":
        raise ParameterError(f"{path}: expected a number or per-run numbers, got {_describe(value)}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{path}: value must be finite")
    lo, hi = param.bounds
    if np.any(arr < lo) or np.any(arr > hi):
        bad = arr[(arr < lo) | (arr > hi)].ravel()[0]
        raise ParameterError(f"{path}: {bad:g} is outside the valid range [{lo:g}, {hi:g}] {param.unit}")
    return arr


def _describe(value) -> str:
    if isinstance(value, (str, bytes)):
        return f"{type(value).__name__} {value!r}"
    dtype = getattr(value, "dtype", None)
    return f"{type(value).__name__} of {dtype}" if dtype is not None else type(value).__name__


def load_defaults(path: str | Path = DEFAULTS_FILE) -> dict[str, float]:
    """The calibrated defaults: dotted path -> value, as `casim calibrate` fitted them.

    `Params` layers them over the registry defaults (and under a caller's overrides) unless it is built
    with `use_calibrated=False` or given other `defaults`. The file is `model/data/calibrated.yaml`,
    which `casim calibrate` rewrites; without it (an uncalibrated checkout) there are none.

    Raises:
        ParameterError: the file names an unknown parameter or a value outside its valid range.
    """
    return dict(_read_calibration(str(path))[0])


def load_ranges(path: str | Path = DEFAULTS_FILE) -> dict[str, tuple[float, float]]:
    """The calibrated uncertainty ranges: dotted path -> (low, high), the posterior's central 90% interval that
    `casim calibrate` writes beside each calibrated value (`intervals:`). For a calibrated parameter this range
    replaces the registry's sourced `range` (`uncertainty_range`); read from the same file as `load_defaults`.

    Raises:
        ParameterError: an unknown parameter, an interval that is not [low, high] inside the valid range, or a
            calibrated value outside its interval.
    """
    return dict(_read_calibration(str(path))[1])


def not_identified(path: str | Path = DEFAULTS_FILE) -> tuple[str, ...]:
    """Dotted paths the calibration fitted but the data barely narrowed (`hindcast: not_identified:`): their
    posterior, used as every fitted parameter's is, is mostly their prior, and `parameter_table` marks them."""
    return _read_calibration(str(path))[2]


def uncertainty_range(path: str, defaults_path: str | Path = DEFAULTS_FILE,
                      actors: Actors | None = None) -> tuple[float, float]:
    """The uncertainty range in effect for a dotted path: its calibrated interval if it has one, else the
    registry's sourced range (`Param.prior_range`, the actor's own for a scoped path). An actor's path takes
    the interval written for it, else the one written for all actors (`powers.all.x`)."""
    calibrated = load_ranges(defaults_path)
    param, actor = parse_path(path, actors)
    shared = f"{PREFIXES[param.scope]}.all.{param.name}" if actor is not None else None
    for key in (path, shared):
        if key in calibrated:
            return calibrated[key]
    return tuple(float(x) for x in param.prior_range(actor))


@lru_cache(maxsize=4)
def _read_calibration(path: str) -> tuple[dict[str, float], dict[str, tuple[float, float]], tuple[str, ...]]:
    if not Path(path).exists():
        return {}, {}, ()
    document = read_yaml(path)
    data = document.data or {}
    values = data.get("params") or {}
    for key, value in values.items():
        try:
            check_value(key, value)
        except ParameterError as exc:
            raise ParameterError(f"{path}:{line_of(document.lines, ('params', key))}: params.{key}: {exc}") from None
    ranges = {}
    for key, interval in (data.get("intervals") or {}).items():
        where = f"{path}:{line_of(document.lines, ('intervals', key))}: intervals.{key}"
        if not (isinstance(interval, list) and len(interval) == 2):
            raise ParameterError(f"{where}: expected [low, high]")
        try:
            check_value(key, interval)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
        low, high = float(interval[0]), float(interval[1])
        if not low <= high or (key in values and not low <= float(values[key]) <= high):
            raise ParameterError(f"{where}: [{low:g}, {high:g}] must be ordered and hold the calibrated value")
        ranges[key] = (low, high)
    unidentified = tuple((data.get("hindcast") or {}).get("not_identified") or ())
    for key in unidentified:
        parse_path(key)
    return {key: float(value) for key, value in values.items()}, ranges, unidentified


class Params:
    """Resolved per-run parameter arrays; `params.beta_trade` is (R,), state ones (R, S), power ones (R, P)."""

    def __init__(self, n_runs: int, overrides: Mapping[str, object] | None = None, use_calibrated: bool = True,
                 defaults: Mapping[str, float] | None = None, actors: Actors | None = None,
                 draws: Mapping[str, np.ndarray] | None = None):
        """Args:
            n_runs: R, the length of every array's run axis.
            overrides: dotted path -> scalar or per-run array, applied last (they pin what they set).
            use_calibrated: layer the calibrated defaults (`load_defaults()`) over the registry's.
            defaults: other defaults to layer instead of the calibrated ones (dotted path -> value).
            actors: the actor table whose states and powers the scoped parameters run over (default `load_actors()`).
            draws: each run's parameter draw (`model.uncertainty.draw_parameters`), dotted path -> (R,) values,
                layered over the defaults and under `overrides`; the paths no override pins are listed in `drawn`.
        """
        self.n_runs = n_runs
        self.actors = actors or load_actors()
        self.version = 0  # bumped by every `set`, so derived quantities know when to refresh
        self.values: dict[str, np.ndarray] = {}
        for p in REGISTRY.values():
            codes = scope_codes(p.scope, self.actors)
            if codes:
                row = np.array([p.default_for(a) for a in codes])
                self.values[p.name] = runs_fastest(np.tile(row, (n_runs, 1)))
            else:
                self.values[p.name] = np.full(n_runs, p.default_for())
        self.__dict__.update(self.values)  # plain attribute access: params.beta_trade
        if defaults is None:
            defaults = load_defaults() if use_calibrated else {}
        self.overrides = {}
        for path, value in defaults.items():
            self.set(path, value)
        for path, value in (draws or {}).items():
            self.set(path, value, record=False)
        for path, value in (overrides or {}).items():
            self.set(path, value)
        pinned = {_entry(path, self.actors) for path in (overrides or {})}
        self.drawn = tuple(path for path in (draws or {}) if not _covered(_entry(path, self.actors), pinned))
        self.initial = {name: values.copy() for name, values in self.values.items()}  # before any event sets one

    def set(self, path: str, value, runs=None, record: bool = True) -> None:
        """Set a parameter by dotted path, for all runs or the boolean/int `runs` selection (`record`: list it
        in `overrides`)."""
        param, actor = parse_path(path, self.actors)
        arr = check_value(path, value, self.actors)
        if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != self.n_runs):
            raise ParameterError(f"{path}: expected a scalar or {self.n_runs} per-run values, got shape {arr.shape}")
        target = self.values[param.name]
        sel = slice(None) if runs is None else runs
        if actor is None:
            if target.ndim == 2:
                target[sel, :] = arr[sel, None] if arr.ndim == 1 else arr
            else:
                target[sel] = arr[sel] if arr.ndim == 1 else arr
        else:
            col = scope_codes(param.scope, self.actors).index(actor)
            target[sel, col] = arr[sel] if arr.ndim == 1 else arr
        if record:
            self.overrides[path] = value
        self.version += 1

    def __getattr__(self, name: str) -> np.ndarray:
        # only reached for names that are not parameters
        raise AttributeError(f"unknown parameter '{name}'{did_you_mean(name, REGISTRY)}")

    def columns(self, values: Mapping[str, np.ndarray] | None = None):
        """(dotted path, per-run values (R,)) for every parameter value, in `parameter_paths` order.

        Args:
            values: parameter name -> array as in `self.values` (default: the values now); e.g. a copy
                taken before the run, when events may have set parameters since.
        """
        values = self.values if values is None else values
        for p in REGISTRY.values():
            v = values[p.name]
            if v.ndim == 1:
                yield p.name, v
            else:
                for k, actor in enumerate(scope_codes(p.scope, self.actors)):
                    yield f"{PREFIXES[p.scope]}.{actor}.{p.name}", v[:, k]

    def resolved(self, initial: bool = False) -> dict[str, list]:
        """Every parameter by dotted path with its per-run values, now or (`initial`) as the runs started, before
        any event set one (for the runs table and the manifest)."""
        return {path: _compact(v) for path, v in self.columns(self.initial if initial else None)}


def _entry(path: str, actors: Actors) -> tuple[str, str | None]:
    """(registry name, actor or None) of a dotted path."""
    param, actor = parse_path(path, actors)
    return param.name, actor


def _covered(target: tuple[str, str | None], pins: set[tuple[str, str | None]]) -> bool:
    """True when a pin sets the (name, actor) `target`: the same path, or its scoped entry's `all` path."""
    return target in pins or (target[0], None) in pins


def _compact(v: np.ndarray):
    return float(v[0]) if np.all(v == v[0]) else [float(x) for x in v]


def expand_path(path: str, actors: Actors | None = None) -> list[str]:
    """The `parameter_paths` a dotted path sets: itself, or one per actor for an `all` path."""
    param, actor = parse_path(path, actors)
    codes = scope_codes(param.scope, actors)
    if not codes or actor is not None:
        return [path]
    return [f"{PREFIXES[param.scope]}.{a}.{param.name}" for a in codes]


def parameter_table(overrides: Mapping[str, object] | None = None, use_calibrated: bool = True,
                    actors: Actors | None = None, defaults_path: str | Path = DEFAULTS_FILE):
    """The registry as a DataFrame, one row per parameter value (`parameter_paths`), with the value in effect.

    Columns: `path`, `name`, `scope`, `actor` (None for a global parameter), `value` (in effect for a
    model built with these `overrides` and `use_calibrated`; NaN where per-run overrides differ between
    runs), `value_source` (`registry`, `calibrated` for `model/data/calibrated.yaml`, or `override`),
    `default` (the registry's), `lower`, `upper` (the valid range, enforced), `range_lower`,
    `range_upper` (the sourced uncertainty range: `Param.prior_range`, what `prior` replicates draw from),
    `calibrated_lower`, `calibrated_upper` (the posterior's central 90% interval where `casim calibrate`
    wrote one, else NaN), `in_effect_lower`, `in_effect_upper` (the calibrated interval if any, else the
    sourced range: `uncertainty_range`, what samplers and the EMA adapter use), `identified` (False for a
    fitted parameter the hindcast barely narrowed: its posterior is mostly its prior), `kind` (`KINDS`: whether
    replicates draw it), `unit`, `source` (fact ids or the stated assumption) and `meaning`.

    Args:
        overrides: dotted path -> value, as `CentralAsiaModel(params=...)` takes them.
        use_calibrated: whether the calibrated defaults are in effect (as in the model, default True).
        actors: the actor table (default `load_actors()`).
        defaults_path: the calibration file (default `model/data/calibrated.yaml`).
    Raises:
        ParameterError: an unknown path or a value out of range in `overrides`.
    """
    import pandas as pd

    actors = actors or load_actors()
    overrides = dict(overrides or {})
    calibrated = load_defaults(defaults_path) if use_calibrated else {}
    n_runs = max([np.size(v) for v in overrides.values()] + [1])
    params = Params(n_runs, overrides, defaults=calibrated, actors=actors)
    source, intervals = {}, {}
    for layer, paths in (("calibrated", calibrated), ("override", overrides)):
        for path in paths:
            source |= dict.fromkeys(expand_path(path, actors), layer)
    for path, interval in load_ranges(defaults_path).items():
        intervals |= dict.fromkeys(expand_path(path, actors), interval)
    unidentified = {p for path in not_identified(defaults_path) for p in expand_path(path, actors)}
    rows = []
    for path, values in params.columns():
        param, actor = parse_path(path, actors)
        sourced = param.prior_range(actor)
        fitted = intervals.get(path, (np.nan, np.nan))
        in_effect = uncertainty_range(path, defaults_path, actors)
        rows.append({"path": path, "name": param.name, "scope": param.scope, "actor": actor,
                     "value": float(values[0]) if np.all(values == values[0]) else np.nan,
                     "value_source": source.get(path, "registry"), "default": param.default_for(actor),
                     "lower": param.bounds[0], "upper": param.bounds[1],
                     "range_lower": sourced[0], "range_upper": sourced[1],
                     "calibrated_lower": fitted[0], "calibrated_upper": fitted[1],
                     "in_effect_lower": in_effect[0], "in_effect_upper": in_effect[1],
                     "identified": path not in unidentified,
                     "kind": param.kind, "unit": param.unit, "source": param.source, "meaning": param.doc})
    return pd.DataFrame(rows)
