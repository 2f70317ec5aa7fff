"""Mesa agents. Each one updates its own slice of the state arrays for all R runs at once.

A `GreatPower` owns column j of the (run, state, power) arrays; a
`CentralAsianState` owns row i. Their `step`-phase methods read like the
model description and call the pure functions in economy, politics and corridors.
"""
from __future__ import annotations

import mesa
import numpy as np

from . import economy, politics
from .arrays import sum_last, times


class GreatPower(mesa.Agent):
    """A great power of the actor table (China, Russia, the EU, the US): invests, lends, builds corridors, reacts."""

    def __init__(self, model, code: str, index: int):
        super().__init__(model)
        self.code = code
        self.index = index

    def invest(self) -> None:
        """FDI and lending into every state, split across states by attractiveness, plus corridor spending.

        F_ij = F0_ij scale_j B_j(t) (a_ij / a0_ij) (T_ij / T0_ij)^(-eps) x commodity effect x protest factor
        L_ij = L0_ij scale_j B_j(t) (a^L_ij / a^L0_ij) x creditor caution x protest factor
        The card's response to shipment time is FDI's; lenders answer distress instead (mechanism 9).
        """
        m, s, p, j = self.model, self.model.state, self.model.params, self.index
        base = m.base
        budget = p.investment_scale[:, j] * np.exp(m.log_budget[:, j])
        commodity = economy.commodity_fdi_effect(m.price_index, base.extractive_share[j], p.commodity_fdi_elasticity)
        held = economy.protest_factor(s.delay[:, :, j] > 0, p.protest_fdi_cut)
        held *= budget[:, None]
        s.fdi_flow[:, :, j] = times(held * m.fdi_allocation[:, :, j] * m.shiptime_factor[:, :, j] * commodity,
                                    base.fdi_flow[:, j])
        s.lending[:, :, j] = times(held * m.lending_allocation[:, :, j], base.lending[:, j])
        s.corridor_investment += m.constants.corridor_spending[j]

    def react(self) -> None:
        """Security capacity follows war and slow rise; Russia pays for its reactive offers."""
        m, s, p, j = self.model, self.model.state, self.model.params, self.index
        friction = s.friction if j == m.china else 0.0
        s.log_rise[:, j] = politics.step_rise(s.log_rise[:, j], p.security_growth[:, j], friction, p.friction_drag, m.dt)
        target = m.constants.capacity_potential[:, j] * np.exp(s.log_rise[:, j])
        capacity = politics.step_toward(s.capacity[:, j], target, p.security_adjust_rate, m.dt)
        if j == m.russia:
            capacity = capacity - p.russia_reaction_cost * s.russia_offer * m.dt
        s.capacity[:, j] = np.maximum(capacity, 0.0)


class CentralAsianState(mesa.Agent):
    """A state of the actor table (Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan)."""

    def __init__(self, model, code: str, index: int):
        super().__init__(model)
        self.code = code
        self.index = index

    def update(self) -> None:
        """Local processing, debt, sentiment and protests, security: this state's row (its output is `_produce`)."""
        self._process()
        self._borrow()
        self._feel()
        self._secure()

    def _process(self) -> None:
        m, s, p, i = self.model, self.model.state, self.model.params, self.index
        s.local_processing[:, i] = politics.step_toward(s.local_processing[:, i], p.local_processing[:, i],
                                                        p.local_processing_adjust_rate, m.dt)

    def _borrow(self) -> None:
        m, s, p, i = self.model, self.model.state, self.model.params, self.index
        china = m.china
        hidden_lending = p.hidden_debt_share * s.lending[:, i, china]
        official = s.lending[:, i].copy(order="K")
        official[:, china] -= hidden_lending
        s.debt[:, i] = economy.step_debt(s.debt[:, i], official, m.constants.rows["debt_amortisation"], m.dt)
        s.hidden_debt[:, i] = economy.step_debt(s.hidden_debt[:, i], hidden_lending, p.debt_amortisation, m.dt)
        # owed in dollars: it grows with real output and does not shrink with the currency
        s.other_debt[:, i] = m.base.other_debt_ratio[i] * m.base.gdp[i] * s.output[:, i]
        s.debt_to_gdp[:, i] = (sum_last(s.debt[:, i]) + s.hidden_debt[:, i] + s.other_debt[:, i]) / s.gdp[:, i]
        s.distress[:, i] = economy.debt_distress(s.debt_to_gdp[:, i], p.distress_threshold[:, i], p.distress_width)

    def _feel(self) -> None:
        m, s, p, i = self.model, self.model.state, self.model.params, self.index
        base, noise, c = m.base, m.noise, m.constants
        rows = c.rows
        gdp = s.gdp[:, i, None]
        target = politics.sentiment_target(
            base.sentiment[i], s.fdi_stock[:, i] / gdp, base.benefit[i],
            p.imported_labour_share * s.fdi_flow[:, i] / gdp, base.labour[i],
            s.debt[:, i] / gdp * (1.0 + s.distress[:, i, None]), base.burden[i],
            rows["benefit_sentiment_gain"], rows["labour_sentiment_penalty"], rows["debt_sentiment_penalty"])
        target[:, m.russia] += politics.remittance_sentiment(
            p.remittance_sentiment_gain, s.remittances_russia[:, i] / s.gdp[:, i], base.remittance_russia_ratio[i])
        s.scandal[:, i] = noise.scandal[:, i] < c.scandal_probability
        s.sentiment[:, i] = politics.step_sentiment(
            s.sentiment[:, i], target, rows["sentiment_adjust_rate"], rows["sentiment_noise"], m.dt,
            noise.sentiment[:, i], s.scandal[:, i], rows["corruption_hit"])
        rate = politics.protest_rate(s.sentiment[:, i], rows["protest_threshold"], rows["protest_steepness"],
                                     rows["protest_rate"], c.dissent[i])
        s.protest[:, i] = noise.protest[:, i] < politics.event_probability(rate, m.dt)
        s.delay[:, i] = politics.step_delay(s.delay[:, i], s.protest[:, i], rows["protest_delay_years"], m.dt)

    def _secure(self) -> None:
        m, s, p, i = self.model, self.model.state, self.model.params, self.index
        base, noise, c = m.base, m.noise, m.constants
        s.threat[:, i] = politics.step_threat(s.threat[:, i], base.threat[i], p.threat_reversion, p.threat_volatility,
                                              m.dt, noise.threat[:, i], noise.afghan_spillover, c.spillover_jump[:, i])
        offer = p.security_offer.copy(order="K")
        offer[:, m.russia] += s.russia_offer
        target = politics.tie_target(base.security[i], s.capacity, base.capacity, offer)
        s.security[:, i] = politics.step_toward(s.security[:, i], target, c.rows["security_adjust_rate"], m.dt)

    def choose_alignment(self) -> None:
        """Move part of the way towards softmax(U / hedging temperature)."""
        m, s, i = self.model, self.model.state, self.index
        preferred = m.preferred_alignment(i)
        s.alignment[:, i] = politics.step_alignment(s.alignment[:, i], preferred, m.constants.alignment_keep)
