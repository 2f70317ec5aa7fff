"""Influence indices and the great powers' reaction rules (the balance measures are output columns, `outputs.py`).

Pure functions over arrays (run R, state S, power P, channel C).
"""
from __future__ import annotations

import numpy as np

from .arrays import sum_axis1, sum_last


def official_and_hidden_debt(fields, china: int) -> np.ndarray:
    """Debt owed to each power, hidden debt counting as China's: D_ij + H_i [j = China]."""
    debt = fields["debt"].copy(order="K")
    debt[..., china] += fields["hidden_debt"]
    return debt


# The influence index's channels: the non-negative level whose shares make each one, from the state fields (or a
# recorded snapshot of them). Each channel c has a weight parameter w_c (`model/params.py`); the output contract
# has one column per channel and power (`outputs.state_columns`), so a channel added here reaches the tables and
# the reports' attribution with no other change.
CHANNEL_LEVELS = {
    "trade": lambda fields, china: fields["trade"],
    "fdi": lambda fields, china: fields["fdi_stock"],
    "debt": official_and_hidden_debt,
    "security": lambda fields, china: fields["security"],
    "alignment": lambda fields, china: fields["alignment"],
}
CHANNELS = tuple(CHANNEL_LEVELS)


def channel_weights(channel_shares, weights, out=None):
    """Each channel's effective weight in each state: w_c [c present in i] / sum_c' w_c' [c' present in i].

    A channel whose total is zero in a state (no debt to any power, say) is dropped there and the other
    weights renormalised, so each state's weights sum to 1 over the channels.

    Args:
        channel_shares: dict channel -> (shares (R, S, P), present (R, S) bool), in `CHANNELS` order, as from
            `politics.shares_and_presence` of the channel's levels.
        weights: dict channel -> (R,) weights w_c.
        out: (R, S, C) array to write into (the model's state field, laid out with the runs fastest).
    Returns:
        (R, S, C) weights omega_ci, channels in the order of `channel_shares`.
    """
    w = [weights[name][:, None] * present for name, (_, present) in channel_shares.items()]
    total = w[0].copy(order="K")
    for part in w[1:]:  # left to right, whatever the number of runs
        total += part
    out = np.empty(total.shape + (len(w),)) if out is None else out
    for k, part in enumerate(w):
        np.divide(part, total, out=out[..., k])
    return out


def state_influence(channel_shares, omega):
    """Influence of each power in each state: weighted mean of its shares of each channel.

    I_ij = sum_c omega_ci s_cij, with omega_ci = w_c present_ci / sum_c' w_c' present_c'i (`channel_weights`),
    so rows sum to 1. The term omega_ci s_cij is channel c's part of it (the output column channel_<c>_<P>).

    Args:
        channel_shares: dict channel -> (shares (R, S, P), present (R, S)), in the order of omega's channels.
        omega: (R, S, C) effective channel weights.
    Returns:
        (R, S, P) influence shares.
    """
    total = None
    for k, (shares, _) in enumerate(channel_shares.values()):
        term = omega[..., k, None] * shares
        if total is None:
            total = term
        else:
            total += term
    return total


def regional_influence(influence, gdp):
    """GDP-weighted mean over states: (R, S, P), (R, S) -> (R, P)."""
    return sum_axis1(influence * gdp[:, :, None]) / sum_axis1(gdp)[:, None]


def russia_reaction(regional_russia, base_regional_russia, gain, switch):
    """Russia, losing ground, offers security and EAEU ties: offer = switch * gain * max(0, I0 - I)."""
    return switch * gain * np.maximum(base_regional_russia - regional_russia, 0.0)


def china_russia_friction(china_ties, russia_ties, tolerance):
    """Friction in [0, 1] rises when China's regional security ties pass Russia's tolerance.

    friction = logistic((sum_i tie_i,CHN / sum_i tie_i,RUS - tolerance) / 0.05)
    china_ties, russia_ties: (R, S). tolerance: (R,).
    """
    ratio = sum_axis1(china_ties) / np.maximum(sum_axis1(russia_ties), 1e-9)
    return 1.0 / (1.0 + np.exp(-(ratio - tolerance) / 0.05))
